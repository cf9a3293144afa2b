//! Drawing a diagram's arrows: through the pass-through slots between
//! layers, leaving and entering boxes spread along their edges, loops up a
//! lane on the right, and each label where the arrows have fanned out.

use super::diagram::{
    CHAR_WIDTH, DUMMY_WIDTH, DiagramEdge, DiagramNode, EDGE_LABEL_CHARS, LOOP_INSET, LOOP_LANE, NODE_HEIGHT, RawEdge,
    clean, layer_top, shorten, slot_lefts,
};
use super::diagram_order::Slot;

/// Points of every edge, with exits and entries spread along the boxes.
pub(crate) fn draw_edges(
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
