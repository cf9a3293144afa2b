//! The JSON shape of a headless response: the question to show with its
//! options and limits, the path, the answers, progress and the result.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use uuid::Uuid;

use super::problem::ApiProblem;
use crate::app::respond::StepState;
use crate::engine::{AnswerValue, Question, QuestionKind};

/// Where a response stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseState {
    pub id: Uuid,
    pub form: String,
    pub version: i32,
    /// `in_progress` or `finished`.
    pub status: String,
    /// The question to show; null when finished.
    pub question: Option<QuestionView>,
    /// The question before the shown one (for a Back button).
    pub previous_question: Option<String>,
    /// Question ids from the first to the shown one, along the answers given.
    pub path: Vec<String>,
    /// Answers that count (on the path), by question id.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, Value>,
    pub progress: ProgressView,
    /// The result of a finished response.
    pub result: Option<ResultView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressView {
    pub answered: usize,
    /// Answered plus the steps still ahead as the answers stand.
    pub estimated_total: usize,
}

/// A question as a front end renders it.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: String,
    /// single_choice, multiple_choice, dropdown, short_text, long_text, email, phone, number, url, consent or statement.
    pub kind: String,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    pub options: Vec<OptionView>,
    pub validation: ValidationView,
    /// The answer already given, when going back or reloading.
    #[schema(schema_with = answer_schema)]
    pub answer: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OptionView {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationView {
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<String>,
    pub pattern_message: Option<String>,
}

/// The outcome and the ending the prospect should see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultView {
    pub outcome: String,
    pub tier: String,
    pub ending_title: String,
    pub ending_message: String,
    pub resources: Vec<ResourceView>,
    pub offer_booking: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceView {
    pub title: String,
    pub url: String,
}

/// The schema of an answer: a string, number, boolean, list of strings or null.
pub fn answer_schema() -> impl Into<RefOr<Schema>> {
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .item(ObjectBuilder::new().schema_type(Type::Boolean))
        .item(ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)))
        .item(ObjectBuilder::new().schema_type(Type::Null))
}

/// What the pages would have posted for this JSON answer.
pub fn answer_values(answer: &Value) -> Result<Vec<String>, ApiProblem> {
    let wrong = || ApiProblem::invalid("answer", "Send a string, a number, true or false, a list of strings, or null.");
    match answer {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Number(n) => Ok(vec![n.to_string()]),
        Value::Bool(b) => Ok(vec![if *b { "yes" } else { "no" }.to_string()]),
        Value::Array(items) => items.iter().map(|v| v.as_str().map(str::to_string).ok_or_else(wrong)).collect(),
        Value::Object(_) => Err(wrong()),
    }
}

/// A stored answer as plain JSON.
pub fn answer_json(value: &AnswerValue) -> Value {
    match value {
        AnswerValue::Text(t) => Value::String(t.clone()),
        AnswerValue::Number(n) => serde_json::Number::from_f64(*n).map(Value::Number).unwrap_or(Value::Null),
        AnswerValue::Choices(c) => Value::Array(c.iter().cloned().map(Value::String).collect()),
        AnswerValue::Consent { given, .. } => Value::Bool(*given),
        AnswerValue::Blank => Value::Null,
    }
}

fn kind_name(kind: QuestionKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn question_view(q: &Question, answer: Option<&AnswerValue>) -> QuestionView {
    let v = &q.validation;
    QuestionView {
        id: q.id.clone(),
        kind: kind_name(q.kind),
        label: q.label.clone(),
        help: q.help.clone(),
        required: q.required,
        options: q.options.iter().map(|o| OptionView { value: o.value.clone(), label: o.label.clone() }).collect(),
        validation: ValidationView {
            min_length: v.min_length,
            max_length: v.max_length,
            min: v.min,
            max: v.max,
            pattern: v.pattern.clone(),
            pattern_message: v.pattern_message.clone(),
        },
        answer: answer.map(answer_json),
    }
}

/// The JSON state of a loaded step.
pub fn state_of(step: &StepState) -> ResponseState {
    let definition = step.form.definition();
    let response = step.response();
    let question = step.shown.as_deref().and_then(|id| definition.questions.iter().find(|q| q.id == id));
    let result = step.finished_outcome().map(|o| ResultView {
        outcome: o.id.clone(),
        tier: o.tier.clone(),
        ending_title: o.ending.title.clone(),
        ending_message: o.ending.message.clone(),
        resources: o
            .ending
            .resources
            .iter()
            .map(|r| ResourceView { title: r.title.clone(), url: r.url.clone() })
            .collect(),
        offer_booking: o.ending.offer_booking,
    });
    ResponseState {
        id: response.map(|r| r.id).unwrap_or_default(),
        form: definition.slug.clone(),
        version: step.form.version,
        status: response.map(|r| r.status.clone()).unwrap_or_else(|| "in_progress".into()),
        question: question.map(|q| question_view(q, step.shown_answer())),
        previous_question: step.previous().map(str::to_string),
        path: step.evaluation().path.clone(),
        answers: step.evaluation().answers.iter().map(|(k, v)| (k.clone(), answer_json(v))).collect(),
        progress: ProgressView {
            answered: step.evaluation().progress.answered,
            estimated_total: step.evaluation().progress.estimated_total,
        },
        result,
    }
}
