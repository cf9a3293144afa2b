//! A marketer previews the draft in a real browser: htmx swaps each step
//! and the side panel in place, Back works, and nothing is stored.

use crate::WAIT;
use crate::helpers::spawn_app_with_demo as spawn_app;
use crate::webdriver::Chromium;

#[tokio::test]
async fn a_marketer_steps_through_the_preview_with_htmx_and_goes_back() {
    let app = spawn_app().await;
    let form_id = {
        let mut conn = app.db.read().await.unwrap();
        leadgate::store::forms::list_forms(conn.conn()).await.unwrap()[0].id
    };
    let chromium = Chromium::start().await.expect("chromedriver starts");
    let browser = chromium.session(true).await.unwrap();
    let preview = format!("/admin/forms/{form_id}/preview");
    browser.goto(&app.url(&format!("/login?next={preview}"))).await.unwrap();
    browser.find("#email").await.unwrap().send_keys("marketer@demo.leadgate.test").await.unwrap();
    browser.find("#password").await.unwrap().send_keys(leadgate::app::demo::DEMO_PASSWORD).await.unwrap();
    browser.find("form button[type=submit]").await.unwrap().click().await.unwrap();
    browser.wait_for("input[name=question][value=email]", WAIT).await.unwrap();
    browser.execute("window.__sameDocument = true; return true", vec![]).await.unwrap();
    browser.find("#answer-input").await.unwrap().send_keys("vp.ops@bigcorp.example").await.unwrap();
    browser.find("#step button.primary").await.unwrap().click().await.unwrap();
    browser.wait_for("input[name=question][value=first_name]", WAIT).await.unwrap();
    let path = browser.find(".preview-path li[data-question=email] .path-answer").await.unwrap().text().await.unwrap();
    assert_eq!(path, "vp.ops@bigcorp.example");
    browser.find("#step button.back").await.unwrap().click().await.unwrap();
    let email = browser.wait_for("input[name=question][value=email]", WAIT).await.unwrap();
    assert!(email.attr("value").await.unwrap().is_some());
    let typed = browser.find("#answer-input").await.unwrap().attr("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("vp.ops@bigcorp.example"), "Back shows the earlier answer");
    let same = browser.execute("return window.__sameDocument === true", vec![]).await.unwrap();
    assert_eq!(same, serde_json::Value::Bool(true), "every step was swapped in place by htmx");
    let responses = {
        let mut conn = app.db.read().await.unwrap();
        leadgate::store::replay::list_last_finished(conn.conn(), form_id, 10).await.unwrap().len()
    };
    assert_eq!(responses, 0);
    browser.quit().await.unwrap();
}
