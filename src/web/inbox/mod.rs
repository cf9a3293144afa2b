//! The rep's inbox at `/inbox`: leads with live updates, a lead's page and
//! the verdicts (accept, disqualify, hand back; reassign for managers).

mod calendar;
pub mod calendar_view;
mod events;
mod handlers;
pub mod view;

pub use handlers::INBOX_ROLES;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(handlers::show_inbox))
        .route("/inbox/events", get(events::stream_events))
        .route("/inbox/leads/{lead_id}", get(handlers::show_lead))
        .route("/inbox/leads/{lead_id}/accept", post(handlers::submit_accept))
        .route("/inbox/leads/{lead_id}/disqualify", post(handlers::submit_disqualify))
        .route("/inbox/leads/{lead_id}/hand-back", post(handlers::submit_hand_back))
        .route("/inbox/leads/{lead_id}/reassign", post(handlers::submit_reassign))
        .route("/inbox/bookings", get(calendar::show_bookings))
        .route("/inbox/calendar", get(calendar::show_my_calendar))
        .route("/inbox/calendar/{rep_id}", get(calendar::show_calendar).post(calendar::save_calendar))
        .route("/inbox/calendar/{rep_id}/blocks", post(calendar::add_block))
        .route("/inbox/calendar/{rep_id}/blocks/{block_id}/delete", post(calendar::delete_block))
}
