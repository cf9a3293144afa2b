//! A form's pages share one heading and one tab bar (the editor's, the
//! preview, the replay and the diagram alike), with the current tab
//! marked; every tab and every link from the forms list opens.

use scraper::Html;

use crate::draft_support::{attrs, form_id, texts};
use crate::helpers::{BRANCHING_FORM, TestApp, spawn_app};

async fn marketer_and_form() -> (TestApp, TestApp, String) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let marketer = app.login_as(&team.marketer).await;
    let id = form_id(&app, "qualify").await.to_string();
    (app, marketer, id)
}

fn tabs(page: &Html) -> Vec<(String, String)> {
    texts(page, "nav.tabs a").into_iter().zip(attrs(page, "nav.tabs a", "href")).collect()
}

#[tokio::test]
async fn every_tab_of_a_form_opens_with_the_same_heading_and_tabs_and_marks_itself() {
    let (_app, marketer, id) = marketer_and_form().await;
    let first = marketer.get_html(&format!("/admin/forms/{id}")).await;
    let all = tabs(&first);
    let labels: Vec<&str> = all.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Questions",
            "Scoring",
            "Lists",
            "Outcomes",
            "Settings",
            "Test cases",
            "Versions",
            "YAML",
            "Preview",
            "Replay",
            "Diagram"
        ]
    );
    let heading = texts(&first, ".form-head h1");
    assert_eq!(heading, ["Qualify"]);
    for (label, href) in &all {
        let response = marketer.get(href).await;
        assert_eq!(response.status(), 200, "{label} at {href}");
        let page = Html::parse_document(&response.text().await.unwrap());
        assert_eq!(texts(&page, ".form-head h1"), heading, "{label}: same heading");
        assert_eq!(tabs(&page), all, "{label}: same tabs");
        assert_eq!(texts(&page, "nav.tabs a[aria-current=page]"), std::slice::from_ref(label), "{label} is marked");
        assert_eq!(texts(&page, "h1").len(), 1, "{label}: one page heading");
    }
}

#[tokio::test]
async fn the_forms_list_links_to_each_forms_draft_tools_and_analytics() {
    let (_app, marketer, id) = marketer_and_form().await;
    let list = marketer.get_html("/admin/forms").await;
    let links = attrs(&list, "tr[data-form=qualify] .form-links a", "href");
    assert_eq!(
        links,
        [
            format!("/admin/forms/{id}/preview"),
            format!("/admin/forms/{id}/replay"),
            format!("/admin/forms/{id}/diagram"),
            "/admin/analytics?form=qualify".to_owned(),
        ]
    );
    for link in links {
        assert_eq!(marketer.get(&link).await.status(), 200, "{link}");
    }
}

#[tokio::test]
async fn a_preview_step_keeps_the_tab_bar_around_the_swapped_part() {
    let (_app, marketer, id) = marketer_and_form().await;
    let path = format!("/admin/forms/{id}/preview");
    let csrf = marketer.csrf(&path).await;
    let full = marketer
        .post_form(&path, &[("csrf", &csrf), ("answers", "{}"), ("question", "email"), ("answer", "cto@acme.example")])
        .await;
    let page = Html::parse_document(&full.text().await.unwrap());
    assert_eq!(texts(&page, "nav.tabs a[aria-current=page]"), ["Preview"], "a step without htmx is a whole page");
    let swapped = marketer
        .client
        .post(marketer.url(&path))
        .header("HX-Request", "true")
        .form(&[("csrf", csrf.as_str()), ("answers", "{}"), ("question", "email"), ("answer", "cto@acme.example")])
        .send()
        .await
        .unwrap();
    let fragment = Html::parse_fragment(&swapped.text().await.unwrap());
    assert!(texts(&fragment, "nav.tabs").is_empty(), "htmx swaps only the preview, the tabs stay");
    assert_eq!(attrs(&fragment, "input[name=question]", "value"), ["company_size"]);
}
