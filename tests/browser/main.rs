//! The browser suite: real headless Chromium (Debian's `chromium` and
//! `chromium-driver`) against the real server. Opt-in:
//! `cargo test --features browser-tests --test browser`.

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
mod prospect;
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
