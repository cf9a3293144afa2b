//! Publishing from the editor: lint and test cases block, versions stay
//! immutable and pin their responses, rollback, history, import and export.

use leadgate::engine::FormDefinition;

use crate::editor::{marketer_app, published};
use crate::editor_support::{EditedForm, add_case, attrs, build_branching_form, set, texts};
use crate::helpers::{BRANCHING_FORM, TestApp, text_of};

/// A prospect of the editor's form who says they are big, then answers the budget.
async fn start_big_buyer(app: &TestApp, form: &EditedForm) -> (TestApp, String) {
    let prospect = app.new_browser();
    let path = prospect.start_form(&form.slug, "", &["cio@big.example"]).await;
    prospect.answer_ok(&path, "size", &["large"]).await;
    (prospect, path)
}

async fn response_version(app: &TestApp, path: &str) -> i32 {
    let id: uuid::Uuid = path.rsplit('/').next().unwrap().parse().unwrap();
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::responses::find_response(conn.conn(), id).await.unwrap().unwrap().version
}

async fn export(app: &TestApp, form: &EditedForm, query: &str) -> String {
    let response = app.get(&form.path(&format!("/export?{query}"))).await;
    assert_eq!(response.status(), 200, "export {query}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn publishing_is_refused_while_the_lint_finds_errors_and_the_findings_are_shown() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "lint-error").await;
    let (status, _, _) = marketer.post_action(&form, "/outcomes/2/move", &[("direction", "up")]).await;
    assert_eq!(status, 303, "the catch-all moved away from the end");
    let (status, page, _) = marketer.publish(&form, "Should not go out").await;
    assert_eq!(status, 422);
    let findings = texts(&page, ".refusal .finding[data-severity=error]");
    assert!(findings.iter().any(|f| f.contains("outcome hot") && f.contains("catch-all")), "{findings:?}");
    assert_eq!(
        page.select(&scraper::Selector::parse("#note").unwrap()).next().unwrap().text().collect::<String>(),
        "Should not go out"
    );
    let (_, versions) = marketer.page(&form.path("/versions")).await;
    assert!(attrs(&versions, ".version", "data-version").is_empty(), "nothing was published");
    assert_eq!(marketer.new_browser().get(&format!("/f/{}", form.slug)).await.status(), 404);
}

#[tokio::test]
async fn publishing_is_refused_when_a_test_case_fails_showing_which_and_why() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "case-fails").await;
    add_case(&marketer, &form, "Small shop", &[("email", "owner@shop.example"), ("size", "small")], "hot").await;
    let (status, page, _) = marketer.publish(&form, "").await;
    assert_eq!(status, 422);
    assert_eq!(attrs(&page, ".refusal .case", "data-case"), ["Small shop"], "only the failing case is listed");
    assert_eq!(texts(&page, ".refusal .case .expected"), ["hot"]);
    assert_eq!(texts(&page, ".refusal .case .actual"), ["everyone"]);
    assert_eq!(
        texts(&page, ".refusal .case .problems li"),
        ["Expected outcome hot, but the answers lead to everyone."]
    );
    assert_eq!(texts(&page, ".refusal .case .path"), ["email → size"]);
    assert!(attrs(&marketer.page(&form.path("/versions")).await.1, ".version", "data-version").is_empty());
}

#[tokio::test]
async fn a_published_form_is_served_and_a_prospect_lands_in_the_expected_outcome() {
    let (app, marketer, form, _) = published("served").await;
    let (_, versions) = marketer.page(&form.path("/versions?published=1")).await;
    assert_eq!(attrs(&versions, ".version", "data-version"), ["1"]);
    assert_eq!(texts(&versions, ".version .note"), ["First version"]);
    assert_eq!(texts(&versions, "#published").len(), 1);
    let warnings = texts(&versions, ".flash.warning .finding");
    assert!(warnings.iter().any(|w| w.contains("scoring rule 1") && w.contains("budget")), "{warnings:?}");
    let (prospect, path) = start_big_buyer(&app, &form).await;
    prospect.answer_ok(&path, "budget", &["5000"]).await;
    assert_eq!(prospect.ending_outcome(&path).await, "hot");
    let lead = app.lead_of(&path).await;
    assert_eq!((lead.outcome_id.as_str(), lead.fit, lead.intent), ("hot", 50, 40));
    assert_eq!(lead.pool.as_deref(), Some("senior-ae"));
    let (_, list) = marketer.page("/admin/forms").await;
    let row = format!("tr[data-form={}]", form.slug);
    assert_eq!(texts(&list, &format!("{row} .status")), ["Published v1"]);
    assert_eq!(texts(&list, &format!("{row} .leads")), ["1"]);
}

#[tokio::test]
async fn a_response_started_on_version_1_finishes_on_version_1_after_version_2_is_published() {
    let (app, marketer, form, _) = published("pinned").await;
    let (prospect, path) = start_big_buyer(&app, &form).await;
    let (status, _, _) =
        marketer.edit_page(&form.path("/questions/size"), "save", |f| set(f, "b.0.goto", "finish")).await;
    assert_eq!(status, 303);
    let (status, _, _) =
        marketer.edit_page(&form.path("/outcomes/1"), "save", |f| set(f, "when.items.0.value", "100")).await;
    assert_eq!(status, 303);
    let (status, page, _) = marketer.publish(&form, "Big companies finish at once").await;
    assert_eq!(status, 422, "the big buyer's test case now fails");
    assert_eq!(texts(&page, ".refusal .case .actual"), ["everyone"]);
    let (_, tests) = marketer.page(&form.path("/tests")).await;
    let case = attrs(&tests, ".case-links a", "href").remove(0);
    let (status, _, _) = marketer.edit_page(&case, "save", |f| set(f, "expected_outcome", "everyone")).await;
    assert_eq!(status, 303);
    let (status, _, target) = marketer.publish(&form, "Big companies finish at once").await;
    assert_eq!((status, target.as_deref()), (303, Some(form.path("/versions?published=2").as_str())));
    assert_eq!(prospect.current_question(&path).await, "budget", "version 1 still asks for the budget");
    prospect.answer_ok(&path, "budget", &["5000"]).await;
    assert_eq!(prospect.ending_outcome(&path).await, "hot", "judged by version 1's outcomes");
    assert_eq!(response_version(&app, &path).await, 1);
    let newcomer = app.new_browser();
    let later = newcomer.start_form(&form.slug, "", &["vp@huge.example"]).await;
    newcomer.answer_ok(&later, "size", &["large"]).await;
    assert_eq!(newcomer.ending_outcome(&later).await, "everyone", "version 2: no budget question, fit 50 < 100");
    assert_eq!(response_version(&app, &later).await, 2);
}

#[tokio::test]
async fn rolling_back_publishes_the_earlier_definition_as_a_new_version_and_history_shows_each_change() {
    let (app, marketer, form, _) = published("rollback").await;
    let v1 = export(&marketer, &form, "format=json&version=1").await;
    let (status, _, _) =
        marketer.edit_page(&form.path("/questions/size"), "save", |f| set(f, "label", "Team size?")).await;
    assert_eq!(status, 303);
    marketer.add_question(&form, "notes", "short_text", "Anything else?").await;
    let (status, _, _) = marketer.publish(&form, "Second").await;
    assert_eq!(status, 303);
    let (_, versions) = marketer.page(&form.path("/versions")).await;
    let changes = texts(&versions, ".version[data-version='2'] .changes li");
    assert!(changes.contains(&"Changed question size: label".to_owned()), "{changes:?}");
    assert!(changes.contains(&"Added question notes (“Anything else?”, short text)".to_owned()), "{changes:?}");
    assert!(texts(&versions, ".version[data-version='2'] .muted")[0].contains("Mark Marketer"));
    let (status, _, target) = marketer.post_action(&form, "/versions/1/rollback", &[]).await;
    assert_eq!((status, target.as_deref()), (303, Some(form.path("/versions?published=3").as_str())));
    let (_, versions) = marketer.page(&form.path("/versions")).await;
    assert_eq!(attrs(&versions, ".version", "data-version"), ["3", "2", "1"]);
    assert!(texts(&versions, ".version[data-version='3'] h2")[0].contains("restores v1"));
    assert!(
        texts(&versions, ".version[data-version='3'] .changes li")
            .contains(&"Removed question notes (“Anything else?”)".to_owned())
    );
    let parse = |text: &str| leadgate::engine::parse_definition_json(text).unwrap();
    assert_eq!(parse(&export(&marketer, &form, "format=json&version=3").await), parse(&v1));
    assert_eq!(marketer.draft(&form).await, parse(&v1), "the draft is the restored definition");
    let (prospect, path) = start_big_buyer(&app, &form).await;
    prospect.answer_ok(&path, "budget", &["10"]).await;
    assert_eq!(response_version(&app, &path).await, 3);
    let (status, page, _) = marketer.post_action(&form, "/versions/3/rollback", &[]).await;
    assert_eq!(status, 422);
    assert!(texts(&page, ".flash.error")[0].contains("already live"));
}

#[tokio::test]
async fn published_versions_cannot_be_changed_even_from_the_database() {
    let (app, _marketer, _form, _) = published("immutable").await;
    let mut tx = app.db.begin().await.unwrap();
    let update = leadgate::on_conn!(tx.conn(), c => sqlx::query("UPDATE form_versions SET note = 'rewritten'")
        .execute(&mut *c).await.map(|r| r.rows_affected()));
    assert!(update.is_err(), "the database refuses to change a published version");
    drop(tx);
    let mut tx = app.db.begin().await.unwrap();
    let delete = leadgate::on_conn!(tx.conn(), c => sqlx::query("DELETE FROM form_versions")
        .execute(&mut *c).await.map(|r| r.rows_affected()));
    assert!(delete.is_err(), "nor to delete one");
}

async fn post_yaml(marketer: &TestApp, form: &EditedForm, text: &str, revision: Option<&str>) -> (u16, scraper::Html) {
    let csrf = marketer.csrf("/admin/forms").await;
    let current = marketer.revision(form).await;
    let pairs =
        [("csrf", csrf.as_str()), ("revision", revision.unwrap_or(&current)), ("definition", text), ("action", "save")];
    let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let (status, page, _) = marketer.submit(&form.path("/yaml"), &pairs).await;
    (status, page)
}

#[tokio::test]
async fn an_import_with_errors_is_refused_and_a_valid_one_replaces_the_draft_keeping_the_address() {
    let (_app, marketer, _) = marketer_app().await;
    let form = marketer.create_form("Imported", "importer").await;
    let before = marketer.draft(&form).await;
    let (status, page) = post_yaml(&marketer, &form, "slug: x\ntitle: [unclosed\n", None).await;
    assert_eq!(status, 422);
    assert!(texts(&page, ".import-errors li")[0].starts_with("line "), "{:?}", texts(&page, ".import-errors li"));
    let broken = BRANCHING_FORM.replace(
        "  - id: nurture\n    tier: Nurture\n",
        "  - id: nurture\n    tier: Nurture\n    when: { fit: { gte: 0 } }\n",
    );
    let (status, page) = post_yaml(&marketer, &form, &broken, None).await;
    assert_eq!(status, 422);
    let problems = texts(&page, ".import-errors li");
    assert!(problems.iter().any(|p| p.starts_with("outcome nurture:") && p.contains("catch-all")), "{problems:?}");
    assert_eq!(
        page.select(&scraper::Selector::parse("#definition").unwrap()).next().unwrap().text().collect::<String>(),
        broken
    );
    assert_eq!(marketer.draft(&form).await, before, "nothing was saved");
    let (status, page) = post_yaml(&marketer, &form, BRANCHING_FORM, Some("0")).await;
    assert_eq!(status, 409, "an import from an old page is refused");
    assert!(text_of(&page, ".conflict").is_some());
    let (status, _) = post_yaml(&marketer, &form, BRANCHING_FORM, None).await;
    assert_eq!(status, 303);
    let draft = marketer.draft(&form).await;
    let fixture = leadgate::engine::parse_definition_yaml(BRANCHING_FORM).unwrap();
    assert_eq!(draft.slug, "importer", "the form keeps its address");
    assert_eq!(FormDefinition { slug: fixture.slug.clone(), ..draft }, fixture);
}

/// A multipart body with a file field, as a browser's upload sends it.
fn upload(csrf: &str, file: &str) -> (String, String) {
    let boundary = "leadgate-test-boundary-7d1f";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"form.yaml\"\r\nContent-Type: application/yaml\r\n\r\n{file}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"definition\"\r\n\r\n\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_exported_definition_imports_back_as_the_same_form_in_yaml_and_json() {
    let (_app, marketer, _) = marketer_app().await;
    let form = build_branching_form(&marketer, "round-trip").await;
    let original = marketer.draft(&form).await;
    let yaml = export(&marketer, &form, "format=yaml").await;
    let copy = yaml.replace("slug: round-trip", "slug: round-trip-copy");
    let csrf = marketer.csrf("/admin/forms").await;
    let (content_type, body) = upload(&csrf, &copy);
    let response = marketer
        .client
        .post(marketer.url("/admin/forms/import"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "a file upload imports a new form");
    let id =
        crate::helpers::location(&response).trim_start_matches("/admin/forms/").split('?').next().unwrap().to_owned();
    let imported = EditedForm { id, slug: "round-trip-copy".into() };
    assert_eq!(FormDefinition { slug: original.slug.clone(), ..marketer.draft(&imported).await }, original);
    let json = export(&marketer, &form, "format=json").await;
    let (status, _) = post_yaml(&marketer, &imported, &json, None).await;
    assert_eq!(status, 303, "JSON is accepted too");
    assert_eq!(FormDefinition { slug: original.slug.clone(), ..marketer.draft(&imported).await }, original);
    let (_, list) = marketer.page("/admin/forms").await;
    assert_eq!(texts(&list, "tr[data-form=round-trip-copy] .status"), ["Draft only"]);
    let (status, _) = marketer.page(&imported.path("/export?format=yaml&version=1")).await;
    assert_eq!(status, 404, "a version that was never published");
}

#[tokio::test]
async fn the_forms_list_counts_responses_started_and_finished() {
    let (app, marketer, form, _) = published("counted").await;
    let (first, at) = start_big_buyer(&app, &form).await;
    first.answer_ok(&at, "budget", &["5000"]).await;
    start_big_buyer(&app, &form).await;
    app.new_browser().start_form(&form.slug, "", &["cfo@third.example"]).await;
    let (_, list) = marketer.page("/admin/forms").await;
    let row = format!("tr[data-form={}]", form.slug);
    assert_eq!(texts(&list, &format!("{row} .started")), ["3"]);
    assert_eq!(texts(&list, &format!("{row} .finished")), ["1"]);
    assert_eq!(texts(&list, &format!("{row} .leads")), ["1"]);
}
