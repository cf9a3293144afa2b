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
    /// The scopes ticked (kept when the form is refused).
    pub scopes: Vec<String>,
    /// A refusal: (field, message), shown beside that field.
    pub error: Option<(String, String)>,
    pub created_token: Option<String>,
}

impl TokensPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn ticked(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

async fn page(
    ctx: &Context,
    user: CurrentUser,
    typed: (String, Vec<String>),
    error: Option<(String, String)>,
    created: Option<String>,
) -> Result<TokensPage, PageError> {
    let when = |t: chrono::DateTime<chrono::Utc>| crate::web::local_time::LocalClock::of("UTC").moment(t);
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
    let (name, scopes) = typed;
    Ok(TokensPage { user, tokens, name, scopes, error, created_token: created })
}

pub async fn show_tokens(State(state): State<AppState>, signed_in: SignedIn) -> Result<TokensPage, PageError> {
    signed_in.require(&[Role::Admin])?;
    page(&state.ctx, signed_in.0, (String::new(), vec!["read".into()]), None, None).await
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
    let scopes = form.all("scopes");
    match tokens::create_token(&state.ctx, &signed_in.0, &name, &scopes).await {
        Ok((_, token)) => {
            let fresh = (String::new(), vec!["read".into()]);
            Ok(page(&state.ctx, signed_in.0, fresh, None, Some(token)).await?.into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let error = errors.into_iter().next().map(|e| (e.field, e.message));
            let page = page(&state.ctx, signed_in.0, (name, scopes), error, None).await?;
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
