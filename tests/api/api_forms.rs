//! `/api/v1/forms` (list, get, versions, export) and `/api/v1/lint`.

use serde_json::json;

use crate::api_support::{api_app, reply};

#[tokio::test]
async fn forms_are_listed_and_read_with_their_published_definition() {
    let (app, _team, api) = api_app().await;
    app.publish_form(&crate::helpers::BRANCHING_FORM.replace("slug: qualify", "slug: second")).await;
    let first = api.get("/api/v1/forms?limit=1").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["items"][0]["slug"], "second", "newest first");
    let cursor = first.body["next_cursor"].as_str().expect("a second page").to_string();
    let second = api.get(&format!("/api/v1/forms?limit=1&cursor={cursor}")).await;
    assert_eq!(second.body["items"][0]["slug"], "qualify");
    assert!(second.body["next_cursor"].is_null());
    let form = api.get("/api/v1/forms/qualify").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.body["version"], 1);
    assert_eq!(form.body["form"]["published_version"], 1);
    assert_eq!(form.body["definition"]["questions"][0]["id"], "email");
    api.get("/api/v1/forms/missing").await.assert_problem(404, None);
}

#[tokio::test]
async fn versions_are_listed_and_each_can_be_read() {
    let (_app, _team, api) = api_app().await;
    let versions = api.get("/api/v1/forms/qualify/versions").await;
    assert_eq!(versions.status, 200);
    assert_eq!(versions.body["items"][0]["version"], 1);
    assert_eq!(versions.body["items"][0]["note"], "First version");
    let one = api.get("/api/v1/forms/qualify/versions/1").await;
    assert_eq!(one.body["definition"]["slug"], "qualify");
    api.get("/api/v1/forms/qualify/versions/7").await.assert_problem(404, None);
    api.get("/api/v1/forms/qualify/versions/x").await.assert_problem(404, None);
    api.get("/api/v1/forms/qualify/versions?cursor=zzz").await.assert_problem(400, Some("cursor"));
}

#[tokio::test]
async fn a_form_exports_as_yaml_or_json_that_parses_back_to_the_same_definition() {
    let (app, _team, api) = api_app().await;
    let yaml = app.client.get(app.url("/api/v1/forms/qualify/export")).bearer_auth(&api.token).send().await.unwrap();
    assert_eq!(yaml.status(), 200);
    assert!(yaml.headers()["content-type"].to_str().unwrap().starts_with("application/yaml"));
    assert!(yaml.headers()["content-disposition"].to_str().unwrap().contains("qualify-v1.yaml"));
    let parsed = leadgate::engine::parse_definition_yaml(&yaml.text().await.unwrap()).unwrap();
    let original = leadgate::engine::parse_definition_yaml(crate::helpers::BRANCHING_FORM).unwrap();
    assert_eq!(parsed, original);
    let json = app
        .client
        .get(app.url("/api/v1/forms/qualify/export?format=json"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert!(json.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    assert_eq!(leadgate::engine::parse_definition_json(&json.text().await.unwrap()).unwrap(), original);
    api.get("/api/v1/forms/qualify/export?format=xml").await.assert_problem(400, Some("format"));
}

#[tokio::test]
async fn lint_reports_findings_for_json_and_yaml_and_names_unreadable_fields() {
    let (app, _team, api) = api_app().await;
    let mut definition: serde_json::Value =
        serde_json::to_value(leadgate::engine::parse_definition_yaml(crate::helpers::BRANCHING_FORM).unwrap()).unwrap();
    let clean = api.post("/api/v1/lint", definition.clone()).await;
    assert_eq!(clean.status, 200, "{}", clean.body);
    assert_eq!(clean.body["publishable"], true);
    definition["questions"][1]["next"][0]["goto"] = json!("nowhere");
    let broken = api.post("/api/v1/lint", definition).await;
    assert_eq!(broken.body["publishable"], false);
    let finding =
        &broken.body["findings"].as_array().unwrap().iter().find(|f| f["severity"] == "error").unwrap().clone();
    assert!(finding["location"].as_str().unwrap().contains("company_size"), "{finding}");
    let yaml = app
        .client
        .post(app.url("/api/v1/lint"))
        .bearer_auth(&api.token)
        .header("content-type", "application/yaml")
        .body(crate::helpers::BRANCHING_FORM)
        .send()
        .await
        .unwrap();
    let yaml = reply(yaml).await;
    assert_eq!(yaml.body["errors"], 0, "{}", yaml.body);
    let unknown = api
        .post("/api/v1/lint", json!({"slug": "x", "title": "X", "questions": [], "outcomes": [], "colour": 1}))
        .await;
    unknown.assert_problem(422, Some("definition"));
    assert!(unknown.body["detail"].as_str().unwrap().contains("colour"));
}
