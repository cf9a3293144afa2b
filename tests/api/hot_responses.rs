//! The in-memory copies of responses in progress (SQLite) must always be
//! what the database holds: after every kind of change, the copy the next
//! page is drawn from equals a fresh read.

use leadgate::engine::AnswerValue;
use leadgate::store::responses::ResponseRecord;

use crate::helpers::{BRANCHING_FORM, TestApp, spawn_app};

fn response_id(path: &str) -> uuid::Uuid {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

async fn stored(app: &TestApp, path: &str) -> ResponseRecord {
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::responses::find_response(conn.conn(), response_id(path)).await.unwrap().unwrap()
}

/// The kept copy (when there is one) is the stored response, field by field.
async fn assert_copy_is_stored(app: &TestApp, path: &str, after: &str) {
    let Some(hot) = app.hot.get(response_id(path)) else {
        assert!(app.db.backend() == leadgate::store::Backend::Postgres, "SQLite keeps a copy after {after}");
        return;
    };
    let stored = stored(app, path).await;
    let copy = &hot.record;
    assert_eq!(copy.revision, stored.revision, "revision after {after}");
    assert_eq!(copy.answers.0, stored.answers.0, "answers after {after}");
    assert_eq!(copy.answer_times.0, stored.answer_times.0, "answer times after {after}");
    assert_eq!(copy.hidden.0, stored.hidden.0, "hidden fields after {after}");
    assert_eq!((copy.is_bot, &copy.bot_reason), (stored.is_bot, &stored.bot_reason), "bot flag after {after}");
    assert_eq!(copy.status, stored.status, "status after {after}");
    assert_eq!(copy.outcome_id, stored.outcome_id, "outcome after {after}");
    assert_eq!(copy.lead_id, stored.lead_id, "lead after {after}");
    assert_eq!(copy.finished_at, stored.finished_at, "finish time after {after}");
    assert_eq!(copy.version, stored.version);
}

#[tokio::test]
async fn the_kept_copy_of_a_response_is_what_is_stored_after_every_change() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "?utm_source=ads", &["cto@acme.example"]).await;
    assert_copy_is_stored(&app, &path, "the first answer").await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    app.answer_ok(&path, "procurement", &["yes"]).await;
    assert_copy_is_stored(&app, &path, "two answers").await;
    // Changing an earlier answer drops the answers that left the path.
    app.answer_ok(&path, "company_size", &["mid"]).await;
    assert_copy_is_stored(&app, &path, "a changed answer").await;
    assert!(!stored(&app, &path).await.answers.0.contains_key("procurement"));
    app.answer_ok(&path, "current_tool", &["spreadsheets"]).await;
    app.answer_ok(&path, "timeline", &["now"]).await;
    app.answer_ok(&path, "consent", &["yes"]).await;
    assert_copy_is_stored(&app, &path, "the finishing answer").await;
    assert_eq!(stored(&app, &path).await.status, "finished");
}

#[tokio::test]
async fn a_bot_flag_is_kept_in_the_copy_as_it_is_stored() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["bot@acme.example"]).await;
    let response = app.post_form(&path, &[("question", "company_size"), ("answer", "small"), ("lg_trap", "x")]).await;
    assert_eq!(response.status(), 303);
    assert_copy_is_stored(&app, &path, "a filled honeypot").await;
    assert!(stored(&app, &path).await.is_bot);
}

#[tokio::test]
async fn a_page_drawn_from_the_copy_shows_the_stored_step() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["cto@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["large"]).await;
    assert_eq!(app.current_question(&path).await, "procurement");
    app.answer_ok(&path, "company_size", &["small"]).await;
    assert_eq!(app.current_question(&path).await, "budget", "the changed branch, not the kept page");
}

/// Most answers are saved on a copy read without a lock: two answers sent
/// at once to one response must both be kept, neither written over by the
/// other's older copy.
#[tokio::test]
async fn answers_sent_at_once_to_one_response_are_all_kept() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["first@acme.example"]).await;
    app.answer_ok(&path, "company_size", &["mid"]).await;
    app.answer_ok(&path, "current_tool", &["spreadsheets"]).await;
    let other_tab = app.new_browser();
    for round in 0..40 {
        let email = format!("round{round}@acme.example");
        let tool = format!("tool {round}");
        let (email_values, tool_values) = ([email.as_str()], [tool.as_str()]);
        let (a, b) = tokio::join!(
            app.answer(&path, "email", &email_values),
            other_tab.answer(&path, "current_tool", &tool_values)
        );
        assert_eq!((a.status().as_u16(), b.status().as_u16()), (303, 303), "round {round}");
        let answers = stored(&app, &path).await.answers.0;
        assert_eq!(answers.get("email"), Some(&AnswerValue::Text(email)), "round {round}: the email is kept");
        assert_eq!(answers.get("current_tool"), Some(&AnswerValue::Text(tool)), "round {round}: the tool is kept");
        assert_copy_is_stored(&app, &path, &format!("round {round}")).await;
    }
}
