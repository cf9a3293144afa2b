//! Helpers for the JSON API tests: tokens, requests with a bearer token,
//! problem documents, and finishing the fixture form with UTM fields.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{BRANCHING_FORM, Team, TestApp, spawn_app};

/// An API client with one token.
#[derive(Clone)]
pub struct Api {
    pub app: TestApp,
    pub token: String,
}

/// A response: status, headers and the JSON body (Null when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn content_type(&self) -> String {
        self.headers.get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }

    /// Asserts an RFC 9457 problem with this status (and, when given, a field error).
    pub fn assert_problem(&self, status: u16, field: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.content_type(), "application/problem+json");
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].as_str().is_some_and(|t| t.starts_with("urn:leadgate:problem:")), "{}", self.body);
        assert!(self.body["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(self.body["detail"].as_str().is_some_and(|t| !t.is_empty()));
        if let Some(field) = field {
            let fields: Vec<&str> =
                self.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
            assert!(fields.contains(&field), "expected an error on {field}: {}", self.body);
        }
    }
}

impl Api {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.app.client.request(method, self.app.url(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        reply(request.send().await.expect("API request")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// Posts `body` as it is, with this media type (definition files).
    pub async fn post_file(&self, path: &str, content_type: &str, body: &str) -> reqwest::Response {
        let request = self.app.client.post(self.app.url(path)).bearer_auth(&self.token);
        request.header("content-type", content_type).body(body.to_string()).send().await.expect("API request")
    }

    /// A GET answered with a file: status, content type and text.
    pub async fn get_text(&self, path: &str) -> (u16, String, String) {
        let response =
            self.app.client.get(self.app.url(path)).bearer_auth(&self.token).send().await.expect("API request");
        let status = response.status().as_u16();
        let media = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
        (status, media.unwrap_or_default(), response.text().await.unwrap())
    }
}

/// Changes a person's role or switches them off, as an operator would in the database.
pub async fn set_person(app: &TestApp, id: uuid::Uuid, role: &str, active: bool) {
    let mut tx = app.db.begin().await.unwrap();
    let changed =
        leadgate::on_conn!(tx.conn(), c => sqlx::query("UPDATE users SET role = $2, active = $3 WHERE id = $1")
        .bind(id)
        .bind(role)
        .bind(active)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(changed, 1);
}

/// The field names of a problem's `errors`.
pub fn problem_fields(reply: &Reply) -> Vec<String> {
    reply.body["errors"].as_array().map_or_else(Vec::new, |errors| {
        errors.iter().map(|e| e["field"].as_str().unwrap_or_default().to_string()).collect()
    })
}

pub async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    Reply { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

/// A token made by the team's admin with `scopes`.
pub async fn token(app: &TestApp, team: &Team, scopes: &[&str]) -> String {
    let ctx = leadgate::app::Context::new(app.db.clone(), app.clock.clone(), app.address.clone(), false);
    let admin = leadgate::app::auth::CurrentUser {
        id: team.admin.id,
        email: team.admin.email.clone(),
        name: "Ada Admin".into(),
        role: leadgate::app::auth::Role::Admin,
        csrf_token: String::new(),
    };
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    leadgate::app::tokens::create_token(&ctx, &admin, "tests", &scopes).await.expect("token").1
}

/// The app with the fixture form and the team, and a read+write client.
pub async fn api_app() -> (TestApp, Team, Api) {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let team = app.seed_team().await;
    let api = Api { token: token(&app, &team, &["read", "write"]).await, app: app.clone() };
    (app, team, api)
}

/// Which path through the fixture form.
#[derive(Clone, Copy)]
pub enum Path {
    Tier1,
    Tier2,
    Nurture,
}

/// Finishes the fixture form from a page with `query` (UTM fields); returns the lead id.
pub async fn finish_from(app: &TestApp, email: &str, query: &str, path: Path) -> uuid::Uuid {
    let browser = app.new_browser();
    let at = browser.start_form("qualify", query, &[email]).await;
    match path {
        Path::Tier1 => {
            browser.answer_ok(&at, "company_size", &["large"]).await;
            browser.answer_ok(&at, "procurement", &["yes"]).await;
            browser.answer_ok(&at, "timeline", &["now"]).await;
        }
        Path::Tier2 => {
            browser.answer_ok(&at, "company_size", &["mid"]).await;
            browser.answer_ok(&at, "current_tool", &["spreadsheets"]).await;
            browser.answer_ok(&at, "timeline", &["later"]).await;
        }
        Path::Nurture => {
            browser.answer_ok(&at, "company_size", &["small"]).await;
            browser.answer_ok(&at, "budget", &["100"]).await;
            browser.answer_ok(&at, "timeline", &["later"]).await;
        }
    }
    browser.answer_ok(&at, "consent", &["yes"]).await;
    app.lead_of(&at).await.id
}
