//! The prospect's pass through a form: start, answer, go back, finish.
//!
//! Every answer is saved in its own short transaction before the next step
//! is shown; the answer that completes the path also finishes the response
//! (lead, outcome) in that same transaction, exactly once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::forms::PublishedForm;
use super::hot::HotResponse;
use super::notices::AnswerLine;
use super::routing::{self, FinishedLead};
use super::{AppError, Context, FieldError};
use crate::engine::{self, AnswerValue, Answers, Evaluation, Handoff, Hidden, Outcome};
use crate::store::leads::{Breakdown, LeadUpsert};
use crate::store::responses::{NewResponse, Progress, ResponseRecord};
use crate::store::{self, Tx};

/// What the prospect sent for one step.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub question_id: String,
    /// Every value sent for the question's field (multiple choice sends several).
    pub values: Vec<String>,
    /// The hidden honeypot field was filled in: a bot.
    pub honeypot_filled: bool,
}

/// Context of the first answer, which also starts the response.
#[derive(Debug, Clone, Default)]
pub struct StartInput {
    pub hidden: Hidden,
    pub embedded: bool,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// Seconds between rendering the first page and this answer; None when
    /// the signed render time was missing or forged.
    pub seconds_since_render: Option<f64>,
    /// Overrides the form's minimum seconds before the first answer.
    pub min_seconds_override: Option<u32>,
    /// The id the first page was rendered with, so that the page sent twice
    /// (a double click, a resubmission) starts one response; None: a new id.
    pub response_id: Option<Uuid>,
}

/// Everything needed to show one step (or the ending).
#[derive(Debug)]
pub struct StepState {
    pub form: Arc<PublishedForm>,
    evaluated: Evaluated,
    /// The question to show; None when the response is finished.
    pub shown: Option<String>,
}

/// The first page's evaluation of no answers, or a stored response with
/// its evaluation (shared with the in-memory copy, not cloned).
#[derive(Debug)]
enum Evaluated {
    Fresh(Evaluation),
    Stored(Arc<HotResponse>),
}

impl StepState {
    /// The stored response; `None` on the first page.
    pub fn response(&self) -> Option<&ResponseRecord> {
        match &self.evaluated {
            Evaluated::Fresh(_) => None,
            Evaluated::Stored(hot) => Some(&hot.record),
        }
    }

    /// Path, answers still on it, scores and outcome.
    pub fn evaluation(&self) -> &Evaluation {
        match &self.evaluated {
            Evaluated::Fresh(evaluation) => evaluation,
            Evaluated::Stored(hot) => &hot.evaluation,
        }
    }

    /// The question before the shown one on the path (for the Back link).
    pub fn previous(&self) -> Option<&str> {
        let shown = self.shown.as_deref()?;
        let path = &self.evaluation().path;
        let index = path.iter().position(|q| q == shown)?;
        index.checked_sub(1).map(|i| path[i].as_str())
    }

    /// The answer already given to the shown question, to fill the form in.
    pub fn shown_answer(&self) -> Option<&AnswerValue> {
        self.evaluation().answers.get(self.shown.as_deref()?)
    }

    /// The outcome of a finished response.
    pub fn finished_outcome(&self) -> Option<&Outcome> {
        let id = self.response()?.outcome_id.as_deref()?;
        self.form.definition().outcomes.iter().find(|o| o.id == id)
    }
}

/// Where the prospect goes after a saved answer.
#[derive(Debug, PartialEq, Eq)]
pub enum AnswerResult {
    NextStep,
    Finished,
}

/// The first page of the form at `slug`: nothing is stored yet.
pub async fn first_step(ctx: &Context, slug: &str) -> Result<StepState, AppError> {
    let form = ctx.forms.published(&ctx.db, slug).await?;
    let evaluation = form.compiled.evaluate(&Answers::new(), &Hidden::new());
    let shown = evaluation.current.clone();
    Ok(StepState { form, evaluated: Evaluated::Fresh(evaluation), shown })
}

/// Saves the first answer and starts the response with it.
pub async fn start_response(
    ctx: &Context,
    slug: &str,
    start: StartInput,
    step: StepInput,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let form = ctx.forms.published(&ctx.db, slug).await?;
    let first = form.compiled.evaluate(&Answers::new(), &start.hidden);
    if first.current.as_deref() != Some(step.question_id.as_str()) {
        return Err(AppError::invalid("question", "This form has changed; please start again."));
    }
    let value = parse(&form, &step)?;
    let bot_reason = bot_reason_at_start(&form, &start, &step);
    let id = start.response_id.unwrap_or_else(Uuid::new_v4);
    let mut tx = ctx.db.begin().await?;
    let new = NewResponse {
        id,
        form_id: form.form_id,
        version: form.version,
        hidden: &start.hidden,
        embedded: start.embedded,
        client_ip: start.client_ip,
        user_agent: start.user_agent,
        now,
    };
    match store::responses::insert_response(tx.conn(), new).await {
        Ok(()) => {}
        // The first page sent again: it answers the response it started.
        Err(store::StoreError::Conflict(_)) => {
            tx.rollback().await?;
            answer_step(ctx, Some(slug), id, step, now).await?;
            return Ok(id);
        }
        Err(other) => return Err(other.into()),
    }
    let response = store::responses::find_response_for_update(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let answer = NewAnswer { question_id: &step.question_id, value, bot_reason };
    let (_, hot) = save_answer(ctx, &mut tx, &form, &response, answer, now).await?;
    tx.commit().await?;
    keep_hot(ctx, hot);
    ctx.wake_worker.notify_one();
    Ok(id)
}

/// After a commit: the response as now stored, kept for the next page.
fn keep_hot(ctx: &Context, hot: Option<HotResponse>) -> Option<Arc<HotResponse>> {
    hot.map(|hot| ctx.hot.offer(hot))
}

/// Loads a response and the step to show: `requested` when it is on the
/// current path (Back, or a reload of an earlier step), else the first
/// unanswered one.
pub async fn load_step(ctx: &Context, response_id: Uuid, requested: Option<&str>) -> Result<StepState, AppError> {
    let kept = copy_to_show(ctx, response_id).await?;
    let (form, hot) = current_response(ctx, response_id, kept).await?;
    Ok(step_of(form, hot, requested))
}

/// The kept copy a page may be drawn from: on SQLite any; on PostgreSQL
/// one whose revision is still the stored one, which one small read tells
/// (instead of reading the whole response and evaluating it again).
async fn copy_to_show(ctx: &Context, response_id: Uuid) -> Result<Option<Arc<HotResponse>>, AppError> {
    if let Some(hot) = ctx.hot.get(response_id) {
        return Ok(Some(hot));
    }
    let Some(hot) = ctx.hot.get_to_check(response_id) else {
        return Ok(None);
    };
    let stored = store::responses::revision_of(ctx.db.read().await?.conn(), response_id).await?;
    Ok((stored == Some(hot.record.revision)).then_some(hot))
}

/// The response: the `kept` copy, or else as read from the database; and its form.
async fn current_response(
    ctx: &Context,
    response_id: Uuid,
    kept: Option<Arc<HotResponse>>,
) -> Result<(Arc<PublishedForm>, Arc<HotResponse>), AppError> {
    if let Some(hot) = kept {
        return Ok((ctx.forms.version(&ctx.db, hot.record.form_id, hot.record.version).await?, hot));
    }
    let response = {
        let mut conn = ctx.db.read().await?;
        store::responses::find_response(conn.conn(), response_id).await?
    };
    let response = response.ok_or(AppError::NotFound)?;
    let form = ctx.forms.version(&ctx.db, response.form_id, response.version).await?;
    let evaluation = form.compiled.evaluate(&response.answers, &response.hidden);
    Ok((form, ctx.hot.offer(HotResponse { record: response, evaluation })))
}

fn step_of(form: Arc<PublishedForm>, hot: Arc<HotResponse>, requested: Option<&str>) -> StepState {
    let shown = if hot.record.is_finished() {
        None
    } else {
        match requested {
            Some(q) if hot.evaluation.path.iter().any(|p| p == q) => Some(q.to_string()),
            _ => hot.evaluation.current.clone(),
        }
    };
    StepState { form, evaluated: Evaluated::Stored(hot), shown }
}

/// A saved answer: where the prospect goes, and the response as the
/// answer left it (when it wrote one), so that the next step is shown
/// without reading the response again.
#[derive(Debug)]
pub struct Answered {
    pub result: AnswerResult,
    stored: Option<(Arc<PublishedForm>, Arc<HotResponse>)>,
}

impl Answered {
    fn unwritten(result: AnswerResult) -> Answered {
        Answered { result, stored: None }
    }

    /// The step to show next, when this answer wrote the response.
    pub fn next_step(self) -> Option<StepState> {
        self.stored.map(|(form, hot)| step_of(form, hot, None))
    }
}

/// Saves one answer (a new one, or a changed earlier one) and finishes the
/// response when the path is complete. Answering a finished response again
/// changes nothing and reports it finished. With `slug` (the form's
/// address the answer came to), a response of another form is not found.
pub async fn answer_step(
    ctx: &Context,
    slug: Option<&str>,
    response_id: Uuid,
    step: StepInput,
    now: DateTime<Utc>,
) -> Result<Answered, AppError> {
    if let Some(answered) = answer_unlocked(ctx, slug, response_id, &step, now).await? {
        return Ok(answered);
    }
    answer_locked(ctx, slug, response_id, step, now).await
}

/// The common answer, saved without holding the response: it is read
/// (from memory when kept), evaluated, and written by one statement that
/// applies only while the response still has the revision that was read.
/// On PostgreSQL that is one round trip (two when this instance keeps no
/// copy) instead of five; on SQLite the single writer runs one statement
/// instead of a read and a write.
/// Whatever cannot be settled on what was read (an answer that finishes
/// the response, the stored answer sent again, the honeypot, a question
/// off the path, a response changed meanwhile) returns None, and
/// [`answer_locked`] decides on the locked row.
async fn answer_unlocked(
    ctx: &Context,
    slug: Option<&str>,
    response_id: Uuid,
    step: &StepInput,
    now: DateTime<Utc>,
) -> Result<Option<Answered>, AppError> {
    if step.honeypot_filled {
        return Ok(None);
    }
    // On PostgreSQL the kept copy may be outdated: then the write below changes nothing.
    let (form, seen) = current_response(ctx, response_id, ctx.hot.get_to_check(response_id)).await?;
    if slug.is_some_and(|slug| form.definition().slug != slug) {
        return Err(AppError::NotFound);
    }
    let response = &seen.record;
    if response.is_finished() || !seen.evaluation.path.contains(&step.question_id) {
        return Ok(None);
    }
    // A value that does not parse is refused whatever the stored state.
    let value = parse(&form, step)?;
    if response.answers.0.get(&step.question_id) == Some(&value) {
        return Ok(None);
    }
    let (evaluation, answer_times) = answered(&form, response, &step.question_id, value, now);
    if evaluation.current.is_none() {
        return Ok(None);
    }
    let mut write = ctx.db.begin_single_write().await?;
    let progress = progress(&evaluation, &answer_times, None, now);
    if !store::responses::update_progress_at(write.conn(), response_id, response.revision, progress).await? {
        write.rollback().await?;
        return Ok(None);
    }
    write.commit().await?;
    super::metrics::answer_saved();
    let stored = stored_progress(response, &evaluation, answer_times, None);
    let hot = keep_hot(ctx, hot_copy(&form, Some(stored), evaluation));
    Ok(Some(Answered { result: AnswerResult::NextStep, stored: hot.map(|hot| (form, hot)) }))
}

/// An answer saved on the response's locked row, in one transaction with
/// the finish when it completes the path.
async fn answer_locked(
    ctx: &Context,
    slug: Option<&str>,
    response_id: Uuid,
    step: StepInput,
    now: DateTime<Utc>,
) -> Result<Answered, AppError> {
    let mut tx = ctx.db.begin().await?;
    let response = store::responses::find_response_for_update(tx.conn(), response_id).await?;
    let response = response.ok_or(AppError::NotFound)?;
    let form = ctx.forms.version_in(tx.conn(), response.form_id, response.version).await?;
    if slug.is_some_and(|slug| form.definition().slug != slug) {
        return Err(AppError::NotFound);
    }
    if response.is_finished() {
        return Ok(Answered::unwritten(AnswerResult::Finished));
    }
    let before = form.compiled.evaluate(&response.answers, &response.hidden);
    if !before.path.contains(&step.question_id) {
        return Err(AppError::Conflict("This question is no longer part of your answers.".into()));
    }
    let value = parse(&form, &step)?;
    // The answer already stored, sent again (a double click, a resubmitted
    // page): nothing is written, not even a new time or revision.
    let unchanged = response.answers.0.get(&step.question_id) == Some(&value);
    if unchanged && !step.honeypot_filled && before.current.is_some() {
        tx.rollback().await?;
        return Ok(Answered::unwritten(AnswerResult::NextStep));
    }
    let bot_reason = step.honeypot_filled.then_some("the hidden honeypot field was filled in");
    let answer = NewAnswer { question_id: &step.question_id, value, bot_reason };
    let (result, hot) = save_answer(ctx, &mut tx, &form, &response, answer, now).await?;
    tx.commit().await?;
    let hot = keep_hot(ctx, hot);
    if result == AnswerResult::Finished {
        ctx.wake_worker.notify_one();
    }
    Ok(Answered { result, stored: hot.map(|hot| (form, hot)) })
}

fn parse(form: &PublishedForm, step: &StepInput) -> Result<AnswerValue, AppError> {
    if form.compiled.question(&step.question_id).is_none() {
        return Err(AppError::invalid("question", "This question is not part of the form."));
    }
    form.compiled
        .parse_answer(&step.question_id, &step.values)
        .map_err(|e| AppError::Invalid(vec![FieldError { field: e.question, message: e.message }]))
}

fn bot_reason_at_start(form: &PublishedForm, start: &StartInput, step: &StepInput) -> Option<&'static str> {
    if step.honeypot_filled {
        return Some("the hidden honeypot field was filled in");
    }
    let minimum = start.min_seconds_override.unwrap_or(form.definition().settings.min_seconds_before_first_answer);
    match start.seconds_since_render {
        None if minimum > 0 => Some("the first page's signed render time was missing or altered"),
        Some(seconds) if seconds < f64::from(minimum) => Some("the first answer came faster than a person can type"),
        _ => None,
    }
}

/// Stores the answer, recomputes path and scores, and finishes when complete.
/// One parsed answer and whether it revealed a bot.
struct NewAnswer<'a> {
    question_id: &'a str,
    value: AnswerValue,
    bot_reason: Option<&'a str>,
}

/// Returns, besides where to go, the response as it is now stored (when
/// this wrote it), for the next page.
async fn save_answer(
    ctx: &Context,
    tx: &mut Tx,
    form: &PublishedForm,
    response: &ResponseRecord,
    answer: NewAnswer<'_>,
    now: DateTime<Utc>,
) -> Result<(AnswerResult, Option<HotResponse>), AppError> {
    let NewAnswer { question_id, value, bot_reason } = answer;
    let (evaluation, answer_times) = answered(form, response, question_id, value, now);
    let progress = progress(&evaluation, &answer_times, bot_reason, now);
    let saved = store::responses::update_progress(tx.conn(), response.id, progress).await?;
    super::metrics::answer_saved();
    let mut stored = saved.then(|| stored_progress(response, &evaluation, answer_times, bot_reason));
    if evaluation.current.is_some() {
        return Ok((AnswerResult::NextStep, hot_copy(form, stored, evaluation)));
    }
    let is_bot = response.is_bot || bot_reason.is_some();
    let lead_id = finish(ctx, tx, form, response, &evaluation, is_bot, now).await?;
    super::metrics::response_finished(evaluation.outcome.as_deref().unwrap_or("none"), is_bot);
    if let Some(record) = stored.as_mut() {
        record.status = "finished".into();
        record.outcome_id = evaluation.outcome.clone();
        record.lead_id = lead_id;
        record.finished_at = Some(now);
        record.revision += 1;
    }
    Ok((AnswerResult::Finished, hot_copy(form, stored, evaluation)))
}

/// The evaluation of the response with `value` for `question_id`, and the
/// answer times that go with it: answers of questions that left the path
/// are dropped with their times.
fn answered(
    form: &PublishedForm,
    response: &ResponseRecord,
    question_id: &str,
    value: AnswerValue,
    now: DateTime<Utc>,
) -> (Evaluation, crate::store::responses::AnswerTimes) {
    let mut answers = response.answers.0.clone();
    answers.insert(question_id.to_string(), value);
    let evaluation = form.compiled.evaluate(&answers, &response.hidden);
    let mut answer_times = response.answer_times.0.clone();
    answer_times.insert(question_id.to_string(), now);
    answer_times.retain(|q, _| evaluation.answers.contains_key(q));
    (evaluation, answer_times)
}

/// The running state to write for `evaluation`.
fn progress<'a>(
    evaluation: &'a Evaluation,
    answer_times: &'a crate::store::responses::AnswerTimes,
    bot_reason: Option<&'a str>,
    now: DateTime<Utc>,
) -> Progress<'a> {
    Progress {
        answers: &evaluation.answers,
        answer_times,
        current_question: evaluation.current.as_deref(),
        fit: evaluation.fit.total,
        intent: evaluation.intent.total,
        running_outcome: evaluation.outcome.as_deref(),
        bot_reason,
        now,
    }
}

/// The response as `update_progress` leaves it (the same columns, the
/// same bot rule, one revision more).
fn stored_progress(
    response: &ResponseRecord,
    evaluation: &Evaluation,
    answer_times: crate::store::responses::AnswerTimes,
    bot_reason: Option<&str>,
) -> ResponseRecord {
    let mut stored = response.clone();
    stored.answers = sqlx::types::Json(evaluation.answers.clone());
    stored.answer_times = sqlx::types::Json(answer_times);
    if let Some(reason) = bot_reason {
        stored.is_bot = true;
        stored.bot_reason.get_or_insert_with(|| reason.to_string());
    }
    stored.revision += 1;
    stored
}

/// The stored record with its evaluation, evaluated on exactly the stored
/// answers (as a later read would).
fn hot_copy(form: &PublishedForm, stored: Option<ResponseRecord>, evaluation: Evaluation) -> Option<HotResponse> {
    let record = stored?;
    let evaluation = if evaluation.answers == record.answers.0 {
        evaluation
    } else {
        form.compiled.evaluate(&record.answers, &record.hidden)
    };
    Some(HotResponse { record, evaluation })
}

/// Writes the lead and outcome. Bots are kept and marked, never handed to sales.
#[allow(clippy::too_many_arguments)]
async fn finish(
    ctx: &Context,
    tx: &mut Tx,
    form: &PublishedForm,
    response: &ResponseRecord,
    evaluation: &Evaluation,
    is_bot: bool,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, AppError> {
    let outcome_id = evaluation.outcome.as_deref().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("no outcome matched in form {} v{}", form.form_id, form.version))
    })?;
    let outcome = form.definition().outcomes.iter().find(|o| o.id == outcome_id).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("outcome {outcome_id} missing from form {}", form.form_id))
    })?;
    if is_bot {
        store::responses::mark_finished(tx.conn(), response.id, outcome_id, None, now).await?;
        return Ok(None);
    }
    let lead_id = upsert_lead(tx, form, response, evaluation, outcome, now).await?;
    store::responses::mark_finished(tx.conn(), response.id, outcome_id, Some(lead_id), now).await?;
    let matches = |condition: &engine::Condition| form.compiled.check(condition, &evaluation.answers, &response.hidden);
    let finished = FinishedLead {
        lead_id,
        handoff: &outcome.handoff,
        accept_within_minutes: outcome.accept_within_minutes,
        matches: &matches,
        note: None,
        answers: answer_lines(form, evaluation),
    };
    routing::route_finished_lead(ctx, tx, finished, now).await?;
    if outcome.ending.offer_booking {
        super::notices::queue_task(tx, super::booking::CHECK_AFTER_FINISH, lead_id, now).await?;
    }
    Ok(Some(lead_id))
}

/// The answers in the order of the path, as people read them.
pub fn answer_lines(form: &PublishedForm, evaluation: &Evaluation) -> Vec<AnswerLine> {
    evaluation
        .path
        .iter()
        .filter_map(|id| {
            let question = form.compiled.question(id)?;
            let answer = display_answer(question, evaluation.answers.get(id)?)?;
            Some(AnswerLine { question: question.label.clone(), answer })
        })
        .collect()
}

/// The answers of a stored response in the order of its path (none when
/// the response is gone), read through `conn`: the lead's page and every
/// notice about the lead say the same.
pub async fn stored_answer_lines(
    ctx: &Context,
    mut conn: store::Conn<'_>,
    response_id: Uuid,
) -> Result<Vec<AnswerLine>, AppError> {
    let Some(response) = store::responses::find_response(conn.reborrow(), response_id).await? else {
        return Ok(Vec::new());
    };
    let form = ctx.forms.version_in(conn, response.form_id, response.version).await?;
    let evaluation = form.compiled.evaluate(&response.answers, &response.hidden);
    Ok(answer_lines(&form, &evaluation))
}

/// An answer in words: option labels rather than values.
pub fn display_answer(question: &engine::Question, value: &AnswerValue) -> Option<String> {
    let label = |v: &String| {
        question.options.iter().find(|o| &o.value == v).map(|o| o.label.clone()).unwrap_or_else(|| v.clone())
    };
    match value {
        AnswerValue::Text(text) => Some(label(text)),
        AnswerValue::Number(n) => Some(n.to_string()),
        AnswerValue::Choices(choices) => Some(choices.iter().map(label).collect::<Vec<_>>().join(", ")),
        AnswerValue::Consent { given, .. } => Some(if *given { "Yes" } else { "No" }.to_string()),
        AnswerValue::Blank => None,
    }
}

pub(crate) async fn upsert_lead(
    tx: &mut Tx,
    form: &PublishedForm,
    response: &ResponseRecord,
    evaluation: &Evaluation,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let fields: std::collections::BTreeMap<String, String> = form
        .compiled
        .lead_fields(&evaluation.answers)
        .into_iter()
        .map(|(field, value)| (field.as_str().to_string(), value))
        .collect();
    let email = fields.get("email").map(|e| e.trim().to_lowercase());
    let company_domain = email.as_deref().and_then(engine::company_domain);
    let account_id = match company_domain {
        Some(domain) => Some(store::leads::upsert_account(tx.conn(), &domain, now).await?),
        None => None,
    };
    let breakdown = Breakdown { fit: evaluation.fit.breakdown.clone(), intent: evaluation.intent.breakdown.clone() };
    let disqualified_reason = match &outcome.handoff {
        Handoff::Disqualify(reason) => Some(reason.as_str()),
        _ => None,
    };
    let lead = LeadUpsert {
        new_id: Uuid::now_v7(),
        email: email.as_deref(),
        account_id,
        form_id: form.form_id,
        response_id: response.id,
        fields: &fields,
        fit: evaluation.fit.total,
        intent: evaluation.intent.total,
        breakdown: &breakdown,
        outcome_id: &outcome.id,
        tier: &outcome.tier,
        handoff: &outcome.handoff,
        disqualified_reason,
        hidden: &response.hidden,
        now,
    };
    Ok(store::leads::upsert_lead(tx.conn(), lead).await?)
}
