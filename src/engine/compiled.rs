//! A form definition prepared for fast, repeated evaluation: question ids
//! indexed, conditions compiled, goto targets resolved, and answer patterns
//! compiled on first use. Build it once with [`compile`] and share it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use regex::Regex;

use super::answer::{AnswerError, AnswerValue, Answers, Hidden, full_match_regex, parse_answer_with_pattern};
use super::condition::{CompileEnv, CompiledCondition};
use super::condition_def::Condition;
use super::definition::{FINISH, FormDefinition, LeadField, Question};
use super::evaluate::Evaluation;
use super::facts::DomainCategories;
use super::value_test::normalize;

/// Where a branch leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Question(usize),
    Finish,
}

/// One compiled `next` rule; `when: None` always matches.
#[derive(Debug, Clone)]
pub(crate) struct CompiledBranch {
    pub when: Option<CompiledCondition>,
    pub target: Target,
}

/// A question's compiled parts.
#[derive(Debug)]
pub(crate) struct CompiledQuestion {
    pub branches: Vec<CompiledBranch>,
    /// Where to go when no branch matches: the next question, or finish.
    pub fallthrough: Target,
    /// Whether any branch condition reads fit or intent.
    pub branches_read_scores: bool,
    /// Option values, normalised, in option order.
    pub option_values: Vec<String>,
    pattern: OnceLock<Option<Regex>>,
}

/// A form ready to evaluate many times. It borrows the definition when made
/// with [`compile`], and owns it when made with [`CompiledForm::new`] (the
/// `'static` form to keep in a cache).
#[derive(Debug)]
pub struct CompiledForm<'d> {
    pub(crate) def: Cow<'d, FormDefinition>,
    pub(crate) index: HashMap<String, usize>,
    pub(crate) questions: Vec<CompiledQuestion>,
    pub(crate) rules: Vec<CompiledCondition>,
    /// For each question, the scoring rules that read it.
    pub(crate) rules_reading: Vec<Vec<usize>>,
    /// `None` is a catch-all.
    pub(crate) outcomes: Vec<Option<CompiledCondition>>,
    /// For each lead field (by [`LeadField::index`]), the questions filling it.
    pub(crate) lead_questions: [Vec<usize>; LeadField::ALL.len()],
    pub(crate) domains: DomainCategories,
}

/// Prepares a borrowed definition for evaluation.
pub fn compile(def: &FormDefinition) -> CompiledForm<'_> {
    CompiledForm::build(Cow::Borrowed(def))
}

impl CompiledForm<'static> {
    /// Prepares a definition for evaluation, taking ownership of it.
    pub fn new(def: FormDefinition) -> Self {
        Self::build(Cow::Owned(def))
    }
}

impl<'d> CompiledForm<'d> {
    fn build(def: Cow<'d, FormDefinition>) -> Self {
        let index = question_index(&def);
        let env = CompileEnv::new(&def, &index);
        let compile = |condition: &Condition| CompiledCondition::compile(condition, &env);
        let questions =
            (0..def.questions.len()).map(|position| compile_question(&def, position, &index, &compile)).collect();
        let rules: Vec<_> = def.scoring.iter().map(|rule| compile(&rule.when)).collect();
        let outcomes = def.outcomes.iter().map(|outcome| outcome.when.as_ref().map(compile)).collect();
        let mut lead_questions: [Vec<usize>; LeadField::ALL.len()] = Default::default();
        for (position, question) in def.questions.iter().enumerate() {
            if let Some(field) = question.maps_to {
                lead_questions[field.index()].push(position);
            }
        }
        let rules_reading = rules_by_question(&rules, &lead_questions, def.questions.len());
        let domains = DomainCategories::for_form(&def);
        Self { def, index, questions, rules, rules_reading, outcomes, lead_questions, domains }
    }

    /// The same compiled form, owning its definition (cloned if borrowed).
    pub fn into_owned(self) -> CompiledForm<'static> {
        CompiledForm {
            def: Cow::Owned(self.def.into_owned()),
            index: self.index,
            questions: self.questions,
            rules: self.rules,
            rules_reading: self.rules_reading,
            outcomes: self.outcomes,
            lead_questions: self.lead_questions,
            domains: self.domains,
        }
    }

    /// The definition this form was compiled from.
    pub fn definition(&self) -> &FormDefinition {
        &self.def
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index.get(id).map(|&position| &self.def.questions[position])
    }

    /// Evaluates the form for these answers; see [`crate::engine::evaluate`].
    pub fn evaluate(&self, answers: &Answers, hidden: &Hidden) -> Evaluation {
        super::evaluate::evaluate_compiled(self, answers, hidden)
    }

    /// Parses raw input for the question with this id, using the cached
    /// pattern. An unknown id is refused.
    pub fn parse_answer(&self, question_id: &str, raw: &[String]) -> Result<AnswerValue, AnswerError> {
        let Some(&position) = self.index.get(question_id) else {
            return Err(AnswerError {
                question: question_id.to_owned(),
                message: "This question is not part of the form".to_owned(),
            });
        };
        let question = &self.def.questions[position];
        let pattern = self.questions[position].pattern.get_or_init(|| {
            let pattern = question.validation.pattern.as_deref()?;
            full_match_regex(pattern).ok()
        });
        parse_answer_with_pattern(question, raw, pattern.as_ref())
    }

    /// The lead fields filled by these answers (first mapping question wins).
    pub fn lead_fields(&self, answers: &Answers) -> BTreeMap<LeadField, String> {
        super::facts::lead_fields(&self.def, answers)
    }
}

fn question_index(def: &FormDefinition) -> HashMap<String, usize> {
    let mut index = HashMap::with_capacity(def.questions.len());
    for (position, question) in def.questions.iter().enumerate() {
        // With duplicate ids (a lint error) the first question keeps the id.
        index.entry(question.id.clone()).or_insert(position);
    }
    index
}

fn rules_by_question(
    rules: &[CompiledCondition],
    lead_questions: &[Vec<usize>],
    question_count: usize,
) -> Vec<Vec<usize>> {
    let mut reading = vec![Vec::new(); question_count];
    let mut read = Vec::new();
    for (rule, condition) in rules.iter().enumerate() {
        read.clear();
        condition.read_questions(lead_questions, &mut read);
        read.sort_unstable();
        read.dedup();
        read.iter().for_each(|&question| reading[question].push(rule));
    }
    reading
}

fn compile_question(
    def: &FormDefinition,
    position: usize,
    index: &HashMap<String, usize>,
    compile: &impl Fn(&Condition) -> CompiledCondition,
) -> CompiledQuestion {
    let question = &def.questions[position];
    let branches = question
        .next
        .iter()
        .map(|rule| CompiledBranch { when: rule.when.as_ref().map(compile), target: resolve_target(&rule.goto, index) })
        .collect();
    let fallthrough = if position + 1 < def.questions.len() { Target::Question(position + 1) } else { Target::Finish };
    CompiledQuestion {
        branches,
        fallthrough,
        branches_read_scores: question
            .next
            .iter()
            .any(|rule| rule.when.as_ref().is_some_and(|when| when.reads_scores())),
        option_values: question.options.iter().map(|option| normalize(&option.value).into_owned()).collect(),
        pattern: OnceLock::new(),
    }
}

/// An unknown goto (a lint error) finishes, so the walk always ends.
fn resolve_target(goto: &str, index: &HashMap<String, usize>) -> Target {
    match index.get(goto.trim()) {
        Some(&position) if goto.trim() != FINISH => Target::Question(position),
        _ => Target::Finish,
    }
}
