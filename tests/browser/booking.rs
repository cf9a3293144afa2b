//! Booking in a real browser: the demo finished as a Tier 1 buyer, a slot
//! chosen, the confirmation shown; with htmx (times in the browser's own
//! zone, swapped in place) and without JavaScript.

use crate::WAIT;
use crate::helpers::spawn_app_with_demo as spawn_app;
use crate::prospect::{ENTERPRISE_BUYER, complete_form};
use crate::webdriver::Chromium;

#[tokio::test]
async fn a_tier1_buyer_books_a_slot_on_the_ending_and_sees_the_confirmation() {
    let app = spawn_app().await;
    let chromium = Chromium::start().await.expect("chromedriver starts");
    for javascript in [true, false] {
        let browser = chromium.session(javascript).await.unwrap();
        browser.goto(&app.url("/f/talk-to-sales?restart=1")).await.unwrap();
        let mut answers = ENTERPRISE_BUYER.to_vec();
        let email = format!("buyer.{javascript}@bigcorp{javascript}.example");
        answers[0] = ("email", email.as_str());
        complete_form(&browser, &answers).await;
        let ending = browser.find("section.ending").await.unwrap();
        assert_eq!(ending.attr("data-outcome").await.unwrap().as_deref(), Some("tier1"), "js={javascript}");
        if javascript {
            // The list is fetched again in the browser's zone.
            let zone =
                browser.execute("return Intl.DateTimeFormat().resolvedOptions().timeZone", vec![]).await.unwrap();
            let zone = zone.as_str().unwrap().to_owned();
            let shown = format!("[data-shown-tz=\"{zone}\"][data-tz-chosen=\"true\"]");
            browser.wait_for(&shown, WAIT).await.unwrap();
            browser.execute("window.__sameDocument = true; return true", vec![]).await.unwrap();
        }
        let slot = browser.wait_for("button.slot", WAIT).await.unwrap();
        let time = slot.text().await.unwrap();
        assert!(!time.trim().is_empty(), "js={javascript}");
        slot.click().await.unwrap();
        let confirmed = browser.wait_for(".booking-confirmed", WAIT).await.unwrap();
        let text = confirmed.text().await.unwrap();
        assert!(text.contains("Your meeting is booked"), "js={javascript}: {text}");
        assert!(text.contains("Ana Alvarez"), "the EMEA rep: {text}");
        assert!(text.contains(time.split_whitespace().next().unwrap()), "the chosen time {time}: {text}");
        if javascript {
            let same = browser.execute("return window.__sameDocument === true", vec![]).await.unwrap();
            assert_eq!(same, serde_json::Value::Bool(true), "the confirmation was swapped in place");
        }
        browser.quit().await.unwrap();
    }
}
