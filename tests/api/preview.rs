//! Previewing a draft: the prospect's steps with a side panel of path,
//! scores with reasons, outcome and route; nothing is ever stored.

use scraper::{Html, Selector};

use crate::draft_support::{attrs, count_rows, form_id, set_draft, texts};
use crate::helpers::{BRANCHING_FORM, TestApp, hidden_inputs, input_value, spawn_app, text_of};

/// Posts the preview form of `page` with `pairs` added (as the browser
/// would: hidden state, CSRF and hidden-field inputs included).
async fn step(browser: &TestApp, path: &str, page: &Html, pairs: &[(&str, &str)]) -> (u16, Html) {
    let mut all: Vec<(String, String)> = hidden_inputs(page)
        .into_iter()
        .filter(|(name, _)| name != "question" || !pairs.iter().any(|(k, _)| *k == "show"))
        .collect();
    let selector = Selector::parse("input[name^=h_]").unwrap();
    for input in page.select(&selector) {
        let name = input.value().attr("name").unwrap().to_string();
        if !pairs.iter().any(|(k, _)| *k == name) {
            all.push((name, input.value().attr("value").unwrap_or("").to_string()));
        }
    }
    all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let response = browser.client.post(browser.url(path)).form(&all).send().await.unwrap();
    let status = response.status().as_u16();
    (status, Html::parse_document(&response.text().await.unwrap()))
}

async fn answer(browser: &TestApp, path: &str, page: &Html, values: &[&str]) -> Html {
    let pairs: Vec<(&str, &str)> = values.iter().map(|v| ("answer", *v)).collect();
    let (status, next) = step(browser, path, page, &pairs).await;
    assert_eq!(status, 200, "the answer {values:?} is accepted");
    next
}

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut all = Vec::new();
    for table in ["responses", "leads", "outbox", "assignments", "accounts"] {
        all.push(count_rows(app, table).await);
    }
    all
}

#[tokio::test]
async fn walking_a_draft_shows_path_scores_reasons_outcome_and_route_and_stores_nothing() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let id = form_id(&app, "qualify").await;
    let path = format!("/admin/forms/{id}/preview");
    let before = counts(&app).await;
    let marketer = app.login_as(&team.marketer).await;
    let page = marketer.get_html(&path).await;
    assert_eq!(input_value(&page, "question").as_deref(), Some("email"));
    assert!(text_of(&page, ".preview-route").unwrap().contains("handed to nurture"), "nobody answered yet");

    let (status, refused) = step(&marketer, &path, &page, &[("answer", "not an email")]).await;
    assert_eq!(status, 422);
    assert!(text_of(&refused, ".field-error").is_some_and(|m| m.to_lowercase().contains("email")));
    assert_eq!(input_value(&refused, "answer").as_deref(), Some("not an email"), "what was typed is kept");

    let page = answer(&marketer, &path, &refused, &["cto@acme.example"]).await;
    let page = answer(&marketer, &path, &page, &["large"]).await;
    assert_eq!(input_value(&page, "question").as_deref(), Some("procurement"), "large companies branch to procurement");
    let page = answer(&marketer, &path, &page, &["yes"]).await;
    let page = answer(&marketer, &path, &page, &["now"]).await;
    let page = answer(&marketer, &path, &page, &["yes"]).await;

    assert_eq!(
        attrs(&page, ".preview-path li", "data-question"),
        ["email", "company_size", "procurement", "timeline", "consent"]
    );
    assert_eq!(text_of(&page, "[data-score=fit]").as_deref(), Some("50"));
    assert_eq!(text_of(&page, "[data-score=intent]").as_deref(), Some("50"));
    let fit = texts(&page, ".reasons.fit li");
    assert!(
        fit.contains(&"+40 How many people work at your company? Over 1000 (option large of company_size)".to_string()),
        "{fit:?}"
    );
    assert!(
        fit.contains(&"+10 Does a purchase go through procurement? Yes (option yes of procurement)".to_string()),
        "{fit:?}"
    );
    assert_eq!(
        texts(&page, ".reasons.intent li"),
        ["+50 When do you want a solution in place? This month (option now of timeline)"]
    );
    assert_eq!(attrs(&page, ".preview-outcome", "data-outcome"), ["tier1"]);
    assert!(text_of(&page, ".preview-outcome").unwrap().starts_with("Final: Tier 1"));
    assert_eq!(text_of(&page, ".preview-ending h2").as_deref(), Some("Let's talk"));
    assert_eq!(attrs(&page, ".preview-route", "data-route"), ["rep"]);
    assert_eq!(text_of(&page, ".preview-route strong").as_deref(), Some("Rita Rep from pool senior-ae"));
    assert_eq!(text_of(&page, ".route-reason").as_deref(), Some("round robin: first in pool"));

    // Previewing again routes to Rita again: no pool turn was taken.
    let again = answer(&marketer, &path, &page, &[]).await;
    assert_eq!(text_of(&again, ".preview-route strong").as_deref(), Some("Rita Rep from pool senior-ae"));
    assert_eq!(counts(&app).await, before, "no response, lead, notice, assignment or account was written");
}

#[tokio::test]
async fn changing_an_earlier_answer_reroutes_the_path_and_back_shows_the_previous_step() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let path = format!("/admin/forms/{}/preview", form_id(&app, "qualify").await);
    let marketer = app.login_as(&team.marketer).await;
    let page = marketer.get_html(&path).await;
    let page = answer(&marketer, &path, &page, &["cto@acme.example"]).await;
    let page = answer(&marketer, &path, &page, &["large"]).await;
    let (_, back) = step(&marketer, &path, &page, &[("show", "company_size")]).await;
    assert_eq!(input_value(&back, "question").as_deref(), Some("company_size"));
    let checked = attrs(&back, "input[name=answer][checked]", "value");
    assert_eq!(checked, ["large"], "the earlier answer is filled in");
    let page = answer(&marketer, &path, &back, &["small"]).await;
    assert_eq!(input_value(&page, "question").as_deref(), Some("budget"));
    assert_eq!(attrs(&page, ".preview-path li", "data-question"), ["email", "company_size", "budget"]);
    assert_eq!(text_of(&page, "[data-score=fit]").as_deref(), Some("0"), "the large company's points left with it");
    assert!(page.select(&Selector::parse("button[name=show][value=company_size]").unwrap()).next().is_some());
}

#[tokio::test]
async fn hidden_fields_set_for_the_preview_count_in_the_scores() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let id = form_id(&app, "qualify").await;
    let rule = "scoring:\n  - { when: { hidden: { field: utm_campaign, is: { contains: pricing } } }, intent: 15, reason: \"Pricing campaign\" }\n";
    set_draft(&app, id, &BRANCHING_FORM.replace("scoring:\n", rule)).await;
    let path = format!("/admin/forms/{id}/preview");
    let marketer = app.login_as(&team.marketer).await;
    let page = marketer.get_html(&path).await;
    let (status, page) =
        step(&marketer, &path, &page, &[("h_utm_campaign", "spring-pricing"), ("show", "email")]).await;
    assert_eq!(status, 200);
    assert_eq!(input_value(&page, "h_utm_campaign").as_deref(), Some("spring-pricing"));
    assert_eq!(texts(&page, ".reasons.intent li"), ["+15 Pricing campaign (scoring rule 1)"]);
}

#[tokio::test]
async fn only_admins_and_marketers_preview() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let path = format!("/admin/forms/{}/preview", form_id(&app, "qualify").await);
    for person in [&team.rita, &team.manager] {
        assert_eq!(app.login_as(person).await.get(&path).await.status(), 403, "{}", person.email);
    }
    assert_eq!(app.login_as(&team.admin).await.get(&path).await.status(), 200);
    let anonymous = app.new_browser().get(&path).await;
    assert_eq!(anonymous.status(), 303);
    assert!(crate::helpers::location(&anonymous).starts_with("/login?next="));
    let missing = format!("/admin/forms/{}/preview", uuid::Uuid::new_v4());
    assert_eq!(app.login_as(&team.marketer).await.get(&missing).await.status(), 404);
}
