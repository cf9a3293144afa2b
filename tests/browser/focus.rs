//! Focus is visible on every control of the main signed-in pages: each
//! link, button and field, once focused, draws an outline.

use crate::WAIT;
use crate::editor::type_into;
use crate::helpers::spawn_app_with_demo as spawn_app;
use crate::webdriver::Chromium;

/// Focuses every reachable control of the page in turn; lists those
/// without a visible outline.
const UNMARKED: &str = "const out = []; \
    for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) { \
      if (el.tabIndex < 0 || el.closest('[aria-hidden=true]') || !el.getClientRects().length) continue; \
      el.focus(); if (document.activeElement !== el) continue; \
      const st = getComputedStyle(el); \
      const marked = (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2) || st.boxShadow !== 'none'; \
      if (!marked) out.push(el.outerHTML.slice(0, 120)); \
    } \
    return out;";

#[tokio::test]
async fn every_control_on_the_main_pages_shows_where_the_focus_is() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(true).await.unwrap();
    browser.goto(&app.url("/login")).await.unwrap();
    type_into(&browser, "#email", "admin@demo.leadgate.test").await;
    type_into(&browser, "#password", leadgate::app::demo::DEMO_PASSWORD).await;
    browser.find("form button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for_text("h1", "All leads", WAIT).await.unwrap();
    let mut unmarked = Vec::new();
    for path in [
        "/inbox",
        "/inbox/bookings",
        "/admin/forms",
        "/admin/routing",
        "/admin/routing/rules/new",
        "/admin/analytics",
        "/admin/webhooks",
        "/admin/tokens",
    ] {
        browser.goto(&app.url(path)).await.unwrap();
        browser.wait_for("h1", WAIT).await.unwrap();
        let found = browser.execute(UNMARKED, vec![]).await.unwrap();
        let found: Vec<String> = serde_json::from_value(found).unwrap();
        unmarked.extend(found.into_iter().map(|el| format!("{path}: {el}")));
    }
    assert!(unmarked.is_empty(), "focus not visible on:\n{}", unmarked.join("\n"));
    browser.quit().await.unwrap();
}
