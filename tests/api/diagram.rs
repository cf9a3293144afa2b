//! The draft's question tree as SVG: valid XML, boxes and labelled arrows,
//! unreachable questions and dead ends marked in words, text escaped.

use crate::draft_support::{attrs, form_id, set_draft, texts};
use crate::helpers::{BRANCHING_FORM, spawn_app};

/// A draft with an unreachable question (`skipped`), a loop that never
/// reaches the end (`loop_a`, `loop_b`) and a label that looks like markup.
const BROKEN: &str = r#"
slug: qualify
title: Qualify <b>now</b>
questions:
  - id: start
    kind: single_choice
    label: "<script>alert('x')</script> & more"
    options: [{ value: go, label: Go }, { value: spin, label: Spin }]
    next:
      - { when: { answer: { question: start, is: { equals: spin } } }, goto: loop_a }
      - { goto: done }
  - { id: skipped, kind: short_text, label: Nobody sees this, next: [{ goto: done }] }
  - { id: loop_a, kind: short_text, label: Loop A, next: [{ goto: loop_b }] }
  - { id: loop_b, kind: short_text, label: Loop B, next: [{ goto: loop_a }] }
  - { id: done, kind: short_text, label: Done }
outcomes:
  - { id: all, tier: All, ending: { title: T, message: M }, handoff: nurture }
"#;

fn node<'a>(doc: &'a roxmltree::Document, id: &str) -> roxmltree::Node<'a, 'a> {
    doc.descendants()
        .find(|n| n.has_tag_name("g") && n.attribute("data-id") == Some(id))
        .unwrap_or_else(|| panic!("a box for {id}"))
}

fn text_in(node: roxmltree::Node, class: &str) -> String {
    node.descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("class") == Some(class))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn the_diagram_is_valid_svg_with_boxes_and_labelled_branches() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let id = form_id(&app, "qualify").await;
    let marketer = app.login_as(&team.marketer).await;
    let response = marketer.get(&format!("/admin/forms/{id}/diagram.svg")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["content-type"], "image/svg+xml; charset=utf-8");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let body = response.text().await.unwrap();
    let doc = roxmltree::Document::parse(&body).expect("the diagram is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let boxes: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-id")).collect();
    assert_eq!(
        boxes,
        ["email", "company_size", "procurement", "current_tool", "budget", "timeline", "consent", "finish"]
    );
    let labels: Vec<&str> =
        doc.descendants().filter(|n| n.attribute("class") == Some("edge-label")).filter_map(|n| n.text()).collect();
    assert_eq!(labels, ["company_size = large", "company_size = mid", "otherwise"]);
    let to_procurement = doc
        .descendants()
        .find(|n| n.attribute("data-from") == Some("company_size") && n.attribute("data-to") == Some("procurement"))
        .expect("an arrow from company_size to procurement");
    assert!(to_procurement.descendants().any(|n| n.has_tag_name("path")));
    assert!(doc.descendants().all(|n| n.attribute("class").is_none_or(|c| !c.contains("unreachable"))));
}

#[tokio::test]
async fn unreachable_questions_and_dead_ends_are_marked_and_text_is_escaped() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let id = form_id(&app, "qualify").await;
    set_draft(&app, id, BROKEN).await;
    let marketer = app.login_as(&team.marketer).await;
    let body = marketer.get(&format!("/admin/forms/{id}/diagram.svg")).await.text().await.unwrap();
    let doc = roxmltree::Document::parse(&body).expect("well-formed even with markup in labels");
    assert!(doc.descendants().all(|n| !n.has_tag_name("script") && !n.has_tag_name("b")), "labels stay text");
    assert!(!body.contains("<script") && !body.contains("<b>"), "the markup is escaped");
    assert!(body.contains("&#60;script&#62;"), "as character references");
    let label = text_in(node(&doc, "start"), "node-label");
    assert!(label.starts_with("<script>alert("), "{label}");
    let skipped = node(&doc, "skipped");
    assert!(skipped.attribute("class").unwrap().contains("unreachable"));
    assert_eq!(text_in(skipped, "status"), "⊘ unreachable: nothing leads here");
    for looping in ["loop_a", "loop_b"] {
        let n = node(&doc, looping);
        assert!(n.attribute("class").unwrap().contains("dead-end"), "{looping}");
        assert_eq!(text_in(n, "status"), "⚠ dead end: cannot reach finish");
    }
    assert!(!node(&doc, "done").attribute("class").unwrap().contains("dead-end"));
    let back = doc.descendants().find(|n| n.attribute("data-from") == Some("loop_b")).unwrap();
    assert!(back.attribute("class").unwrap().contains("loop"), "the arrow back up is marked as a loop");

    let page = marketer.get_html(&format!("/admin/forms/{id}/diagram")).await;
    assert_eq!(attrs(&page, "figure.diagram img", "src"), [format!("/admin/forms/{id}/diagram.svg")]);
    let marks = texts(&page, "tr[data-question=skipped] .marks");
    assert_eq!(marks, ["unreachable: nothing leads here"]);
    assert_eq!(texts(&page, "tr[data-question=start] td:nth-child(3)"), ["<script>alert('x')</script> & more"]);
}

#[tokio::test]
async fn only_admins_and_marketers_see_the_diagram() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let id = form_id(&app, "qualify").await;
    for path in [format!("/admin/forms/{id}/diagram"), format!("/admin/forms/{id}/diagram.svg")] {
        assert_eq!(app.login_as(&team.rita).await.get(&path).await.status(), 403);
        assert_eq!(app.login_as(&team.admin).await.get(&path).await.status(), 200);
        assert_eq!(app.new_browser().get(&path).await.status(), 303);
    }
}
