//! The prospect's flow in a real browser, with and without JavaScript.

use crate::WAIT;
use crate::helpers::spawn_app_with_demo as spawn_app;
use crate::webdriver::{Chromium, Session};

/// The demo form answered as an enterprise buyer who is ready to buy.
pub const ENTERPRISE_BUYER: &[(&str, &str)] = &[
    ("email", "vp.ops@bigcorp.example"),
    ("first_name", "Ada"),
    ("last_name", "Lovelace"),
    ("company", "BigCorp"),
    ("job_title", "VP of Operations"),
    ("country", "DE"),
    ("company_size", "1000+"),
    ("procurement", "purchase_order"),
    ("security_review", "soc2_required"),
    ("seats", "250+"),
    ("buyer_stage", "ready_to_buy"),
    ("timeline", "this_month"),
    ("anything_else", ""),
    ("consent", "yes"),
];

/// Answers whatever step is shown, from `answers`, until the ending appears.
/// Returns the questions seen, in order.
pub(crate) async fn complete_form(browser: &Session, answers: &[(&str, &str)]) -> Vec<String> {
    let mut seen = Vec::new();
    for _ in 0..40 {
        let current = browser.wait_for("input[name=question], section.ending", WAIT).await.unwrap();
        let Some(question) = current.attr("value").await.unwrap() else {
            return seen;
        };
        let value = answers
            .iter()
            .find(|(q, _)| *q == question)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("the test has no answer for {question}"));
        answer_shown_step(browser, value).await;
        seen.push(question.clone());
        let next = format!("form.step input[name=question]:not([value=\"{question}\"]), section.ending");
        browser.wait_for(&next, WAIT).await.unwrap();
    }
    panic!("the form did not end after 40 steps: {seen:?}");
}

async fn answer_shown_step(browser: &Session, value: &str) {
    let choice = format!("input[name=answer][value=\"{value}\"]");
    let option = format!("select[name=answer] option[value=\"{value}\"]");
    if let Ok(input) = browser.find(&choice).await {
        input.click().await.unwrap();
    } else if let Ok(option) = browser.find(&option).await {
        option.click().await.unwrap();
    } else if !value.is_empty() {
        let field = browser.find("#answer-input").await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }
    browser.find("form.step button[type=submit]").await.unwrap().click().await.unwrap();
}

#[tokio::test]
async fn an_enterprise_buyer_completes_the_demo_with_htmx_and_reaches_tier1() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(true).await.unwrap();
    browser.goto(&app.url("/f/talk-to-sales?utm_source=browser-test")).await.unwrap();
    browser.wait_for("form.step", WAIT).await.unwrap();
    // A marker on the window survives only if steps are swapped in place.
    browser.execute("window.__sameDocument = true; return true", vec![]).await.unwrap();
    let first = browser.find("input[name=question]").await.unwrap().attr("value").await.unwrap().unwrap();
    answer_shown_step(&browser, "vp.ops@bigcorp.example").await;
    let second = browser.wait_for(&format!("input[name=question]:not([value=\"{first}\"])"), WAIT).await.unwrap();
    let second = second.attr("value").await.unwrap().unwrap();
    // Focus moved to the new question and screen readers were told.
    let focused = browser.find("[data-autofocus]").await.unwrap();
    assert!(focused.is_focused().await.unwrap(), "focus is on the new question");
    let announced = browser.wait_for_text("#announce", "name", WAIT).await.unwrap().text().await.unwrap();
    assert!(!announced.is_empty());
    assert!(browser.current_url().await.unwrap().contains("/f/talk-to-sales/r/"), "the URL follows the steps");
    let seen = complete_form(&browser, ENTERPRISE_BUYER).await;
    assert_eq!(seen.first().map(String::as_str), Some(second.as_str()));
    assert!(seen.contains(&"procurement".to_string()), "enterprise questions were asked: {seen:?}");
    let ending = browser.find("section.ending").await.unwrap();
    assert_eq!(ending.attr("data-outcome").await.unwrap().as_deref(), Some("tier1"));
    let same = browser.execute("return window.__sameDocument === true", vec![]).await.unwrap();
    assert_eq!(same, serde_json::Value::Bool(true), "htmx swapped every step in place");
    browser.quit().await.unwrap();
}

#[tokio::test]
async fn an_enterprise_buyer_completes_the_demo_without_javascript_and_reaches_tier1() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(false).await.unwrap();
    browser.goto(&app.url("/f/talk-to-sales")).await.unwrap();
    let seen = complete_form(&browser, ENTERPRISE_BUYER).await;
    assert_eq!(seen.first().map(String::as_str), Some("email"));
    let ending = browser.find("section.ending").await.unwrap();
    assert_eq!(ending.attr("data-outcome").await.unwrap().as_deref(), Some("tier1"));
    browser.quit().await.unwrap();
}

#[tokio::test]
async fn an_invalid_answer_shows_the_message_and_keeps_the_text_with_and_without_javascript() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    for javascript in [true, false] {
        let browser = chromium.session(javascript).await.unwrap();
        browser.goto(&app.url("/f/talk-to-sales?restart=1")).await.unwrap();
        browser.wait_for("form.step", WAIT).await.unwrap();
        answer_shown_step(&browser, "not-an-email").await;
        let error = browser.wait_for(".field-error", WAIT).await.unwrap();
        assert!(error.text().await.unwrap().to_lowercase().contains("email"), "js={javascript}");
        let field = browser.find("#answer-input").await.unwrap();
        assert_eq!(field.attr("value").await.unwrap().as_deref(), Some("not-an-email"), "js={javascript}");
        browser.quit().await.unwrap();
    }
}
