//! Routing rules: add, edit, move up or down, delete. A rule's condition
//! is made with the form editor's condition builder (same fields, same
//! parsing into an engine condition, same buttons that re-render the page
//! without JavaScript and swap only the editor with htmx), offering what
//! routing can test: any form's questions, hidden fields, lead fields,
//! the email domain, the country, fit and intent.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::ROUTING_ROLES;
use super::view::RulePage;
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::routing_admin::rules::{self, RuleChoices, RuleInput};
use crate::web::AppState;
use crate::web::admin::field_errors::{parse_body, text};
use crate::web::admin::forms::{
    BuilderErrors, BuilderView, Catalog, Node, fill_defaults, from_condition, html, see_other, to_condition,
    wants_fragment,
};
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

/// The builder's field-name prefix on the rule page.
pub const WHEN: &str = "when";

/// A rule as typed on its page, the condition as builder rows.
struct Typed {
    name: String,
    handoff: String,
    pool: String,
    when: Node,
}

impl Typed {
    fn parse(form: &FormBody) -> Typed {
        Typed {
            name: text(form, "name"),
            handoff: text(form, "handoff"),
            pool: text(form, "pool"),
            when: Node::parse(form, WHEN),
        }
    }

    fn input(&self, when: Option<crate::engine::Condition>) -> RuleInput {
        RuleInput { name: self.name.clone(), handoff: self.handoff.clone(), pool: self.pool.clone(), when }
    }
}

fn action_of(id: Option<Uuid>) -> String {
    id.map_or_else(|| "/admin/routing/rules".to_owned(), |id| format!("/admin/routing/rules/{id}"))
}

/// What the builder offers on this page: the forms in use.
fn catalog(choices: &RuleChoices) -> Catalog {
    Catalog::for_routing(&choices.forms.iter().collect::<Vec<_>>())
}

/// The page as typed, with the errors beside their fields.
fn page(
    user: CurrentUser,
    id: Option<Uuid>,
    mut typed: Typed,
    errors: BuilderErrors,
    choices: RuleChoices,
) -> RulePage {
    let catalog = catalog(&choices);
    catalog.adopt_unknown_answers(&mut typed.when);
    RulePage {
        user,
        id: id.map(|i| i.to_string()),
        action: action_of(id),
        builder: BuilderView::new(&typed.when, WHEN, &catalog, &errors),
        name: typed.name,
        handoff: typed.handoff,
        pool: typed.pool,
        pools: choices.pools,
        handoffs: choices.handoffs,
        errors,
    }
}

fn respond(headers: &HeaderMap, page: RulePage, status: StatusCode) -> Response {
    let rendered = if wants_fragment(headers) {
        askama::Template::render(&page.as_editor())
    } else {
        askama::Template::render(&page)
    };
    html(rendered, status)
}

pub async fn show_new_rule(State(state): State<AppState>, signed_in: SignedIn) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let choices = rules::choices(&state.ctx).await?;
    let mut when = Node::empty();
    when.apply(WHEN, &format!("add_leaf:{WHEN}"));
    fill_defaults(&mut when, &catalog(&choices));
    let typed = Typed { name: String::new(), handoff: String::new(), pool: String::new(), when };
    let page = page(signed_in.0, None, typed, BuilderErrors::new(), choices);
    Ok(respond(&HeaderMap::new(), page, StatusCode::OK))
}

pub async fn show_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rule_id): Path<Uuid>,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let rule = rules::load_rule(&state.ctx, rule_id).await?;
    let when = from_condition(rule.when.as_ref());
    let typed = Typed { name: rule.name, handoff: rule.handoff, pool: rule.pool, when };
    let page = page(signed_in.0, Some(rule_id), typed, BuilderErrors::new(), rules::choices(&state.ctx).await?);
    Ok(respond(&HeaderMap::new(), page, StatusCode::OK))
}

pub async fn create_rule(
    state: State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    submit(state, signed_in, None, headers, body).await
}

pub async fn save_rule(
    state: State<AppState>,
    signed_in: SignedIn,
    Path(rule_id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    submit(state, signed_in, Some(rule_id), headers, body).await
}

/// A builder button re-renders the page (nothing saved); Save stores the rule.
async fn submit(
    State(state): State<AppState>,
    signed_in: SignedIn,
    id: Option<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    let mut typed = Typed::parse(&form);
    let choices = rules::choices(&state.ctx).await?;
    let catalog = catalog(&choices);
    let action = form.get("action").unwrap_or("save");
    if action == "refresh" || typed.when.apply(WHEN, action) {
        fill_defaults(&mut typed.when, &catalog);
        return Ok(respond(&headers, page(signed_in.0, id, typed, BuilderErrors::new(), choices), StatusCode::OK));
    }
    let result = match to_condition(&typed.when, WHEN, &catalog) {
        Ok(when) => match id {
            None => rules::create_rule(&state.ctx, &typed.input(when)).await,
            Some(id) => rules::save_rule(&state.ctx, id, &typed.input(when)).await,
        },
        // The condition is refused: gather the other fields' refusals too.
        Err(mut errors) => {
            if let Err(AppError::Invalid(found)) = rules::check_rule(&state.ctx, &typed.input(None)).await {
                errors.extend(found.into_iter().map(|e| (e.field, e.message)));
            }
            let page = page(signed_in.0, id, typed, errors, choices);
            return Ok(respond(&headers, page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    match result {
        Ok(()) => Ok(see_other(&headers, "/admin/routing")),
        Err(AppError::Invalid(found)) => {
            let errors = found.into_iter().map(|e| (e.field, e.message)).collect();
            Ok(respond(&headers, page(signed_in.0, id, typed, errors, choices), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other.into()),
    }
}

/// POST with `direction` up or down.
pub async fn move_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rule_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    rules::move_rule(&state.ctx, rule_id, form.get("direction") == Some("up")).await?;
    Ok(Redirect::to("/admin/routing").into_response())
}

pub async fn delete_rule(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(rule_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    rules::delete_rule(&state.ctx, rule_id).await?;
    Ok(Redirect::to("/admin/routing").into_response())
}
