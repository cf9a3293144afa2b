//! View models for the prospect's pages: typed values the templates read.

use askama::Template;
use askama_web::WebTemplate;

use crate::app::respond::StepState;
use crate::engine::{AnswerValue, LeadField, Outcome, Question, QuestionKind, Resource};

/// One choice as shown.
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One question as shown, with what was typed and any error beside it.
pub struct QuestionView {
    pub id: String,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    /// radio | checkbox | select | input | textarea | consent | statement
    pub control: &'static str,
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub options: Vec<OptionView>,
    pub value: String,
    pub checked: bool,
    pub error: Option<String>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
}

impl QuestionView {
    /// Builds the view with the values to fill in (stored or just typed).
    pub fn new(question: &Question, values: &[String], error: Option<String>) -> Self {
        let (control, input_type) = control_of(question.kind);
        QuestionView {
            id: question.id.clone(),
            label: question.label.clone(),
            help: question.help.clone(),
            required: question.required,
            control,
            input_type,
            autocomplete: question.maps_to.map(autocomplete_of).unwrap_or("off"),
            options: question
                .options
                .iter()
                .map(|o| OptionView {
                    value: o.value.clone(),
                    label: o.label.clone(),
                    checked: values.contains(&o.value),
                })
                .collect(),
            value: values.first().cloned().unwrap_or_default(),
            checked: values.iter().any(|v| v == "yes" || v == "on" || v == "true"),
            error,
            min_length: question.validation.min_length,
            max_length: question.validation.max_length,
        }
    }
}

/// The stored answer as form values.
pub fn values_of(answer: Option<&AnswerValue>) -> Vec<String> {
    match answer {
        Some(AnswerValue::Text(text)) => vec![text.clone()],
        Some(AnswerValue::Number(n)) => vec![format_number(*n)],
        Some(AnswerValue::Choices(choices)) => choices.clone(),
        Some(AnswerValue::Consent { given: true, .. }) => vec!["yes".into()],
        _ => Vec::new(),
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

fn control_of(kind: QuestionKind) -> (&'static str, &'static str) {
    match kind {
        QuestionKind::SingleChoice => ("radio", ""),
        QuestionKind::MultipleChoice => ("checkbox", ""),
        QuestionKind::Dropdown => ("select", ""),
        QuestionKind::LongText => ("textarea", ""),
        QuestionKind::Consent => ("consent", ""),
        QuestionKind::Statement => ("statement", ""),
        QuestionKind::ShortText => ("input", "text"),
        QuestionKind::Email => ("input", "email"),
        QuestionKind::Phone => ("input", "tel"),
        QuestionKind::Number => ("input", "number"),
        QuestionKind::Url => ("input", "url"),
    }
}

fn autocomplete_of(field: LeadField) -> &'static str {
    match field {
        LeadField::Email => "email",
        LeadField::FirstName => "given-name",
        LeadField::LastName => "family-name",
        LeadField::Company => "organization",
        LeadField::Website => "url",
        LeadField::JobTitle => "organization-title",
        LeadField::Country => "country",
        LeadField::Phone => "tel",
        LeadField::CompanySize | LeadField::Industry => "off",
    }
}

/// A hidden field carried from the first page's address.
pub struct HiddenInput {
    pub name: String,
    pub value: String,
}

/// The step page; `as_step()` renders only the step for htmx swaps.
#[derive(Template, WebTemplate)]
#[template(path = "prospect/step.html", blocks = ["step"])]
pub struct StepPage {
    pub title: String,
    pub intro: Option<String>,
    pub embed: bool,
    pub action: String,
    pub question: QuestionView,
    pub step_number: usize,
    pub estimated_total: usize,
    pub back_url: Option<String>,
    pub hidden: Vec<HiddenInput>,
    pub render_token: Option<String>,
    pub resume_url: Option<String>,
    pub form_error: Option<String>,
}

/// The ending a finished prospect sees, per outcome.
#[derive(Template, WebTemplate)]
#[template(path = "prospect/ending.html", blocks = ["step"])]
pub struct EndingPage {
    pub title: String,
    pub embed: bool,
    pub ending_title: String,
    pub message: String,
    pub resources: Vec<Resource>,
    pub outcome_id: String,
    pub offer_booking: bool,
    /// Slots, the confirmation, or who will call (booking outcomes only).
    pub booking: Option<super::booking_view::BookingSection>,
}

impl EndingPage {
    pub fn new(state: &StepState, outcome: &Outcome) -> Self {
        EndingPage {
            title: state.form.definition().title.clone(),
            embed: state.response().is_some_and(|r| r.embedded),
            ending_title: outcome.ending.title.clone(),
            message: outcome.ending.message.clone(),
            // Lint refuses other links; this keeps an old version safe too.
            resources: outcome.ending.resources.iter().filter(|r| crate::engine::is_web_url(&r.url)).cloned().collect(),
            outcome_id: outcome.id.clone(),
            offer_booking: outcome.ending.offer_booking,
            booking: None,
        }
    }

    /// The meeting is booked: its confirmation replaces the ending's own
    /// title and text, which speak of choosing a time.
    pub fn is_booked(&self) -> bool {
        self.booking.as_ref().is_some_and(|b| b.booked.is_some())
    }

    /// The page's heading, also announced after an htmx swap.
    pub fn heading(&self) -> &str {
        if self.is_booked() { "Your meeting is booked" } else { &self.ending_title }
    }
}
