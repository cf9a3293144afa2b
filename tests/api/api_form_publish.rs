//! Publishing through the API: lint errors and failing test cases refuse
//! with a 422 listing each, warnings come with the success, versions list
//! what changed, a rollback republishes; test cases are made, run and
//! deleted.

use serde_json::{Value, json};

use crate::api_support::{Api, api_app, problem_fields, token};

async fn draft(api: &Api) -> (i64, Value) {
    let draft = api.get("/api/v1/forms/qualify/draft").await;
    assert_eq!(draft.status, 200, "{}", draft.body);
    (draft.body["revision"].as_i64().unwrap(), draft.body["definition"].clone())
}

async fn save(api: &Api, definition: Value) -> i64 {
    let (revision, _) = draft(api).await;
    let saved = api.put("/api/v1/forms/qualify/draft", json!({"revision": revision, "definition": definition})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    saved.body["revision"].as_i64().unwrap()
}

/// A Tier 1 case of the fixture form.
fn big_buyer(expected: &str) -> Value {
    json!({
        "name": "Big buyer",
        "answers": {"email": "cio@big.example", "company_size": "large", "procurement": "yes", "timeline": "now", "consent": true},
        "expected_outcome": expected,
        "expected_pool": "senior-ae"
    })
}

#[tokio::test]
async fn publishing_makes_a_new_live_version_with_its_warnings_and_changes() {
    let (app, _team, api) = api_app().await;
    let (_, mut definition) = draft(&api).await;
    definition["title"] = json!("Qualify, new");
    // Options on a text question are a warning, not an error.
    assert_eq!(definition["questions"][3]["id"], "current_tool");
    definition["questions"][3]["options"] = json!([{"value": "a", "label": "A"}]);
    let revision = save(&api, definition).await;
    let published = api.post("/api/v1/forms/qualify/publish", json!({"revision": revision, "note": "New title"})).await;
    assert_eq!(published.status, 201, "{}", published.body);
    assert_eq!(published.body["version"], 2);
    assert_eq!(published.headers["location"], "/api/v1/forms/qualify/versions/2");
    let warnings = published.body["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w["location"] == "question current_tool"), "{}", published.body);
    let form = api.get("/api/v1/forms/qualify").await;
    assert_eq!(form.body["version"], 2);
    assert_eq!(form.body["definition"]["title"], "Qualify, new");
    let versions = api.get("/api/v1/forms/qualify/versions").await;
    let newest = &versions.body["items"][0];
    assert_eq!(
        (newest["version"].clone(), newest["note"].clone(), newest["live"].clone()),
        (json!(2), json!("New title"), json!(true))
    );
    assert_eq!(newest["published_by"], "Ada Admin");
    let changes: Vec<&str> = newest["changes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(changes.iter().any(|c| c.contains("Qualify, new")), "{changes:?}");
    assert_eq!(versions.body["items"][1]["live"], false);
    let again = api.post("/api/v1/forms/qualify/publish", json!({"revision": revision})).await;
    again.assert_problem(422, Some("publish"));
    let stale = api.post("/api/v1/forms/qualify/publish", json!({"revision": revision - 1})).await;
    stale.assert_problem(409, None);
    let page = app.get_html("/f/qualify").await;
    assert_eq!(crate::helpers::text_of(&page, ".brand").as_deref(), Some("Qualify, new"), "prospects get version 2");
}

#[tokio::test]
async fn lint_errors_and_failing_test_cases_refuse_a_publish_listing_each_with_its_reason() {
    let (_app, _team, api) = api_app().await;
    let case = api.post("/api/v1/forms/qualify/test-cases", big_buyer("tier2")).await;
    assert_eq!(case.status, 201, "{}", case.body);
    let (_, mut definition) = draft(&api).await;
    definition["questions"][1]["next"][0]["goto"] = json!("nowhere");
    let revision = save(&api, definition).await;
    let refused = api.post("/api/v1/forms/qualify/publish", json!({"revision": revision, "note": "x"})).await;
    refused.assert_problem(422, None);
    assert_eq!(refused.body["type"], "urn:leadgate:problem:publish-refused");
    let fields = problem_fields(&refused);
    assert!(fields.iter().any(|f| f.starts_with("question company_size")), "{fields:?}");
    assert!(fields.contains(&"test_cases.Big buyer".to_string()), "{fields:?}");
    let findings = refused.body["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["severity"] == "error" && f["message"].as_str().unwrap().contains("nowhere")));
    let failed = &refused.body["failed_cases"][0];
    assert_eq!((failed["name"].clone(), failed["passed"].clone()), (json!("Big buyer"), json!(false)));
    assert_eq!(failed["expected_outcome"], "tier2");
    assert!(!failed["problems"].as_array().unwrap().is_empty(), "{failed}");
    assert_eq!(api.get("/api/v1/forms/qualify").await.body["version"], 1, "nothing was published");
    // With the branch mended only the failing case refuses it.
    let (_, mut definition) = draft(&api).await;
    definition["questions"][1]["next"][0]["goto"] = json!("procurement");
    let revision = save(&api, definition).await;
    let refused = api.post("/api/v1/forms/qualify/publish", json!({"revision": revision})).await;
    assert_eq!(problem_fields(&refused), ["test_cases.Big buyer"]);
    assert!(refused.body["failed_cases"][0]["problems"][0].as_str().unwrap().contains("tier2"), "{}", refused.body);
}

#[tokio::test]
async fn test_cases_are_checked_against_the_draft_run_and_deleted() {
    let (app, team, api) = api_app().await;
    let created = api.post("/api/v1/forms/qualify/test-cases", big_buyer("tier1")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["answers"]["consent"], json!(["yes"]));
    let id = created.body["id"].as_str().unwrap().to_string();
    let mut small = big_buyer("tier2");
    small["name"] = json!("Small shop");
    small["answers"] = json!({"email": "owner@shop.example", "company_size": "small", "budget": 50, "timeline": "later", "consent": true});
    small["expected_pool"] = Value::Null;
    assert_eq!(api.post("/api/v1/forms/qualify/test-cases", small).await.status, 201);
    let listed = api.get("/api/v1/forms/qualify/test-cases").await;
    let names: Vec<&str> =
        listed.body["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Big buyer", "Small shop"]);
    let run = api.post("/api/v1/forms/qualify/test-cases/run", json!({})).await;
    assert_eq!(run.status, 200, "{}", run.body);
    assert_eq!((run.body["passed"].clone(), run.body["failed"].clone()), (json!(1), json!(1)));
    let small_run = run.body["results"].as_array().unwrap().iter().find(|r| r["name"] == "Small shop").unwrap().clone();
    assert_eq!(small_run["outcome"], "nurture");
    assert!(small_run["problems"][0].as_str().unwrap().contains("tier2"), "{small_run}");
    let big_run = run.body["results"].as_array().unwrap().iter().find(|r| r["name"] == "Big buyer").unwrap().clone();
    assert_eq!((big_run["passed"].clone(), big_run["pool"].clone()), (json!(true), json!("senior-ae")));
    assert_eq!(big_run["path"], json!(["email", "company_size", "procurement", "timeline", "consent"]));
    let reader = Api { token: token(&app, &team, &["read"]).await, app: app.clone() };
    assert_eq!(
        reader.post("/api/v1/forms/qualify/test-cases/run", json!({})).await.status,
        200,
        "running changes nothing"
    );
    reader.post("/api/v1/forms/qualify/test-cases", big_buyer("tier1")).await.assert_problem(403, None);
    api.post("/api/v1/forms/qualify/test-cases", big_buyer("tier1")).await.assert_problem(422, Some("name"));
    let mut bad = big_buyer("no_such_outcome");
    bad["name"] = json!("Bad");
    bad["answers"]["company_size"] = json!("gigantic");
    let refused = api.post("/api/v1/forms/qualify/test-cases", bad.clone()).await;
    refused.assert_problem(422, Some("answers.company_size"));
    assert!(problem_fields(&refused).contains(&"expected_outcome".to_string()));
    bad["answers"]["company_size"] = json!({"nested": 1});
    api.post("/api/v1/forms/qualify/test-cases", bad.clone()).await.assert_problem(422, Some("answers.company_size"));
    bad["colour"] = json!("red");
    api.post("/api/v1/forms/qualify/test-cases", bad).await.assert_problem(422, Some("colour"));
    let path = format!("/api/v1/forms/qualify/test-cases/{id}");
    assert_eq!(api.delete(&path).await.status, 204);
    api.delete(&path).await.assert_problem(404, None);
    api.delete("/api/v1/forms/qualify/test-cases/not-an-id").await.assert_problem(404, None);
    assert_eq!(api.get("/api/v1/forms/qualify/test-cases").await.body["items"].as_array().unwrap().len(), 1);
    api.get("/api/v1/forms/nowhere/test-cases").await.assert_problem(404, None);
}

#[tokio::test]
async fn a_rollback_publishes_an_earlier_version_again_and_reports_failing_cases_without_blocking() {
    let (_app, _team, api) = api_app().await;
    let (_, mut definition) = draft(&api).await;
    definition["title"] = json!("Second");
    let revision = save(&api, definition).await;
    assert_eq!(api.post("/api/v1/forms/qualify/publish", json!({"revision": revision})).await.status, 201);
    // A failing case does not block a rollback (it may describe the version undone): it is reported.
    let mut case = big_buyer("tier1");
    case["expected_pool"] = json!("sdr");
    assert_eq!(api.post("/api/v1/forms/qualify/test-cases", case).await.status, 201);
    let (revision, _) = draft(&api).await;
    let rolled = api.post("/api/v1/forms/qualify/versions/1/rollback", json!({"revision": revision})).await;
    assert_eq!(rolled.status, 201, "{}", rolled.body);
    assert_eq!(rolled.body["version"], 3);
    assert_eq!(rolled.body["failed_cases"][0]["name"], "Big buyer");
    let form = api.get("/api/v1/forms/qualify").await;
    assert_eq!((form.body["version"].clone(), form.body["definition"]["title"].clone()), (json!(3), json!("Qualify")));
    let (_, draft_now) = draft(&api).await;
    assert_eq!(draft_now["title"], "Qualify", "the draft is the restored definition");
    let versions = api.get("/api/v1/forms/qualify/versions?limit=1").await;
    assert_eq!(versions.body["items"][0]["restored_from"], 1);
    assert_eq!(versions.body["items"][0]["note"], "Rolled back to version 1");
    assert!(versions.body["next_cursor"].is_string());
    let (revision, _) = draft(&api).await;
    let live = api.post("/api/v1/forms/qualify/versions/3/rollback", json!({"revision": revision})).await;
    live.assert_problem(422, Some("version"));
    api.post("/api/v1/forms/qualify/versions/9/rollback", json!({"revision": revision}))
        .await
        .assert_problem(404, None);
    api.post("/api/v1/forms/qualify/versions/1/rollback", json!({"revision": revision - 1}))
        .await
        .assert_problem(409, None);
}
