//! A manager builds a routing rule with the condition builder in a real
//! browser: htmx swaps the editor as subjects change, and the saved rule
//! is listed in words.

use crate::WAIT;
use crate::editor::{choose, choose_and_swap, press_and_swap, type_into};
use crate::helpers::spawn_app_with_demo as spawn_app;
use crate::webdriver::Chromium;

#[tokio::test]
async fn a_manager_builds_a_rule_from_builder_rows_that_htmx_refreshes_in_place() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(true).await.unwrap();
    browser.goto(&app.url("/login")).await.unwrap();
    type_into(&browser, "#email", "manager@demo.leadgate.test").await;
    type_into(&browser, "#password", leadgate::app::demo::DEMO_PASSWORD).await;
    browser.find("form button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for_text("h1", "All leads", WAIT).await.unwrap();
    browser.goto(&app.url("/admin/routing/rules/new")).await.unwrap();
    browser.execute("window.__samePage = true; return true", vec![]).await.unwrap();
    type_into(&browser, "#name", "Hot partner leads to SDR").await;
    choose_and_swap(&browser, "select[name='when.items.0.subject']", "fit").await;
    let op = browser.find("select[name='when.items.0.op']").await.unwrap().to_json();
    let op = browser.execute("return arguments[0].value", vec![op]).await.unwrap();
    assert_eq!(op.as_str(), Some("gte"), "a score gets a test that fits it");
    type_into(&browser, "input[name='when.items.0.value']", "60").await;
    press_and_swap(&browser, "button[value='add_leaf:when']").await;
    choose_and_swap(&browser, "select[name='when.items.1.subject']", "hidden").await;
    type_into(&browser, "input[name='when.items.1.key']", "utm_source").await;
    type_into(&browser, "input[name='when.items.1.value']", "partner").await;
    let typed = browser.find("#name").await.unwrap().to_json();
    let typed = browser.execute("return arguments[0].value", vec![typed]).await.unwrap();
    assert_eq!(typed.as_str(), Some("Hot partner leads to SDR"), "swaps keep what was typed");
    let same = browser.execute("return window.__samePage === true", vec![]).await.unwrap();
    assert_eq!(same, serde_json::Value::Bool(true), "the builder changed without a page load");
    choose(&browser, "#pool", "sdr").await;
    browser.find("#editor .actions button[value=save]").await.unwrap().click().await.unwrap();
    let row = browser.wait_for_text("tr[data-rule]", "Hot partner leads to SDR", WAIT).await.unwrap();
    let text = row.text().await.unwrap();
    assert!(text.contains("all of (Fit score is at least 60; Hidden field utm_source is partner)"), "{text}");
    browser.quit().await.unwrap();
}
