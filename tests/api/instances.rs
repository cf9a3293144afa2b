//! Several instances on one PostgreSQL database behave as one. On SQLite
//! (one process per file) these tests have nothing to check and return.

use futures_util::StreamExt;

use crate::helpers::{BRANCHING_FORM, TestApp, spawn_app, spawn_on_database};
use crate::receivers::WebhookReceiver;

/// A second instance on the first one's PostgreSQL database, or None on SQLite.
async fn second_instance(app: &TestApp) -> Option<TestApp> {
    if !app.database_url.starts_with("postgres") {
        eprintln!("SQLite: one instance per database file; run with LEADGATE_TEST_DATABASE_URL for this test");
        return None;
    }
    let other = spawn_on_database(&app.database_url, |_| {}).await;
    other.clock.set(app.clock.now());
    Some(other)
}

#[tokio::test]
async fn a_lead_finished_on_one_instance_reaches_a_rep_connected_to_another() {
    let a = spawn_app().await;
    a.publish_form(BRANCHING_FORM).await;
    let team = a.seed_team().await;
    let Some(b) = second_instance(&a).await else { return };
    let rita = b.login_as(&team.rita).await;
    let response = rita.client.get(rita.url("/inbox/events")).send().await.unwrap();
    let mut stream = response.bytes_stream();
    let lead = a.lead_of(&a.finish_tier1("cto@acme.example").await).await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    let mut received = String::new();
    while !received.contains(&lead.id.to_string()) {
        let chunk =
            tokio::time::timeout_at(deadline, stream.next()).await.expect("the event in time").unwrap().unwrap();
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn two_instances_share_round_robin_turns_and_deliver_each_notice_once() {
    let a = spawn_app().await;
    a.publish_form(BRANCHING_FORM).await;
    let team = a.seed_team().await;
    let Some(b) = second_instance(&a).await else { return };
    let receiver = WebhookReceiver::start().await;
    let admin = a.login_as(&team.admin).await;
    let pairs = [("url", receiver.url.as_str()), ("allow_private", "yes"), ("events", "lead.assigned")];
    assert_eq!(admin.post_with_csrf("/admin/webhooks", "/admin/webhooks", &pairs).await.status(), 200);
    let mut finishes = tokio::task::JoinSet::new();
    for n in 0..10 {
        let instance = if n % 2 == 0 { a.clone() } else { b.clone() };
        finishes.spawn(async move { instance.finish_tier1(&format!("buyer{n}@company{n}.example")).await });
    }
    let mut owners = Vec::new();
    while let Some(path) = finishes.join_next().await {
        owners.push(a.lead_of(&path.unwrap()).await.assigned_user_id.unwrap());
    }
    let to_rita = owners.iter().filter(|o| **o == team.rita.id).count();
    assert_eq!(to_rita, 5, "ten leads, two reps, strict turns: {owners:?}");
    a.wait_until("ten webhooks", || async { receiver.all().len() >= 10 }).await;
    // Give both workers one more round to show no second delivery happens.
    a.finish_tier1("last@one-more.example").await;
    a.wait_until("the eleventh webhook", || async { receiver.all().len() >= 11 }).await;
    let mut ids: Vec<String> =
        receiver.all().iter().map(|r| r.headers["webhook-id"].to_str().unwrap().to_string()).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "no notice was delivered twice");
}

#[tokio::test]
async fn the_fallback_fires_once_with_two_instances() {
    let a = spawn_app().await;
    a.publish_form(BRANCHING_FORM).await;
    let team = a.seed_team().await;
    let Some(b) = second_instance(&a).await else { return };
    let lead = a.lead_of(&a.finish_tier1("cto@acme.example").await).await;
    a.clock.advance(chrono::Duration::minutes(3));
    b.clock.advance(chrono::Duration::minutes(3));
    a.wait_until("the fallback", || async { a.lead(lead.id).await.assigned_user_id == Some(team.sam.id) }).await;
    // Let both workers run another round, then count.
    let other = a.lead_of(&b.finish_tier1("x@other.example").await).await;
    let rep = other.assigned_user_id.unwrap().to_string();
    a.wait_until("a later round", || async { a.notices("live", &rep).await.iter().any(|n| n.status == "delivered") })
        .await;
    let fallbacks = a.history(lead.id).await.iter().filter(|h| h.kind == "fallback").count();
    assert_eq!(fallbacks, 1);
}

/// Two instances, and a response answered up to "company size" on the
/// first (which keeps its copy); None on SQLite.
async fn response_answered_on_a() -> Option<(TestApp, TestApp, String)> {
    let a = spawn_app().await;
    a.publish_form(BRANCHING_FORM).await;
    let b = second_instance(&a).await?;
    let path = a.start_form("qualify", "", &["first@acme.example"]).await;
    a.answer_ok(&path, "company_size", &["mid"]).await;
    Some((a, b, path))
}

#[tokio::test]
async fn an_answer_on_an_instance_with_an_outdated_copy_keeps_what_another_instance_saved() {
    use leadgate::engine::AnswerValue;
    let Some((a, b, path)) = response_answered_on_a().await else { return };
    let id: uuid::Uuid = path.rsplit('/').next().unwrap().parse().unwrap();
    let outdated = a.hot.get_to_check(id).expect("instance a keeps the copy its answer wrote");
    // Instance b moves the response on; a's copy no longer says so.
    b.answer_ok(&path, "current_tool", &["spreadsheets"]).await;
    a.answer_ok(&path, "email", &["second@acme.example"]).await;
    let mut conn = a.db.read().await.unwrap();
    let stored = leadgate::store::responses::find_response(conn.conn(), id).await.unwrap().unwrap();
    let answers = stored.answers.0;
    assert_eq!(answers.get("current_tool"), Some(&AnswerValue::Text("spreadsheets".into())), "b's answer is kept");
    assert_eq!(answers.get("email"), Some(&AnswerValue::Text("second@acme.example".into())), "a's answer is saved");
    assert_eq!(stored.revision, outdated.record.revision + 2, "two writes after a's copy, none lost");
    let kept = a.hot.get_to_check(id).unwrap();
    assert_eq!((kept.record.revision, &kept.record.answers.0), (stored.revision, &answers), "a keeps what is stored");
}

#[tokio::test]
async fn a_page_on_an_instance_with_an_outdated_copy_shows_what_another_instance_saved() {
    let Some((a, b, path)) = response_answered_on_a().await else { return };
    assert_eq!(a.current_question(&path).await, "current_tool", "a's page, from the copy it keeps");
    b.answer_ok(&path, "current_tool", &["spreadsheets"]).await;
    assert_eq!(b.current_question(&path).await, "timeline");
    assert_eq!(a.current_question(&path).await, "timeline", "a's outdated copy is not shown");
    a.answer_ok(&path, "company_size", &["large"]).await;
    assert_eq!(b.current_question(&path).await, "procurement", "and b's, once a changed the branch");
}
