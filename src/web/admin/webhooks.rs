//! `/admin/webhooks`: endpoints, their secrets and delivery logs (admins).

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::app::auth::{CurrentUser, Role};
use crate::app::webhooks::{self, EVENT_TYPES, EndpointInput};
use crate::app::{AppError, Context};
use crate::store;
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

pub struct EndpointView {
    pub id: String,
    pub url: String,
    pub events: String,
    pub format: String,
    pub deliveries: Vec<DeliveryView>,
}

pub struct DeliveryView {
    pub when: String,
    pub status: String,
    pub duration_ms: i64,
    pub error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhooks.html")]
pub struct WebhooksPage {
    pub user: CurrentUser,
    pub endpoints: Vec<EndpointView>,
    pub event_types: Vec<&'static str>,
    /// What was typed (kept when the form is refused).
    pub typed: EndpointInput,
    /// A refusal: (field, message), shown beside that field.
    pub error: Option<(String, String)>,
    pub created_secret: Option<String>,
}

impl WebhooksPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn ticked(&self, event: &str) -> bool {
        self.typed.event_types.iter().any(|e| e == event)
    }
}

pub async fn show_webhooks(State(state): State<AppState>, signed_in: SignedIn) -> Result<WebhooksPage, PageError> {
    signed_in.require(&[Role::Admin])?;
    page(&state.ctx, signed_in.0, EndpointInput::default(), None, None).await
}

async fn page(
    ctx: &Context,
    user: CurrentUser,
    typed: EndpointInput,
    error: Option<(String, String)>,
    created_secret: Option<String>,
) -> Result<WebhooksPage, PageError> {
    let mut conn = ctx.db.read().await.map_err(PageError::from)?;
    let mut endpoints = Vec::new();
    for e in store::webhooks::list_endpoints(conn.conn()).await? {
        let deliveries = store::webhooks::list_deliveries(conn.conn(), e.id, 20).await?;
        endpoints.push(EndpointView {
            id: e.id.to_string(),
            url: e.url,
            events: if e.event_types.0.is_empty() { "every event".into() } else { e.event_types.0.join(", ") },
            format: e.format,
            deliveries: deliveries
                .into_iter()
                .map(|d| DeliveryView {
                    when: d.created_at.format("%a %-d %b %Y, %H:%M:%S UTC").to_string(),
                    status: d.status.map(|s| s.to_string()).unwrap_or_else(|| "no answer".into()),
                    duration_ms: d.duration_ms,
                    error: d.error.unwrap_or_default(),
                })
                .collect(),
        });
    }
    Ok(WebhooksPage { user, endpoints, event_types: EVENT_TYPES.to_vec(), typed, error, created_secret })
}

pub async fn submit_webhook(
    State(state): State<AppState>,
    signed_in: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&[Role::Admin])?;
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    signed_in.check_csrf(&form)?;
    let input = EndpointInput {
        url: form.get("url").unwrap_or_default().to_string(),
        event_types: form.all("events"),
        chat_format: form.get("format") == Some("chat"),
        allow_private: form.get("allow_private") == Some("yes"),
    };
    let typed = input.clone();
    match webhooks::create_endpoint(&state.ctx, input).await {
        Ok((_, secret)) => {
            Ok(page(&state.ctx, signed_in.0, EndpointInput::default(), None, Some(secret)).await?.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let error = errors.into_iter().next().map(|e| (e.field, e.message));
            let page = page(&state.ctx, signed_in.0, typed, error, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
