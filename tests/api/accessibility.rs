//! Accessibility basics on every main page, checked on the HTML itself so
//! they stay true: each control has a label, each button a name, each
//! table headers, each page one heading and a title, ids are unique and
//! every `aria-describedby` points at something.

use scraper::{ElementRef, Html, Selector};

use crate::draft_support::{attrs, form_id};
use crate::helpers::{BRANCHING_FORM, Team, TestApp, spawn_app};

fn select(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// The controls of `page` that a person cannot name.
fn unlabelled_controls(page: &Html) -> Vec<String> {
    let labels: Vec<String> = attrs(page, "label[for]", "for");
    page.select(&select("input:not([type=hidden]), select, textarea"))
        .filter(|control| {
            let v = control.value();
            let named = |a: &str| v.attr(a).is_some_and(|t| !t.trim().is_empty());
            let for_label = v.attr("id").is_some_and(|id| labels.iter().any(|l| l == id));
            let inside_label = control.ancestors().filter_map(ElementRef::wrap).any(|a| a.value().name() == "label");
            !(named("aria-label") || named("aria-labelledby") || named("title") || for_label || inside_label)
        })
        .map(|c| c.html().chars().take(160).collect())
        .collect()
}

/// Everything on `page` that breaks the basics, in words.
fn problems(page: &Html) -> Vec<String> {
    let mut found: Vec<String> = unlabelled_controls(page).into_iter().map(|c| format!("no label: {c}")).collect();
    for button in page.select(&select("button, a.button")) {
        let text: String = button.text().collect();
        if text.trim().is_empty() && button.value().attr("aria-label").is_none_or(|l| l.trim().is_empty()) {
            found.push(format!("a button without a name: {}", button.html()));
        }
    }
    for table in page.select(&select("table")) {
        if table.select(&select("thead th, tr > th")).next().is_none() {
            found.push(format!("a table without headers: {}", table.html().chars().take(120).collect::<String>()));
        }
    }
    let h1 = page.select(&select("h1")).count();
    if h1 != 1 {
        found.push(format!("{h1} h1 headings"));
    }
    if page.select(&select("title")).next().is_none_or(|t| t.text().collect::<String>().trim().is_empty()) {
        found.push("no page title".into());
    }
    let ids: Vec<String> = attrs(page, "[id]", "id");
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            found.push(format!("the id {id} is used twice"));
        }
    }
    for described in attrs(page, "[aria-describedby]", "aria-describedby") {
        for id in described.split_whitespace().filter(|id| !ids.iter().any(|known| known == id)) {
            found.push(format!("aria-describedby names {id}, which is not on the page"));
        }
    }
    for invalid in page.select(&select("[aria-invalid=true]")) {
        if invalid.value().attr("aria-describedby").is_none() {
            found.push(format!("a refused field not tied to its message: {}", invalid.html()));
        }
    }
    for image in page.select(&select("img")) {
        if image.value().attr("alt").is_none() {
            found.push(format!("an image without alt text: {}", image.html()));
        }
    }
    found
}

async fn check(browser: &TestApp, path: &str, all: &mut Vec<String>) {
    let response = browser.get(path).await;
    assert!(response.status().is_success(), "GET {path}: {}", response.status());
    let page = Html::parse_document(&response.text().await.unwrap());
    all.extend(problems(&page).into_iter().map(|p| format!("{path}: {p}")));
}

/// Posts the form `css` of `path` with `changes`, expects it refused, and
/// checks the page that comes back.
async fn check_refused(browser: &TestApp, path: &str, css: &str, changes: &[(&str, &str)], all: &mut Vec<String>) {
    let mut pairs = crate::editor_support::form_fields(&browser.get_html(path).await, css);
    for (name, value) in changes {
        crate::editor_support::set(&mut pairs, name, value);
    }
    let page = Html::parse_document(&browser.get_html(path).await.html());
    let action = attrs(&page, css, "action").pop().unwrap_or_else(|| path.to_owned());
    let response = browser.client.post(browser.url(&action)).form(&pairs).send().await.unwrap();
    assert_eq!(response.status(), 422, "{path} {changes:?}");
    let page = Html::parse_document(&response.text().await.unwrap());
    all.extend(problems(&page).into_iter().map(|p| format!("{path} refused: {p}")));
    if page.select(&select("[aria-invalid=true]")).next().is_none() {
        all.push(format!("{path} refused: no field is marked"));
    }
}

async fn app_with_a_lead() -> (TestApp, Team, String, String) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let path = app.finish_tier1("cto@acme.example").await;
    let lead = app.lead_of(&path).await.id.to_string();
    (app, team, path, lead)
}

#[tokio::test]
async fn every_control_on_the_inbox_and_admin_pages_has_a_label_and_every_table_headers() {
    let (app, team, _, lead) = app_with_a_lead().await;
    let form = form_id(&app, "qualify").await;
    let admin = app.login_as(&team.admin).await;
    let routing = admin.get_html("/admin/routing").await;
    let mut pages: Vec<String> = [
        "/inbox",
        "/inbox/bookings",
        "/inbox/calendar",
        "/admin/forms",
        "/admin/routing",
        "/admin/routing/rules/new",
        "/admin/analytics",
        "/admin/notices",
        "/admin/webhooks",
        "/admin/tokens",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    pages.push(format!("/inbox/leads/{lead}"));
    pages.push(format!("/inbox/calendar/{}", team.rita.id));
    for tab in [
        "",
        "/scoring",
        "/scoring/1",
        "/scoring/new",
        "/lists",
        "/outcomes",
        "/outcomes/2",
        "/outcomes/new",
        "/settings",
        "/tests",
        "/tests/new",
        "/versions",
        "/yaml",
        "/questions/company_size",
        "/preview",
        "/replay",
        "/diagram",
    ] {
        pages.push(format!("/admin/forms/{form}{tab}"));
    }
    for css in ["a[href^='/admin/routing/reps/']", "a[href^='/admin/routing/pools/']"] {
        pages.push(attrs(&routing, css, "href")[0].clone());
    }
    let mut found = Vec::new();
    for page in &pages {
        check(&admin, page, &mut found).await;
    }
    let rita = app.login_as(&team.rita).await;
    check(&rita, &format!("/inbox/calendar/{}", team.rita.id), &mut found).await;
    check(&rita, &format!("/inbox/leads/{lead}"), &mut found).await;
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
}

#[tokio::test]
async fn a_refused_form_ties_each_marked_field_to_the_message_beside_it() {
    let (app, team, _, _) = app_with_a_lead().await;
    let form = form_id(&app, "qualify").await;
    let mut found = Vec::new();
    let marketer = app.login_as(&team.marketer).await;
    let base = format!("/admin/forms/{form}");
    let save = ("action", "save");
    check_refused(&marketer, &format!("{base}/scoring/1"), "form#editor", &[("fit", "many"), save], &mut found).await;
    let outcome = [("accept_within", "soon"), ("title", ""), save];
    check_refused(&marketer, &format!("{base}/outcomes/2"), "form#editor", &outcome, &mut found).await;
    let question = [("label", ""), save];
    check_refused(&marketer, &format!("{base}/questions/company_size"), "form#editor", &question, &mut found).await;
    let manager = app.login_as(&team.manager).await;
    let rule = [("name", ""), ("pool", ""), save];
    check_refused(&manager, "/admin/routing/rules/new", "form#editor", &rule, &mut found).await;
    let calendar = format!("/inbox/calendar/{}", team.rita.id);
    let hours = [("meeting_minutes", "half an hour"), ("hours_mon", "9 to 5")];
    check_refused(&manager, &calendar, "form.calendar-settings", &hours, &mut found).await;
    check_refused(&manager, &calendar, "form.block-form", &[("date", "someday")], &mut found).await;
    let lead = app.lead_of(&app.finish_tier2("ops@mid.example").await).await.id;
    let lead_page = format!("/inbox/leads/{lead}");
    let other = [("reason", "other"), ("note", "")];
    check_refused(&manager, &lead_page, "form.disqualify", &other, &mut found).await;
    check_refused(&marketer, "/admin/forms", "form#create-form", &[("slug", "Not A Slug")], &mut found).await;
    let response = manager.get("/admin/analytics?form=qualify&to=tomorrow").await;
    assert_eq!(response.status(), 422);
    let page = Html::parse_document(&response.text().await.unwrap());
    found.extend(problems(&page).into_iter().map(|p| format!("analytics refused: {p}")));
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
}

#[tokio::test]
async fn the_sign_in_and_prospect_pages_meet_the_same_basics() {
    let (app, _team, ending, _) = app_with_a_lead().await;
    let mut found = Vec::new();
    let visitor = app.new_browser();
    check(&visitor, "/login", &mut found).await;
    check(&visitor, "/f/qualify", &mut found).await;
    let path = visitor.start_form("qualify", "", &["buyer@acme.example"]).await;
    check(&visitor, &path, &mut found).await;
    check(&app, &ending, &mut found).await;
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
}

#[tokio::test]
async fn the_checks_catch_what_they_look_for() {
    let page = Html::parse_document(
        "<html><head><title>t</title></head><body><h1>a</h1><h1>b</h1><input name=x><button></button>\
         <table><tr><td>1</td></tr></table><p id=d></p><p id=d></p><span aria-describedby=nowhere></span>\
         <img src=x.png><label>ok <input name=y></label><label for=z>z</label><input id=z>\
         <input aria-label=w aria-invalid=true></body></html>",
    );
    let found = problems(&page);
    for expected in [
        "no label: <input name=\"x\">",
        "a button without a name",
        "a table without headers",
        "2 h1",
        "id d is used twice",
        "nowhere",
        "without alt",
        "not tied",
    ] {
        assert!(found.iter().any(|f| f.contains(expected)), "{expected} in {found:?}");
    }
    assert_eq!(found.len(), 8, "{found:?}");
}
