//! The question tree as a picture: a layered, top-down layout of the same
//! flow graph lint uses (so "unreachable" and "dead end" mean exactly what
//! lint reports), with each branch labelled in short words. Pure geometry:
//! the web layer draws the [`Diagram`] as SVG.
//!
//! Layers are longest paths from the first question; edges spanning
//! several layers pass through placeholder slots so they never cut through
//! a box; a few barycentre sweeps order each layer to limit crossings.
//! Edges that lead back up (a loop, a lint error) run down the right side.

use std::collections::HashMap;

use super::condition_text::describe_condition;
use super::definition::FormDefinition;
use super::diagram_edges::draw_edges;
use super::diagram_order::{Slot, assign_layers, mark_loops, order_layers};
use super::lint_graph::FlowGraph;
use super::lint_questions::is_unconditional;

/// Size of a question box.
pub const NODE_WIDTH: i32 = 230;
/// Height of every box.
pub const NODE_HEIGHT: i32 = 64;
/// Space kept at the top for the legend.
pub const LEGEND_HEIGHT: i32 = 64;
const FINISH_WIDTH: i32 = 120;
pub(crate) const DUMMY_WIDTH: i32 = 36;
const GAP_X: i32 = 50;
const LAYER_GAP: i32 = 80;
pub(crate) const MARGIN: i32 = 24;
pub(crate) const LOOP_LANE: i32 = 18;
pub(crate) const LOOP_INSET: i32 = 14;
const LABEL_CHARS: usize = 31;
pub(crate) const EDGE_LABEL_CHARS: usize = 34;
/// Rough width of one character of edge-label text, in pixels.
pub(crate) const CHAR_WIDTH: f64 = 6.4;

/// The laid-out picture of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    pub width: i32,
    pub height: i32,
    /// Questions in document order, then the finish node.
    pub nodes: Vec<DiagramNode>,
    pub edges: Vec<DiagramEdge>,
}

/// One box: a question or the finish.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagramNode {
    /// Question id, or `finish`.
    pub id: String,
    /// The kind in words ("single choice"); empty for finish.
    pub kind: String,
    /// The label shortened to fit the box.
    pub label: String,
    pub full_label: String,
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
    pub layer: usize,
    pub is_start: bool,
    pub is_finish: bool,
    /// No path from the first question reaches it.
    pub unreachable: bool,
    /// No path from it reaches finish.
    pub dead_end: bool,
}

impl DiagramNode {
    /// The marks in words, so they do not rest on colour alone.
    pub fn status_text(&self) -> Option<&'static str> {
        match (self.unreachable, self.dead_end) {
            (true, true) => Some("unreachable · dead end"),
            (true, false) => Some("unreachable: nothing leads here"),
            (false, true) => Some("dead end: cannot reach finish"),
            (false, false) => None,
        }
    }

    pub fn center_x(&self) -> i32 {
        self.x + self.width / 2
    }
}

/// One arrow, possibly standing for several rules with the same target.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagramEdge {
    pub from: String,
    pub to: String,
    /// The conditions in short words, shortened; empty for a plain "next".
    pub label: String,
    pub full_label: String,
    /// From the source box to the target box.
    pub points: Vec<(i32, i32)>,
    pub label_x: i32,
    pub label_y: i32,
    pub label_width: i32,
    /// The route taken when no branch rule matches (or an unconditional rule).
    pub is_default: bool,
    /// Leads back to an earlier question: the form could loop.
    pub loops_back: bool,
}

impl DiagramEdge {
    /// SVG path data: S-curves between layers, straight runs through them.
    pub fn path_data(&self) -> String {
        let mut data = String::new();
        for (i, &(x, y)) in self.points.iter().enumerate() {
            if i == 0 {
                data.push_str(&format!("M{x},{y}"));
                continue;
            }
            let (px, py) = self.points[i - 1];
            if self.loops_back || px == x || py == y {
                data.push_str(&format!(" L{x},{y}"));
            } else {
                let mid = (py + y) / 2;
                data.push_str(&format!(" C{px},{mid} {x},{mid} {x},{y}"));
            }
        }
        data
    }
}

/// An edge before layout: positions of the two ends (`count` is finish).
pub(crate) struct RawEdge {
    pub from: usize,
    pub to: usize,
    pub labels: Vec<String>,
    pub is_default: bool,
    pub loops_back: bool,
}

/// Lays out the form's question tree.
pub fn diagram(def: &FormDefinition) -> Diagram {
    let mut index = HashMap::new();
    for (position, question) in def.questions.iter().enumerate() {
        index.entry(question.id.as_str()).or_insert(position);
    }
    let graph = FlowGraph::build(def, &index);
    let count = def.questions.len();
    let mut edges = raw_edges(def, &graph);
    mark_loops(&mut edges, count);
    let layers = assign_layers(&edges, count);
    let (slots, chains) = order_layers(&edges, &layers, count);
    let mut nodes = place_nodes(def, &graph, &layers, &slots);
    let content_width = nodes.iter().map(|n| n.x + n.width).max().unwrap_or(0) + MARGIN;
    let drawn = draw_edges(&edges, &chains, &slots, &nodes, count, content_width);
    let loop_room = drawn.iter().filter(|e| e.loops_back).map(|e| e.label_width + LOOP_LANE).max().unwrap_or(0);
    let loops = edges.iter().filter(|e| e.loops_back).count() as i32;
    let width = content_width + loops * LOOP_LANE + loop_room;
    let height = nodes.iter().map(|n| n.y + n.height).max().unwrap_or(0) + MARGIN;
    nodes.sort_by_key(|n| n.is_finish);
    Diagram { width, height, nodes, edges: drawn }
}

/// Edges by (from, to), in rule order, with rules to the same target merged.
fn raw_edges(def: &FormDefinition, graph: &FlowGraph) -> Vec<RawEdge> {
    let count = def.questions.len();
    let mut edges: Vec<RawEdge> = Vec::new();
    for (from, question) in def.questions.iter().enumerate() {
        for (target, branch) in graph.edges_out(from) {
            let to = target.unwrap_or(count);
            let rule = branch.map(|b| &question.next[b]);
            let unconditional = rule.is_none_or(|r| is_unconditional(r.when.as_ref()));
            let label = match rule.and_then(|r| r.when.as_ref()) {
                Some(when) if !unconditional => describe_condition(when),
                _ if question.next.is_empty() || branch == Some(0) => String::new(),
                _ => "otherwise".to_owned(),
            };
            match edges.iter_mut().find(|e| e.from == from && e.to == to) {
                Some(edge) => {
                    edge.labels.push(label);
                    edge.is_default |= unconditional;
                }
                None => {
                    edges.push(RawEdge { from, to, labels: vec![label], is_default: unconditional, loops_back: false })
                }
            }
        }
    }
    edges
}

pub(crate) fn layer_top(layer: usize) -> i32 {
    LEGEND_HEIGHT + MARGIN + layer as i32 * (NODE_HEIGHT + LAYER_GAP)
}

pub(crate) fn slot_width(slot: &Slot, count: usize) -> i32 {
    match slot {
        Slot::Node(v) if *v == count => FINISH_WIDTH,
        Slot::Node(_) => NODE_WIDTH,
        Slot::Pass { .. } => DUMMY_WIDTH,
    }
}

/// Left edge of every slot, each layer centred on the widest.
pub(crate) fn slot_lefts(slots: &[Vec<Slot>], count: usize) -> Vec<Vec<i32>> {
    let widths: Vec<i32> = slots
        .iter()
        .map(|layer| layer.iter().map(|s| slot_width(s, count)).sum::<i32>() + GAP_X * (layer.len() as i32 - 1).max(0))
        .collect();
    let widest = widths.iter().copied().max().unwrap_or(0);
    slots
        .iter()
        .zip(&widths)
        .map(|(layer, width)| {
            let mut x = MARGIN + (widest - width) / 2;
            layer
                .iter()
                .map(|slot| {
                    let left = x;
                    x += slot_width(slot, count) + GAP_X;
                    left
                })
                .collect()
        })
        .collect()
}

fn place_nodes(def: &FormDefinition, graph: &FlowGraph, layers: &[usize], slots: &[Vec<Slot>]) -> Vec<DiagramNode> {
    let count = def.questions.len();
    let lefts = slot_lefts(slots, count);
    let mut nodes = Vec::with_capacity(count + 1);
    for (layer, row) in slots.iter().enumerate() {
        for (slot, &x) in row.iter().zip(&lefts[layer]) {
            let Slot::Node(v) = *slot else { continue };
            let y = layer_top(layers[v]);
            let node = match def.questions.get(v) {
                Some(q) => DiagramNode {
                    id: q.id.clone(),
                    kind: serde_json::to_value(q.kind)
                        .ok()
                        .and_then(|k| k.as_str().map(|k| k.replace('_', " ")))
                        .unwrap_or_default(),
                    label: shorten(&q.label, LABEL_CHARS),
                    full_label: clean(&q.label),
                    x,
                    y,
                    width: NODE_WIDTH,
                    height: NODE_HEIGHT,
                    layer: layers[v],
                    is_start: v == 0,
                    is_finish: false,
                    unreachable: !graph.is_reachable(v),
                    dead_end: !graph.reaches_finish(v),
                },
                None => finish_node(x, y, layers[v]),
            };
            nodes.push((v, node));
        }
    }
    nodes.sort_by_key(|(v, _)| *v);
    nodes.into_iter().map(|(_, node)| node).collect()
}

fn finish_node(x: i32, y: i32, layer: usize) -> DiagramNode {
    DiagramNode {
        id: "finish".to_owned(),
        kind: String::new(),
        label: "Finish".to_owned(),
        full_label: "Finish".to_owned(),
        x,
        y,
        width: FINISH_WIDTH,
        height: NODE_HEIGHT,
        layer,
        is_start: false,
        is_finish: true,
        unreachable: false,
        dead_end: false,
    }
}

/// One line of text with no control characters (XML cannot hold them).
pub(crate) fn clean(text: &str) -> String {
    let spaced: String =
        text.chars().map(|c| if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `limit` characters, ending in "…" when cut.
pub(crate) fn shorten(text: &str, limit: usize) -> String {
    let text = clean(text);
    if text.chars().count() <= limit {
        return text;
    }
    let cut: String = text.chars().take(limit - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
#[path = "diagram_tests.rs"]
mod tests;
