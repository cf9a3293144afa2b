//! GET /inbox/events: the signed-in person's live notices as Server-Sent
//! Events (`event: notice`, data: JSON). The inbox page refreshes its list
//! on each one.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::web::AppState;
use crate::web::auth::SignedIn;
use crate::web::error::PageError;

pub async fn stream_events(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    let user = signed_in.require(&super::handlers::INBOX_ROLES)?.clone();
    let receiver = state.live.subscribe();
    let stream = futures_util::stream::unfold((receiver, user.id), |(mut receiver, user_id)| async move {
        loop {
            match receiver.recv().await {
                Ok(event) if event.user_id == user_id => {
                    let data = serde_json::to_string(&event).unwrap_or_default();
                    let sse = Event::default().event("notice").id(event.notice_id.to_string()).data(data);
                    return Some((Ok(sse), (receiver, user_id)));
                }
                Ok(_) => continue,
                // A slow client missed some: tell it to refresh.
                Err(RecvError::Lagged(_)) => {
                    let sse = Event::default().event("notice").data("{\"lagged\":true}");
                    return Some((Ok(sse), (receiver, user_id)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    // Ends when the server begins to stop; the page's EventSource reconnects.
    let stream = stream.take_until(state.stopped());
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
