//! Walking the path: from the first question, follow each answered
//! question's first matching `next` rule (or the following question) until
//! an unanswered question or finish. Also estimates the steps still ahead.
//!
//! The walk always ends: a goto to an unknown question or to one already on
//! the path finishes the form, so no question is ever visited twice.

use super::compiled::{CompiledForm, Target};
use super::evaluate::Visible;
use super::scoring::ScoreKeeper;

/// The result of a walk, as question positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Walked {
    /// From the first question up to and including `current`.
    pub path: Vec<usize>,
    /// The first unanswered question on the path.
    pub current: Option<usize>,
    /// Steps from `current` (included) to finish, by the default route.
    pub steps_ahead: usize,
}

/// Walks the answered part of the path, marking it visible as it goes so
/// branch conditions see exactly the answers on the path so far.
pub(crate) fn walk(form: &CompiledForm, visible: &mut Visible<'_>, scores: &mut ScoreKeeper) -> Walked {
    let mut path = Vec::new();
    let mut next = first_target(form);
    while let Target::Question(question) = next {
        if visible.on_path[question] {
            break;
        }
        path.push(question);
        visible.add_to_path(question);
        if visible.values[question].is_none() {
            let steps_ahead = count_steps_ahead(form, visible, &path, scores);
            return Walked { path, current: Some(question), steps_ahead };
        }
        next = choose_next(form, visible, question, &path, scores);
    }
    Walked { path, current: None, steps_ahead: 0 }
}

fn first_target(form: &CompiledForm) -> Target {
    if form.questions.is_empty() { Target::Finish } else { Target::Question(0) }
}

/// Follows the route from the unanswered last step of `path` as it would go
/// now; unanswered questions read as missing, so defaults are taken.
fn count_steps_ahead(
    form: &CompiledForm,
    visible: &mut Visible<'_>,
    path: &[usize],
    scores: &mut ScoreKeeper,
) -> usize {
    let mut seen = visible.on_path.clone();
    let mut steps = 1;
    let mut question = path[path.len() - 1];
    while let Target::Question(next) = choose_next(form, visible, question, path, scores) {
        if seen[next] {
            break;
        }
        seen[next] = true;
        steps += 1;
        question = next;
    }
    steps
}

/// The target of the first branch rule of `question` that holds, or the
/// fallthrough. Scores are (re)computed only when a rule reads them.
fn choose_next(
    form: &CompiledForm,
    visible: &mut Visible<'_>,
    question: usize,
    path: &[usize],
    scores: &mut ScoreKeeper,
) -> Target {
    let compiled = &form.questions[question];
    if compiled.branches_read_scores {
        visible.scores = Some(scores.totals(form, &*visible, path));
    }
    compiled
        .branches
        .iter()
        .find(|branch| branch.when.as_ref().is_none_or(|when| when.holds(&*visible)))
        .map_or(compiled.fallthrough, |branch| branch.target)
}

#[cfg(test)]
mod tests {
    use crate::engine::condition_def::{Condition, Test};
    use crate::engine::definition::QuestionKind;
    use crate::engine::test_support::{answer_is, choice, form, goto, question};
    use crate::engine::{AnswerValue, Answers, Hidden, evaluate};

    fn text(value: &str) -> AnswerValue {
        AnswerValue::Text(value.into())
    }

    fn answers(pairs: &[(&str, AnswerValue)]) -> Answers {
        pairs.iter().map(|(id, v)| (id.to_string(), v.clone())).collect()
    }

    /// size branches: large -> enterprise, small -> budget, else fall through.
    fn branching_form() -> crate::engine::FormDefinition {
        let mut size = choice("size", &[("small", 0, 0), ("mid", 0, 0), ("large", 0, 0)]);
        size.next = vec![
            goto(Some(answer_is("size", Test::Equals("large".into()))), "enterprise"),
            goto(Some(answer_is("size", Test::In(vec!["large".into(), "small".into()]))), "budget"),
        ];
        let mut mid_tool = question("mid_tool", QuestionKind::ShortText);
        mid_tool.next = vec![goto(None, "finish")];
        let mut enterprise = question("enterprise", QuestionKind::ShortText);
        enterprise.next = vec![goto(None, "finish")];
        form(vec![size, mid_tool, enterprise, question("budget", QuestionKind::Number)])
    }

    fn path_of(def: &crate::engine::FormDefinition, given: &Answers) -> Vec<String> {
        evaluate(def, given, &Hidden::new()).path
    }

    #[test]
    fn no_next_rules_follow_document_order() {
        let def = form(vec![question("a", QuestionKind::ShortText), question("b", QuestionKind::ShortText)]);
        let result = evaluate(&def, &answers(&[("a", text("x"))]), &Hidden::new());
        assert_eq!(result.path, ["a", "b"]);
        assert_eq!(result.current.as_deref(), Some("b"));
        let done = evaluate(&def, &answers(&[("a", text("x")), ("b", AnswerValue::Blank)]), &Hidden::new());
        assert_eq!(done.current, None);
        assert_eq!(done.path, ["a", "b"]);
    }

    #[test]
    fn first_matching_branch_wins() {
        let def = branching_form();
        assert_eq!(path_of(&def, &answers(&[("size", text("large"))])), ["size", "enterprise"]);
        assert_eq!(path_of(&def, &answers(&[("size", text("small"))])), ["size", "budget"]);
    }

    #[test]
    fn no_matching_branch_falls_through_to_the_next_question() {
        let def = branching_form();
        let given = answers(&[("size", text("mid")), ("mid_tool", text("Excel"))]);
        let result = evaluate(&def, &given, &Hidden::new());
        assert_eq!(result.path, ["size", "mid_tool"]);
        assert_eq!(result.current, None, "mid_tool goes to finish");
    }

    #[test]
    fn answers_off_the_path_are_dropped() {
        let def = branching_form();
        let given = answers(&[("size", text("large")), ("budget", AnswerValue::Number(5.0)), ("ghost", text("x"))]);
        let result = evaluate(&def, &given, &Hidden::new());
        assert_eq!(result.answers.keys().collect::<Vec<_>>(), ["size"]);
    }

    #[test]
    fn unknown_goto_and_cycles_finish() {
        let mut a = question("a", QuestionKind::ShortText);
        a.next = vec![goto(None, "nowhere")];
        let def = form(vec![a, question("b", QuestionKind::ShortText)]);
        let result = evaluate(&def, &answers(&[("a", text("x"))]), &Hidden::new());
        assert_eq!((result.path.len(), result.current), (1, None));

        let mut b = question("b", QuestionKind::ShortText);
        b.next = vec![goto(None, "a")];
        let def = form(vec![question("a", QuestionKind::ShortText), b]);
        let result = evaluate(&def, &answers(&[("a", text("x")), ("b", text("y"))]), &Hidden::new());
        assert_eq!((result.path, result.current), (vec!["a".to_string(), "b".into()], None));
    }

    #[test]
    fn branches_can_read_the_running_fit_score() {
        let mut size = choice("size", &[("small", 0, 0), ("large", 70, 0)]);
        size.next = vec![goto(Some(Condition::Fit(Test::Gte(60.0))), "vip")];
        let def =
            form(vec![size, question("plain", QuestionKind::ShortText), question("vip", QuestionKind::ShortText)]);
        assert_eq!(path_of(&def, &answers(&[("size", text("large"))])), ["size", "vip"]);
        assert_eq!(path_of(&def, &answers(&[("size", text("small"))])), ["size", "plain"]);
    }

    #[test]
    fn progress_follows_default_routes_ahead() {
        let def = branching_form();
        let start = evaluate(&def, &Answers::new(), &Hidden::new());
        assert_eq!(start.path, ["size"]);
        // Unanswered, size takes no branch: size, mid_tool, then finish.
        assert_eq!((start.progress.answered, start.progress.estimated_total), (0, 2));
        let large = evaluate(&def, &answers(&[("size", text("large"))]), &Hidden::new());
        assert_eq!((large.progress.answered, large.progress.estimated_total), (1, 2));
        let small = evaluate(&def, &answers(&[("size", text("small"))]), &Hidden::new());
        assert_eq!((small.progress.answered, small.progress.estimated_total), (1, 2));
    }

    #[test]
    fn empty_form_is_complete_at_once() {
        let def = form(vec![]);
        let result = evaluate(&def, &Answers::new(), &Hidden::new());
        assert!(result.path.is_empty() && result.current.is_none());
        assert_eq!(result.outcome.as_deref(), Some("everyone"));
    }
}
