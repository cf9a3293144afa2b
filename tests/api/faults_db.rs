//! Faults in the database under the running server: SQLite's write lock
//! held by another connection, PostgreSQL connections killed (as a restart
//! does). A request either succeeds or fails cleanly with 503 and
//! Retry-After, never a 500, and nothing is ever half written.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use leadgate::store;
use sqlx::Connection;

use crate::helpers::{BRANCHING_FORM, TestApp, spawn_app};

fn response_id(path: &str) -> uuid::Uuid {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

async fn stored(app: &TestApp, path: &str) -> store::responses::ResponseRecord {
    let mut conn = app.db.read().await.unwrap();
    store::responses::find_response(conn.conn(), response_id(path)).await.unwrap().unwrap()
}

#[tokio::test]
async fn while_another_process_holds_the_sqlite_write_lock_answers_get_503_with_retry_after_and_store_nothing() {
    let app = spawn_app().await;
    let Some(file) = app.database_url.strip_prefix("sqlite://") else { return };
    app.publish_form(BRANCHING_FORM).await;
    let path = app.start_form("qualify", "", &["buyer@acme.example"]).await;
    // What another process would do: take SQLite's write lock and keep it.
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{file}")).await.unwrap();
    sqlx::raw_sql("BEGIN EXCLUSIVE").execute(&mut other).await.unwrap();

    let refused = app.answer(&path, "company_size", &["large"]).await;
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().contains_key("retry-after"));
    let page = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(crate::helpers::text_of(&page, "main").is_some_and(|t| t.contains("Nothing you entered was lost")));
    let start = app.new_browser().start_form_raw("qualify", "", &["other@acme.example"], &[]).await;
    assert_eq!(start.status(), 503, "a new response cannot start either");
    // Reading still works under the lock (WAL).
    assert_eq!(app.get(&path).await.status(), 200);

    sqlx::raw_sql("ROLLBACK").execute(&mut other).await.unwrap();
    assert!(!stored(&app, &path).await.answers.0.contains_key("company_size"), "the refused answer left nothing");
    app.answer_ok(&path, "company_size", &["large"]).await;
    assert!(stored(&app, &path).await.answers.0.contains_key("company_size"), "the retry is stored");
}

/// Kills every connection of the app's database, as a PostgreSQL restart does.
async fn kill_connections(server: &sqlx::PgPool, database: &str) {
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(database)
    .execute(server)
    .await
    .unwrap();
}

/// One prospect through the form, retrying a step refused with 503 as a
/// person would; returns every status seen.
async fn prospect(app: &TestApp, email: String, done: Arc<AtomicUsize>) -> (Vec<u16>, Option<String>) {
    let browser = app.new_browser();
    let mut statuses = Vec::new();
    let mut path = None;
    for _ in 0..30 {
        // A person reloads a first page that failed before answering it.
        let page = browser.get("/f/qualify").await;
        statuses.push(page.status().as_u16());
        if page.status() != 200 {
            continue;
        }
        let text = page.text().await.unwrap();
        let mut pairs = crate::helpers::hidden_inputs(&scraper::Html::parse_document(&text));
        pairs.push(("answer".into(), email.clone()));
        let response = browser.client.post(browser.url("/f/qualify")).form(&pairs).send().await.unwrap();
        statuses.push(response.status().as_u16());
        done.fetch_add(1, Ordering::SeqCst);
        if response.status() == 303 {
            path = Some(crate::helpers::location(&response));
            break;
        }
        assert!(response.headers().contains_key("retry-after") || response.status() != 503);
    }
    let Some(path) = path else { return (statuses, None) };
    for (question, value) in
        [("company_size", "large"), ("procurement", "yes"), ("timeline", "now"), ("consent", "yes")]
    {
        for _ in 0..30 {
            let response = browser.answer(&path, question, &[value]).await;
            statuses.push(response.status().as_u16());
            done.fetch_add(1, Ordering::SeqCst);
            if response.status() != 503 {
                break;
            }
            assert!(response.headers().contains_key("retry-after"), "a 503 says when to retry");
        }
    }
    (statuses, Some(path))
}

#[tokio::test]
async fn killing_postgresql_connections_under_load_gives_success_or_503_and_never_half_written_leads() {
    let app = spawn_app().await;
    if !app.database_url.starts_with("postgres") {
        return;
    }
    app.publish_form(BRANCHING_FORM).await;
    app.seed_team().await;
    let (server_url, database) = app.database_url.rsplit_once('/').unwrap();
    let server = sqlx::PgPool::connect(&format!("{server_url}/postgres")).await.unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    let mut prospects = Vec::new();
    for n in 0..8 {
        let (app, done) = (app.clone(), done.clone());
        prospects.push(tokio::spawn(async move { prospect(&app, format!("p{n}@co{n}.example"), done).await }));
    }
    // Kill the app's connections every few requests until the prospects are through.
    let mut killed_at = 0;
    while prospects.iter().any(|p| !p.is_finished()) {
        let now = done.load(Ordering::SeqCst);
        if now >= killed_at + 4 {
            kill_connections(&server, database).await;
            killed_at = now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut all_statuses = Vec::new();
    for prospect in prospects {
        let (statuses, path) = prospect.await.unwrap();
        all_statuses.extend(statuses);
        let path = path.expect("the prospect got through in the end");
        let response = stored(&app, &path).await;
        assert!(response.is_finished(), "{path} finished after its retries");
        let lead = app.lead(response.lead_id.expect("a finished response has its lead")).await;
        assert!(lead.assigned_user_id.is_some(), "the lead was routed in the same transaction");
        assert!(!app.history(lead.id).await.is_empty());
    }
    assert!(all_statuses.iter().all(|s| [200, 303, 503].contains(s)), "only success or 503: {all_statuses:?}");
    assert!(all_statuses.contains(&503), "the kills did hit requests: {all_statuses:?}");
}

#[tokio::test]
async fn a_restarted_server_with_a_cold_cache_takes_many_answers_at_once_without_starving_its_pool() {
    let app = spawn_app().await;
    app.publish_form(BRANCHING_FORM).await;
    let mut paths = Vec::new();
    for n in 0..40 {
        paths.push(app.new_browser().start_form("qualify", "", &[&format!("p{n}@co{n}.example")]).await);
    }
    // A second server on the same database has not read the form yet: every
    // answer below finds it missing from the cache inside its transaction.
    let restarted = crate::helpers::spawn_on_database(&app.database_url, |_| {}).await;
    let answers = paths.iter().map(|path| {
        let browser = restarted.new_browser();
        let path = path.clone();
        tokio::spawn(async move { browser.answer(&path, "company_size", &["large"]).await.status().as_u16() })
    });
    let statuses: Vec<u16> = futures_util::future::join_all(answers).await.into_iter().map(|s| s.unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 303), "every answer is taken, none waits for a connection: {statuses:?}");
}
