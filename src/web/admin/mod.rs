//! Administration at `/admin`: the notice outbox (dead letters with a retry
//! button) and webhook endpoints; the form editor lives in `forms`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use uuid::Uuid;

use crate::app::AppError;
use crate::app::auth::{CurrentUser, Role};
use crate::store;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

mod analytics;
mod charts;
mod diagram;
mod field_errors;
mod forms;
mod preview;
mod replay;
mod routing;
mod tokens;
mod webhooks;

pub use analytics::ANALYTICS_ROLES;
pub use forms::EDITOR_ROLES;
pub use routing::ROUTING_ROLES;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/webhooks", get(webhooks::show_webhooks).post(webhooks::submit_webhook))
        .route("/admin/notices", get(show_notices))
        .route("/admin/tokens", get(tokens::show_tokens).post(tokens::submit_token))
        .route("/admin/tokens/{token_id}/revoke", post(tokens::submit_revoke))
        .route("/admin/analytics", get(analytics::show_analytics))
        .route("/admin/analytics/leads.csv", get(analytics::export_leads))
        .route("/admin/analytics/responses.csv", get(analytics::export_responses))
        .route("/admin/notices/{notice_id}/retry", post(submit_retry))
        .merge(forms::router())
        .merge(preview::router())
        .merge(replay::router())
        .merge(diagram::router())
        .merge(routing::router())
}

pub struct NoticeRow {
    pub id: String,
    pub event_type: String,
    pub channel: String,
    pub target: String,
    pub attempts: i32,
    pub last_error: String,
    pub created_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/notices.html")]
pub struct NoticesPage {
    pub user: CurrentUser,
    pub pending: i64,
    pub dead: Vec<NoticeRow>,
}

async fn show_notices(State(state): State<AppState>, signed_in: SignedIn) -> Result<NoticesPage, PageError> {
    signed_in.require(&[Role::Admin])?;
    let mut conn = state.ctx.db.read().await.map_err(PageError::from)?;
    let pending = store::outbox::count_pending(conn.conn()).await?;
    let dead = store::outbox::list_by_status(conn.conn(), "dead", 200).await?;
    let dead = dead
        .into_iter()
        .map(|n| NoticeRow {
            id: n.id.to_string(),
            event_type: n.event_type,
            channel: n.channel,
            target: n.target,
            attempts: n.attempts,
            last_error: n.last_error.unwrap_or_default(),
            created_at: crate::web::local_time::LocalClock::of("UTC").moment(n.created_at),
        })
        .collect();
    Ok(NoticesPage { user: signed_in.0, pending, dead })
}

async fn submit_retry(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(notice_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&[Role::Admin])?;
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    signed_in.check_csrf(&form)?;
    let mut tx = state.ctx.db.begin().await?;
    store::outbox::retry_dead(tx.conn(), notice_id, state.ctx.clock.now()).await?;
    tx.commit().await?;
    state.ctx.wake_worker.notify_one();
    Ok(Redirect::to("/admin/notices").into_response())
}
