//! The baseline server of the HTTP load benchmark: what the same crates
//! (axum, tokio, sqlx) give with nothing of leadgate in the way.
//!
//! - `GET /text`: a trivial text endpoint (the framework's ceiling).
//! - `GET /page`: a fixed HTML page as long as a step page, from memory:
//!   what the bytes of a page cost on their own.
//! - `POST /commit`: commits one row per request with the durability
//!   leadgate uses. On SQLite: WAL, `synchronous=FULL`, one writer
//!   connection, one transaction and one commit per request (no group
//!   commit: that is the point of the baseline). On PostgreSQL: a pool of
//!   16 connections, one `INSERT` committed per request (`synchronous_commit`
//!   left at its default, `on`).
//!
//! `cargo run --release --example bench_baseline -- DATABASE_URL BIND`
//! prints `listening on ADDRESS` once it serves.

use std::str::FromStr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, PgPool, SqliteConnection};
use tokio::sync::Mutex;

#[derive(Clone)]
enum Store {
    Sqlite(Arc<Mutex<SqliteConnection>>),
    Postgres(PgPool),
}

const CREATE: &str =
    "CREATE TABLE IF NOT EXISTS baseline_rows (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL)";
const INSERT: &str = "INSERT INTO baseline_rows (id, body, created_at) VALUES ($1, $2, $3)";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "sqlite://baseline.db".into());
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:3901".into());
    let store = connect(&url).await?;
    let app = Router::new()
        .route("/text", get(text))
        .route("/page", get(page))
        .route("/commit", post(commit))
        .with_state(store);
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn connect(url: &str) -> anyhow::Result<Store> {
    if url.starts_with("postgres") {
        let pool =
            PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(5)).connect(url).await?;
        sqlx::query(CREATE).execute(&pool).await?;
        return Ok(Store::Postgres(pool));
    }
    let mut conn = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .connect()
        .await?;
    sqlx::query(CREATE).execute(&mut conn).await?;
    Ok(Store::Sqlite(Arc::new(Mutex::new(conn))))
}

/// As many bytes as a step page of the demo form (about 3.1 KB).
const PAGE_BYTES: usize = 3_100;

static PAGE: LazyLock<String> = LazyLock::new(|| {
    let head = "<!doctype html><html lang=\"en\"><head><title>Page</title></head><body><p>";
    let tail = "</p></body></html>";
    format!("{head}{}{tail}", "x".repeat(PAGE_BYTES - head.len() - tail.len()))
});

async fn page() -> Html<&'static str> {
    Html(PAGE.as_str())
}

async fn text() -> &'static str {
    "ok"
}

/// One row, one transaction, one durable commit, then the answer.
async fn commit(State(store): State<Store>, body: Bytes) -> StatusCode {
    let id = uuid::Uuid::new_v4().to_string();
    let body = String::from_utf8_lossy(&body).into_owned();
    let now = chrono::Utc::now().to_rfc3339();
    let result = match store {
        Store::Sqlite(conn) => {
            let mut conn = conn.lock().await;
            let mut tx = match conn.begin().await {
                Ok(tx) => tx,
                Err(_) => return StatusCode::SERVICE_UNAVAILABLE,
            };
            let inserted = sqlx::query(INSERT).bind(&id).bind(&body).bind(&now).execute(&mut *tx).await;
            match inserted {
                Ok(_) => tx.commit().await,
                Err(error) => Err(error),
            }
        }
        Store::Postgres(pool) => sqlx::query(INSERT).bind(&id).bind(&body).bind(&now).execute(&pool).await.map(|_| ()),
    };
    if result.is_ok() { StatusCode::NO_CONTENT } else { StatusCode::SERVICE_UNAVAILABLE }
}
