//! The prospect's flow through an adaptive form, over HTTP.

use leadgate::store;
use scraper::Html;
use uuid::Uuid;

use crate::helpers::{
    BRANCHING_FORM, TestApp, hidden_inputs, input_value, location, spawn_app, spawn_app_with, spawn_app_with_demo,
    text_of,
};

fn response_id(path: &str) -> Uuid {
    path.rsplit('/').next().unwrap().parse().expect("a response id in the path")
}

async fn stored_response(app: &TestApp, path: &str) -> store::responses::ResponseRecord {
    let mut conn = app.db.read().await.unwrap();
    store::responses::find_response(conn.conn(), response_id(path)).await.unwrap().expect("response stored")
}

async fn lead_of(app: &TestApp, path: &str) -> Option<store::leads::LeadRecord> {
    let response = stored_response(app, path).await;
    let mut conn = app.db.read().await.unwrap();
    store::leads::find_lead(conn.conn(), response.lead_id?).await.unwrap()
}

/// Walks the fixture form as a large company buying now.
async fn finish_as_enterprise_buyer(app: &TestApp, email: &str) -> String {
    let path = app.start_form("qualify", "", &[email]).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    app.answer_ok(&path, "procurement", &["yes"]).await;
    app.answer_ok(&path, "timeline", &["now"]).await;
    app.answer_ok(&path, "consent", &["yes"]).await;
    path
}

#[tokio::test]
async fn the_demo_form_is_loaded_on_first_start_and_shows_its_first_question() {
    let app = spawn_app_with_demo().await;
    let page = app.get_html("/f/talk-to-sales").await;
    assert!(input_value(&page, "question").is_some(), "a question is shown");
    assert!(text_of(&page, ".question-label").is_some_and(|l| !l.is_empty()));
    assert!(text_of(&page, ".progress-label").unwrap().starts_with("Step 1 of about"));
}

#[tokio::test]
async fn an_unknown_form_is_a_404() {
    let app = spawn_app().await;
    assert_eq!(app.get("/f/no-such-form").await.status(), 404);
}

#[tokio::test]
async fn a_valid_first_answer_is_stored_and_redirects_to_the_next_step() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["Buyer@Acme.example"]).await;
    assert!(path.starts_with("/f/qualify/r/"), "{path}");
    assert_eq!(app.current_question(&path).await, "company_size");
    let stored = stored_response(&app, &path).await;
    assert_eq!(stored.answers.0["email"], leadgate::engine::AnswerValue::Text("buyer@acme.example".into()));
}

#[tokio::test]
async fn an_invalid_answer_gets_422_with_the_message_beside_the_field_and_the_typed_value_kept() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let response = app.start_form_raw("qualify", "", &["not an email"], &[]).await;
    assert_eq!(response.status(), 422);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert!(text_of(&page, ".field-error").is_some_and(|m| m.to_lowercase().contains("email")));
    assert_eq!(input_value(&page, "answer").as_deref(), Some("not an email"));
    assert!(page.select(&scraper::Selector::parse("[aria-invalid=true]").unwrap()).next().is_some());
}

#[tokio::test]
async fn an_invalid_later_answer_keeps_what_was_typed_and_stores_nothing_new() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["a@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["small"]).await;
    let response = app.answer(&path, "budget", &["lots"]).await;
    assert_eq!(response.status(), 422);
    let page = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(input_value(&page, "answer").as_deref(), Some("lots"));
    assert!(text_of(&page, ".field-error").is_some());
    assert!(!stored_response(&app, &path).await.answers.0.contains_key("budget"));
}

#[tokio::test]
async fn different_company_sizes_are_asked_different_questions() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    for (size, expected) in [("large", "procurement"), ("mid", "current_tool"), ("small", "budget")] {
        let client_app = app.new_browser();
        let path = client_app.start_form("qualify", "", &["x@acme.example"]).await;
        client_app.answer_ok(&path, "company_size", &[size]).await;
        assert_eq!(client_app.current_question(&path).await, expected, "after {size}");
    }
}

#[tokio::test]
async fn going_back_and_changing_an_answer_recomputes_the_path_and_drops_answers_off_it() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    app.answer_ok(&path, "procurement", &["yes"]).await;
    // Back to company size: the earlier answer is shown, with a Back link further.
    let page = app.get_html(&format!("{path}?step=company_size")).await;
    assert_eq!(input_value(&page, "question").as_deref(), Some("company_size"));
    let checked = scraper::Selector::parse("input[name=answer][checked]").unwrap();
    assert_eq!(page.select(&checked).next().unwrap().value().attr("value"), Some("large"));
    app.answer_ok(&path, "company_size", &["small"]).await;
    assert_eq!(app.current_question(&path).await, "budget");
    let stored = stored_response(&app, &path).await;
    assert!(!stored.answers.0.contains_key("procurement"), "procurement left the path");
    assert!(!stored.answer_times.0.contains_key("procurement"));
}

#[tokio::test]
async fn answering_a_question_not_on_the_path_is_refused() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["small"]).await;
    let response = app.answer(&path, "procurement", &["yes"]).await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn a_finished_enterprise_buyer_reaches_tier1_and_becomes_a_lead_with_reasons() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = finish_as_enterprise_buyer(&app, "cto@acme.example").await;
    assert_eq!(app.ending_outcome(&path).await, "tier1");
    let lead = lead_of(&app, &path).await.expect("a lead");
    assert_eq!(lead.email.as_deref(), Some("cto@acme.example"));
    assert_eq!(lead.outcome_id, "tier1");
    assert_eq!(lead.fit, 50);
    assert_eq!(lead.intent, 50);
    let fit_sum: i32 = lead.breakdown.0.fit.iter().map(|i| i.points).sum();
    assert_eq!(fit_sum, lead.fit, "the score is the sum of its reasons");
    assert!(lead.breakdown.0.fit.iter().all(|i| !i.reason.is_empty()));
    assert!(lead.account_id.is_some(), "a company domain is an account");
}

#[tokio::test]
async fn consent_is_stored_with_the_text_shown_and_the_time() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = finish_as_enterprise_buyer(&app, "cto@acme.example").await;
    let stored = stored_response(&app, &path).await;
    match &stored.answers.0["consent"] {
        leadgate::engine::AnswerValue::Consent { given, text } => {
            assert!(*given);
            assert!(text.contains("Qualify Inc. may contact me"), "{text}");
        }
        other => panic!("consent stored as {other:?}"),
    }
    assert!(stored.answer_times.0.contains_key("consent"));
}

#[tokio::test]
async fn a_competitor_is_disqualified_and_kept_with_the_reason() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = finish_as_enterprise_buyer(&app, "spy@rival.example").await;
    assert_eq!(app.ending_outcome(&path).await, "disqualified");
    let lead = lead_of(&app, &path).await.expect("disqualified leads are kept");
    assert_eq!(lead.disqualified_reason.as_deref(), Some("Competitor"));
    assert!(lead.breakdown.0.fit.iter().any(|i| i.points == -100 && i.reason == "Competitor"));
}

#[tokio::test]
async fn the_same_email_twice_is_the_same_lead() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let first = finish_as_enterprise_buyer(&app, "cto@acme.example").await;
    let again = app.new_browser();
    let second = finish_as_enterprise_buyer(&again, " CTO@acme.example ").await;
    let (a, b) = (lead_of(&app, &first).await.unwrap(), lead_of(&app, &second).await.unwrap());
    assert_eq!(a.id, b.id);
    assert_eq!(b.submissions, 2);
}

#[tokio::test]
async fn finishing_twice_gives_the_same_result_and_one_lead() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["cto@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    app.answer_ok(&path, "procurement", &["yes"]).await;
    app.answer_ok(&path, "timeline", &["now"]).await;
    // The last answer sent several times at once (double click, retries).
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let (app, path) = (app.clone(), path.clone());
        attempts.spawn(async move { app.answer(&path, "consent", &["yes"]).await.status() });
    }
    while let Some(status) = attempts.join_next().await {
        assert_eq!(status.unwrap(), 303);
    }
    let again = app.answer(&path, "timeline", &["later"]).await;
    assert_eq!(again.status(), 303, "a finished response accepts no change but answers calmly");
    assert_eq!(app.ending_outcome(&path).await, "tier1");
    let lead = lead_of(&app, &path).await.unwrap();
    assert_eq!(lead.submissions, 1);
}

#[tokio::test]
async fn utm_fields_from_the_first_page_are_kept_with_the_response_and_the_lead() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let query = "?utm_source=linkedin&utm_campaign=q4-launch&unrelated=x";
    let path = app.start_form("qualify", query, &["cto@acme.example"]).await;
    let stored = stored_response(&app, &path).await;
    assert_eq!(stored.hidden.0.get("utm_source").map(String::as_str), Some("linkedin"));
    assert_eq!(stored.hidden.0.get("utm_campaign").map(String::as_str), Some("q4-launch"));
    assert!(!stored.hidden.0.contains_key("unrelated"));
    app.answer_ok(&path, "company_size", &["large"]).await;
    app.answer_ok(&path, "procurement", &["no"]).await;
    app.answer_ok(&path, "timeline", &["now"]).await;
    app.answer_ok(&path, "consent", &["yes"]).await;
    let lead = lead_of(&app, &path).await.unwrap();
    assert_eq!(lead.hidden.0.get("utm_source").map(String::as_str), Some("linkedin"));
}

#[tokio::test]
async fn the_same_browser_resumes_its_response_and_the_resume_link_works_elsewhere() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["mid"]).await;
    let back = app.get("/f/qualify").await;
    assert_eq!(back.status(), 303);
    assert_eq!(location(&back), path);
    // The resume link shown on the page opens the response in another browser.
    let page = app.get_html(&path).await;
    let link = text_of(&page, ".resume a").expect("a resume link");
    let elsewhere = crate::helpers::new_client();
    let resumed = elsewhere.get(&link).send().await.unwrap();
    assert_eq!(resumed.status(), 200);
    let resumed = Html::parse_document(&resumed.text().await.unwrap());
    assert_eq!(input_value(&resumed, "question").as_deref(), Some("current_tool"));
}

#[tokio::test]
async fn starting_too_often_from_one_address_gets_429_with_retry_after() {
    let app = spawn_app_with(|s| s.limits.starts_per_minute = 2).await;
    app.publish_form(BRANCHING_FORM).await;
    for _ in 0..2 {
        let response = app.start_form_raw("qualify", "?restart=1", &["x@acme.example"], &[]).await;
        assert_eq!(response.status(), 303);
    }
    let refused = app.start_form_raw("qualify", "?restart=1", &["x@acme.example"], &[]).await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
}

#[tokio::test]
async fn a_filled_honeypot_marks_a_bot_that_is_kept_but_never_becomes_a_lead() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let response = app.start_form_raw("qualify", "", &["cto@acme.example"], &[("lg_trap", "http://spam")]).await;
    assert_eq!(response.status(), 303);
    let path = location(&response);
    app.answer_ok(&path, "company_size", &["large"]).await;
    app.answer_ok(&path, "procurement", &["yes"]).await;
    app.answer_ok(&path, "timeline", &["now"]).await;
    app.answer_ok(&path, "consent", &["yes"]).await;
    let stored = stored_response(&app, &path).await;
    assert!(stored.is_bot);
    assert!(stored.is_finished());
    assert!(stored.lead_id.is_none(), "bots are never handed to sales");
}

#[tokio::test]
async fn a_first_answer_faster_than_a_person_marks_a_bot() {
    // No test override: the form's own minimum (2 s by default) applies.
    let app = spawn_app_with(|s| s.limits.min_seconds_before_first_answer = None).await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["cto@acme.example"]).await;
    let stored = stored_response(&app, &path).await;
    assert!(stored.is_bot);
    assert!(stored.bot_reason.unwrap().contains("faster"));
}

#[tokio::test]
async fn a_forged_render_time_marks_a_bot() {
    let app = spawn_app_with(|s| s.limits.min_seconds_before_first_answer = None).await;
    app.publish_form(BRANCHING_FORM).await;
    let page = app.get_html("/f/qualify").await;
    let mut pairs: Vec<(String, String)> = hidden_inputs(&page).into_iter().filter(|(k, _)| k != "t").collect();
    pairs.push(("t".into(), "1000.deadbeef".into()));
    pairs.push(("answer".into(), "cto@acme.example".into()));
    let response = app.client.post(app.url("/f/qualify")).form(&pairs).send().await.unwrap();
    let stored = stored_response(&app, &location(&response)).await;
    assert!(stored.is_bot);
}

#[tokio::test]
async fn with_htmx_the_next_step_comes_back_as_a_fragment_with_its_url() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    let response = app
        .client
        .post(app.url(&path))
        .header("hx-request", "true")
        .form(&[("question", "company_size"), ("answer", "small")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["hx-push-url"], path.as_str());
    let body = response.text().await.unwrap();
    assert!(!body.contains("<html"), "a fragment, not a page");
    let fragment = Html::parse_fragment(&body);
    assert_eq!(input_value(&fragment, "question").as_deref(), Some("budget"));
}

#[tokio::test]
async fn with_htmx_an_invalid_answer_is_a_422_fragment() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    let response = app
        .client
        .post(app.url(&path))
        .header("hx-request", "true")
        .form(&[("question", "company_size")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(!body.contains("<html"));
    assert!(text_of(&Html::parse_fragment(&body), ".field-error").is_some());
}

#[tokio::test]
async fn an_embedded_form_renders_without_page_chrome_all_the_way() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let page = app.get_html("/f/qualify?embed=1").await;
    let body = scraper::Selector::parse("body.embed").unwrap();
    assert!(page.select(&body).next().is_some());
    let path = app.start_form("qualify", "?embed=1", &["x@acme.example"]).await;
    let next = app.get_html(&path).await;
    assert!(next.select(&body).next().is_some(), "embedding is kept on later steps");
}

#[tokio::test]
async fn malformed_utf8_in_an_answer_is_a_clear_400_not_a_500() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    let response = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("question=company_size&answer=%FF%FE")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    assert!(response.text().await.unwrap().contains("UTF-8"));
}

#[tokio::test]
async fn answers_with_markup_are_escaped_when_shown_again() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["x@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["mid"]).await;
    app.answer_ok(&path, "current_tool", &["<script>alert(1)</script>"]).await;
    let response = app.get(&format!("{path}?step=current_tool")).await;
    let body = response.text().await.unwrap();
    assert!(!body.contains("<script>alert(1)</script>"));
    assert!(body.contains("&#60;script&#62;") || body.contains("&lt;script&gt;"));
}
