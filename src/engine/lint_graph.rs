//! The form as a graph for lint: each question leads to its goto targets
//! and, unless a branch always matches, to the following question. Finds
//! cycles, unreachable questions and dead ends, and works out which
//! questions are surely answered at each point (a must-answered dataflow).

use std::collections::{HashMap, VecDeque};

use super::definition::{FINISH, FormDefinition};
use super::lint::Finding;
use super::lint_questions::{branch_location, is_unconditional, question_location};

/// An edge out of a question; `to == questions.len()` is finish.
#[derive(Debug, Clone, Copy)]
struct Edge {
    to: usize,
    /// The branch rule (0-based), or `None` for going on in document order.
    branch: Option<usize>,
}

/// A fixed-size set of question positions.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BitSet(Vec<u64>);

impl BitSet {
    fn full(size: usize) -> Self {
        Self(vec![u64::MAX; size.div_ceil(64)])
    }
    fn empty(size: usize) -> Self {
        Self(vec![0; size.div_ceil(64)])
    }
    fn contains(&self, item: usize) -> bool {
        self.0[item / 64] & (1 << (item % 64)) != 0
    }
    /// self = self ∩ (other ∪ {extra})
    fn meet_with(&mut self, other: &BitSet, extra: usize) {
        let mut widened = other.clone();
        widened.0[extra / 64] |= 1 << (extra % 64);
        self.0.iter_mut().zip(&widened.0).for_each(|(a, b)| *a &= b);
    }
}

/// The question graph with reachability and must-answered sets.
pub(crate) struct FlowGraph {
    edges: Vec<Vec<Edge>>,
    reachable: Vec<bool>,
    reaches_finish: Vec<bool>,
    /// For each question (and finish, last), the questions answered on every
    /// path from the start to it, not counting itself.
    answered_before: Vec<BitSet>,
}

impl FlowGraph {
    pub(crate) fn build(def: &FormDefinition, index: &HashMap<&str, usize>) -> Self {
        let count = def.questions.len();
        let edges: Vec<Vec<Edge>> = (0..count).map(|q| edges_of(def, q, index)).collect();
        let reachable = reachable_from_start(&edges, count);
        let reaches_finish = reaching_finish(&edges, count);
        let answered_before = must_answered(&edges, &reachable, count);
        Self { edges, reachable, reaches_finish, answered_before }
    }

    /// True when some path from the start reaches the question.
    pub(crate) fn is_reachable(&self, question: usize) -> bool {
        self.reachable[question]
    }

    /// True when some path from the question reaches finish.
    pub(crate) fn reaches_finish(&self, question: usize) -> bool {
        self.reaches_finish[question]
    }

    /// The edges out of `question` in rule order: the target position
    /// (`None` for finish) and the branch rule (`None` for going on to the
    /// following question).
    pub(crate) fn edges_out(&self, question: usize) -> impl Iterator<Item = (Option<usize>, Option<usize>)> + '_ {
        let count = self.edges.len();
        self.edges[question].iter().map(move |edge| ((edge.to < count).then_some(edge.to), edge.branch))
    }

    /// True when `answer` is answered on every path to the branches of
    /// `question` (the question itself counts: it was just answered).
    pub(crate) fn answered_at_branches(&self, question: usize, answer: usize) -> bool {
        question == answer || self.answered_before[question].contains(answer)
    }

    /// True when `answer` is answered on every path to finish.
    pub(crate) fn answered_at_finish(&self, answer: usize) -> bool {
        self.answered_before[self.edges.len()].contains(answer)
    }

    /// Cycles (errors), unreachable questions (warnings), dead ends (errors).
    pub(crate) fn check(&self, def: &FormDefinition, findings: &mut Vec<Finding>) {
        self.check_cycles(def, findings);
        for (position, question) in def.questions.iter().enumerate() {
            let location = question_location(&question.id);
            if !self.reachable[position] {
                findings.push(Finding::warning(&location, "No path through the form reaches this question."));
            }
            if !self.reaches_finish[position] {
                findings.push(Finding::error(&location, "No path from this question reaches the end of the form."));
            }
        }
    }

    /// Reports every edge that closes a loop (a back edge of a depth-first
    /// search), without recursion so long forms cannot overflow the stack.
    fn check_cycles(&self, def: &FormDefinition, findings: &mut Vec<Finding>) {
        const NEW: u8 = 0;
        const OPEN: u8 = 1;
        const DONE: u8 = 2;
        let count = self.edges.len();
        let mut state = vec![NEW; count];
        for start in 0..count {
            if state[start] != NEW {
                continue;
            }
            state[start] = OPEN;
            let mut stack = vec![(start, 0)];
            while let Some((node, next_edge)) = stack.last_mut() {
                let node = *node;
                let Some(&edge) = self.edges[node].get(*next_edge) else {
                    state[node] = DONE;
                    stack.pop();
                    continue;
                };
                *next_edge += 1;
                match state.get(edge.to) {
                    Some(&NEW) => {
                        state[edge.to] = OPEN;
                        stack.push((edge.to, 0));
                    }
                    Some(&OPEN) => findings.push(cycle_finding(def, node, edge)),
                    _ => {}
                }
            }
        }
    }
}

fn cycle_finding(def: &FormDefinition, from: usize, edge: Edge) -> Finding {
    let id = &def.questions[from].id;
    let location = match edge.branch {
        Some(branch) => branch_location(id, branch),
        None => format!("{} (going on to the next question)", question_location(id)),
    };
    Finding::error(
        location,
        format!(
            "This can lead back to question \"{}\", which comes before it, so the form could loop.",
            def.questions[edge.to].id
        ),
    )
}

/// Goto targets in rule order, stopping after a rule that always matches;
/// then the following question if no rule always matches.
fn edges_of(def: &FormDefinition, position: usize, index: &HashMap<&str, usize>) -> Vec<Edge> {
    let count = def.questions.len();
    let mut edges = Vec::new();
    for (branch, rule) in def.questions[position].next.iter().enumerate() {
        let target = rule.goto.trim();
        // Unknown targets (reported elsewhere) finish, as at run time.
        let to = match index.get(target) {
            Some(&to) if target != FINISH => to,
            _ => count,
        };
        edges.push(Edge { to, branch: Some(branch) });
        if is_unconditional(rule.when.as_ref()) {
            return edges;
        }
    }
    edges.push(Edge { to: position + 1, branch: None });
    edges
}

fn reachable_from_start(edges: &[Vec<Edge>], count: usize) -> Vec<bool> {
    let mut reachable = vec![false; count + 1];
    let mut queue: VecDeque<usize> = (count > 0).then_some(0).into_iter().collect();
    if count > 0 {
        reachable[0] = true;
    }
    while let Some(node) = queue.pop_front() {
        for edge in edges.get(node).into_iter().flatten() {
            if !reachable[edge.to] {
                reachable[edge.to] = true;
                queue.push_back(edge.to);
            }
        }
    }
    reachable.truncate(count);
    reachable
}

fn reaching_finish(edges: &[Vec<Edge>], count: usize) -> Vec<bool> {
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); count + 1];
    for (from, out) in edges.iter().enumerate() {
        out.iter().for_each(|edge| incoming[edge.to].push(from));
    }
    let mut reaches = vec![false; count + 1];
    reaches[count] = true;
    let mut queue = VecDeque::from([count]);
    while let Some(node) = queue.pop_front() {
        for &from in &incoming[node] {
            if !reaches[from] {
                reaches[from] = true;
                queue.push_back(from);
            }
        }
    }
    reaches.truncate(count);
    reaches
}

/// answered_before[v] = ∩ over reachable predecessors p of
/// (answered_before[p] ∪ {p}); the start has nothing answered before it.
/// Iterated to a fixed point (one or two passes for forward-only forms).
fn must_answered(edges: &[Vec<Edge>], reachable: &[bool], count: usize) -> Vec<BitSet> {
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); count + 1];
    for (from, out) in edges.iter().enumerate().filter(|(from, _)| reachable[*from]) {
        out.iter().for_each(|edge| incoming[edge.to].push(from));
    }
    let mut sets = vec![BitSet::full(count); count + 1];
    if count > 0 {
        sets[0] = BitSet::empty(count);
    }
    let mut changed = true;
    while changed {
        changed = false;
        for node in 1..=count {
            let mut set = BitSet::full(count);
            for &from in &incoming[node] {
                set.meet_with(&sets[from], from);
            }
            if set != sets[node] {
                sets[node] = set;
                changed = true;
            }
        }
    }
    sets
}
