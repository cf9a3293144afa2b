//! The form's first page and its first answer, which starts the response.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::view::HiddenInput;
use super::{StepChrome, first_message, render_step, step_page, wants_fragment};
use crate::app::AppError;
use crate::app::respond::{self, StartInput, StepInput};
use crate::app::signing;
use crate::engine::Hidden;
use crate::web::AppState;
use crate::web::error::{PageError, too_many_requests};
use crate::web::forms_input::FormBody;

/// Query-string keys kept with the response as hidden fields.
pub const HIDDEN_KEYS: [&str; 7] =
    ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "referrer"];
const HIDDEN_VALUE_MAX_CHARS: usize = 500;
/// The first page's field with the signed id of the response it starts.
const RESPONSE_ID_FIELD: &str = "response";

/// GET /f/{slug}: the first question (or a redirect to the response this
/// browser has in progress).
pub async fn show_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let restart = query.iter().any(|(k, _)| k == "restart");
    if let Some(response_id) = resume_cookie(&headers, &slug).filter(|_| !restart) {
        let resumable = respond::load_step(&state.ctx, response_id, None).await;
        if matches!(&resumable, Ok(step) if step.shown.is_some()) {
            return Ok(Redirect::to(&format!("/f/{slug}/r/{response_id}")).into_response());
        }
    }
    let step = match respond::first_step(&state.ctx, &slug).await {
        Ok(step) => step,
        Err(error) => return super::closed::closed_or(&state, &slug, error).await,
    };
    state.ctx.views.record(step.form.form_id, step.form.version, state.ctx.clock.now());
    let mut hidden = hidden_from_query(&query);
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok());
    if let Some(referer) = referer.filter(|_| !hidden.contains_key("referrer")) {
        hidden.insert("referrer".into(), clip(referer));
    }
    let embed = query.iter().any(|(k, v)| k == "embed" && v == "1");
    let chrome = first_page_chrome(&state, &slug, &hidden, embed, uuid::Uuid::new_v4());
    Ok(render_step(step_page(&step, chrome, None, None), wants_fragment(&headers), StatusCode::OK))
}

/// POST /f/{slug}: validates the first answer and starts the response with it.
pub async fn submit_first_answer(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    if let Err(retry) = state.rate_limits.check_start(client.ip()) {
        return Ok(too_many_requests(retry));
    }
    let form = FormBody::parse(&body).map_err(|e| PageError(AppError::invalid("form", e.to_string())))?;
    let hidden: Hidden = HIDDEN_KEYS
        .iter()
        .filter_map(|key| form.get(&format!("h_{key}")).map(|v| (key.to_string(), clip(v))))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let embed = form.get("embed") == Some("1");
    let response_id = form.get(RESPONSE_ID_FIELD).and_then(|token| signing::verify(&state.secret, token)?.parse().ok());
    let response_id = response_id.unwrap_or_else(uuid::Uuid::new_v4);
    let start = StartInput {
        hidden: hidden.clone(),
        embedded: embed,
        client_ip: Some(client.ip().to_string()),
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(clip),
        seconds_since_render: form.get("t").and_then(|t| seconds_since(&state, t)),
        min_seconds_override: state.limits().min_seconds_before_first_answer,
        response_id: Some(response_id),
    };
    let step = step_input(&form);
    match respond::start_response(&state.ctx, &slug, start, step.clone(), state.ctx.clock.now()).await {
        Ok(response_id) => {
            let mut response =
                super::step::go_to_step(&state, wants_fragment(&headers), &slug, response_id, None, None).await?;
            set_resume_cookie(&mut response, &state, &slug, response_id);
            Ok(response)
        }
        Err(error @ AppError::Invalid(_)) => {
            let first = respond::first_step(&state.ctx, &slug).await?;
            let chrome = first_page_chrome(&state, &slug, &hidden, embed, response_id);
            let page = step_page(&first, chrome, Some(step.values), first_message(&error));
            Ok(render_step(page, wants_fragment(&headers), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => super::closed::closed_or(&state, &slug, other).await,
    }
}

/// The question id, values and honeypot of a posted step.
pub(super) fn step_input(form: &FormBody) -> StepInput {
    StepInput {
        question_id: form.get("question").unwrap_or_default().to_string(),
        values: form.all("answer"),
        honeypot_filled: form.get("lg_trap").is_some_and(|v| !v.trim().is_empty()),
    }
}

/// The first page carries the id its response will get (signed, so only
/// ids this server made are taken): sent twice, it starts one response.
fn first_page_chrome(state: &AppState, slug: &str, hidden: &Hidden, embed: bool, id: uuid::Uuid) -> StepChrome {
    let now_ms = state.ctx.clock.now().timestamp_millis();
    let mut inputs: Vec<HiddenInput> =
        hidden.iter().map(|(k, v)| HiddenInput { name: format!("h_{k}"), value: v.clone() }).collect();
    inputs.push(HiddenInput { name: RESPONSE_ID_FIELD.into(), value: signing::sign(&state.secret, &id.to_string()) });
    StepChrome {
        action: format!("/f/{slug}"),
        back_url: None,
        hidden: inputs,
        render_token: Some(signing::sign(&state.secret, &now_ms.to_string())),
        resume_url: None,
        embed,
    }
}

fn hidden_from_query(query: &[(String, String)]) -> Hidden {
    query
        .iter()
        .filter(|(k, v)| HIDDEN_KEYS.contains(&k.as_str()) && !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), clip(v)))
        .collect()
}

fn clip(value: &str) -> String {
    value.trim().chars().take(HIDDEN_VALUE_MAX_CHARS).collect()
}

/// Seconds since the signed render time, when the token is genuine.
fn seconds_since(state: &AppState, token: &str) -> Option<f64> {
    let rendered_ms: i64 = signing::verify(&state.secret, token)?.parse().ok()?;
    let elapsed_ms = state.ctx.clock.now().timestamp_millis() - rendered_ms;
    (elapsed_ms >= 0).then(|| elapsed_ms as f64 / 1000.0)
}

fn cookie_name(slug: &str) -> String {
    format!("lg_{}", slug.replace('-', "_"))
}

/// The response this browser has in progress on this form.
fn resume_cookie(headers: &HeaderMap, slug: &str) -> Option<uuid::Uuid> {
    let name = cookie_name(slug);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| v.parse().ok())
}

fn set_resume_cookie(response: &mut Response, state: &AppState, slug: &str, id: uuid::Uuid) {
    let secure = if state.ctx.base_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("{}={id}; Path=/f/{slug}; Max-Age=2592000; HttpOnly; SameSite=Lax{secure}", cookie_name(slug));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}
