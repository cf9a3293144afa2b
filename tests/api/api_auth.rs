//! API tokens (made and revoked at /admin/tokens), scopes, problem
//! documents, and the OpenAPI document against the router.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_support::{Api, api_app, reply, token};
use crate::helpers::{input_value, text_of};

#[tokio::test]
async fn a_request_without_or_with_a_bad_token_gets_a_401_problem() {
    let (app, _team, api) = api_app().await;
    let none = reply(app.client.get(app.url("/api/v1/forms")).send().await.unwrap()).await;
    none.assert_problem(401, None);
    assert_eq!(none.headers["www-authenticate"], "Bearer");
    let bad = Api { token: "lg_0000".into(), ..api.clone() }.get("/api/v1/forms").await;
    bad.assert_problem(401, None);
    let basic = reply(app.client.get(app.url("/api/v1/forms")).basic_auth("a", Some("b")).send().await.unwrap()).await;
    basic.assert_problem(401, None);
    assert_eq!(api.get("/api/v1/forms").await.status, 200);
}

#[tokio::test]
async fn a_read_token_reads_but_may_not_write_and_a_write_token_may_not_read() {
    let (app, team, _) = api_app().await;
    let reader = Api { token: token(&app, &team, &["read"]).await, app: app.clone() };
    let writer = Api { token: token(&app, &team, &["write"]).await, app: app.clone() };
    assert_eq!(reader.get("/api/v1/leads").await.status, 200);
    let refused =
        reader.post("/api/v1/forms/qualify/responses", json!({"question_id": "email", "answer": "a@b.example"})).await;
    refused.assert_problem(403, None);
    assert!(refused.body["detail"].as_str().unwrap().contains("write"));
    writer.get("/api/v1/leads").await.assert_problem(403, None);
    let started =
        writer.post("/api/v1/forms/qualify/responses", json!({"question_id": "email", "answer": "a@b.example"})).await;
    assert_eq!(started.status, 201, "{}", started.body);
}

#[tokio::test]
async fn an_admin_creates_a_token_shown_once_and_revoking_it_locks_it_out() {
    let (app, team, _) = api_app().await;
    let admin = app.login_as(&team.admin).await;
    let created =
        admin.post_with_csrf("/admin/tokens", "/admin/tokens", &[("name", "CRM sync"), ("scopes", "read")]).await;
    assert_eq!(created.status(), 200);
    let page = scraper::Html::parse_document(&created.text().await.unwrap());
    let secret = text_of(&page, "#new-token").expect("the token is shown once");
    assert!(secret.starts_with("lg_") && secret.len() > 40);
    let api = Api { token: secret.clone(), app: app.clone() };
    assert_eq!(api.get("/api/v1/forms").await.status, 200);
    let listing = admin.get_html("/admin/tokens").await;
    assert!(text_of(&listing, "#new-token").is_none(), "the token is not shown again");
    let row = scraper::Selector::parse("tr[data-token]").unwrap();
    let row = listing.select(&row).next().expect("the token is listed");
    assert!(row.text().collect::<String>().contains("CRM sync"));
    assert!(!row.text().collect::<String>().contains(&secret[10..]), "only a prefix is shown");
    let id = row.value().attr("data-token").unwrap().to_string();
    let stored = {
        let mut conn = app.db.read().await.unwrap();
        leadgate::store::api_tokens::list_tokens(conn.conn()).await.unwrap()
    };
    assert!(stored[0].last_used_at.is_some(), "use is recorded");
    let revoked = admin.post_with_csrf("/admin/tokens", &format!("/admin/tokens/{id}/revoke"), &[]).await;
    assert_eq!(revoked.status(), 303);
    api.get("/api/v1/forms").await.assert_problem(401, None);
}

/// Every column of every row of `api_tokens`, as text (blobs also as hex).
async fn every_stored_token_value(app: &crate::helpers::TestApp) -> Vec<String> {
    use sqlx::Row;
    match &app.db {
        leadgate::store::Db::Sqlite { reader, .. } => {
            let rows = sqlx::query("SELECT * FROM api_tokens").fetch_all(reader).await.unwrap();
            let mut values = Vec::new();
            for row in &rows {
                for i in 0..row.len() {
                    if let Ok(text) = row.try_get::<Option<String>, _>(i) {
                        values.extend(text);
                    } else if let Ok(bytes) = row.try_get::<Option<Vec<u8>>, _>(i) {
                        let bytes = bytes.unwrap_or_default();
                        values.push(String::from_utf8_lossy(&bytes).into_owned());
                        values.push(hex::encode(&bytes));
                    } else {
                        values.push(row.try_get::<i64, _>(i).expect("text, blob or integer").to_string());
                    }
                }
            }
            values
        }
        leadgate::store::Db::Postgres(pool) => {
            sqlx::query_scalar::<_, String>("SELECT row_to_json(t)::text FROM api_tokens t")
                .fetch_all(pool)
                .await
                .unwrap()
        }
    }
}

#[tokio::test]
async fn a_token_is_stored_only_as_its_hash_and_a_short_prefix() {
    let (app, team, _) = api_app().await;
    let admin = app.login_as(&team.admin).await;
    let created =
        admin.post_with_csrf("/admin/tokens", "/admin/tokens", &[("name", "CRM sync"), ("scopes", "read")]).await;
    assert_eq!(created.status(), 200);
    let page = scraper::Html::parse_document(&created.text().await.unwrap());
    let secret = text_of(&page, "#new-token").expect("the token is shown once");
    let stored = {
        let mut conn = app.db.read().await.unwrap();
        leadgate::store::api_tokens::list_tokens(conn.conn()).await.unwrap()
    };
    let mine: Vec<_> = stored.iter().filter(|t| t.name == "CRM sync").collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].prefix, secret[..9], "the prefix: lg_ and 6 characters");
    let values = every_stored_token_value(&app).await;
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(secret.as_bytes()));
    assert!(values.iter().any(|v| v.contains(&hash)), "its SHA-256 hash is kept: {values:?}");
    // Past the prefix, no 12 characters of the token are kept anywhere.
    let rest: Vec<char> = secret.chars().skip(9).collect();
    for piece in rest.windows(12).map(|w| w.iter().collect::<String>()) {
        assert!(values.iter().all(|v| !v.contains(&piece)), "{piece} of the token is stored: {values:?}");
    }
}

#[tokio::test]
async fn token_input_is_checked_and_only_admins_manage_tokens() {
    let (app, team, _) = api_app().await;
    let admin = app.login_as(&team.admin).await;
    let bad = admin.post_with_csrf("/admin/tokens", "/admin/tokens", &[("name", "  ")]).await;
    assert_eq!(bad.status(), 422);
    let page = scraper::Html::parse_document(&bad.text().await.unwrap());
    assert!(text_of(&page, ".field-error").unwrap().contains("name"));
    let marketer = app.login_as(&team.marketer).await;
    assert_eq!(marketer.get("/admin/tokens").await.status(), 403);
    assert!(input_value(&admin.get_html("/admin/tokens").await, "csrf").is_some());
}

#[tokio::test]
async fn unknown_api_paths_and_bad_bodies_are_problems_never_500s() {
    let (app, _team, api) = api_app().await;
    api.get("/api/v1/nothing-here").await.assert_problem(404, None);
    api.get("/api/v1/leads/not-a-uuid").await.assert_problem(404, None);
    let text = api
        .app
        .client
        .post(app.url("/api/v1/forms/qualify/responses"))
        .bearer_auth(&api.token)
        .body("x")
        .send()
        .await
        .unwrap();
    reply(text).await.assert_problem(415, None);
    let broken = api
        .app
        .client
        .post(app.url("/api/v1/forms/qualify/responses"))
        .bearer_auth(&api.token)
        .header("content-type", "application/json")
        .body("{\"question_id\": ")
        .send()
        .await
        .unwrap();
    reply(broken).await.assert_problem(400, Some("body"));
    api.get("/api/v1/leads?limit=0").await.assert_problem(400, Some("limit"));
    api.get("/api/v1/leads?limit=abc").await.assert_problem(400, Some("limit"));
    api.get("/api/v1/leads?cursor=bm9wZQ").await.assert_problem(400, Some("cursor"));
    api.get("/api/v1/leads?created_from=yesterday").await.assert_problem(400, Some("created_from"));
}

/// Fills a documented path's parameters with values that route.
fn concrete(path: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    path.replace("{slug}", "qualify").replace("{version}", "1").replace("{id}", &id).replace("{block_id}", &id)
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_no_other_method_is() {
    let (app, _team, _api) = api_app().await;
    let doc: Value = reply(app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap()).await.body;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 37, "{} paths", paths.len());
    let all = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];
    let mut operations = 0;
    for (path, item) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for method in &all {
            let documented = item.get(method.as_str().to_lowercase()).is_some();
            let response = app.client.request(method.clone(), app.url(&concrete(path))).send().await.unwrap();
            let status = response.status();
            if !documented {
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is routed but not documented");
                reply(response).await.assert_problem(405, None);
                continue;
            }
            operations += 1;
            if path == "/api/v1/openapi.json" {
                assert_eq!(status, 200);
            } else {
                // Routed: the token check answers, where an unrouted path would be a 404.
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
                reply(response).await.assert_problem(401, None);
            }
        }
    }
    assert!(operations >= 44, "{operations} operations");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let names =
        ["Problem", "LeadDetail", "ResponseState", "LintReport", "WebhookCreated", "DraftView", "PublishedView"];
    for name in names.into_iter().chain(["BookingView", "SlotOffer", "RepAvailability", "BookingSettingsBody"]) {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn leadgate_token_add_prints_a_working_token_for_an_active_admin_only() {
    let (app, team, _) = api_app().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
            .args(args)
            .env("LEADGATE_DATABASE_URL", &app.database_url)
            .output()
            .unwrap()
    };
    let added = run(&["token", "add", "--admin", &team.admin.email, "--scopes", "read", "CI checks"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let printed = String::from_utf8(added.stdout).unwrap();
    let secret = printed.trim();
    assert_eq!(printed.lines().count(), 1, "only the token goes to standard output: {printed:?}");
    let api = Api { token: secret.to_string(), app: app.clone() };
    assert_eq!(api.get("/api/v1/forms").await.status, 200);
    api.post("/api/v1/forms/qualify/responses", json!({"question_id": "email", "answer": "a@b.example"}))
        .await
        .assert_problem(403, None);

    let by_a_rep = run(&["token", "add", "--admin", &team.rita.email, "--scopes", "read", "sneaky"]);
    assert!(!by_a_rep.status.success());
    assert!(String::from_utf8_lossy(&by_a_rep.stderr).contains("is not an active admin"));
    let bad_scope = run(&["token", "add", "--admin", &team.admin.email, "--scopes", "everything", "x"]);
    assert!(!bad_scope.status.success());
    assert!(String::from_utf8_lossy(&bad_scope.stderr).contains("read, write"));
}
