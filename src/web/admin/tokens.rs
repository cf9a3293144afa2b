//! `/admin/tokens`: API tokens (admins). A new token is shown once.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use crate::app::auth::{CurrentUser, Role};
use crate::app::{AppError, Context, tokens};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub scopes: String,
    pub creator: String,
    pub created_at: String,
    pub last_used_at: String,
    pub revoked: bool,
    /// Its maker is no longer an admin, so it does not act.
    pub idle: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/tokens.html")]
pub struct TokensPage {
    pub user: CurrentUser,
    pub tokens: Vec<TokenRow>,
    pub name: String,
    pub error: Option<String>,
    pub created_token: Option<String>,
}

async fn page(
    ctx: &Context,
    user: CurrentUser,
    name: String,
    error: Option<String>,
    created: Option<String>,
) -> Result<TokensPage, PageError> {
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let tokens = tokens::list_tokens(ctx)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name,
            prefix: t.prefix,
            scopes: t.scopes.replace(',', ", "),
            creator: t.creator_name,
            created_at: when(t.created_at),
            last_used_at: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
            revoked: t.revoked_at.is_some(),
            idle: t.creator_role != crate::app::auth::Role::Admin.as_str(),
        })
        .collect();
    Ok(TokensPage { user, tokens, name, error, created_token: created })
}

pub async fn show_tokens(State(state): State<AppState>, signed_in: SignedIn) -> Result<TokensPage, PageError> {
    signed_in.require(&[Role::Admin])?;
    page(&state.ctx, signed_in.0, String::new(), None, None).await
}

pub async fn submit_token(
    State(state): State<AppState>,
    signed_in: SignedIn,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&[Role::Admin])?;
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    signed_in.check_csrf(&form)?;
    let name = form.get("name").unwrap_or_default().to_string();
    match tokens::create_token(&state.ctx, &signed_in.0, &name, &form.all("scopes")).await {
        Ok((_, token)) => Ok(page(&state.ctx, signed_in.0, String::new(), None, Some(token)).await?.into_response()),
        Err(AppError::Invalid(errors)) => {
            let message = errors.first().map(|e| e.message.clone());
            let page = page(&state.ctx, signed_in.0, name, message, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn submit_revoke(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(token_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&[Role::Admin])?;
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    signed_in.check_csrf(&form)?;
    tokens::revoke_token(&state.ctx, &signed_in.0, token_id).await?;
    Ok(Redirect::to("/admin/tokens").into_response())
}
