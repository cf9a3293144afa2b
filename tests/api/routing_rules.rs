//! A routing rule's condition is made with the form editor's condition
//! builder: the same rows and buttons (which work without JavaScript and
//! swap only the editor with htmx), subjects that fit routing, every
//! refusal beside its field, and a saved rule that routes the next lead.

use scraper::Html;

use crate::draft_support::{attrs, texts};
use crate::editor_support::{form_fields, set};
use crate::helpers::{BRANCHING_FORM, Team, TestApp, input_value, spawn_app, text_of};

const NEW: &str = "/admin/routing/rules/new";
const CREATE: &str = "/admin/routing/rules";

async fn manager() -> (TestApp, Team, TestApp) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let manager = app.login_as(&team.manager).await;
    (app, team, manager)
}

async fn post(browser: &TestApp, path: &str, pairs: &[(String, String)], htmx: bool) -> (u16, String) {
    let mut request = browser.client.post(browser.url(path)).form(pairs);
    if htmx {
        request = request.header("HX-Request", "true");
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn rule_count(app: &TestApp) -> usize {
    let mut conn = app.db.read().await.unwrap();
    leadgate::store::routing_admin::list_rule_rows(conn.conn()).await.unwrap().len()
}

#[tokio::test]
async fn the_rule_page_offers_the_forms_questions_and_what_every_lead_has() {
    let (_app, _team, manager) = manager().await;
    let page = manager.get_html(NEW).await;
    let subjects = attrs(&page, "select[name='when.items.0.subject'] option", "value");
    for expected in [
        "answer:company_size",
        "answer:timeline",
        "answer",
        "hidden",
        "field:country",
        "email_domain",
        "country",
        "fit",
        "intent",
    ] {
        assert!(subjects.iter().any(|s| s == expected), "{expected} in {subjects:?}");
    }
    let labels = texts(&page, "select[name='when.items.0.subject'] option");
    assert!(labels.iter().any(|l| l == "Answer to company_size (Qualify)"), "questions name their form");
    assert!(labels.iter().any(|l| l == "Answer to another question (by its id)"));
    assert!(texts(&page, "textarea").is_empty(), "no YAML snippet to type");
}

#[tokio::test]
async fn builder_buttons_re_render_the_page_without_saving_and_htmx_gets_only_the_editor() {
    let (app, _team, manager) = manager().await;
    let mut pairs = form_fields(&manager.get_html(NEW).await, "form#editor");
    set(&mut pairs, "name", "Partners");
    set(&mut pairs, "action", "add_group:when");
    let (status, body) = post(&manager, CREATE, &pairs, false).await;
    assert_eq!(status, 200);
    let page = Html::parse_document(&body);
    assert_eq!(texts(&page, ".cond-leaf").len(), 2, "the first row and the new group's row");
    assert_eq!(texts(&page, "fieldset.cond-group").len(), 2);
    assert_eq!(input_value(&page, "name").as_deref(), Some("Partners"), "typing is kept");
    assert_eq!(texts(&page, "header nav").len(), 1, "without htmx: the whole page");
    assert_eq!(rule_count(&app).await, 0, "nothing saved");

    let mut pairs = form_fields(&page, "form#editor");
    set(&mut pairs, "action", "remove:when.items.1");
    let (status, body) = post(&manager, CREATE, &pairs, true).await;
    assert_eq!(status, 200);
    let fragment = Html::parse_fragment(&body);
    assert!(texts(&fragment, "header").is_empty(), "htmx gets the editor only");
    assert_eq!(attrs(&fragment, "form#editor", "hx-target"), ["this"]);
    assert_eq!(texts(&fragment, ".cond-leaf").len(), 1);
}

#[tokio::test]
async fn every_refusal_is_shown_beside_its_field_at_once_and_the_typing_is_kept() {
    let (app, _team, manager) = manager().await;
    let mut pairs = form_fields(&manager.get_html(NEW).await, "form#editor");
    for (name, value) in [
        ("name", " "),
        ("when.items.0.subject", "fit"),
        ("when.items.0.op", "gte"),
        ("when.items.0.value", "lots"),
        ("pool", ""),
        ("action", "save"),
    ] {
        set(&mut pairs, name, value);
    }
    let (status, body) = post(&manager, CREATE, &pairs, false).await;
    assert_eq!(status, 422);
    let page = Html::parse_document(&body);
    assert!(text_of(&page, "#name-error").is_some());
    assert!(text_of(&page, "#pool-error").is_some());
    let row = text_of(&page, "[data-error-for='when.items.0']").unwrap();
    assert!(row.contains("“lots” is not a number"), "{row}");
    assert_eq!(attrs(&page, "input[name='when.items.0.value']", "aria-describedby"), ["when.items.0-error"]);
    assert_eq!(input_value(&page, "when.items.0.value").as_deref(), Some("lots"));
    assert_eq!(rule_count(&app).await, 0);
}

#[tokio::test]
async fn a_rule_on_a_hidden_field_or_a_question_by_id_routes_the_next_lead_and_reopens_as_saved() {
    let (app, _team, manager) = manager().await;
    let fields = [
        ("name", "Partner or EMEA region to SDR"),
        ("handoff", "senior-ae"),
        ("pool", "sdr"),
        ("when.kind", "any"),
        ("when.items.0.kind", "leaf"),
        ("when.items.0.subject", "hidden"),
        ("when.items.0.key", "utm_source"),
        ("when.items.0.op", "equals"),
        ("when.items.0.value", "partner"),
        ("when.items.1.kind", "leaf"),
        ("when.items.1.subject", "answer"),
        ("when.items.1.key", "region"),
        ("when.items.1.op", "equals"),
        ("when.items.1.value", "emea"),
        ("action", "save"),
    ];
    let saved = manager.post_with_csrf(NEW, CREATE, &fields).await;
    assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap());
    let ordinary = app.lead_of(&app.finish_tier1("cto@plain.example").await).await;
    assert_eq!(ordinary.pool.as_deref(), Some("senior-ae"), "no partner, no region: the outcome's pool");
    let browser = app.new_browser();
    let path = browser.start_form("qualify", "?utm_source=partner", &["cto@partner.example"]).await;
    for (question, value) in
        [("company_size", "large"), ("procurement", "yes"), ("timeline", "now"), ("consent", "yes")]
    {
        browser.answer_ok(&path, question, &[value]).await;
    }
    let partner = app.lead_of(&path).await;
    assert_eq!(partner.pool.as_deref(), Some("sdr"));
    assert!(app.history(partner.id).await[0].reason.ends_with("(rule: Partner or EMEA region to SDR)"));

    let overview = manager.get_html("/admin/routing").await;
    let link = attrs(&overview, "tr[data-rule] a", "href")[0].clone();
    assert_eq!(
        texts(&overview, "tr[data-rule] td:nth-child(4)"),
        ["any of (Hidden field utm_source is partner; Answer to region is emea)"]
    );
    let page = manager.get_html(&link).await;
    assert_eq!(attrs(&page, "select[name='when.kind'] option[selected]", "value"), ["any"]);
    assert_eq!(attrs(&page, "select[name='when.items.1.subject'] option[selected]", "value"), ["answer"]);
    assert_eq!(input_value(&page, "when.items.1.key").as_deref(), Some("region"));
    assert_eq!(input_value(&page, "when.items.0.key").as_deref(), Some("utm_source"));
}
