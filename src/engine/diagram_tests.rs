use super::*;
use crate::engine::parse_definition_yaml;

const BRANCHING: &str = r#"
slug: t
title: T
questions:
  - { id: email, kind: email, label: Work email }
  - id: company_size
    kind: single_choice
    label: How many people work at your company?
    options: [{ value: small, label: S }, { value: mid, label: M }, { value: large, label: L }]
    next:
      - { when: { answer: { question: company_size, is: { equals: large } } }, goto: procurement }
      - { when: { answer: { question: company_size, is: { in: [mid, small] } } }, goto: current_tool }
      - { goto: budget }
  - { id: procurement, kind: short_text, label: P, next: [{ goto: timeline }] }
  - { id: current_tool, kind: short_text, label: C, next: [{ goto: timeline }] }
  - { id: budget, kind: number, label: B }
  - { id: timeline, kind: short_text, label: When? }
outcomes:
  - { id: all, tier: All, ending: { title: T, message: M }, handoff: nurture }
"#;

const BROKEN: &str = r#"
slug: t
title: T
questions:
  - id: a
    kind: short_text
    label: A
    next:
      - { when: { answer: { question: a, is: { equals: loop } } }, goto: l1 }
      - { goto: c }
  - { id: b, kind: short_text, label: B, next: [{ goto: c }] }
  - { id: l1, kind: short_text, label: L1, next: [{ goto: l2 }] }
  - { id: l2, kind: short_text, label: L2, next: [{ goto: l1 }] }
  - { id: c, kind: short_text, label: C }
outcomes:
  - { id: all, tier: All, ending: { title: T, message: M }, handoff: nurture }
"#;

fn laid_out(yaml: &str) -> Diagram {
    diagram(&parse_definition_yaml(yaml).expect("test form parses"))
}

fn node<'a>(d: &'a Diagram, id: &str) -> &'a DiagramNode {
    d.nodes.iter().find(|n| n.id == id).unwrap_or_else(|| panic!("node {id}"))
}

fn edge<'a>(d: &'a Diagram, from: &str, to: &str) -> &'a DiagramEdge {
    d.edges.iter().find(|e| e.from == from && e.to == to).unwrap_or_else(|| panic!("edge {from} -> {to}"))
}

#[test]
fn questions_are_layered_by_depth_with_finish_at_the_bottom() {
    let d = laid_out(BRANCHING);
    let layer = |id| node(&d, id).layer;
    assert_eq!([layer("email"), layer("company_size"), layer("procurement"), layer("budget")], [0, 1, 2, 2]);
    assert_eq!(layer("timeline"), 3);
    assert_eq!(layer("finish"), 4);
    assert!(node(&d, "email").is_start);
    assert!(node(&d, "finish").is_finish);
    assert!(d.nodes.iter().all(|n| !n.unreachable && !n.dead_end));
}

#[test]
fn branches_are_labelled_with_their_condition_and_the_default_says_otherwise() {
    let d = laid_out(BRANCHING);
    assert_eq!(edge(&d, "company_size", "procurement").label, "company_size = large");
    assert_eq!(edge(&d, "company_size", "current_tool").label, "company_size in mid, small");
    let default = edge(&d, "company_size", "budget");
    assert_eq!(default.label, "otherwise");
    assert!(default.is_default);
    assert_eq!(edge(&d, "email", "company_size").label, "", "a plain next has no label");
    assert_eq!(edge(&d, "procurement", "timeline").label, "", "a single unconditional goto has no label");
    assert!(!edge(&d, "company_size", "procurement").is_default);
}

#[test]
fn unreachable_questions_and_dead_ends_are_marked_as_lint_finds_them() {
    let d = laid_out(BROKEN);
    let b = node(&d, "b");
    assert!(b.unreachable && !b.dead_end);
    assert_eq!(b.status_text(), Some("unreachable: nothing leads here"));
    for id in ["l1", "l2"] {
        assert!(node(&d, id).dead_end && !node(&d, id).unreachable, "{id}");
    }
    assert!(!node(&d, "a").dead_end && !node(&d, "c").dead_end);
    let back = edge(&d, "l2", "l1");
    assert!(back.loops_back);
    let lane = back.points[2].0;
    assert!(d.nodes.iter().all(|n| n.x + n.width < lane), "loops run up a lane right of every box");
    assert!(d.width > lane + back.label_width, "the picture is wide enough for the lane and its label");
}

#[test]
fn boxes_never_overlap_and_edges_never_cut_through_a_box() {
    let demo = include_str!("../demo/talk_to_sales.yaml");
    for d in [laid_out(BRANCHING), laid_out(BROKEN), laid_out(demo)] {
        for (i, a) in d.nodes.iter().enumerate() {
            for b in &d.nodes[i + 1..] {
                let apart =
                    a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
                assert!(apart, "{} overlaps {}", a.id, b.id);
            }
        }
        for e in &d.edges {
            let (from, to) = (node(&d, &e.from), node(&d, &e.to));
            assert_eq!(e.points.first().unwrap().1, from.y + from.height, "{} leaves from the bottom", e.from);
            assert_eq!(e.points.last().unwrap().1, to.y, "{} enters at the top", e.to);
            for &(x, y) in &e.points[1..e.points.len() - 1] {
                let inside = d.nodes.iter().any(|n| x > n.x && x < n.x + n.width && y > n.y && y < n.y + n.height);
                assert!(!inside, "edge {} -> {} passes through a box at {x},{y}", e.from, e.to);
            }
        }
        assert!(d.nodes.iter().all(|n| n.x >= 0 && n.x + n.width <= d.width && n.y + n.height <= d.height));
    }
}

#[test]
fn the_demo_form_stays_readable() {
    let d = laid_out(include_str!("../demo/talk_to_sales.yaml"));
    assert_eq!(d.nodes.len(), 19, "18 questions and finish");
    let widest = d.nodes.iter().map(|n| d.nodes.iter().filter(|m| m.layer == n.layer).count()).max().unwrap();
    assert!(widest <= 3, "at most three boxes side by side, got {widest}");
    assert!(d.width < 1400, "width {}", d.width);
    let long = edge(&d, "use_case", "buyer_stage");
    assert!(long.points.len() > 2, "an edge over two layers passes through a slot");
    assert_eq!(edge(&d, "company_size", "procurement").label, "company_size = 1000+");
}

#[test]
fn labels_are_shortened_and_lose_control_characters() {
    assert_eq!(shorten("a\u{0007}b\n  c", 20), "a b c");
    let long = shorten(&"word ".repeat(20), 12);
    assert!(long.ends_with('…') && long.chars().count() <= 12, "{long}");
    let d = laid_out(
        &BRANCHING.replace("label: When?", "label: \"<script>alert(1)</script> and a very long label indeed\""),
    );
    let timeline = node(&d, "timeline");
    assert!(timeline.label.ends_with('…'));
    assert!(timeline.full_label.starts_with("<script>"), "escaping is the renderer's job; text is kept");
}

#[test]
fn an_empty_form_is_just_the_finish() {
    let d = laid_out("slug: t\ntitle: T\nquestions: []\noutcomes: []\n");
    assert_eq!(d.nodes.len(), 1);
    assert!(d.nodes[0].is_finish && d.edges.is_empty());
}

#[test]
fn path_data_draws_curves_between_layers_and_lines_through_them() {
    let e = DiagramEdge {
        from: "a".into(),
        to: "b".into(),
        label: String::new(),
        full_label: String::new(),
        points: vec![(0, 0), (10, 20), (10, 40), (30, 60)],
        label_x: 0,
        label_y: 0,
        label_width: 0,
        is_default: true,
        loops_back: false,
    };
    assert_eq!(e.path_data(), "M0,0 C0,10 10,10 10,20 L10,40 C10,50 30,50 30,60");
}
