//! The marketer's editor in a real browser (with htmx): a branching form
//! built through the pages, published, and completed by a prospect.

use std::time::Instant;

use crate::WAIT;
use crate::helpers::spawn_app_with_demo as spawn_app;
use crate::webdriver::{Chromium, Session};

/// Counts htmx swaps on the current page, so a test can wait for the next one.
pub(crate) async fn watch_swaps(browser: &Session) {
    let script = "window.__settled = 0; if (!window.__watching) { window.__watching = true; \
        document.body.addEventListener('htmx:afterSettle', function () { window.__settled++; }); } return true";
    browser.execute(script, vec![]).await.unwrap();
}

pub(crate) async fn wait_for_swap(browser: &Session) {
    let deadline = Instant::now() + WAIT;
    loop {
        let settled = browser.execute("return window.__settled > 0", vec![]).await.unwrap();
        if settled == serde_json::Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for htmx to swap the editor");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

pub(crate) async fn type_into(browser: &Session, css: &str, text: &str) {
    let field = browser.find(css).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Picks an option of a select.
pub(crate) async fn choose(browser: &Session, select: &str, value: &str) {
    browser.find(&format!("{select} option[value=\"{value}\"]")).await.unwrap().click().await.unwrap();
}

/// Picks an option of a builder select, which re-renders the editor (a
/// choice already made changes nothing, so there is nothing to wait for).
pub(crate) async fn choose_and_swap(browser: &Session, select: &str, value: &str) {
    let current = browser.find(select).await.unwrap().to_json();
    let chosen = browser.execute("return arguments[0].value", vec![current]).await.unwrap();
    if chosen.as_str() == Some(value) {
        return;
    }
    watch_swaps(browser).await;
    choose(browser, select, value).await;
    wait_for_swap(browser).await;
}

/// Clicks a builder button (add condition, add branch...), which re-renders the editor.
pub(crate) async fn press_and_swap(browser: &Session, button: &str) {
    watch_swaps(browser).await;
    browser.find(button).await.unwrap().click().await.unwrap();
    wait_for_swap(browser).await;
}

async fn save(browser: &Session) {
    browser.find("#editor .actions button[value=save]").await.unwrap().click().await.unwrap();
    browser.wait_for_text(".flash.success", "Saved", WAIT).await.unwrap();
}

async fn add_question(browser: &Session, form_url: &str, kind: &str, id: &str, label: &str) {
    browser.goto(form_url).await.unwrap();
    choose(browser, "#new-kind", kind).await;
    type_into(browser, "#new-id", id).await;
    type_into(browser, "#new-label", label).await;
    browser.find("#add-question button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for_text("#editor h2", id, WAIT).await.unwrap();
}

#[tokio::test]
async fn a_marketer_builds_and_publishes_a_branching_form_that_a_prospect_completes() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(true).await.unwrap();
    browser.goto(&app.url("/login")).await.unwrap();
    type_into(&browser, "#email", "marketer@demo.leadgate.test").await;
    type_into(&browser, "#password", leadgate::app::demo::DEMO_PASSWORD).await;
    browser.find("form button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for_text("h1", "Forms", WAIT).await.unwrap();

    type_into(&browser, "#title", "Browser built").await;
    type_into(&browser, "#slug", "browser-built").await;
    browser.find("#create-form button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for_text(".flash.success", "created", WAIT).await.unwrap();
    let form_url = browser.current_url().await.unwrap().split('?').next().unwrap().to_owned();

    // Question 2: company size, with fit points; question 3: budget.
    add_question(&browser, &form_url, "single_choice", "size", "How big is your company?").await;
    for (row, (value, label, fit)) in [("small", "Small", "0"), ("large", "Large", "50")].iter().enumerate() {
        type_into(&browser, &format!("input[name='o.{row}.value']"), value).await;
        type_into(&browser, &format!("input[name='o.{row}.label']"), label).await;
        type_into(&browser, &format!("input[name='o.{row}.fit']"), fit).await;
    }
    browser.find("input[name=required]").await.unwrap().click().await.unwrap();
    save(&browser).await;
    add_question(&browser, &form_url, "number", "budget", "What is your yearly budget?").await;
    browser.find("input[name=required]").await.unwrap().click().await.unwrap();
    save(&browser).await;

    // Large companies go on to the budget; everyone else finishes.
    browser.goto(&format!("{form_url}/questions/size")).await.unwrap();
    press_and_swap(&browser, "button[value=add_branch]").await;
    choose_and_swap(&browser, "select[name='b.0.when.items.0.subject']", "answer:size").await;
    choose(&browser, "select[name='b.0.when.items.0.value']", "large").await;
    choose(&browser, "select[name='b.0.goto']", "budget").await;
    choose(&browser, "select[name=otherwise]", "finish").await;
    save(&browser).await;

    // A scoring rule: a budget of 1000 or more is intent.
    browser.goto(&format!("{form_url}/scoring/new")).await.unwrap();
    type_into(&browser, "#reason", "Has a budget").await;
    type_into(&browser, "#intent", "40").await;
    choose_and_swap(&browser, "select[name='when.items.0.subject']", "answer:budget").await;
    choose_and_swap(&browser, "select[name='when.items.0.op']", "gte").await;
    type_into(&browser, "input[name='when.items.0.value']", "1000").await;
    save(&browser).await;

    // Two outcomes before the catch-all: hot (fit and intent) and warm (fit).
    for (id, tier, conditions, pool) in [
        ("hot", "Tier 1", &[("fit", "50"), ("intent", "40")][..], "senior-ae"),
        ("warm", "Tier 2", &[("fit", "50")][..], "sdr"),
    ] {
        browser.goto(&format!("{form_url}/outcomes/new")).await.unwrap();
        for (i, (subject, value)) in conditions.iter().enumerate() {
            press_and_swap(&browser, "button[value='add_leaf:when']").await;
            choose_and_swap(&browser, &format!("select[name='when.items.{i}.subject']"), subject).await;
            choose_and_swap(&browser, &format!("select[name='when.items.{i}.op']"), "gte").await;
            type_into(&browser, &format!("input[name='when.items.{i}.value']"), value).await;
        }
        type_into(&browser, "#id", id).await;
        type_into(&browser, "#tier", tier).await;
        type_into(&browser, "#pool", pool).await;
        type_into(&browser, "#message", "Thank you, we will be in touch.").await;
        save(&browser).await;
    }
    browser.goto(&format!("{form_url}/outcomes")).await.unwrap();
    let outcomes: Vec<String> = browser
        .execute("return Array.from(document.querySelectorAll('[data-outcome]')).map(e => e.dataset.outcome)", vec![])
        .await
        .map(|v| serde_json::from_value(v).unwrap())
        .unwrap();
    assert_eq!(outcomes, ["hot", "warm", "everyone"]);

    // A test case, run at once.
    browser.goto(&format!("{form_url}/tests/new")).await.unwrap();
    type_into(&browser, "#name", "Big buyer").await;
    choose(&browser, "#expected_outcome", "hot").await;
    type_into(&browser, "#a-email", "cio@big.example").await;
    choose(&browser, "#a-size", "large").await;
    type_into(&browser, "#a-budget", "5000").await;
    browser.find("#editor .actions button[value=save]").await.unwrap().click().await.unwrap();
    let result = browser.wait_for(".case[data-case='Big buyer']", WAIT).await.unwrap();
    assert_eq!(result.attr("data-passed").await.unwrap().as_deref(), Some("true"));

    // Publish.
    browser.goto(&form_url).await.unwrap();
    type_into(&browser, "#note", "Built in the browser").await;
    browser.find("#publish button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for_text("#published", "Version 1 is live", WAIT).await.unwrap();

    // A prospect completes it (another browser) and lands in the expected outcome.
    let prospect = chromium.session(true).await.unwrap();
    prospect.goto(&app.url("/f/browser-built")).await.unwrap();
    for (question, answer) in [("email", "cio@big.example"), ("size", "large"), ("budget", "5000")] {
        prospect.wait_for(&format!("input[name=question][value={question}]"), WAIT).await.unwrap();
        if question == "size" {
            prospect.find("input[name=answer][value=large]").await.unwrap().click().await.unwrap();
        } else {
            type_into(&prospect, "#answer-input", answer).await;
        }
        prospect.find("form.step button[type=submit]").await.unwrap().click().await.unwrap();
    }
    let ending = prospect.wait_for("section.ending", WAIT).await.unwrap();
    assert_eq!(ending.attr("data-outcome").await.unwrap().as_deref(), Some("hot"));
    prospect.quit().await.unwrap();
    browser.quit().await.unwrap();
}

#[tokio::test]
async fn the_condition_builder_works_without_javascript() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(false).await.unwrap();
    browser.goto(&app.url("/login?next=/admin/forms")).await.unwrap();
    type_into(&browser, "#email", "marketer@demo.leadgate.test").await;
    type_into(&browser, "#password", leadgate::app::demo::DEMO_PASSWORD).await;
    browser.find("form button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for("tr[data-form=talk-to-sales] a.form-title", WAIT).await.unwrap().click().await.unwrap();
    browser.wait_for("[data-question=timeline] a", WAIT).await.unwrap().click().await.unwrap();
    browser.wait_for_text("#editor h2", "timeline", WAIT).await.unwrap();
    browser.find("button[value=add_branch]").await.unwrap().click().await.unwrap();
    browser.wait_for("[data-branch='0'] .cond-leaf", WAIT).await.unwrap();
    choose(&browser, "select[name='b.0.when.items.0.subject']", "answer:buyer_stage").await;
    browser.find("button[value=refresh]").await.unwrap().click().await.unwrap();
    browser.wait_for("select[name='b.0.when.items.0.value'] option[value=learning]", WAIT).await.unwrap();
    choose(&browser, "select[name='b.0.when.items.0.value']", "learning").await;
    choose(&browser, "select[name='b.0.goto']", "consent").await;
    save(&browser).await;
    let goto = browser.find("select[name='b.0.goto'] option[selected]").await.unwrap();
    assert_eq!(goto.attr("value").await.unwrap().as_deref(), Some("consent"), "the saved branch is shown");
    browser.quit().await.unwrap();
}
