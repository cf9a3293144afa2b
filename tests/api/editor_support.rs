//! Helpers for the editor tests: submit the editor's pages the way a
//! browser does (every field of the form as rendered, changed where a
//! person would type), and build a small branching form through them.

use leadgate::engine::FormDefinition;
use scraper::{ElementRef, Html, Selector};

use crate::helpers::{TestApp, location};

/// A form made in the editor.
#[derive(Clone, Debug)]
pub struct EditedForm {
    pub id: String,
    pub slug: String,
}

impl EditedForm {
    pub fn path(&self, rest: &str) -> String {
        format!("/admin/forms/{}{rest}", self.id)
    }
}

fn select(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// The pairs a browser would submit for the form matching `css` (no
/// button: the caller adds the one that was clicked).
pub fn form_fields(page: &Html, css: &str) -> Vec<(String, String)> {
    let form = page.select(&select(css)).next().unwrap_or_else(|| panic!("no form {css}"));
    let mut pairs = Vec::new();
    for element in form.select(&select("input, select, textarea")) {
        let value = element.value();
        let Some(name) = value.attr("name") else { continue };
        match element.value().name() {
            "input" => {
                let kind = value.attr("type").unwrap_or("text");
                if kind == "file" || ((kind == "checkbox" || kind == "radio") && value.attr("checked").is_none()) {
                    continue;
                }
                let default = if kind == "checkbox" { "on" } else { "" };
                pairs.push((name.to_owned(), value.attr("value").unwrap_or(default).to_owned()));
            }
            "select" => pairs.push((name.to_owned(), selected_value(&element))),
            _ => pairs.push((name.to_owned(), element.text().collect())),
        }
    }
    pairs
}

fn selected_value(select_element: &ElementRef) -> String {
    let options: Vec<ElementRef> = select_element.select(&select("option")).collect();
    let chosen = options.iter().find(|o| o.value().attr("selected").is_some()).or(options.first());
    chosen.map(|o| o.value().attr("value").unwrap_or_default().to_owned()).unwrap_or_default()
}

/// Sets `name` to `value`, replacing every value it had.
pub fn set(pairs: &mut Vec<(String, String)>, name: &str, value: &str) {
    pairs.retain(|(k, _)| k != name);
    pairs.push((name.to_owned(), value.to_owned()));
}

/// Sets several values for `name` (ticked boxes).
pub fn set_all(pairs: &mut Vec<(String, String)>, name: &str, values: &[&str]) {
    pairs.retain(|(k, _)| k != name);
    pairs.extend(values.iter().map(|v| (name.to_owned(), v.to_string())));
}

impl TestApp {
    /// Page HTML, whatever the status.
    pub async fn page(&self, path: &str) -> (u16, Html) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, Html::parse_document(&response.text().await.unwrap()))
    }

    /// Posts pairs; returns the status and the page (or redirect target).
    pub async fn submit(&self, path: &str, pairs: &[(String, String)]) -> (u16, Html, Option<String>) {
        let response = self.client.post(self.url(path)).form(pairs).send().await.expect("POST");
        let status = response.status().as_u16();
        let target = response.headers().get("location").map(|_| location(&response));
        (status, Html::parse_document(&response.text().await.unwrap()), target)
    }

    /// Opens `path`, changes fields with `edit`, clicks the button `action`.
    pub async fn edit_page(
        &self,
        path: &str,
        action: &str,
        edit: impl FnOnce(&mut Vec<(String, String)>),
    ) -> (u16, Html, Option<String>) {
        let (status, page) = self.page(path).await;
        assert_eq!(status, 200, "GET {path}");
        let mut pairs = form_fields(&page, "form#editor");
        edit(&mut pairs);
        set(&mut pairs, "action", action);
        self.submit(path, &pairs).await
    }

    /// Like `edit_page`, starting from an already rendered editor page.
    pub async fn edit_rendered(
        &self,
        path: &str,
        page: &Html,
        action: &str,
        edit: impl FnOnce(&mut Vec<(String, String)>),
    ) -> (u16, Html, Option<String>) {
        let mut pairs = form_fields(page, "form#editor");
        edit(&mut pairs);
        set(&mut pairs, "action", action);
        self.submit(path, &pairs).await
    }

    /// The draft revision shown on a page of the form.
    pub async fn revision(&self, form: &EditedForm) -> String {
        let (_, page) = self.page(&form.path("")).await;
        let text = page.select(&select(".revision")).next().expect("revision shown");
        text.text().collect::<String>().trim().to_owned()
    }

    /// Posts one of the form page's small forms (move, delete, publish...).
    pub async fn post_action(
        &self,
        form: &EditedForm,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> (u16, Html, Option<String>) {
        let csrf = self.csrf("/admin/forms").await;
        let revision = self.revision(form).await;
        let mut all = vec![("csrf".to_owned(), csrf), ("revision".to_owned(), revision)];
        all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.submit(&form.path(path), &all).await
    }

    /// Creates a form from the forms list.
    pub async fn create_form(&self, title: &str, slug: &str) -> EditedForm {
        let csrf = self.csrf("/admin/forms").await;
        let pairs = [("csrf", csrf.as_str()), ("title", title), ("slug", slug)];
        let response = self.post_form("/admin/forms", &pairs).await;
        assert_eq!(response.status(), 303, "creating {slug}");
        let target = location(&response);
        let id = target.trim_start_matches("/admin/forms/").split('?').next().unwrap().to_owned();
        EditedForm { id, slug: slug.to_owned() }
    }

    /// The draft as its JSON export.
    pub async fn draft(&self, form: &EditedForm) -> FormDefinition {
        let response = self.get(&form.path("/export?format=json")).await;
        assert_eq!(response.status(), 200);
        leadgate::engine::parse_definition_json(&response.text().await.unwrap()).expect("the export parses")
    }

    /// Adds a question of `kind` from the form page; returns its page path.
    pub async fn add_question(&self, form: &EditedForm, id: &str, kind: &str, label: &str) -> String {
        let (status, _, target) =
            self.post_action(form, "/questions", &[("id", id), ("kind", kind), ("label", label)]).await;
        assert_eq!(status, 303, "adding {id}");
        assert_eq!(target.as_deref(), Some(form.path(&format!("/questions/{id}")).as_str()));
        form.path(&format!("/questions/{id}"))
    }

    /// Publishes the draft; returns the status and the page or redirect.
    pub async fn publish(&self, form: &EditedForm, note: &str) -> (u16, Html, Option<String>) {
        self.post_action(form, "/publish", &[("note", note)]).await
    }
}

/// Builds, through the editor, the three-question form of these tests:
/// `email`; `size` (small 0 fit, large 50 fit; large goes on to `budget`,
/// everyone else finishes); `budget` (a number). A scoring rule gives
/// +40 intent for a budget of at least 1000; outcome `hot` (fit ≥ 50 and
/// intent ≥ 40, routed to senior-ae) comes before the catch-all
/// `everyone`; a test case expects `hot` for a big buyer.
pub async fn build_branching_form(marketer: &TestApp, slug: &str) -> EditedForm {
    let form = marketer.create_form("Editor demo", slug).await;
    let size = marketer.add_question(&form, "size", "single_choice", "How big is your company?").await;
    marketer.add_question(&form, "budget", "number", "What is your yearly budget?").await;
    let (status, _, _) = marketer
        .edit_page(&size, "save", |f| {
            set(f, "required", "yes");
            for (i, (value, label, fit)) in [("small", "Small", "0"), ("large", "Large", "50")].iter().enumerate() {
                set(f, &format!("o.{i}.value"), value);
                set(f, &format!("o.{i}.label"), label);
                set(f, &format!("o.{i}.fit"), fit);
            }
        })
        .await;
    assert_eq!(status, 303, "options saved");
    let (status, page, _) = marketer.edit_page(&size, "add_branch", |_| {}).await;
    assert_eq!(status, 200);
    let (status, _, _) = marketer
        .edit_rendered(&size, &page, "save", |f| {
            set(f, "b.0.when.items.0.subject", "answer:size");
            set(f, "b.0.when.items.0.op", "equals");
            set(f, "b.0.when.items.0.value", "large");
            set(f, "b.0.goto", "budget");
            set(f, "otherwise", "finish");
        })
        .await;
    assert_eq!(status, 303, "branch saved");
    let budget = form.path("/questions/budget");
    let (status, _, _) = marketer.edit_page(&budget, "save", |f| set(f, "required", "yes")).await;
    assert_eq!(status, 303);
    let (status, _, _) = marketer
        .edit_page(&form.path("/scoring/new"), "save", |f| {
            set(f, "reason", "Has a budget");
            set(f, "fit", "0");
            set(f, "intent", "40");
            set(f, "when.items.0.subject", "answer:budget");
            set(f, "when.items.0.op", "gte");
            set(f, "when.items.0.value", "1000");
        })
        .await;
    assert_eq!(status, 303, "scoring rule saved");
    let (status, page, _) = marketer.edit_page(&form.path("/outcomes/new"), "add_leaf:when", |_| {}).await;
    assert_eq!(status, 200);
    let (status, page, _) = marketer.edit_rendered(&form.path("/outcomes/new"), &page, "add_leaf:when", |_| {}).await;
    assert_eq!(status, 200);
    let (status, _, _) = marketer
        .edit_rendered(&form.path("/outcomes/new"), &page, "save", |f| {
            set(f, "id", "hot");
            set(f, "tier", "Tier 1");
            for (i, (subject, value)) in [("fit", "50"), ("intent", "40")].iter().enumerate() {
                set(f, &format!("when.items.{i}.subject"), subject);
                set(f, &format!("when.items.{i}.op"), "gte");
                set(f, &format!("when.items.{i}.value"), value);
            }
            set(f, "title", "Let's talk");
            set(f, "message", "A specialist will call you today.");
            set(f, "offer_booking", "yes");
            set(f, "handoff", "route");
            set(f, "pool", "senior-ae");
        })
        .await;
    assert_eq!(status, 303, "outcome saved");
    add_case(
        marketer,
        &form,
        "Big buyer",
        &[("email", "cio@big.example"), ("size", "large"), ("budget", "5000")],
        "hot",
    )
    .await;
    form
}

/// Adds a test case through its page.
pub async fn add_case(marketer: &TestApp, form: &EditedForm, name: &str, answers: &[(&str, &str)], expected: &str) {
    let (status, _, target) = marketer
        .edit_page(&form.path("/tests/new"), "save", |f| {
            set(f, "name", name);
            set(f, "expected_outcome", expected);
            for (question, value) in answers {
                set(f, &format!("a.{question}"), value);
            }
        })
        .await;
    assert_eq!(status, 303, "test case {name} saved");
    assert!(target.unwrap().contains("/tests/"));
}

/// Text of every element matching `css`.
pub fn texts(page: &Html, css: &str) -> Vec<String> {
    page.select(&select(css))
        .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The value of attribute `attr` of every element matching `css`.
pub fn attrs(page: &Html, css: &str, attr: &str) -> Vec<String> {
    page.select(&select(css)).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
}
