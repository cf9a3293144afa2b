//! Signing in, the rep's inbox, verdicts, roles, CSRF and the live stream.

use futures_util::StreamExt;
use scraper::{Html, Selector};

use crate::helpers::{BRANCHING_FORM, PASSWORD, Person, Team, TestApp, spawn_app, text_of};
use crate::notices::{add_endpoint, assert_carries_the_tier1_lead};
use crate::receivers::WebhookReceiver;

async fn app_with_team() -> (TestApp, Team) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    (app, team)
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("lg_session="))
        .map(str::to_string)
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in() {
    let app = spawn_app().await;
    for path in ["/inbox", "/inbox/events", "/admin/notices"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 303, "{path}");
        assert!(crate::helpers::location(&response).starts_with("/login?next="), "{path}");
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_the_email_kept() {
    let (app, team) = app_with_team().await;
    let response = app.post_form("/login", &[("email", &team.rita.email), ("password", "wrong password")]).await;
    assert_eq!(response.status(), 422);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert!(text_of(&page, ".field-error").unwrap().contains("wrong"));
    assert_eq!(crate::helpers::input_value(&page, "email").as_deref(), Some(team.rita.email.as_str()));
}

#[tokio::test]
async fn signing_in_sets_a_secure_fresh_session_and_signing_out_ends_it() {
    let (app, team) = app_with_team().await;
    let pairs = [("email", team.rita.email.as_str()), ("password", PASSWORD)];
    let first = app.post_form("/login", &pairs).await;
    let cookie = session_cookie(&first).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let second = session_cookie(&app.post_form("/login", &pairs).await).unwrap();
    assert_ne!(cookie, second, "every sign-in gets a new session id");
    let raw = cookie.split(';').next().unwrap().to_string();
    leadgate::notify::webhook::install_crypto_provider();
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let with_cookie = || plain.get(app.url("/inbox")).header("cookie", raw.clone()).send();
    assert_eq!(with_cookie().await.unwrap().status(), 200);
    let page = Html::parse_document(&with_cookie().await.unwrap().text().await.unwrap());
    let csrf = crate::helpers::input_value(&page, "csrf").unwrap();
    let out =
        plain.post(app.url("/logout")).header("cookie", raw.clone()).form(&[("csrf", csrf)]).send().await.unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(with_cookie().await.unwrap().status(), 303, "the old session no longer works");
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let app = crate::helpers::spawn_app_with(|s| s.limits.logins_per_minute = 3).await;
    for _ in 0..3 {
        let response = app.post_form("/login", &[("email", "x@y.example"), ("password", "nope-nope-nope")]).await;
        assert_eq!(response.status(), 422);
    }
    let response = app.post_form("/login", &[("email", "x@y.example"), ("password", "nope-nope-nope")]).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_rep_sees_their_leads_with_scores_and_reasons() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    let rita = app.login_as(&team.rita).await;
    let inbox = rita.get_html("/inbox").await;
    let rows = Selector::parse("tr[data-lead]").unwrap();
    let ids: Vec<_> = inbox.select(&rows).filter_map(|r| r.value().attr("data-lead")).collect();
    assert_eq!(ids, vec![lead.id.to_string()]);
    let page = rita.get_html(&format!("/inbox/leads/{}", lead.id)).await;
    let fit = text_of(&page, "ul.reasons.fit").unwrap();
    assert!(fit.contains("How many people work at your company? Over 1000"), "{fit}");
    let answers = text_of(&page, "dl.answers").unwrap();
    assert!(answers.contains("Does a purchase go through procurement?"), "{answers}");
    let history = text_of(&page, "ol.history").unwrap();
    assert!(history.contains("round robin: first in pool"), "{history}");
}

#[tokio::test]
async fn a_rep_cannot_open_or_change_another_reps_lead() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    let sam = app.login_as(&team.sam).await;
    let page = format!("/inbox/leads/{}", lead.id);
    assert_eq!(sam.get(&page).await.status(), 404);
    let token = sam.csrf("/inbox").await;
    let refused = sam.post_form(&format!("{page}/accept"), &[("csrf", &token)]).await;
    assert_eq!(refused.status(), 404);
    assert_eq!(app.lead(lead.id).await.status, "assigned");
}

#[tokio::test]
async fn roles_are_enforced_on_admin_and_inbox_pages() {
    let (app, team) = app_with_team().await;
    for path in ["/admin/notices", "/admin/webhooks"] {
        for person in [&team.rita, &team.manager, &team.marketer] {
            let browser = app.login_as(person).await;
            assert_eq!(browser.get(path).await.status(), 403, "{path} as {}", person.email);
        }
        let admin = app.login_as(&team.admin).await;
        assert_eq!(admin.get(path).await.status(), 200, "{path} as admin");
    }
    let marketer = app.login_as(&team.marketer).await;
    for path in ["/inbox", "/inbox/events"] {
        assert_eq!(marketer.get(path).await.status(), 403, "{path} as marketer");
    }
    for person in [&team.rita, &team.manager, &team.admin] {
        assert_eq!(app.login_as(person).await.get("/inbox").await.status(), 200, "{}", person.email);
    }
}

#[tokio::test]
async fn anonymous_state_changes_are_refused() {
    let (app, _team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    for action in ["accept", "disqualify", "hand-back", "reassign"] {
        let response = app.post_form(&format!("/inbox/leads/{}/{action}", lead.id), &[("csrf", "x")]).await;
        assert_eq!(response.status(), 303, "{action}");
        assert!(crate::helpers::location(&response).starts_with("/login"), "{action}");
    }
    let response = app.post_form("/admin/webhooks", &[("url", "https://example.com")]).await;
    assert!(crate::helpers::location(&response).starts_with("/login"));
    assert_eq!(app.lead(lead.id).await.status, "assigned");
}

#[tokio::test]
async fn a_state_change_without_the_csrf_token_is_refused() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    let rita = app.login_as(&team.rita).await;
    let accept = format!("/inbox/leads/{}/accept", lead.id);
    assert_eq!(rita.post_form(&accept, &[]).await.status(), 403);
    assert_eq!(rita.post_form(&accept, &[("csrf", "forged")]).await.status(), 403);
    let cross_site = rita
        .client
        .post(rita.url(&accept))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", rita.csrf("/inbox").await)])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    assert_eq!(app.lead(lead.id).await.status, "assigned");
}

#[tokio::test]
async fn accepting_disqualifying_handing_back_and_reassigning_record_it_and_tell_the_webhooks() {
    let (app, team) = app_with_team().await;
    let receiver = WebhookReceiver::start().await;
    add_endpoint(&app, &team, &receiver.url, &[]).await;
    let first = app.lead_of(&app.finish_tier1("one@acme.example").await).await;
    let second = app.lead_of(&app.finish_tier1("two@beta.example").await).await;
    let third = app.lead_of(&app.finish_tier1("three@gamma.example").await).await;
    assert_eq!(third.assigned_user_id, Some(team.rita.id));
    let rita = app.login_as(&team.rita).await;
    let page = format!("/inbox/leads/{}", first.id);
    assert_eq!(rita.post_with_csrf(&page, &format!("{page}/accept"), &[]).await.status(), 303);
    let accepted = app.lead(first.id).await;
    assert_eq!(accepted.status, "accepted");
    assert!(accepted.accepted_at.is_some());

    let sam = app.login_as(&team.sam).await;
    let page = format!("/inbox/leads/{}", second.id);
    let missing_note = sam.post_with_csrf(&page, &format!("{page}/disqualify"), &[("reason", "other")]).await;
    assert_eq!(missing_note.status(), 422);
    let shown = Html::parse_document(&missing_note.text().await.unwrap());
    assert!(text_of(&shown, ".field-error").unwrap().contains("Other"));
    let done = sam
        .post_with_csrf(
            &page,
            &format!("{page}/disqualify"),
            &[("reason", "no_budget"), ("note", "Pilot only next year")],
        )
        .await;
    assert_eq!(done.status(), 303);
    let disqualified = app.lead(second.id).await;
    assert_eq!(disqualified.status, "disqualified");
    assert_eq!(disqualified.verdict_reason.as_deref(), Some("No budget: Pilot only next year"));
    let history = app.history(second.id).await;
    assert!(history.last().unwrap().reason.contains("disqualified by Sam Rep: No budget"));

    let page = format!("/inbox/leads/{}", third.id);
    assert_eq!(rita.post_with_csrf(&page, &format!("{page}/hand-back"), &[]).await.status(), 303);
    let manager = app.login_as(&team.manager).await;
    let sam_id = team.sam.id.to_string();
    assert_eq!(manager.post_with_csrf(&page, &format!("{page}/reassign"), &[("rep", &sam_id)]).await.status(), 303);
    assert_eq!(live_event(&app, &team.manager, "lead.unassigned").await["lead_id"], third.id.to_string());
    assert_eq!(live_event(&app, &team.sam, "lead.reassigned").await["lead_id"], third.id.to_string());

    // Three assignments, then one webhook per verdict or move, each with the whole lead.
    app.wait_until("every webhook", || async { receiver.all().len() >= 7 }).await;
    let bodies: Vec<serde_json::Value> =
        receiver.all().iter().map(|r| serde_json::from_str(&r.body).unwrap()).collect();
    let of = |event: &str| -> Vec<&serde_json::Value> {
        bodies.iter().filter(|b| b["type"] == event).map(|b| &b["data"]).collect()
    };
    assert_eq!(of("lead.assigned").len(), 3, "{bodies:?}");
    let told = [
        ("lead.accepted", &first, "one@acme.example", "accepted by Rita Rep"),
        ("lead.disqualified", &second, "two@beta.example", "disqualified by Sam Rep: No budget: Pilot only next year"),
        ("lead.unassigned", &third, "three@gamma.example", "handed back by Rita Rep"),
        ("lead.reassigned", &third, "three@gamma.example", "reassigned by Mona Manager to Sam Rep"),
    ];
    for (event, lead, email, reason) in told {
        let data = of(event);
        assert_eq!(data.len(), 1, "one {event} in {bodies:?}");
        assert_eq!(data[0]["reason"], reason);
        assert_carries_the_tier1_lead(data[0], lead.id, email);
    }
    assert_eq!(bodies.len(), 7, "nothing else, and no lead.taken_back for a lead nobody had: {bodies:?}");
}

/// The `lead` of the one live notice of `event` to `person`.
async fn live_event(app: &TestApp, person: &Person, event: &str) -> serde_json::Value {
    let notices = app.notices("live", &person.id.to_string()).await;
    let of_event: Vec<_> = notices.into_iter().filter(|n| n.event_type == event).collect();
    assert_eq!(of_event.len(), 1, "one {event} for {}", person.email);
    of_event[0].payload.0["lead"].clone()
}

#[tokio::test]
async fn reassigning_tells_the_new_rep_the_lead_is_passed_and_the_old_one_it_is_taken_back() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("one@acme.example").await).await;
    assert_eq!(lead.assigned_user_id, Some(team.rita.id));
    let manager = app.login_as(&team.manager).await;
    let page = format!("/inbox/leads/{}", lead.id);
    let sam_id = team.sam.id.to_string();
    assert_eq!(manager.post_with_csrf(&page, &format!("{page}/reassign"), &[("rep", &sam_id)]).await.status(), 303);
    let events = |notices: Vec<leadgate::store::outbox::NoticeRecord>| {
        let mut types: Vec<String> = notices.into_iter().map(|n| n.event_type).collect();
        types.sort();
        types
    };
    let to_rita = events(app.notices("live", &team.rita.id.to_string()).await);
    assert_eq!(to_rita, ["lead.assigned", "lead.taken_back"], "Rita hears the lead left her");
    assert_eq!(events(app.notices("live", &team.sam.id.to_string()).await), ["lead.reassigned"]);
    let taken = live_event(&app, &team.rita, "lead.taken_back").await;
    assert_eq!(taken["reason"], "reassigned by Mona Manager to Sam Rep");
    assert_eq!(taken["assigned_to"], "Sam Rep");
    assert_carries_the_tier1_lead(&taken, lead.id, "one@acme.example");
}

#[tokio::test]
async fn a_manager_sees_unassigned_leads_first_and_can_reassign() {
    let (app, team) = app_with_team().await;
    let lead = app.lead_of(&app.finish_tier1("one@acme.example").await).await;
    let rita = app.login_as(&team.rita).await;
    let page = format!("/inbox/leads/{}", lead.id);
    assert_eq!(rita.post_with_csrf(&page, &format!("{page}/hand-back"), &[]).await.status(), 303);
    app.finish_tier1("two@beta.example").await;
    let manager = app.login_as(&team.manager).await;
    let inbox = manager.get_html("/inbox").await;
    let rows = Selector::parse("tr[data-lead]").unwrap();
    let first = inbox.select(&rows).next().unwrap();
    assert_eq!(first.value().attr("data-status"), Some("unassigned"));
    let sam_id = team.sam.id.to_string();
    let moved = manager.post_with_csrf(&page, &format!("{page}/reassign"), &[("rep", &sam_id)]).await;
    assert_eq!(moved.status(), 303);
    let lead = app.lead(lead.id).await;
    assert_eq!(lead.assigned_user_id, Some(team.sam.id));
    assert!(app.history(lead.id).await.last().unwrap().reason.contains("reassigned by Mona Manager to Sam Rep"));
}

#[tokio::test]
async fn the_live_inbox_receives_the_event_after_a_finish() {
    let (app, team) = app_with_team().await;
    let rita = app.login_as(&team.rita).await;
    let response = rita.client.get(rita.url("/inbox/events")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut stream = response.bytes_stream();
    let lead = app.lead_of(&app.finish_tier1("cto@acme.example").await).await;
    let mut received = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while !received.contains("event: notice") || !received.contains("\n\n") {
        let chunk = tokio::time::timeout_at(deadline, stream.next()).await.expect("an event in time").unwrap().unwrap();
        received.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(received.contains(&lead.id.to_string()), "{received}");
    assert!(received.contains("lead.assigned"), "{received}");
}

#[tokio::test]
async fn a_notice_committed_before_a_crash_is_delivered_after_restart() {
    let app = crate::helpers::spawn_app_with(|s| s.run_worker = false).await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    app.finish_tier1("cto@acme.example").await;
    let rita = team.rita.id.to_string();
    assert_eq!(app.notices("live", &rita).await[0].status, "pending", "no worker ran");
    let restarted = crate::helpers::spawn_on_database(&app.database_url, |_| {}).await;
    restarted.clock.set(app.clock.now());
    restarted
        .wait_until("delivery after restart", || async {
            restarted.notices("live", &rita).await[0].status == "delivered"
        })
        .await;
}
