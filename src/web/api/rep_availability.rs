//! A rep's free meeting slots through the API, grouped by day in a zone:
//! every slot of `app::availability::rep_free_slots`, the engine function
//! that makes the prospect's offer, within the days asked for.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::booking_view::{SlotDay, days_of};
use super::extract::{ApiQuery, Reader, path_id};
use super::problem::{ApiProblem, Problems};
use crate::app::availability;
use crate::engine;
use crate::web::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The first day (YYYY-MM-DD) in `zone`; default today there.
    #[param(format = Date)]
    pub from: Option<String>,
    /// How many days (1 to 31, default 7).
    #[param(minimum = 1, maximum = 31)]
    pub days: Option<u32>,
    /// The IANA zone days and times are on; default the rep's.
    pub zone: Option<String>,
}

/// A rep's free slots, by day.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepAvailability {
    pub rep_id: Uuid,
    pub zone: String,
    pub from: NaiveDate,
    /// The last day included.
    pub to: NaiveDate,
    /// Days with at least one free slot, earliest first.
    pub days: Vec<SlotDay>,
}

/// The rep's free meeting slots over some days, grouped by day in a zone.
#[utoipa::path(get, path = "/api/v1/reps/{id}/availability", tag = "reps", params(("id" = String, Path), AvailabilityQuery),
    description = "Needs the read scope. The same free slots a prospect is offered (meeting hours, buffer, notice, daily maximum, busy \
        blocks, the feed and booked meetings), within the rep's horizon. 400 on `zone`, `from` or `days` when unreadable.",
    responses((status = 200, body = RepAvailability), Problems))]
pub async fn get_availability(
    State(state): State<AppState>,
    _caller: Reader,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AvailabilityQuery>,
) -> Result<Json<RepAvailability>, ApiProblem> {
    let rep_id = path_id(&id, "rep")?;
    let (rep, slots) =
        availability::rep_free_slots(&state.ctx, rep_id).await.map_err(|e| ApiProblem::from_app(e, "rep"))?;
    let zone = match query.zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
        Some(zone) => engine::parse_time_zone(zone).map_err(|e| ApiProblem::bad_request("zone", e.to_string()))?,
        None => engine::parse_time_zone(&rep.time_zone).unwrap_or(chrono_tz::Tz::UTC),
    };
    let days = query.days.unwrap_or(7);
    if !(1..=31).contains(&days) {
        return Err(ApiProblem::bad_request("days", "Give 1 to 31 days."));
    }
    let from = match query.from.as_deref().map(str::trim) {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| ApiProblem::bad_request("from", "Give a date like 2026-11-18."))?,
        None => state.ctx.clock.now().with_timezone(&zone).date_naive(),
    };
    let to = from.checked_add_days(Days::new(u64::from(days) - 1)).unwrap_or(from);
    let offers: Vec<_> = slots
        .into_iter()
        .filter(|s| (from..=to).contains(&s.start.with_timezone(&zone).date_naive()))
        .map(|s| (rep_id, rep.name.clone(), s))
        .collect();
    let days = days_of(&offers, zone.name());
    Ok(Json(RepAvailability { rep_id, zone: zone.name().to_owned(), from, to, days }))
}
