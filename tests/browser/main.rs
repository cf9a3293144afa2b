//! The browser suite: real headless Chromium (Debian's `chromium` and
//! `chromium-driver`) against the real server. Opt-in:
//! `cargo test --features browser-tests --test browser`.

mod booking;
mod editor;
mod focus;
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
mod preview;
mod prospect;
mod routing;
mod webdriver;

use std::time::Duration;

use helpers::spawn_app_with_demo as spawn_app;
use webdriver::Chromium;

/// How long a page or a swap may take before a test fails.
pub const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn a_form_page_loads_and_htmx_is_served_by_leadgate_itself() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(true).await.unwrap();
    browser.goto(&app.url("/f/talk-to-sales")).await.unwrap();
    browser.wait_for("form.step", WAIT).await.unwrap();
    let loaded =
        browser.execute("return typeof window.htmx === 'object' && window.htmx.version", vec![]).await.unwrap();
    assert!(loaded.as_str().is_some_and(|v| v.starts_with("2.")), "htmx is loaded: {loaded}");
    let sources = browser.execute("return Array.from(document.scripts).map(s => s.src)", vec![]).await.unwrap();
    let sources: Vec<String> = serde_json::from_value(sources).unwrap();
    assert!(!sources.is_empty());
    for src in &sources {
        assert!(src.starts_with(&app.address), "every script comes from leadgate itself: {src}");
    }
    assert!(sources.iter().any(|s| s.ends_with("/static/htmx.min.js")));
    browser.quit().await.unwrap();
}

#[tokio::test]
async fn a_reps_inbox_shows_a_new_lead_without_a_reload() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(true).await.unwrap();
    browser.goto(&app.url("/login")).await.unwrap();
    browser.find("#email").await.unwrap().send_keys("ana@demo.leadgate.test").await.unwrap();
    browser.find("#password").await.unwrap().send_keys(leadgate::app::demo::DEMO_PASSWORD).await.unwrap();
    browser.find("form button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for_text("h1", "My leads", WAIT).await.unwrap();
    browser.execute("window.__sameDocument = true; return true", vec![]).await.unwrap();
    // Wait until the live stream is connected before the lead arrives.
    browser.wait_for("[sse-connect]", WAIT).await.unwrap();
    let connected = "return new Promise(r => { const t = setInterval(() => { \
        const el = document.querySelector('[sse-connect]'); \
        const src = el && htmx.find && el['htmx-internal-data'] && el['htmx-internal-data'].sseEventSource; \
        if (src && src.readyState === 1) { clearInterval(t); r(true); } }, 20); })";
    browser.execute(connected, vec![]).await.unwrap();
    // A buyer from Germany: the EMEA rule sends the lead to Ana.
    let buyer = app.new_browser();
    let path = buyer.start_form("talk-to-sales", "", &["vp.ops@bigcorp.example"]).await;
    for (question, value) in crate::prospect::ENTERPRISE_BUYER.iter().skip(1) {
        let values: Vec<&str> = if value.is_empty() { Vec::new() } else { vec![*value] };
        buyer.answer_ok(&path, question, &values).await;
    }
    let row = browser.wait_for("tr[data-lead]", WAIT).await.unwrap();
    assert_eq!(row.attr("data-status").await.unwrap().as_deref(), Some("assigned"));
    let same = browser.execute("return window.__sameDocument === true", vec![]).await.unwrap();
    assert_eq!(same, serde_json::Value::Bool(true), "the row arrived without a reload");
    // Screen readers hear it: the page-wide live region gets the list's summary.
    // (Read as textContent: the region is visually hidden.)
    let heard = "return new Promise(r => { const t = setInterval(() => { \
        const text = document.getElementById('announce').textContent; \
        if (text) { clearInterval(t); r(text); } }, 20); })";
    let announced = tokio::time::timeout(WAIT, browser.execute(heard, vec![])).await.unwrap().unwrap();
    let announced = announced.as_str().unwrap_or_default();
    assert!(announced.starts_with("Leads updated: 1 lead, 1 waiting to be accepted."), "{announced}");
    browser.quit().await.unwrap();
}
