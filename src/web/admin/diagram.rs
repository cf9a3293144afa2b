//! `/admin/forms/{form_id}/diagram`: the draft's question tree as a
//! picture (`diagram.svg`, drawn by the server from the engine's layout,
//! every text escaped) and the same routes as a table for reading aloud.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use uuid::Uuid;

use super::EDITOR_ROLES;
use super::forms::FormNav;
use crate::app::AppError;
use crate::app::auth::CurrentUser;
use crate::app::drafts::{load_draft, load_form_state};
use crate::engine::{Diagram, NODE_HEIGHT, diagram};
use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/forms/{form_id}/diagram", get(show_diagram))
        .route("/admin/forms/{form_id}/diagram.svg", get(show_diagram_svg))
}

/// The picture itself.
#[derive(Template)]
#[template(path = "admin/diagram.svg")]
pub struct DiagramSvg {
    pub title: String,
    pub d: Diagram,
    pub node_height: i32,
}

/// One question and where it can go, for the table.
pub struct RouteRow {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub marks: String,
    pub goes_to: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/diagram.html")]
pub struct DiagramPage {
    pub user: CurrentUser,
    /// The form's heading and tab bar, shared with the editor's pages.
    pub nav: FormNav,
    pub form_id: String,
    pub title: String,
    pub width: i32,
    pub height: i32,
    pub rows: Vec<RouteRow>,
}

async fn show_diagram(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(form_id): Path<Uuid>,
) -> Result<DiagramPage, PageError> {
    signed_in.require(&EDITOR_ROLES)?;
    let form = load_form_state(&state.ctx, form_id).await?;
    let draft = &form.draft;
    let d = diagram(&draft.definition);
    let rows = d
        .nodes
        .iter()
        .filter(|n| !n.is_finish)
        .map(|n| RouteRow {
            id: n.id.clone(),
            kind: n.kind.clone(),
            label: n.full_label.clone(),
            marks: n.status_text().unwrap_or_default().to_owned(),
            goes_to: d
                .edges
                .iter()
                .filter(|e| e.from == n.id)
                .map(|e| (e.to.clone(), if e.full_label.is_empty() { "next".into() } else { e.full_label.clone() }))
                .collect(),
        })
        .collect();
    Ok(DiagramPage {
        user: signed_in.0,
        nav: FormNav::new(&form, "diagram"),
        form_id: form_id.to_string(),
        title: draft.definition.title.clone(),
        width: d.width,
        height: d.height,
        rows,
    })
}

async fn show_diagram_svg(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(form_id): Path<Uuid>,
) -> Result<Response, PageError> {
    signed_in.require(&EDITOR_ROLES)?;
    let draft = load_draft(&state.ctx, form_id).await?;
    let svg = DiagramSvg { d: diagram(&draft.definition), title: draft.definition.title, node_height: NODE_HEIGHT };
    let body = svg.render().map_err(|e| PageError(AppError::Internal(e.into())))?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
