//! The service every request passes through first: it gives the request
//! its id and span, applies the same-origin rule for signed-in areas,
//! turns bare errors into pages that show the id, adds the security
//! headers and writes the request's access-log line.
//!
//! One hand-written service rather than five layers (tower-http's request
//! id, propagation and trace layers and a `from_fn` middleware): each of
//! those boxed a future or a clone of the inner service per request, the
//! id was formatted twice, and the trace layer's span and line went
//! through the general event formatter. Together they took about a third
//! of a `/healthz` request's time under load (`perf`).
//!
//! It sits outside the timeout and the body limit, so their bare answers
//! (503, 413) become pages too.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, Uri};
use axum::response::Response;
use axum::{BoxError, body::Bytes};
use tower::{Layer, Service};
use tracing::Instrument;

use super::{AppState, REQUEST_ID, auth, error, security};
use crate::telemetry::{self, AccessLine};

/// The longest request id taken from a proxy; longer ones are replaced.
const LONGEST_FORWARDED_ID: usize = 64;

/// Wraps a service in [`Edge`].
#[derive(Clone)]
pub struct EdgeLayer {
    state: AppState,
}

impl EdgeLayer {
    pub fn new(state: AppState) -> Self {
        EdgeLayer { state }
    }
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge { state: self.state.clone(), inner }
    }
}

#[derive(Clone)]
pub struct Edge<S> {
    state: AppState,
    inner: S,
}

impl<S, B> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let started = Instant::now();
        let id = request_id(&request);
        request.headers_mut().insert(&REQUEST_ID, id.clone());
        let id_text = id.to_str().unwrap_or("-");
        let span = tracing::info_span!("request", id = id_text);
        let seen = Seen::of(&request);
        let refused = auth::cross_site_refusal(&self.state, &request);
        // The clone that was made ready is the one called (tower's rule).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let state = self.state.clone();
        let answer = async move {
            let response = match refused {
                Some(refused) => refused,
                None => inner.call(request).await.unwrap_or_else(|never| match never {}).map(Body::new),
            };
            let id_text = id.to_str().unwrap_or("-");
            let response = error::as_page(response, id_text, seen.signed_in_area());
            let mut response = security::add_headers(&state, seen.embeddable(), response);
            let status = response.status().as_u16();
            response.headers_mut().insert(&REQUEST_ID, id.clone());
            telemetry::write_access(&AccessLine {
                id: id_text,
                method: seen.method.as_str(),
                path: seen.uri.path(),
                status,
                elapsed: started.elapsed(),
            });
            Ok(response)
        };
        Box::pin(answer.instrument(span))
    }
}

/// What the edge keeps of a request for after its answer.
struct Seen {
    method: Method,
    uri: Uri,
}

impl Seen {
    fn of(request: &Request) -> Seen {
        Seen { method: request.method().clone(), uri: request.uri().clone() }
    }

    /// Form pages may be framed by the configured origins.
    fn embeddable(&self) -> bool {
        self.uri.path().starts_with("/f/")
    }

    /// Error pages there carry the signed-in navigation.
    fn signed_in_area(&self) -> bool {
        let path = self.uri.path();
        path.starts_with("/inbox") || path.starts_with("/admin")
    }
}

/// The id a proxy in front gave the request, when it is a short token
/// safe to print in a log line; otherwise a new UUID.
fn request_id(request: &Request) -> HeaderValue {
    let forwarded = request.headers().get(&REQUEST_ID).filter(|value| is_plain_token(value.as_bytes()));
    match forwarded {
        Some(value) => value.clone(),
        None => {
            let mut text = uuid::Uuid::encode_buffer();
            let text = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut text);
            HeaderValue::from_str(text).expect("a UUID is a valid header value")
        }
    }
}

fn is_plain_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes.len() <= LONGEST_FORWARDED_ID
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_forwarded_ids_are_kept() {
        assert!(is_plain_token(b"3f2c9a1e-proxy_7.1"));
        assert!(!is_plain_token(b""));
        assert!(!is_plain_token(b"id with spaces"));
        assert!(!is_plain_token(b"a\"b"));
        assert!(!is_plain_token("x".repeat(65).as_bytes()));
    }
}
