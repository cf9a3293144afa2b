//! Moving through the steps of a response: the Back link, reloads and
//! resubmissions that change nothing, and the rate limit on answering.

use scraper::{Html, Selector};
use uuid::Uuid;

use crate::helpers::{BRANCHING_FORM, TestApp, hidden_inputs, input_value, location, spawn_app, spawn_app_with};

fn response_id(path: &str) -> Uuid {
    path.rsplit('/').next().unwrap().parse().expect("a response id in the path")
}

async fn stored(app: &TestApp, path: &str) -> leadgate::store::responses::ResponseRecord {
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::responses::find_response(conn.conn(), response_id(path)).await.unwrap().expect("stored")
}

/// Rows in `table`, read straight from the database.
async fn rows(app: &TestApp, table: &str) -> i64 {
    let mut conn = app.db.read().await.unwrap();
    let sql = format!("SELECT COUNT(*) FROM {table}");
    leadgate::on_conn!(conn.conn(), c => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *c).await)
        .unwrap()
}

fn back_href(page: &Html) -> Option<String> {
    let selector = Selector::parse("a.back").unwrap();
    page.select(&selector).next().map(|a| a.value().attr("href").expect("a Back link has an href").to_string())
}

fn checked_value(page: &Html) -> Option<String> {
    let selector = Selector::parse("input[name=answer][checked]").unwrap();
    page.select(&selector).next().and_then(|i| i.value().attr("value")).map(str::to_string)
}

#[tokio::test]
async fn the_back_link_leads_to_the_previous_step_on_the_path_with_its_answer_filled_in() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let first = app.get_html("/f/qualify").await;
    assert_eq!(back_href(&first), None, "the first question has nothing to go back to");

    let path = app.start_form("qualify", "", &["buyer@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    let procurement = app.get_html(&path).await;
    assert_eq!(input_value(&procurement, "question").as_deref(), Some("procurement"));
    let back = back_href(&procurement).expect("a Back link");
    assert_eq!(back, format!("{path}?step=company_size"));

    let company_size = app.get_html(&back).await;
    assert_eq!(input_value(&company_size, "question").as_deref(), Some("company_size"));
    assert_eq!(checked_value(&company_size).as_deref(), Some("large"), "the stored answer is ticked");
    let back = back_href(&company_size).expect("a Back link to the first question");
    assert_eq!(back, format!("{path}?step=email"));
    let email = app.get_html(&back).await;
    assert_eq!(input_value(&email, "question").as_deref(), Some("email"));
    assert_eq!(input_value(&email, "answer").as_deref(), Some("buyer@acme.example"));
    assert_eq!(back_href(&email), None);
}

#[tokio::test]
async fn the_back_link_follows_the_branch_that_was_taken() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["buyer@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["mid"]).await;
    app.answer_ok(&path, "current_tool", &["Spreadsheets"]).await;
    let timeline = app.get_html(&path).await;
    assert_eq!(input_value(&timeline, "question").as_deref(), Some("timeline"));
    let back = back_href(&timeline).expect("a Back link");
    assert_eq!(back, format!("{path}?step=current_tool"), "not procurement, which this path skipped");
    let current_tool = app.get_html(&back).await;
    assert_eq!(input_value(&current_tool, "answer").as_deref(), Some("Spreadsheets"));

    // With htmx the same link brings the step back as a fragment.
    let response = app.client.get(app.url(&back)).header("hx-request", "true").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(!body.contains("<html"), "a fragment, not a page");
    assert_eq!(input_value(&Html::parse_fragment(&body), "question").as_deref(), Some("current_tool"));
}

#[tokio::test]
async fn an_htmx_history_restore_gets_the_whole_page() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["buyer@acme.example"]).await;
    // htmx asks so when its history cache misses: it swaps in the whole body.
    let response = app
        .client
        .get(app.url(&path))
        .header("hx-request", "true")
        .header("hx-history-restore-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.contains("<html"), "the whole page, not the step fragment");
    assert_eq!(input_value(&Html::parse_document(&body), "question").as_deref(), Some("company_size"));
}

#[tokio::test]
async fn reloading_a_step_and_sending_the_same_answer_again_changes_nothing() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["buyer@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    let before = stored(&app, &path).await;

    // A reload, twice.
    let first = app.get(&path).await.text().await.unwrap();
    let second = app.get(&path).await.text().await.unwrap();
    assert_eq!(input_value(&Html::parse_document(&first), "question").as_deref(), Some("procurement"));
    assert_eq!(input_value(&Html::parse_document(&second), "question").as_deref(), Some("procurement"));

    // The same answer sent again, twice (a double click, a resubmission), a little later.
    app.clock.advance(chrono::Duration::seconds(5));
    for _ in 0..2 {
        let response = app.answer(&path, "company_size", &["large"]).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), path);
    }
    let after = stored(&app, &path).await;
    assert_eq!(after.answers.0, before.answers.0);
    assert_eq!(after.answer_times.0, before.answer_times.0, "the answer keeps the time it was given");
    assert_eq!(after.revision, before.revision, "nothing was written");
    assert_eq!(app.current_question(&path).await, "procurement", "the path is the same");
    assert_eq!(rows(&app, "responses").await, 1);

    // A resubmitted earlier step leaves later answers on the path alone.
    app.answer_ok(&path, "procurement", &["yes"]).await;
    let before = stored(&app, &path).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    let after = stored(&app, &path).await;
    assert_eq!(after.answers.0, before.answers.0);
    assert_eq!(after.revision, before.revision);
    assert_eq!(app.current_question(&path).await, "timeline");
}

#[tokio::test]
async fn the_first_page_sent_twice_starts_one_response() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let page = app.get("/f/qualify?utm_source=ads").await.text().await.unwrap();
    let mut pairs = hidden_inputs(&Html::parse_document(&page));
    pairs.push(("answer".into(), "buyer@acme.example".into()));
    let send = || app.client.post(app.url("/f/qualify")).form(&pairs).send();
    let first = send().await.unwrap();
    assert_eq!(first.status(), 303);
    let path = location(&first);
    let before = stored(&app, &path).await;
    let again = send().await.unwrap();
    assert_eq!(again.status(), 303);
    assert_eq!(location(&again), path, "the same response, not a second one");
    assert_eq!(rows(&app, "responses").await, 1);
    assert_eq!(stored(&app, &path).await.revision, before.revision);

    // An id the server did not sign is not taken: that starts a new response.
    let forged: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| match k.as_str() {
            "response" => (k.clone(), format!("{}.{}", Uuid::new_v4(), "00".repeat(32))),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    assert!(pairs.iter().any(|(k, _)| k == "response"), "the first page carries its response's id");
    let other = app.new_browser();
    let fresh = other.client.post(other.url("/f/qualify")).form(&forged).send().await.unwrap();
    assert_eq!(fresh.status(), 303);
    assert_ne!(location(&fresh), path);
    assert_eq!(rows(&app, "responses").await, 2);
}

#[tokio::test]
async fn reloading_the_ending_and_resending_the_last_answer_makes_no_second_lead_or_notice() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    app.seed_team().await;
    let path = app.start_form("qualify", "", &["cto@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    app.answer_ok(&path, "procurement", &["yes"]).await;
    app.answer_ok(&path, "timeline", &["now"]).await;
    app.answer_ok(&path, "consent", &["yes"]).await;
    assert_eq!(app.ending_outcome(&path).await, "tier1");
    let tables = ["responses", "leads", "accounts", "assignments", "outbox"];
    let mut counts = Vec::new();
    for table in tables {
        counts.push(rows(&app, table).await);
    }
    assert!(counts[4] > 0, "finishing a Tier 1 response queues notices");
    let revision = stored(&app, &path).await.revision;

    for _ in 0..2 {
        assert_eq!(app.ending_outcome(&path).await, "tier1");
        let resent = app.answer(&path, "consent", &["yes"]).await;
        assert_eq!(resent.status(), 303);
        assert_eq!(location(&resent), path);
    }
    for (table, count) in tables.iter().zip(&counts) {
        assert_eq!(rows(&app, table).await, *count, "rows in {table}");
    }
    assert_eq!(stored(&app, &path).await.revision, revision);
    assert_eq!(app.lead_of(&path).await.submissions, 1);
}

#[tokio::test]
async fn answering_too_often_gets_429_with_retry_after_and_keeps_what_was_given() {
    let app = spawn_app_with(|s| s.limits.answers_per_minute = 2).await;
    app.publish_form(BRANCHING_FORM).await;
    // Starting counts against the start limit, not this one.
    let path = app.start_form("qualify", "", &["buyer@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    app.answer_ok(&path, "procurement", &["yes"]).await;

    let refused = app.answer(&path, "timeline", &["now"]).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "retry after {retry} s");

    let kept = stored(&app, &path).await;
    assert_eq!(kept.answers.0.len(), 3, "email, company size and procurement are kept");
    assert!(kept.answers.0.contains_key("procurement"));
    assert!(!kept.answers.0.contains_key("timeline"));
    assert!(!kept.is_finished());
    // The step is still there to answer once the wait is over.
    assert_eq!(app.current_question(&path).await, "timeline");
}
