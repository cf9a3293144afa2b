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
use super::diagram_order::{Slot, order_layers};
use super::lint_graph::FlowGraph;
use super::lint_questions::is_unconditional;

/// Size of a question box.
pub const NODE_WIDTH: i32 = 230;
/// Height of every box.
pub const NODE_HEIGHT: i32 = 64;
/// Space kept at the top for the legend.
pub const LEGEND_HEIGHT: i32 = 64;
const FINISH_WIDTH: i32 = 120;
const DUMMY_WIDTH: i32 = 36;
const GAP_X: i32 = 50;
const LAYER_GAP: i32 = 80;
const MARGIN: i32 = 24;
const LOOP_LANE: i32 = 18;
const LOOP_INSET: i32 = 14;
const LABEL_CHARS: usize = 31;
const EDGE_LABEL_CHARS: usize = 34;
/// Rough width of one character of edge-label text, in pixels.
const CHAR_WIDTH: f64 = 6.4;

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
    labels: Vec<String>,
    is_default: bool,
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

/// Marks edges that close a loop (back edges of a depth-first search).
fn mark_loops(edges: &mut [RawEdge], count: usize) {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); count + 1];
    edges.iter().enumerate().for_each(|(i, e)| out[e.from].push(i));
    let mut state = vec![0u8; count + 1];
    for start in 0..count {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        let mut stack = vec![(start, 0usize)];
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&edge) = out[node].get(*next) else {
                state[node] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            let to = edges[edge].to;
            match state[to] {
                0 => {
                    state[to] = 1;
                    stack.push((to, 0));
                }
                1 => edges[edge].loops_back = true,
                _ => {}
            }
        }
    }
}

/// Longest path from the top over forward edges; questions nothing leads
/// to sit just above what they lead to; finish is the bottom layer.
fn assign_layers(edges: &[RawEdge], count: usize) -> Vec<usize> {
    let forward: Vec<&RawEdge> = edges.iter().filter(|e| !e.loops_back).collect();
    let mut incoming = vec![0usize; count + 1];
    forward.iter().for_each(|e| incoming[e.to] += 1);
    let sources: Vec<bool> = incoming.iter().map(|&n| n == 0).collect();
    let mut layer = vec![0usize; count + 1];
    let mut order = Vec::with_capacity(count + 1);
    let mut ready: Vec<usize> = (0..=count).filter(|&v| incoming[v] == 0).collect();
    while let Some(node) = ready.pop() {
        order.push(node);
        for edge in forward.iter().filter(|e| e.from == node) {
            layer[edge.to] = layer[edge.to].max(layer[node] + 1);
            incoming[edge.to] -= 1;
            if incoming[edge.to] == 0 {
                ready.push(edge.to);
            }
        }
    }
    for &node in order.iter().rev().filter(|&&v| v != 0 && v < count && sources[v]) {
        let below = forward.iter().filter(|e| e.from == node).map(|e| layer[e.to]).min();
        if let Some(below) = below {
            layer[node] = below.saturating_sub(1);
        }
    }
    layer[count] = layer[..count].iter().max().map_or(0, |&deepest| deepest + 1);
    layer
}

fn layer_top(layer: usize) -> i32 {
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
fn slot_lefts(slots: &[Vec<Slot>], count: usize) -> Vec<Vec<i32>> {
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

/// Points of every edge, with exits and entries spread along the boxes.
fn draw_edges(
    edges: &[RawEdge],
    chains: &[Vec<(usize, usize)>],
    slots: &[Vec<Slot>],
    nodes: &[DiagramNode],
    count: usize,
    content_width: i32,
) -> Vec<DiagramEdge> {
    let lefts = slot_lefts(slots, count);
    let through = |&(layer, at): &(usize, usize)| {
        let x = lefts[layer][at] + DUMMY_WIDTH / 2;
        let top = layer_top(layer);
        [(x, top), (x, top + NODE_HEIGHT)]
    };
    let inner: Vec<Vec<(i32, i32)>> = chains.iter().map(|c| c.iter().flat_map(through).collect()).collect();
    let mut lane = 0;
    let mut drawn = Vec::with_capacity(edges.len());
    for (i, edge) in edges.iter().enumerate() {
        let (from, to) = (&nodes[edge.from], &nodes[edge.to]);
        let points = if edge.loops_back {
            let x = content_width + lane * LOOP_LANE;
            lane += 1;
            // Across in the gaps below the source and above the target,
            // where no box stands, and up the lane on the right.
            let (sx, tx) = (from.x + from.width - LOOP_INSET, to.x + to.width - LOOP_INSET);
            let (below, above) = (from.y + NODE_HEIGHT + LOOP_INSET, to.y - LOOP_INSET);
            let (bottom, top) = (from.y + NODE_HEIGHT, to.y);
            vec![(sx, bottom), (sx, below), (x, below), (x, above), (tx, above), (tx, top)]
        } else {
            let exit = spread(edges, &inner, nodes, i, true);
            let entry = spread(edges, &inner, nodes, i, false);
            let mut line = vec![(exit, from.y + NODE_HEIGHT)];
            line.extend_from_slice(&inner[i]);
            line.push((entry, to.y));
            line
        };
        drawn.push(finish_edge(edge, points, nodes));
    }
    drawn
}

/// Where edge `i` leaves (or enters) its box: spread along the bottom (or
/// top) in the order of where the edges go next, so arrows do not bunch.
fn spread(edges: &[RawEdge], inner: &[Vec<(i32, i32)>], nodes: &[DiagramNode], i: usize, exit: bool) -> i32 {
    let end = |e: &RawEdge| if exit { e.from } else { e.to };
    let node = &nodes[end(&edges[i])];
    let toward = |j: usize| -> i32 {
        let e = &edges[j];
        let far = if exit { &nodes[e.to] } else { &nodes[e.from] };
        let near = if exit { inner[j].first() } else { inner[j].last() };
        near.map_or(far.center_x(), |p| p.0)
    };
    let mut siblings: Vec<usize> =
        (0..edges.len()).filter(|&j| !edges[j].loops_back && end(&edges[j]) == end(&edges[i])).collect();
    siblings.sort_by_key(|&j| (toward(j), j));
    let rank = siblings.iter().position(|&j| j == i).unwrap_or(0) as i32;
    node.x + node.width * (rank + 1) / (siblings.len() as i32 + 1)
}

fn finish_edge(edge: &RawEdge, points: Vec<(i32, i32)>, nodes: &[DiagramNode]) -> DiagramEdge {
    let words: Vec<&str> = edge.labels.iter().map(String::as_str).filter(|l| !l.is_empty()).collect();
    let full_label = clean(&words.join(" or "));
    let label = shorten(&full_label, EDGE_LABEL_CHARS);
    let label_width = (label.chars().count() as f64 * CHAR_WIDTH).ceil() as i32 + 10;
    let (label_x, label_y) = if edge.loops_back {
        (points[2].0 + 4, (points[2].1 + points[3].1) / 2)
    } else {
        label_point(points[0], points[1])
    };
    DiagramEdge {
        from: nodes[edge.from].id.clone(),
        to: nodes[edge.to].id.clone(),
        label,
        full_label,
        points,
        label_x,
        label_y,
        label_width,
        is_default: edge.is_default,
        loops_back: edge.loops_back,
    }
}

/// The point 60% along the first S-curve: below the source, where the
/// arrows have already fanned out.
fn label_point((x1, y1): (i32, i32), (x2, y2): (i32, i32)) -> (i32, i32) {
    let t = 0.6_f64;
    let (a, b) = ((1.0 - t).powi(3) + 3.0 * (1.0 - t).powi(2) * t, 3.0 * (1.0 - t) * t * t + t.powi(3));
    let x = a * f64::from(x1) + b * f64::from(x2);
    let mid = f64::from(y1 + y2) / 2.0;
    let y = (1.0 - t).powi(3) * f64::from(y1) + (1.0 - (1.0 - t).powi(3) - t.powi(3)) * mid + t.powi(3) * f64::from(y2);
    (x.round() as i32, y.round() as i32)
}

/// One line of text with no control characters (XML cannot hold them).
fn clean(text: &str) -> String {
    let spaced: String =
        text.chars().map(|c| if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `limit` characters, ending in "…" when cut.
fn shorten(text: &str, limit: usize) -> String {
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
