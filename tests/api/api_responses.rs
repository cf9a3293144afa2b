//! Headless responses: the same engine and validation as the pages.

use serde_json::json;

use crate::api_support::api_app;

#[tokio::test]
async fn a_headless_response_goes_back_changes_an_answer_and_finishes_once() {
    let (app, team, api) = api_app().await;
    let start = json!({"question_id": "email", "answer": "cto@acme.example", "hidden": {"utm_source": "partner"}});
    let started = api.post("/api/v1/forms/qualify/responses", start).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let id = started.body["id"].as_str().unwrap().to_string();
    assert_eq!(started.headers["location"], format!("/api/v1/responses/{id}").as_str());
    let q = &started.body["question"];
    assert_eq!(q["id"], "company_size");
    assert_eq!(q["kind"], "single_choice");
    assert_eq!(q["options"][2]["value"], "large");
    assert_eq!(started.body["progress"]["answered"], 1);
    let answer = |question: &str, value: serde_json::Value| json!({"question_id": question, "answer": value});
    let next = api.post(&format!("/api/v1/responses/{id}/answers"), answer("company_size", json!("large"))).await;
    assert_eq!(next.body["question"]["id"], "procurement");
    let back = api.post(&format!("/api/v1/responses/{id}/back"), json!({"from": "procurement"})).await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.body["question"]["id"], "company_size");
    assert_eq!(back.body["question"]["answer"], "large");
    let changed = api.post(&format!("/api/v1/responses/{id}/answers"), answer("company_size", json!("mid"))).await;
    assert_eq!(changed.body["question"]["id"], "current_tool", "the path follows the changed answer");
    assert!(!changed.body["path"].as_array().unwrap().contains(&json!("procurement")));
    let early = api.post(&format!("/api/v1/responses/{id}/finish"), json!({})).await;
    early.assert_problem(409, Some("question_id"));
    api.post(&format!("/api/v1/responses/{id}/answers"), answer("current_tool", json!("spreadsheets"))).await;
    api.post(&format!("/api/v1/responses/{id}/answers"), answer("timeline", json!("later"))).await;
    let done = api.post(&format!("/api/v1/responses/{id}/answers"), answer("consent", json!(true))).await;
    assert_eq!(done.status, 200);
    assert_eq!(done.body["status"], "finished");
    assert!(done.body["question"].is_null());
    assert_eq!(done.body["result"]["outcome"], "tier2");
    let again = api.post(&format!("/api/v1/responses/{id}/finish"), json!({})).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["result"], done.body["result"], "the same result every time");
    let leads = api.get("/api/v1/leads?source=partner").await;
    assert_eq!(leads.body["items"].as_array().unwrap().len(), 1, "one lead, made once");
    assert_eq!(leads.body["items"][0]["email"], "cto@acme.example");
    let lead_id: uuid::Uuid = leads.body["items"][0]["id"].as_str().unwrap().parse().unwrap();
    assert!(app.lead(lead_id).await.assigned_user_id.is_some_and(|u| u == team.sam.id || u == team.rita.id));
    let state = api.get(&format!("/api/v1/responses/{id}")).await;
    assert_eq!(state.body["result"]["tier"], "Tier 2");
}

#[tokio::test]
async fn invalid_answers_are_422_naming_the_field_as_on_the_pages() {
    let (_app, _team, api) = api_app().await;
    let bad_email =
        api.post("/api/v1/forms/qualify/responses", json!({"question_id": "email", "answer": "nope"})).await;
    bad_email.assert_problem(422, Some("answer"));
    assert!(bad_email.body["errors"][0]["message"].as_str().unwrap().contains("email address"));
    let wrong_first =
        api.post("/api/v1/forms/qualify/responses", json!({"question_id": "timeline", "answer": "now"})).await;
    wrong_first.assert_problem(422, Some("question_id"));
    let unknown_hidden = api
        .post(
            "/api/v1/forms/qualify/responses",
            json!({"question_id": "email", "answer": "a@b.example", "hidden": {"x": "1"}}),
        )
        .await;
    unknown_hidden.assert_problem(422, Some("hidden.x"));
    let unknown_field = api
        .post("/api/v1/forms/qualify/responses", json!({"question_id": "email", "answer": "a@b.example", "extra": 1}))
        .await;
    unknown_field.assert_problem(422, Some("extra"));
    let started =
        api.post("/api/v1/forms/qualify/responses", json!({"question_id": "email", "answer": "a@b.example"})).await;
    let id = started.body["id"].as_str().unwrap();
    let not_option = api
        .post(&format!("/api/v1/responses/{id}/answers"), json!({"question_id": "company_size", "answer": "huge"}))
        .await;
    not_option.assert_problem(422, Some("answer"));
    let off_path =
        api.post(&format!("/api/v1/responses/{id}/answers"), json!({"question_id": "budget", "answer": 5})).await;
    off_path.assert_problem(409, None);
    let object = api
        .post(&format!("/api/v1/responses/{id}/answers"), json!({"question_id": "company_size", "answer": {"v": 1}}))
        .await;
    object.assert_problem(422, Some("answer"));
    let at_start = api.post(&format!("/api/v1/responses/{id}/back"), json!({"from": "email"})).await;
    at_start.assert_problem(409, None);
    api.get(&format!("/api/v1/responses/{}", uuid::Uuid::new_v4())).await.assert_problem(404, None);
    api.post("/api/v1/forms/missing/responses", json!({"question_id": "email", "answer": "a@b.example"}))
        .await
        .assert_problem(404, None);
}
