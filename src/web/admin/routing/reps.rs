//! A rep's routing profile: GET the edit page, POST to save it.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::view::RepPage;
use super::{Errors, ROUTING_ROLES};
use crate::app::AppError;
use crate::app::routing_admin::rep_form::RepForm;
use crate::app::routing_admin::reps;
use crate::web::AppState;
use crate::web::admin::field_errors::{parse_body, text};
use crate::web::auth::SignedIn;
use crate::web::error::PageError;
use crate::web::forms_input::FormBody;

#[derive(Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

pub async fn show_rep(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(user_id): Path<Uuid>,
    Query(query): Query<SavedQuery>,
) -> Result<RepPage, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let rep = reps::load_rep(&state.ctx, user_id).await?;
    let mut page = RepPage::new(signed_in.0, rep.person, rep.open_leads, rep.form, Errors::default());
    page.saved = query.saved.is_some();
    Ok(page)
}

pub async fn save_rep(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(user_id): Path<Uuid>,
    body: Bytes,
) -> Result<Response, PageError> {
    signed_in.require(&ROUTING_ROLES)?;
    let form = parse_body(&body)?;
    signed_in.check_csrf(&form)?;
    let typed = rep_form(&form);
    match reps::save_rep(&state.ctx, user_id, &typed).await {
        Ok(()) => Ok(Redirect::to(&format!("/admin/routing/reps/{user_id}?saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let rep = reps::load_rep(&state.ctx, user_id).await?;
            let page = RepPage::new(signed_in.0, rep.person, rep.open_leads, typed, Errors(errors));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn rep_form(form: &FormBody) -> RepForm {
    let starts = form.all("ooo_start");
    let ends = form.all("ooo_end");
    RepForm {
        active: form.get("active") == Some("yes"),
        territories: text(form, "territories"),
        segments: text(form, "segments"),
        seniority: text(form, "seniority"),
        languages: text(form, "languages"),
        time_zone: text(form, "time_zone"),
        hours: std::array::from_fn(|day| text(form, &format!("hours_{day}"))),
        capacity: text(form, "capacity"),
        out_of_office: starts.into_iter().zip(ends.into_iter().chain(std::iter::repeat(String::new()))).collect(),
    }
}
