//! Creating forms and changing drafts through the API: create (title and
//! slug, a definition, a YAML file), read the draft, replace it with the
//! revision check, import and export, and who a token acts for.

use serde_json::{Value, json};

use crate::api_support::{Api, api_app, problem_fields, reply, set_person, token};
use leadgate::app::auth::Role;

use crate::helpers::{BRANCHING_FORM, PASSWORD, Person};

/// The fixture definition as JSON, at another address.
fn fixture(slug: &str) -> Value {
    let mut definition: Value =
        serde_json::to_value(leadgate::engine::parse_definition_yaml(BRANCHING_FORM).unwrap()).unwrap();
    definition["slug"] = json!(slug);
    definition
}

#[tokio::test]
async fn a_form_is_created_from_a_title_and_slug_with_a_starter_draft_and_nothing_published() {
    let (app, _team, api) = api_app().await;
    let created = api.post("/api/v1/forms", json!({"title": "Demo request", "slug": "demo-request"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.headers["location"], "/api/v1/forms/demo-request/draft");
    assert_eq!(created.body["form"]["slug"], "demo-request");
    assert_eq!(created.body["form"]["published_version"], Value::Null);
    assert_eq!(created.body["definition"]["questions"][0]["kind"], "email");
    assert_eq!(created.body["has_unpublished_changes"], true);
    assert_eq!(created.body["last_change"]["summary"], "Created the form");
    assert_eq!(created.body["last_change"]["by"], "Ada Admin");
    let draft = api.get("/api/v1/forms/demo-request/draft").await;
    assert_eq!(draft.status, 200);
    assert_eq!(draft.body["revision"], created.body["revision"]);
    api.get("/api/v1/forms/demo-request").await.assert_problem(404, None);
    assert_eq!(app.get("/f/demo-request").await.status(), 404, "nothing is live yet");
    let taken = api.post("/api/v1/forms", json!({"title": "Again", "slug": "demo-request"})).await;
    taken.assert_problem(422, Some("slug"));
    let bad = api.post("/api/v1/forms", json!({"title": " ", "slug": "Not A Slug"})).await;
    bad.assert_problem(422, Some("title"));
    assert!(problem_fields(&bad).contains(&"slug".to_string()), "both fields are named: {}", bad.body);
    let both = api.post("/api/v1/forms", json!({"title": "X", "slug": "x", "definition": fixture("x")})).await;
    both.assert_problem(422, Some("definition"));
    api.post("/api/v1/forms", json!({"title": "X", "slug": "x", "colour": "red"}))
        .await
        .assert_problem(422, Some("colour"));
}

#[tokio::test]
async fn a_form_is_created_from_a_whole_definition_in_json_or_yaml_after_the_lint() {
    let (_app, _team, api) = api_app().await;
    let created = api.post("/api/v1/forms", json!({"definition": fixture("from-json")})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["definition"]["questions"][1]["id"], "company_size");
    let yaml = BRANCHING_FORM.replace("slug: qualify", "slug: from-yaml");
    let file = reply(api.post_file("/api/v1/forms", "application/yaml", &yaml).await).await;
    assert_eq!(file.status, 201, "{}", file.body);
    assert_eq!(file.body["form"]["slug"], "from-yaml");
    let mut broken = fixture("broken");
    broken["questions"][1]["next"][0]["goto"] = json!("nowhere");
    let refused = api.post("/api/v1/forms", json!({"definition": broken})).await;
    refused.assert_problem(422, None);
    assert!(problem_fields(&refused).iter().any(|f| f.contains("company_size")), "{}", refused.body);
    api.get("/api/v1/forms/broken/draft").await.assert_problem(404, None);
    let mut typo = fixture("typo");
    typo["questions"][0]["kind"] = json!("telepathy");
    api.post("/api/v1/forms", json!({"definition": typo}))
        .await
        .assert_problem(422, Some("definition.questions[0].kind"));
    let unreadable = reply(api.post_file("/api/v1/forms", "application/yaml", "slug: [unclosed").await).await;
    unreadable.assert_problem(422, Some("definition"));
    reply(api.post_file("/api/v1/forms", "text/csv", "a,b").await).await.assert_problem(415, None);
}

#[tokio::test]
async fn the_draft_is_replaced_at_its_revision_and_a_stale_revision_is_a_409_naming_who_changed_it() {
    let (app, team, api) = api_app().await;
    let draft = api.get("/api/v1/forms/qualify/draft").await;
    let revision = draft.body["revision"].as_i64().unwrap();
    let mut definition = draft.body["definition"].clone();
    definition["title"] = json!("Qualify me");
    definition["slug"] = json!("somewhere-else");
    let saved = api.put("/api/v1/forms/qualify/draft", json!({"revision": revision, "definition": definition})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.body["revision"], revision + 1);
    assert_eq!(saved.body["definition"]["title"], "Qualify me");
    assert_eq!(saved.body["definition"]["slug"], "qualify", "the form keeps its address");
    assert_eq!(saved.body["has_unpublished_changes"], true);
    assert!(saved.body["last_change"]["summary"].as_str().unwrap().contains("Qualify me"), "{}", saved.body);
    // A marketer saves in the editor meanwhile; the API's older revision is refused.
    let marketer = app.login_as(&team.marketer).await;
    let form_id = saved.body["form"]["id"].as_str().unwrap().to_string();
    let settings = format!("/admin/forms/{form_id}/settings");
    let edit = |pairs: &mut Vec<(String, String)>| crate::editor_support::set(pairs, "title", "Marketing title");
    let (status, _, _) = marketer.edit_page(&settings, "save", edit).await;
    assert_eq!(status, 303);
    definition["title"] = json!("Lost update");
    let stale =
        api.put("/api/v1/forms/qualify/draft", json!({"revision": revision + 1, "definition": definition})).await;
    stale.assert_problem(409, None);
    let detail = stale.body["detail"].as_str().unwrap();
    assert!(detail.contains("Mark Marketer") && detail.contains("Marketing title"), "{detail}");
    assert!(!detail.contains("still below"), "the API's words, not the page's: {detail}");
    let now = api.get("/api/v1/forms/qualify/draft").await;
    assert_eq!(now.body["definition"]["title"], "Marketing title", "nothing was overwritten");
    let extra = json!({"revision": revision + 2, "definition": definition, "force": true});
    api.put("/api/v1/forms/qualify/draft", extra).await.assert_problem(422, Some("force"));
    api.put("/api/v1/forms/qualify/draft", json!({"definition": definition}))
        .await
        .assert_problem(422, Some("revision"));
    let missing = json!({"revision": 1, "definition": definition});
    api.put("/api/v1/forms/nowhere/draft", missing).await.assert_problem(404, None);
}

#[tokio::test]
async fn a_draft_with_lint_errors_is_saved_with_its_findings_but_an_import_is_linted_first() {
    let (_app, _team, api) = api_app().await;
    let draft = api.get("/api/v1/forms/qualify/draft").await;
    let revision = draft.body["revision"].as_i64().unwrap();
    let mut broken = draft.body["definition"].clone();
    broken["questions"][1]["next"][0]["goto"] = json!("nowhere");
    let saved =
        api.put("/api/v1/forms/qualify/draft", json!({"revision": revision, "definition": broken.clone()})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let errors: Vec<&Value> =
        saved.body["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "error").collect();
    assert!(errors.iter().any(|f| f["location"].as_str().unwrap().contains("company_size")), "{}", saved.body);
    let path = format!("/api/v1/forms/qualify/draft/import?revision={}", revision + 1);
    let refused = reply(api.post_file(&path, "application/json", &broken.to_string()).await).await;
    refused.assert_problem(422, None);
    assert!(problem_fields(&refused).iter().any(|f| f.contains("company_size")), "{}", refused.body);
    let yaml = BRANCHING_FORM.replace("title: Qualify", "title: Imported");
    let imported = reply(api.post_file(&path, "application/yaml", &yaml).await).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(imported.body["definition"]["title"], "Imported");
    assert!(imported.body["findings"].as_array().unwrap().iter().all(|f| f["severity"] != "error"));
    let stale = reply(api.post_file(&path, "application/yaml", &yaml).await).await;
    stale.assert_problem(409, None);
    let no_revision = reply(api.post_file("/api/v1/forms/qualify/draft/import", "application/yaml", &yaml).await).await;
    no_revision.assert_problem(400, Some("revision"));
}

#[tokio::test]
async fn the_draft_exports_as_yaml_or_json_that_reads_back_to_the_draft() {
    let (_app, _team, api) = api_app().await;
    let draft = api.get("/api/v1/forms/qualify/draft").await;
    let mut definition = draft.body["definition"].clone();
    definition["title"] = json!("Draft title");
    let body = json!({"revision": draft.body["revision"], "definition": definition});
    assert_eq!(api.put("/api/v1/forms/qualify/draft", body).await.status, 200);
    let (status, media, yaml) = api.get_text("/api/v1/forms/qualify/draft/export").await;
    assert_eq!(status, 200);
    assert!(media.starts_with("application/yaml"), "{media}");
    assert_eq!(leadgate::engine::parse_definition_yaml(&yaml).unwrap().title, "Draft title");
    let (_, media, json_text) = api.get_text("/api/v1/forms/qualify/draft/export?format=json").await;
    assert!(media.starts_with("application/json"), "{media}");
    assert_eq!(leadgate::engine::parse_definition_json(&json_text).unwrap().title, "Draft title");
    let (_, _, published) = api.get_text("/api/v1/forms/qualify/export").await;
    assert_eq!(leadgate::engine::parse_definition_yaml(&published).unwrap().title, "Qualify", "v1 is unchanged");
    api.get("/api/v1/forms/qualify/draft/export?format=pdf").await.assert_problem(400, Some("format"));
}

#[tokio::test]
async fn form_changes_need_the_write_scope_and_a_token_acts_only_while_its_maker_is_an_admin() {
    let (app, team, api) = api_app().await;
    let reader = Api { token: token(&app, &team, &["read"]).await, app: app.clone() };
    let draft = reader.get("/api/v1/forms/qualify/draft").await;
    assert_eq!(draft.status, 200);
    let body = json!({"revision": draft.body["revision"], "definition": draft.body["definition"]});
    reader.put("/api/v1/forms/qualify/draft", body.clone()).await.assert_problem(403, None);
    reader.post("/api/v1/forms", json!({"title": "X", "slug": "x"})).await.assert_problem(403, None);
    let anonymous = reply(app.client.get(app.url("/api/v1/forms/qualify/draft")).send().await.unwrap()).await;
    anonymous.assert_problem(401, None);
    let idle = scraper::Selector::parse("tr[data-token] [data-idle]").unwrap();
    let before = app.login_as(&team.admin).await.get_html("/admin/tokens").await;
    assert!(before.select(&idle).next().is_none());
    // The admin who made the token becomes a marketer: the token stops acting for them.
    set_person(&app, team.admin.id, "marketer", true).await;
    let demoted = api.put("/api/v1/forms/qualify/draft", body.clone()).await;
    demoted.assert_problem(403, None);
    assert!(demoted.body["detail"].as_str().unwrap().contains("no longer an admin"), "{}", demoted.body);
    api.get("/api/v1/leads").await.assert_problem(403, None);
    let other = leadgate::app::auth::add_user(&app.db, "root@team.example", "Other Admin", Role::Admin, PASSWORD).await;
    let other = Person { id: other.unwrap(), email: "root@team.example".into() };
    let listing = app.login_as(&other).await.get_html("/admin/tokens").await;
    assert!(listing.select(&idle).next().is_some(), "the tokens page says the token does not act");
    set_person(&app, team.admin.id, "admin", true).await;
    assert_eq!(api.put("/api/v1/forms/qualify/draft", body).await.status, 200, "an admin again, it acts again");
    set_person(&app, team.admin.id, "admin", false).await;
    api.get("/api/v1/forms").await.assert_problem(401, None);
}
