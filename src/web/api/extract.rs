//! What every API handler takes: the caller from its bearer token (with the
//! scope the extractor's type demands), strictly parsed JSON bodies and
//! query strings, ids from the path, and opaque pagination cursors. Every
//! rejection is a problem document naming what was wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::problem::ApiProblem;
use crate::app::tokens::{self, ApiCaller, Authentication, Scope};
use crate::web::AppState;

/// A caller whose token has the read scope.
pub struct Reader(pub ApiCaller);
/// A caller whose token has the write scope.
pub struct Writer(pub ApiCaller);

async fn caller(parts: &Parts, state: &AppState, scope: Scope) -> Result<ApiCaller, ApiProblem> {
    let header = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim) else {
        return Err(ApiProblem::unauthorized("Send an API token as `Authorization: Bearer lg_…`."));
    };
    let caller = match tokens::authenticate(&state.ctx, token).await.map_err(ApiProblem::from)? {
        Authentication::Caller(caller) => caller,
        Authentication::Unknown => {
            return Err(ApiProblem::unauthorized("This API token is unknown or has been revoked."));
        }
        Authentication::CreatorNotAdmin(role) => {
            let detail = format!(
                "The person who made this token is now a {} and no longer an admin, so the token cannot act; \
                 an admin can make a new one at /admin/tokens.",
                role.as_str()
            );
            return Err(ApiProblem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail));
        }
    };
    if !caller.has(scope) {
        let detail = format!("This token lacks the {} scope this operation needs.", scope.as_str());
        return Err(ApiProblem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail));
    }
    Ok(caller)
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiProblem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Reader(caller(parts, state, Scope::Read).await?))
    }
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiProblem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Writer(caller(parts, state, Scope::Write).await?))
    }
}

/// A JSON body parsed strictly: the types refuse unknown fields, and an
/// error names the field (`hidden.utm_source`) and what was expected.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiProblem;
    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(request, state, &["application/json"]).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The body, when its media type is one of `accepted`.
pub async fn body_bytes(request: Request, state: &AppState, accepted: &[&str]) -> Result<Bytes, ApiProblem> {
    let media = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !accepted.contains(&media.as_str()) {
        let detail = format!("Send the body as {}.", accepted.join(" or "));
        return Err(ApiProblem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            detail,
        ));
    }
    Bytes::from_request(request, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiProblem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Body too large",
                "The body is larger than 256 KiB.",
            )
        } else {
            ApiProblem::bad_request("body", "The body could not be read.")
        }
    })
}

/// Parses JSON into `T`, naming the failing field. A whole number written
/// with a fraction (`30.0`) is an integer to JSON Schema, so it is read as
/// one where an integer is expected.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiProblem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = match parsed {
        Ok(value) => value,
        Err(error) if error.inner().to_string().contains("invalid type: floating point") => {
            let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| json_problem(".", e))?;
            whole_numbers_as_integers(&mut value);
            return serde_path_to_error::deserialize(value)
                .map_err(|error| json_problem(&error.path().to_string(), error.into_inner()));
        }
        Err(error) => return Err(json_problem(&error.path().to_string(), error.into_inner())),
    };
    deserializer.end().map_err(|_| ApiProblem::bad_request("body", "The body has data after the JSON value."))?;
    Ok(value)
}

fn json_problem(path: &str, error: serde_json::Error) -> ApiProblem {
    let message = without_position(&error.to_string());
    match error.classify() {
        serde_json::error::Category::Data => ApiProblem::invalid(&field_name(path, &message, "body"), message),
        _ => ApiProblem::bad_request("body", format!("The body is not valid JSON: {message}.")),
    }
}

/// Rewrites `30.0` as `30` everywhere in the value (within ±2^53, where floats are exact).
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0) {
                *n = serde_json::Number::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// The field an error names: its path, or for a missing field the path to it.
fn field_name(path: &str, message: &str, whole: &str) -> String {
    let missing = message.strip_prefix("missing field `").and_then(|m| m.split('`').next());
    match (path, missing) {
        (".", Some(name)) => name.to_string(),
        (".", None) => whole.to_string(),
        (path, Some(name)) => format!("{path}.{name}"),
        (path, None) => path.to_string(),
    }
}

fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A query string parsed into `T`, naming the failing parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiProblem;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(deserializer).map(ApiQuery).map_err(|error| {
            let path = error.path().to_string();
            let message = error.into_inner().to_string();
            ApiProblem::bad_request(&field_name(&path, &message, "query"), message)
        })
    }
}

fn form_urlencoded_parse(query: &str) -> url::form_urlencoded::Parse<'_> {
    url::form_urlencoded::parse(query.as_bytes())
}

/// An id from the path: anything that is not a UUID names nothing (404).
pub fn path_id(raw: &str, what: &str) -> Result<Uuid, ApiProblem> {
    raw.parse().map_err(|_| ApiProblem::not_found(what))
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

impl PageParams {
    pub fn limit(&self) -> Result<i64, ApiProblem> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiProblem::bad_request("limit", format!("Give a limit from 1 to {MAX_LIMIT}."))),
        }
    }

    /// The key inside the cursor, for a list of `kind`.
    pub fn cursor(&self, kind: &str) -> Result<Option<String>, ApiProblem> {
        let Some(raw) = self.cursor.as_deref().filter(|c| !c.is_empty()) else { return Ok(None) };
        let bad = || ApiProblem::bad_request("cursor", "This cursor is not one this list gave out.");
        let text = URL_SAFE_NO_PAD.decode(raw).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(bad)?;
        let key = text.strip_prefix(kind).and_then(|t| t.strip_prefix(':')).ok_or_else(bad)?;
        Ok(Some(key.to_string()))
    }

    /// The cursor as an id.
    pub fn cursor_id(&self, kind: &str) -> Result<Option<Uuid>, ApiProblem> {
        let bad = || ApiProblem::bad_request("cursor", "This cursor is not one this list gave out.");
        self.cursor(kind)?.map(|k| k.parse().map_err(|_| bad())).transpose()
    }
}

/// An opaque cursor for the item with `key` in a list of `kind`.
pub fn cursor(kind: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{key}"))
}

/// Splits `limit + 1` fetched rows into the page and the next cursor.
pub fn paginate<R>(mut rows: Vec<R>, limit: i64, kind: &str, key: impl Fn(&R) -> String) -> (Vec<R>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(|r| cursor(kind, &key(r))) } else { None };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn field_of(json: &str) -> (u16, String) {
        let problem = parse_json::<Body>(json.as_bytes()).unwrap_err();
        (problem.status.as_u16(), problem.errors[0].field.clone())
    }

    #[test]
    fn json_errors_name_the_field_at_fault() {
        assert_eq!(field_of(r#"{"name": "a", "inner": {"count": "x"}}"#), (422, "inner.count".into()));
        assert_eq!(field_of(r#"{"name": "a", "inner": {"count": 1, "extra": 2}}"#), (422, "inner.extra".into()));
        assert_eq!(field_of(r#"{"name": 5, "inner": {"count": 1}}"#), (422, "name".into()));
        assert_eq!(field_of(r#"{"name": "a""#), (400, "body".into()));
        assert_eq!(field_of(r#"{"name": "a", "inner": {"count": 1}} trailing"#), (400, "body".into()));
        assert_eq!(field_of(r#"{"inner": {"count": 1}}"#), (422, "name".into()));
        assert_eq!(field_of(r#"{"name": "a", "inner": {"count": 1.5}}"#), (422, "inner.count".into()));
        assert_eq!(field_of(r#"{"name": "a", "inner": {"count": 2.0}, "x": 1.0}"#), (422, "x".into()));
        let whole: Body = parse_json(br#"{"name": "a", "inner": {"count": 2.0}}"#).unwrap();
        assert_eq!(whole.inner.count, 2, "2.0 is the integer 2");
        assert_eq!(field_of(r#"{"name": "a", "inner": {}}"#), (422, "inner.count".into()));
    }

    #[test]
    fn cursors_round_trip_and_belong_to_one_list() {
        let page = PageParams { limit: None, cursor: Some(cursor("leads", "abc")) };
        assert_eq!(page.cursor("leads").unwrap().as_deref(), Some("abc"));
        assert!(page.cursor("forms").is_err());
        assert!(PageParams { limit: None, cursor: Some("!!".into()) }.cursor("leads").is_err());
        assert_eq!(PageParams::default().limit().unwrap(), DEFAULT_LIMIT);
        assert!(PageParams { limit: Some(MAX_LIMIT + 1), cursor: None }.limit().is_err());
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_more_rows_exist() {
        let (rows, next) = paginate(vec![1, 2, 3], 2, "n", |n| n.to_string());
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(next, Some(cursor("n", "2")));
        let (rows, next) = paginate(vec![1, 2], 2, "n", |n| n.to_string());
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(next, None);
    }
}
