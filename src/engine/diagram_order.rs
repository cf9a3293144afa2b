//! Layers and order of a diagram's boxes. Loops are found first (back
//! edges of a depth-first search) and left out of the layering; each box's
//! layer is its longest path from the top. Within each layer, edges spanning
//! several layers get a pass-through slot in every layer between, and
//! barycentre sweeps (each slot moves towards the mean position of its
//! neighbours in the layer above, then below) keep crossings few. Document
//! order is the starting point, so a form reads top-down as it was written.

use std::collections::HashMap;

use super::diagram::RawEdge;

/// One place in a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    /// A question by position, or finish (`count`).
    Node(usize),
    /// Edge `edge` passing through this layer.
    Pass { edge: usize },
}

const SWEEPS: usize = 4;

/// For each edge, the (layer, index) of the slots it passes through.
pub(crate) type Chains = Vec<Vec<(usize, usize)>>;

/// The slots of each layer in drawing order, and for each edge the
/// (layer, index) of the slots it passes through, top to bottom.
pub(crate) fn order_layers(edges: &[RawEdge], layers: &[usize], count: usize) -> (Vec<Vec<Slot>>, Chains) {
    let depth = layers.iter().copied().max().unwrap_or(0) + 1;
    let mut keyed: Vec<Vec<(f64, Slot)>> = vec![Vec::new(); depth];
    for (v, &layer) in layers.iter().enumerate().take(count + 1) {
        keyed[layer].push((v as f64, Slot::Node(v)));
    }
    for (i, edge) in edges.iter().enumerate().filter(|(_, e)| !e.loops_back) {
        let key = edge.from as f64 + 0.5 + i as f64 / 1e6;
        let between = (layers[edge.from] + 1).min(layers[edge.to])..layers[edge.to];
        keyed[between].iter_mut().for_each(|layer| layer.push((key, Slot::Pass { edge: i })));
    }
    let mut slots: Vec<Vec<Slot>> = keyed
        .into_iter()
        .map(|mut layer| {
            layer.sort_by(|a, b| a.0.total_cmp(&b.0));
            layer.into_iter().map(|(_, slot)| slot).collect()
        })
        .collect();
    let links = Links::new(edges, layers);
    for sweep in 0..SWEEPS {
        let downward = sweep % 2 == 0;
        let order: Vec<usize> =
            if downward { (1..depth).collect() } else { (0..depth.saturating_sub(1)).rev().collect() };
        for layer in order {
            let neighbour_layer = if downward { layer - 1 } else { layer + 1 };
            let positions = positions_of(&slots[neighbour_layer]);
            reorder(&mut slots[layer], layer, &positions, &links, downward);
        }
    }
    let chains = edges
        .iter()
        .enumerate()
        .map(|(i, _)| {
            slots
                .iter()
                .enumerate()
                .filter_map(|(layer, row)| row.iter().position(|s| *s == Slot::Pass { edge: i }).map(|at| (layer, at)))
                .collect()
        })
        .collect();
    (slots, chains)
}

fn positions_of(row: &[Slot]) -> HashMap<Slot, usize> {
    row.iter().enumerate().map(|(at, slot)| (*slot, at)).collect()
}

/// Sorts a layer by the mean position of each slot's neighbours in the
/// adjacent layer; slots without neighbours there keep their place.
fn reorder(row: &mut Vec<Slot>, layer: usize, adjacent: &HashMap<Slot, usize>, links: &Links, downward: bool) {
    let mut keyed: Vec<(f64, usize, Slot)> = row
        .iter()
        .enumerate()
        .map(|(at, slot)| {
            let near = links.neighbours(*slot, layer, downward);
            let found: Vec<f64> = near.iter().filter_map(|n| adjacent.get(n)).map(|&p| p as f64).collect();
            let key = if found.is_empty() { at as f64 } else { found.iter().sum::<f64>() / found.len() as f64 };
            (key, at, *slot)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    *row = keyed.into_iter().map(|(_, _, slot)| slot).collect();
}

/// Which slots touch which, one layer apart.
struct Links<'a> {
    edges: &'a [RawEdge],
    layers: &'a [usize],
}

impl<'a> Links<'a> {
    fn new(edges: &'a [RawEdge], layers: &'a [usize]) -> Self {
        Self { edges, layers }
    }

    /// The slots next to `slot` in the layer above (`upward_neighbours`) or below.
    fn neighbours(&self, slot: Slot, layer: usize, above: bool) -> Vec<Slot> {
        let step = |edge: usize| -> Slot {
            let e = &self.edges[edge];
            let (end, end_layer) = if above { (e.from, self.layers[e.from]) } else { (e.to, self.layers[e.to]) };
            let adjacent = if above { layer.checked_sub(1) } else { Some(layer + 1) };
            if adjacent == Some(end_layer) { Slot::Node(end) } else { Slot::Pass { edge } }
        };
        match slot {
            Slot::Pass { edge } => vec![step(edge)],
            Slot::Node(v) => self
                .edges
                .iter()
                .enumerate()
                .filter(|(_, e)| !e.loops_back && if above { e.to == v } else { e.from == v })
                .map(|(i, _)| step(i))
                .collect(),
        }
    }
}

/// Marks edges that close a loop (back edges of a depth-first search).
pub(crate) fn mark_loops(edges: &mut [RawEdge], count: usize) {
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
pub(crate) fn assign_layers(edges: &[RawEdge], count: usize) -> Vec<usize> {
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
