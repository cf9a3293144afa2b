//! Preview: the draft filled in as a prospect would, with what the server
//! would decide at each step (path, scores with every reason, outcome, and
//! the rep routing would pick now). Nothing is written: the answers so far
//! travel in the page, routing data is only read (no pool turn is taken),
//! so no response, lead or notice is ever made.

use uuid::Uuid;

use super::drafts::load_draft;
use super::{AppError, Context, FieldError};
use crate::engine::{
    self, AnswerValue, Answers, CompiledForm, Condition, Decision, Evaluation, Handoff, Hidden, LeadField, Outcome,
    RoutingInput,
};
use crate::store;

/// What the person did on the preview page.
#[derive(Debug, Clone)]
pub enum PreviewAction {
    /// Answered the shown question.
    Answer { question_id: String, values: Vec<String> },
    /// Asked to see a question on the path (Back, or change an answer);
    /// `None` shows the first unanswered one.
    Show(Option<String>),
}

/// Where the lead would go if it finished now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutePreview {
    /// No outcome matches (the draft needs a catch-all outcome).
    NoOutcome,
    Nurture,
    Disqualified {
        reason: String,
    },
    Rep {
        rep: String,
        pool: Option<String>,
        reason: String,
    },
    Unassigned {
        reason: String,
    },
}

/// One preview step.
pub struct PreviewStep {
    pub form_id: Uuid,
    pub compiled: CompiledForm<'static>,
    pub evaluation: Evaluation,
    /// The question to show; `None` when the path is complete.
    pub shown: Option<String>,
    pub hidden: Hidden,
    pub route: RoutePreview,
}

impl PreviewStep {
    /// The question before the shown one on the path (for Back).
    pub fn previous(&self) -> Option<&str> {
        let shown = self.shown.as_deref()?;
        let index = self.evaluation.path.iter().position(|q| q == shown)?;
        index.checked_sub(1).map(|i| self.evaluation.path[i].as_str())
    }

    /// The answer already given to the shown question.
    pub fn shown_answer(&self) -> Option<&AnswerValue> {
        self.evaluation.answers.get(self.shown.as_deref()?)
    }

    /// The outcome matching now (the final one once complete).
    pub fn outcome(&self) -> Option<&Outcome> {
        let id = self.evaluation.outcome.as_deref()?;
        self.compiled.definition().outcomes.iter().find(|o| o.id == id)
    }
}

/// Applies `action` to the answers so far and evaluates the draft.
pub async fn preview_step(
    ctx: &Context,
    form_id: Uuid,
    mut answers: Answers,
    hidden: Hidden,
    action: PreviewAction,
) -> Result<PreviewStep, AppError> {
    let draft = load_draft(ctx, form_id).await?;
    let compiled = CompiledForm::new(draft.definition);
    let requested = match action {
        PreviewAction::Show(question) => question,
        PreviewAction::Answer { question_id, values } => {
            let before = compiled.evaluate(&answers, &hidden);
            if before.path.contains(&question_id) {
                let value = compiled
                    .parse_answer(&question_id, &values)
                    .map_err(|e| AppError::Invalid(vec![FieldError { field: e.question, message: e.message }]))?;
                answers.insert(question_id, value);
            }
            None
        }
    };
    let evaluation = compiled.evaluate(&answers, &hidden);
    let shown = match requested {
        Some(q) if evaluation.path.contains(&q) => Some(q),
        _ => evaluation.current.clone(),
    };
    let mut step = PreviewStep { form_id, compiled, evaluation, shown, hidden, route: RoutePreview::NoOutcome };
    step.route = route_now(ctx, &step).await?;
    Ok(step)
}

/// The routing decision for the running outcome, from today's reps, pools,
/// rules and loads, read without taking anyone's turn.
async fn route_now(ctx: &Context, step: &PreviewStep) -> Result<RoutePreview, AppError> {
    let Some(outcome) = step.outcome() else {
        return Ok(RoutePreview::NoOutcome);
    };
    let pool = match &outcome.handoff {
        Handoff::Nurture => return Ok(RoutePreview::Nurture),
        Handoff::Disqualify(reason) => return Ok(RoutePreview::Disqualified { reason: reason.clone() }),
        Handoff::Route(pool) => pool.clone(),
    };
    let mut conn = ctx.db.read().await?;
    let reps = store::routing::list_reps(conn.conn()).await?;
    let pools = store::routing::list_pools(conn.conn()).await?;
    let rules = store::routing::list_rules(conn.conn()).await?;
    let loads = store::routing::list_loads(conn.conn()).await?;
    let fields = step.compiled.lead_fields(&step.evaluation.answers);
    let email = fields.get(&LeadField::Email).map(|e| e.trim().to_lowercase());
    let owner = match email.as_deref().and_then(engine::company_domain) {
        Some(domain) => store::routing_admin::find_owner_by_domain(conn.conn(), &domain).await?,
        None => None,
    };
    let holder = match email.as_deref() {
        Some(email) => store::routing_admin::find_holder_by_email(conn.conn(), email).await?,
        None => None,
    };
    let (owner, holder) = (owner.map(|o| o.to_string()), holder.map(|h| h.to_string()));
    let matches = |c: &Condition| step.compiled.check_evaluated(c, &step.evaluation, &step.hidden);
    let input = RoutingInput {
        handoff_pool: &pool,
        rules: &rules,
        pools: &pools,
        reps: &reps,
        loads: &loads,
        current_holder: holder.as_deref(),
        account_owner: owner.as_deref(),
        exclude: &[],
        now: ctx.clock.now(),
        matches: &matches,
    };
    Ok(match engine::route(&input) {
        Decision::Assign { rep_id, pool, reason, .. } => {
            let rep = reps.iter().find(|r| r.id == rep_id).map_or(rep_id.clone(), |r| r.name.clone());
            RoutePreview::Rep { rep, pool, reason }
        }
        Decision::Unassigned { reason } => RoutePreview::Unassigned { reason },
    })
}
