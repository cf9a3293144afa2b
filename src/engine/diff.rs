//! What changed between two definitions, in lines a marketer reads in the
//! version history: questions added, removed, changed or moved; scoring
//! rules; lists; outcomes; form settings. Pure, like the rest of the engine.

use std::collections::{BTreeMap, HashMap};

use super::definition::{FormDefinition, Outcome, Question, QuestionKind, ScoringRule};

/// Most lines listed; the rest are counted in a last line.
const MAX_LINES: usize = 40;

/// The changes from `old` to `new`, one sentence each; empty when equal.
pub fn describe_changes(old: &FormDefinition, new: &FormDefinition) -> Vec<String> {
    let mut lines = Vec::new();
    form_lines(old, new, &mut lines);
    question_lines(&old.questions, &new.questions, &mut lines);
    scoring_lines(&old.scoring, &new.scoring, &mut lines);
    list_lines(&old.lists, &new.lists, &mut lines);
    outcome_lines(&old.outcomes, &new.outcomes, &mut lines);
    if lines.len() > MAX_LINES {
        let more = lines.len() - MAX_LINES + 1;
        lines.truncate(MAX_LINES - 1);
        lines.push(format!("… and {more} more changes"));
    }
    lines
}

/// Everything a whole definition says, as lines (the first version's history).
pub fn describe_definition(def: &FormDefinition) -> Vec<String> {
    let count = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    vec![format!(
        "{}, {}, {} and {}",
        count(def.questions.len(), "question", "questions"),
        count(def.scoring.len(), "scoring rule", "scoring rules"),
        count(def.lists.len(), "list", "lists"),
        count(def.outcomes.len(), "outcome", "outcomes"),
    )]
}

fn form_lines(old: &FormDefinition, new: &FormDefinition, lines: &mut Vec<String>) {
    if old.title != new.title {
        lines.push(format!("Renamed the form from “{}” to “{}”", old.title, new.title));
    }
    if old.slug != new.slug {
        lines.push(format!("Changed the address from /f/{} to /f/{}", old.slug, new.slug));
    }
    if old.intro != new.intro {
        lines.push("Changed the introduction".to_owned());
    }
    if old.settings != new.settings {
        lines.push("Changed the form settings".to_owned());
    }
}

/// The name of a question kind as people read it ("single choice").
pub fn kind_label(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::SingleChoice => "single choice",
        QuestionKind::MultipleChoice => "multiple choice",
        QuestionKind::Dropdown => "dropdown",
        QuestionKind::ShortText => "short text",
        QuestionKind::LongText => "long text",
        QuestionKind::Email => "email",
        QuestionKind::Phone => "phone",
        QuestionKind::Number => "number",
        QuestionKind::Url => "web address",
        QuestionKind::Consent => "consent",
        QuestionKind::Statement => "statement",
    }
}

fn question_lines(old: &[Question], new: &[Question], lines: &mut Vec<String>) {
    let before: HashMap<&str, &Question> = old.iter().map(|q| (q.id.as_str(), q)).collect();
    let after: HashMap<&str, &Question> = new.iter().map(|q| (q.id.as_str(), q)).collect();
    for question in old.iter().filter(|q| !after.contains_key(q.id.as_str())) {
        lines.push(format!("Removed question {} (“{}”)", question.id, question.label));
    }
    for question in new {
        match before.get(question.id.as_str()) {
            None => lines.push(format!(
                "Added question {} (“{}”, {})",
                question.id,
                question.label,
                kind_label(question.kind)
            )),
            Some(earlier) if *earlier != question => {
                lines.push(format!("Changed question {}: {}", question.id, question_aspects(earlier, question)));
            }
            Some(_) => {}
        }
    }
    let old_ids: Vec<&str> = old.iter().map(|q| q.id.as_str()).filter(|id| after.contains_key(id)).collect();
    let new_ids: Vec<&str> = new.iter().map(|q| q.id.as_str()).filter(|id| before.contains_key(id)).collect();
    for id in moved(&old_ids, &new_ids) {
        lines.push(format!("Moved question {id}"));
    }
}

fn question_aspects(old: &Question, new: &Question) -> String {
    let mut aspects = Vec::new();
    let mut note = |changed: bool, what: &str| {
        if changed {
            aspects.push(what.to_owned());
        }
    };
    note(old.kind != new.kind, &format!("kind ({} → {})", kind_label(old.kind), kind_label(new.kind)));
    note(old.label != new.label, "label");
    note(old.help != new.help, "help text");
    note(old.required != new.required, if new.required { "now required" } else { "now optional" });
    note(old.maps_to != new.maps_to, "lead field");
    note(old.validation != new.validation, "validation");
    note(old.options != new.options, &option_changes(old, new));
    note(old.next != new.next, "branching");
    aspects.join(", ")
}

fn option_changes(old: &Question, new: &Question) -> String {
    let values = |q: &Question| q.options.iter().map(|o| o.value.clone()).collect::<Vec<_>>();
    let (old_values, new_values) = (values(old), values(new));
    let added: Vec<&str> = new_values.iter().filter(|v| !old_values.contains(v)).map(String::as_str).collect();
    let removed: Vec<&str> = old_values.iter().filter(|v| !new_values.contains(v)).map(String::as_str).collect();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("removed {}", removed.join(", ")));
    }
    let changed: Vec<&str> = new
        .options
        .iter()
        .filter_map(|o| old.options.iter().find(|p| p.value == o.value).filter(|p| *p != o).map(|_| o.value.as_str()))
        .collect();
    if !changed.is_empty() {
        parts.push(format!("changed {}", changed.join(", ")));
    }
    if parts.is_empty() { "options reordered".to_owned() } else { format!("options ({})", parts.join("; ")) }
}

fn scoring_lines(old: &[ScoringRule], new: &[ScoringRule], lines: &mut Vec<String>) {
    let mut unmatched_new: Vec<Option<&ScoringRule>> = new.iter().map(Some).collect();
    let mut removed = Vec::new();
    let mut kept_order = Vec::new();
    for rule in old {
        match unmatched_new.iter().position(|r| *r == Some(rule)) {
            Some(at) => {
                unmatched_new[at] = None;
                kept_order.push(at);
            }
            None => removed.push(rule),
        }
    }
    let added: Vec<&ScoringRule> = unmatched_new.into_iter().flatten().collect();
    for rule in &removed {
        match added.iter().find(|a| a.reason == rule.reason) {
            Some(_) => lines.push(format!("Changed scoring rule “{}”", rule.reason)),
            None => lines.push(format!("Removed scoring rule “{}”", rule.reason)),
        }
    }
    for rule in added.iter().filter(|a| !removed.iter().any(|r| r.reason == a.reason)) {
        lines.push(format!("Added scoring rule “{}” ({})", rule.reason, points(rule.fit, rule.intent)));
    }
    if kept_order.windows(2).any(|pair| pair[0] > pair[1]) {
        lines.push("Reordered the scoring rules".to_owned());
    }
}

/// "fit +20, intent -5".
pub fn points(fit: i32, intent: i32) -> String {
    let mut parts = Vec::new();
    if fit != 0 {
        parts.push(format!("fit {fit:+}"));
    }
    if intent != 0 {
        parts.push(format!("intent {intent:+}"));
    }
    if parts.is_empty() { "no points".to_owned() } else { parts.join(", ") }
}

fn list_lines(old: &BTreeMap<String, Vec<String>>, new: &BTreeMap<String, Vec<String>>, lines: &mut Vec<String>) {
    for name in old.keys().filter(|name| !new.contains_key(*name)) {
        lines.push(format!("Removed list {name}"));
    }
    for (name, entries) in new {
        match old.get(name) {
            None => lines.push(format!("Added list {name} ({} entries)", entries.len())),
            Some(before) if before != entries => {
                let added = entries.iter().filter(|e| !before.contains(e)).count();
                let removed = before.iter().filter(|e| !entries.contains(e)).count();
                lines.push(format!("Changed list {name} ({added} added, {removed} removed)"));
            }
            Some(_) => {}
        }
    }
}

fn outcome_lines(old: &[Outcome], new: &[Outcome], lines: &mut Vec<String>) {
    let before: HashMap<&str, &Outcome> = old.iter().map(|o| (o.id.as_str(), o)).collect();
    let after: HashMap<&str, &Outcome> = new.iter().map(|o| (o.id.as_str(), o)).collect();
    for outcome in old.iter().filter(|o| !after.contains_key(o.id.as_str())) {
        lines.push(format!("Removed outcome {} ({})", outcome.id, outcome.tier));
    }
    for outcome in new {
        match before.get(outcome.id.as_str()) {
            None => lines.push(format!("Added outcome {} ({})", outcome.id, outcome.tier)),
            Some(earlier) if *earlier != outcome => {
                lines.push(format!("Changed outcome {}: {}", outcome.id, outcome_aspects(earlier, outcome)));
            }
            Some(_) => {}
        }
    }
    let old_ids: Vec<&str> = old.iter().map(|o| o.id.as_str()).filter(|id| after.contains_key(id)).collect();
    let new_ids: Vec<&str> = new.iter().map(|o| o.id.as_str()).filter(|id| before.contains_key(id)).collect();
    for id in moved(&old_ids, &new_ids) {
        lines.push(format!("Moved outcome {id} (outcomes are checked in order)"));
    }
}

fn outcome_aspects(old: &Outcome, new: &Outcome) -> String {
    let mut aspects = Vec::new();
    if old.tier != new.tier {
        aspects.push("tier label");
    }
    if old.when != new.when {
        aspects.push("condition");
    }
    if old.ending.offer_booking != new.ending.offer_booking {
        aspects.push(if new.ending.offer_booking { "booking on" } else { "booking off" });
    }
    let ending = |o: &Outcome| (o.ending.title.clone(), o.ending.message.clone(), o.ending.resources.clone());
    if ending(old) != ending(new) {
        aspects.push("ending");
    }
    if old.handoff != new.handoff {
        aspects.push("handoff");
    }
    if old.accept_within_minutes != new.accept_within_minutes {
        aspects.push("time to accept");
    }
    aspects.join(", ")
}

/// Ids (present in both lists) that changed place: those outside a longest
/// common subsequence of the two orders.
fn moved<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<&'a str> {
    let (n, m) = (old.len(), new.len());
    let mut table = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if old[i] == new[j] { table[i + 1][j + 1] + 1 } else { table[i + 1][j].max(table[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut stayed) = (0, 0, Vec::new());
    while i < n && j < m {
        if old[i] == new[j] {
            stayed.push(old[i]);
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    new.iter().copied().filter(|id| !stayed.contains(id)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::condition_def::{Condition, Test};
    use crate::engine::definition::ChoiceOption;
    use crate::engine::test_support::{choice, form, outcome, question};

    fn base() -> FormDefinition {
        let mut def =
            form(vec![choice("size", &[("small", 0, 0), ("large", 40, 0)]), question("name", QuestionKind::ShortText)]);
        def.outcomes = vec![outcome("tier1", Some(Condition::Fit(Test::Gte(40.0)))), outcome("rest", None)];
        def
    }

    #[test]
    fn equal_definitions_have_no_changes() {
        assert!(describe_changes(&base(), &base()).is_empty());
    }

    #[test]
    fn questions_added_removed_changed_and_moved_are_named() {
        let old = base();
        let mut new = base();
        new.questions.swap(0, 1);
        new.questions.push(question("budget", QuestionKind::Number));
        new.questions[1].options.push(ChoiceOption { value: "huge".into(), label: "Huge".into(), fit: 60, intent: 0 });
        new.questions[1].options[1].fit = 50;
        new.questions[1].required = true;
        let lines = describe_changes(&old, &new);
        assert!(lines.contains(&"Added question budget (“Label of budget”, number)".to_owned()), "{lines:?}");
        assert!(
            lines.contains(&"Changed question size: now required, options (added huge; changed large)".to_owned()),
            "{lines:?}"
        );
        assert_eq!(lines.iter().filter(|l| l.starts_with("Moved question")).count(), 1, "{lines:?}");
        new.questions.retain(|q| q.id != "name");
        assert!(describe_changes(&old, &new).contains(&"Removed question name (“Label of name”)".to_owned()));
    }

    #[test]
    fn rules_lists_and_outcomes_are_named() {
        let old = base();
        let mut new = base();
        new.scoring.push(ScoringRule { when: Condition::Always, fit: 5, intent: 0, reason: "Everyone".into() });
        new.lists.insert("rivals".into(), vec!["a.example".into()]);
        new.outcomes[0].ending.offer_booking = true;
        new.outcomes[0].when = Some(Condition::Fit(Test::Gte(50.0)));
        let lines = describe_changes(&old, &new);
        assert!(lines.contains(&"Added scoring rule “Everyone” (fit +5)".to_owned()), "{lines:?}");
        assert!(lines.contains(&"Added list rivals (1 entries)".to_owned()), "{lines:?}");
        assert!(lines.contains(&"Changed outcome tier1: condition, booking on".to_owned()), "{lines:?}");
        let mut changed = new.clone();
        changed.scoring[0].fit = 10;
        assert_eq!(describe_changes(&new, &changed), vec!["Changed scoring rule “Everyone”".to_owned()]);
    }

    #[test]
    fn moved_finds_the_ids_that_changed_place() {
        assert_eq!(moved(&["a", "b", "c", "d"], &["a", "c", "d", "b"]), vec!["b"]);
        assert!(moved(&["a", "b"], &["a", "b"]).is_empty());
    }
}
