//! The server skeleton: probes, static files, error pages, headers, config.

use scraper::Html;

use crate::helpers::{hidden_inputs, location, spawn_app, spawn_app_with, spawn_on_database, text_of};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn readyz_answers_ready_when_the_database_is_reachable() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.close().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn a_missing_page_is_a_friendly_404_page_with_a_request_id() {
    let app = spawn_app().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    let request_id = response.headers().get("x-request-id").expect("request id header").to_str().unwrap().to_string();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(text_of(&page, "h1").as_deref(), Some("Page not found"));
    assert_eq!(text_of(&page, ".request-id"), Some(request_id));
}

/// A proxy's request id is kept so its logs and ours line up; one that is
/// not a short plain token (it would spoil a log line) is replaced.
#[tokio::test]
async fn a_plain_forwarded_request_id_is_kept_and_any_other_is_replaced() {
    let app = spawn_app().await;
    let id_of = |response: &reqwest::Response| response.headers()["x-request-id"].to_str().unwrap().to_string();
    let send = |id: &'static str| app.client.get(app.url("/healthz")).header("x-request-id", id).send();
    assert_eq!(id_of(&send("edge-7f3a.1_b").await.unwrap()), "edge-7f3a.1_b");
    for unsafe_id in ["two words", "quote\"d", "x-very-long-id-that-goes-on-and-on-and-on-well-past-sixty-four-chars"] {
        let replaced = id_of(&send(unsafe_id).await.unwrap());
        assert!(uuid::Uuid::parse_str(&replaced).is_ok(), "{unsafe_id:?} became {replaced:?}");
    }
    let fresh = id_of(&app.get("/healthz").await);
    assert!(uuid::Uuid::parse_str(&fresh).is_ok(), "{fresh}");
}

#[tokio::test]
async fn an_error_page_for_a_client_that_takes_compression_is_plain_readable_html() {
    let app = spawn_app().await;
    // A path the router cannot parse: axum answers with a text body that
    // compression would encode before the page replaces it.
    let response = app
        .client
        .get(app.url("/f/qualify/r/not-a-response-id-but-long-enough-to-be-compressed"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("content-encoding").is_none(), "the page is sent as it is");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(text_of(&page, "h1").as_deref(), Some("Could not read that"));
}

#[tokio::test]
async fn a_server_error_page_shows_the_request_id_and_never_the_cause() {
    let app = spawn_app().await;
    app.publish_form(crate::helpers::BRANCHING_FORM).await;
    // Break the database under the running server: answers can no longer be stored.
    let mut tx = app.db.begin().await.unwrap();
    leadgate::on_conn!(tx.conn(), c => sqlx::query("DROP TABLE responses").execute(&mut *c).await.map(|_| ())).unwrap();
    tx.commit().await.unwrap();
    let response = app.start_form_raw("qualify", "", &["buyer@acme.example"], &[]).await;
    assert_eq!(response.status(), 500);
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    let body = response.text().await.unwrap();
    let page = Html::parse_document(&body);
    assert_eq!(text_of(&page, ".request-id"), Some(request_id));
    assert!(!body.contains("responses"), "the cause must not reach the page");
    assert!(!body.to_lowercase().contains("sql"), "the cause must not reach the page");
}

#[tokio::test]
async fn htmx_is_served_by_leadgate_itself_with_cache_headers_and_compression() {
    let app = spawn_app().await;
    let response =
        app.client.get(app.url("/static/htmx.min.js")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    assert!(response.headers()["content-type"].to_str().unwrap().contains("javascript"));
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy_and_nosniff() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    let csp = response.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("style-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn form_pages_may_be_framed_by_the_configured_origins_only() {
    let app = spawn_app_with(|s| {
        s.demo = true;
        s.frame_ancestors = vec!["https://www.customer.example".into()]
    })
    .await;
    let response = app.get("/f/talk-to-sales").await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'self' https://www.customer.example"), "{csp}");
    assert!(response.headers().get("x-frame-options").is_none());
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = spawn_app().await;
    let big = "a".repeat(2 * 1024 * 1024);
    let response = app.client.post(app.url("/f/talk-to-sales")).body(big).send().await.unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn a_bad_bind_address_stops_start_up_with_one_line_and_exit_code_2() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .env("LEADGATE_BIND", "not-an-address")
        .env("LEADGATE_DATABASE_URL", "sqlite::memory:")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("LEADGATE_BIND"), "{stderr}");
}

#[tokio::test]
async fn leadgate_check_exits_non_zero_on_lint_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.yaml");
    std::fs::write(&good, crate::helpers::BRANCHING_FORM).unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, crate::helpers::BRANCHING_FORM.replace("goto: procurement", "goto: nowhere")).unwrap();
    let run = |path: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_leadgate")).arg("check").arg(path).output().unwrap()
    };
    assert!(run(&good).status.success());
    let failed = run(&bad);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stdout).contains("nowhere"));
}

#[tokio::test]
async fn leadgate_user_add_creates_a_person_who_can_sign_in() {
    let app = spawn_app().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
            .args(args)
            .env("LEADGATE_DATABASE_URL", &app.database_url)
            .env("LEADGATE_USER_PASSWORD", "a-long-enough-password")
            .output()
            .unwrap()
    };
    let added = run(&["user", "add", "--role", "rep", "--name", "Nia New", "nia@team.example"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let response =
        app.post_form("/login", &[("email", "nia@team.example"), ("password", "a-long-enough-password")]).await;
    assert_eq!(response.status(), 303);
    let reset = std::process::Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .args(["user", "reset", "nia@team.example"])
        .env("LEADGATE_DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(reset.status.success());
    let printed = String::from_utf8_lossy(&reset.stdout).to_string();
    let new_password = printed.lines().find_map(|l| l.strip_prefix("password for nia@team.example: ")).unwrap();
    let old = app.post_form("/login", &[("email", "nia@team.example"), ("password", "a-long-enough-password")]).await;
    assert_eq!(old.status(), 422, "the old password no longer works");
    let new = app.post_form("/login", &[("email", "nia@team.example"), ("password", new_password)]).await;
    assert_eq!(new.status(), 303);
    let bad_role = run(&["user", "add", "--role", "boss", "x@team.example"]);
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("--role"));
}

#[tokio::test]
async fn shutdown_ends_open_live_inbox_streams_and_the_server_stops() {
    let app = spawn_app().await;
    let team = app.seed_team().await;
    let rita = app.login_as(&team.rita).await;
    let stream = rita.client.get(rita.url("/inbox/events")).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));

    // Bounded waits, not sleeps: an endless stream used to keep the drain waiting.
    let bound = std::time::Duration::from_secs(10);
    let stopped = tokio::time::timeout(bound, app.shut_down()).await;
    stopped.expect("the server stops while a live stream is open").expect("and stops cleanly");
    let rest = tokio::time::timeout(bound, stream.bytes()).await.expect("the stream has ended");
    assert!(rest.is_ok(), "the stream ends cleanly: {rest:?}");
    assert!(app.client.get(app.url("/healthz")).send().await.is_err(), "nothing listens any more");
}

#[tokio::test]
async fn the_secret_key_made_on_first_start_still_verifies_after_a_restart() {
    // The form's own minimum time applies, so a render token that no longer
    // verifies would mark the prospect a bot.
    let app = spawn_app_with(|s| s.limits.min_seconds_before_first_answer = None).await;
    app.publish_form(crate::helpers::BRANCHING_FORM).await;
    let page = app.get_html("/f/qualify").await;
    let mut pairs = hidden_inputs(&page);
    let signed_id = pairs.iter().find(|(k, _)| k == "response").expect("the page's signed response id").1.clone();
    pairs.push(("answer".into(), "buyer@acme.example".into()));
    app.shut_down().await.unwrap();

    let restarted = spawn_on_database(&app.database_url, |s| s.limits.min_seconds_before_first_answer = None).await;
    restarted.clock.advance(chrono::Duration::seconds(30));
    let response = restarted.client.post(restarted.url("/f/qualify")).form(&pairs).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let path = location(&response);
    let id = signed_id.split('.').next().unwrap();
    assert!(path.ends_with(id), "the id signed before the restart is taken: {path}");
    let mut conn = restarted.db.read().await.unwrap();
    let stored = leadgate::store::responses::find_response(conn.conn(), id.parse().unwrap()).await.unwrap().unwrap();
    assert!(!stored.is_bot, "the render time signed before the restart verifies: {:?}", stored.bot_reason);
}

#[tokio::test]
async fn sqlite_runs_with_wal_foreign_keys_on_and_a_busy_timeout() {
    let app = spawn_app().await;
    // These are SQLite's own settings: nothing to check on PostgreSQL.
    if app.db.backend() != leadgate::store::Backend::Sqlite {
        return;
    }
    let mut read = app.db.read().await.unwrap();
    let mut write = app.db.begin().await.unwrap();
    for (which, conn) in [("reader", read.conn()), ("writer", write.conn())] {
        let leadgate::store::Conn::Sqlite(c) = conn else { unreachable!("a SQLite database has SQLite connections") };
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *c).await.unwrap();
        assert_eq!(journal, "wal", "{which}");
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *c).await.unwrap();
        assert_eq!(foreign_keys, 1, "{which}");
        let busy_ms: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *c).await.unwrap();
        assert!(busy_ms >= 1000, "{which} waits {busy_ms} ms for a busy database");
    }
    // And the writer enforces them: a version of a form that does not exist is refused.
    let leadgate::store::Conn::Sqlite(c) = write.conn() else { unreachable!() };
    let orphan = sqlx::query(
        "INSERT INTO form_versions (form_id, version, definition, published_at) VALUES ($1, 1, '{}', '2026-01-01')",
    )
    .bind(uuid::Uuid::new_v4())
    .execute(&mut *c)
    .await;
    assert!(orphan.is_err_and(|e| e.to_string().to_lowercase().contains("foreign key")));
    write.rollback().await.unwrap();
}
