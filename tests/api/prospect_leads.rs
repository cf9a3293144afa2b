//! What a finished response leaves behind: hidden fields on every outcome,
//! accounts by company domain, and the ending the prospect sees.

use std::collections::BTreeMap;

use leadgate::engine::Hidden;
use scraper::{Html, Selector};

use crate::helpers::{BRANCHING_FORM, TestApp, hidden_inputs, location, spawn_app};

const QUERY: &str = "?utm_source=linkedin&utm_medium=paid-social&utm_campaign=q4-launch&utm_term=lead+routing\
                     &utm_content=carousel-b&gclid=Cj0KCQ&unrelated=dropped";
const REFERER: &str = "https://blog.example/how-to-route-leads";

/// Every key the first page keeps, as that query string and Referer give them.
fn expected_hidden() -> Hidden {
    [
        ("utm_source", "linkedin"),
        ("utm_medium", "paid-social"),
        ("utm_campaign", "q4-launch"),
        ("utm_term", "lead routing"),
        ("utm_content", "carousel-b"),
        ("gclid", "Cj0KCQ"),
        ("referrer", REFERER),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Opens the first page from a campaign link on a blog and sends `email`
/// with `extra` fields; returns the response's path.
async fn start_from_campaign(app: &TestApp, email: &str, extra: &[(&str, &str)]) -> String {
    let page = app.client.get(app.url(&format!("/f/qualify{QUERY}"))).header("referer", REFERER).send().await;
    let page = page.unwrap().text().await.unwrap();
    let mut pairs = hidden_inputs(&Html::parse_document(&page));
    pairs.push(("answer".into(), email.into()));
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let response = app.client.post(app.url("/f/qualify")).form(&pairs).send().await.unwrap();
    assert_eq!(response.status(), 303, "starting should redirect");
    location(&response)
}

async fn finish_large(app: &TestApp, path: &str) {
    app.answer_ok(path, "company_size", &["large"]).await;
    app.answer_ok(path, "procurement", &["yes"]).await;
    app.answer_ok(path, "timeline", &["now"]).await;
    app.answer_ok(path, "consent", &["yes"]).await;
}

async fn finish_small_later(app: &TestApp, path: &str) {
    app.answer_ok(path, "company_size", &["small"]).await;
    app.answer_ok(path, "budget", &["200"]).await;
    app.answer_ok(path, "timeline", &["later"]).await;
    app.answer_ok(path, "consent", &["yes"]).await;
}

async fn stored_hidden(app: &TestApp, path: &str) -> (Hidden, Option<uuid::Uuid>) {
    let id: uuid::Uuid = path.rsplit('/').next().unwrap().parse().unwrap();
    let mut conn = app.db.read().await.unwrap();
    let response = leadgate::store::responses::find_response(conn.conn(), id).await.unwrap().unwrap();
    (response.hidden.0, response.lead_id)
}

#[tokio::test]
async fn every_hidden_field_and_the_referer_are_kept_whatever_the_outcome() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let expected = expected_hidden();
    let mut kept_keys = leadgate::web::prospect::HIDDEN_KEYS.to_vec();
    kept_keys.sort_unstable();
    assert_eq!(expected.keys().map(String::as_str).collect::<Vec<_>>(), kept_keys, "every key the first page keeps");

    for (email, outcome) in [("cto@acme.example", "tier1"), ("spy@rival.example", "disqualified")] {
        let browser = app.new_browser();
        let path = start_from_campaign(&browser, email, &[]).await;
        finish_large(&browser, &path).await;
        assert_eq!(browser.ending_outcome(&path).await, outcome);
        assert_eq!(stored_hidden(&app, &path).await.0, expected, "on the response ({outcome})");
        assert_eq!(app.lead_of(&path).await.hidden.0, expected, "on the lead ({outcome})");
    }

    let browser = app.new_browser();
    let path = start_from_campaign(&browser, "learner@small.example", &[]).await;
    finish_small_later(&browser, &path).await;
    assert_eq!(browser.ending_outcome(&path).await, "nurture");
    assert_eq!(app.lead_of(&path).await.hidden.0, expected, "on the lead (nurture)");

    // A bot is kept with its hidden fields too, though it never becomes a lead.
    let bot = app.new_browser();
    let path = start_from_campaign(&bot, "cto@acme.example", &[("lg_trap", "http://spam.example")]).await;
    finish_large(&bot, &path).await;
    let (hidden, lead) = stored_hidden(&app, &path).await;
    assert_eq!(hidden, expected, "on the bot's response");
    assert_eq!(lead, None);
}

#[tokio::test]
async fn hidden_fields_survive_an_invalid_first_answer() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let page = app.client.get(app.url(&format!("/f/qualify{QUERY}"))).header("referer", REFERER).send().await;
    let page = page.unwrap().text().await.unwrap();
    let mut pairs = hidden_inputs(&Html::parse_document(&page));
    pairs.push(("answer".into(), "not an email".into()));
    let refused = app.client.post(app.url("/f/qualify")).form(&pairs).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    // The corrected answer is sent from the page that came back.
    let page = refused.text().await.unwrap();
    let mut pairs = hidden_inputs(&Html::parse_document(&page));
    pairs.push(("answer".into(), "cto@acme.example".into()));
    let started = app.client.post(app.url("/f/qualify")).form(&pairs).send().await.unwrap();
    assert_eq!(started.status(), 303);
    assert_eq!(stored_hidden(&app, &location(&started)).await.0, expected_hidden());
}

#[tokio::test]
async fn people_at_one_company_domain_share_an_account_and_free_mail_has_none() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let ana = app.lead_of(&app.finish_tier1("ana@acme.example").await).await;
    let bob = app.lead_of(&app.finish_tier2("Bob@ACME.example").await).await;
    let other = app.lead_of(&app.finish_tier1("cio@globex.example").await).await;
    let free = app.lead_of(&app.finish_tier1("someone@gmail.com").await).await;
    assert_ne!(ana.id, bob.id, "two people, two leads");
    let acme = ana.account_id.expect("a company domain is an account");
    assert_eq!(bob.account_id, Some(acme), "the same company, the same account");
    assert!(other.account_id.is_some_and(|id| id != acme), "another company, another account");
    assert_eq!(free.account_id, None, "a free-mail address says nothing about a company");

    let mut conn = app.db.read().await.unwrap();
    let domains: BTreeMap<uuid::Uuid, String> = leadgate::on_conn!(conn.conn(), c => {
        sqlx::query_as::<_, (uuid::Uuid, String)>("SELECT id, domain FROM accounts").fetch_all(&mut *c).await
    })
    .unwrap()
    .into_iter()
    .collect();
    assert_eq!(domains.len(), 2, "{domains:?}");
    assert_eq!(domains[&acme], "acme.example");
}

#[tokio::test]
async fn the_nurture_ending_shows_the_resources_of_its_outcome() {
    let app = spawn_app().await;
    let definition = app.publish_form(BRANCHING_FORM).await;
    let nurture = definition.outcomes.iter().find(|o| o.id == "nurture").unwrap();
    assert!(!nurture.ending.resources.is_empty());

    let path = app.start_form("qualify", "", &["learner@small.example"]).await;
    finish_small_later(&app, &path).await;
    let page = app.get_html(&path).await;
    let ending = Selector::parse("section.ending[data-outcome=nurture]").unwrap();
    assert!(page.select(&ending).next().is_some(), "the nurture ending");
    let links = Selector::parse("section.ending ul.resources a").unwrap();
    let shown: Vec<(String, String)> = page
        .select(&links)
        .map(|a| (a.text().collect::<String>().trim().to_string(), a.value().attr("href").unwrap().to_string()))
        .collect();
    let expected: Vec<(String, String)> =
        nurture.ending.resources.iter().map(|r| (r.title.clone(), r.url.clone())).collect();
    assert_eq!(shown, expected);

    // An ending without resources lists none.
    let tier2 = app.finish_tier2("ops@mid.example").await;
    let page = app.get_html(&tier2).await;
    assert!(page.select(&links).next().is_none());
}
