//! Storage: SQLite (default) or PostgreSQL behind one interface.
//!
//! [`Db`] holds native pools for each backend (sqlx's `Any` driver cannot
//! carry timestamps, UUIDs or JSON). Store functions take a [`Conn`] and use
//! [`on_conn!`] to run one query text against whichever backend it is, so
//! each arm is type-checked against its own driver. Branches per backend are
//! written out only where the engines really differ.
//!
//! SQLite has one writer connection (commits happen one at a time anyway, and
//! a single writer keeps the tail latency low) with group commit (see
//! [`sqlite_writer`]), and a separate read pool.

pub mod analytics;
pub mod api_tokens;
pub mod bookings;
pub mod calendars;
pub mod catalog;
pub mod drafts;
pub mod form_queries;
pub mod form_tests;
pub mod forms;
pub mod lead_queries;
pub mod leads;
pub mod outbox;
pub mod quality;
pub mod replay;
pub mod responses;
pub mod routing;
pub mod routing_admin;
pub mod settings;
pub mod sqlite_writer;
pub mod users;
pub mod versions;
pub mod views;
pub mod webhooks;

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use sqlite_writer::{SqliteSingle, SqliteTx, SqliteWriter};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database is busy or unreachable; the request may be retried.
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("database error")]
    Database(#[source] sqlx::Error),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => StoreError::Unavailable(error),
            sqlx::Error::Database(db) if is_busy(db.as_ref()) => StoreError::Unavailable(error),
            _ => StoreError::Database(error),
        }
    }
}

/// SQLite "database is locked/busy" (codes 5 and 6) and PostgreSQL
/// "cannot connect now"/"admin shutdown" are transient, not bugs.
fn is_busy(error: &dyn sqlx::error::DatabaseError) -> bool {
    matches!(error.code().as_deref(), Some("5" | "6" | "517" | "57P01" | "57P03"))
}

/// Turns a unique-key violation on one statement into a named conflict.
pub fn conflict_on_unique(error: sqlx::Error, what: &'static str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => error.into(),
    }
}

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: native pools per backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite { writer: SqliteWriter, reader: SqlitePool },
    Postgres(PgPool),
}

/// A transaction on either backend.
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(Transaction<'static, Postgres>),
}

/// A use case's write of exactly one statement. On PostgreSQL one
/// statement is a transaction of its own, durable when it returns, so it
/// needs neither BEGIN nor COMMIT (two round trips fewer); on SQLite it
/// joins the writer's group commit without a savepoint of its own.
pub enum SingleWrite {
    Sqlite(SqliteSingle),
    Postgres(PoolConnection<Postgres>),
}

/// A pooled connection for reads outside a transaction.
pub enum ReadConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A borrowed connection of either backend; what store functions take.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Runs the same expression against either backend's connection.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite($c) => $body,
            $crate::store::Conn::Postgres($c) => $body,
        }
    };
}

impl Db {
    /// Connects to `url` (sqlite:… or postgres://…).
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        Self::connect_sqlite(url).await
    }

    async fn connect_sqlite(url: &str) -> Result<Db, StoreError> {
        // synchronous=FULL: an acknowledged answer is on disk, even after a power cut.
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let writer = SqliteWriter::new(options.connect().await?);
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.read_only(true))
            .await?;
        Ok(Db::Sqlite { writer, reader })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Group-commit figures of the SQLite writer (`None` on PostgreSQL).
    pub fn writer_stats(&self) -> Option<sqlite_writer::WriterStats> {
        match self {
            Db::Sqlite { writer, .. } => Some(writer.stats()),
            Db::Postgres(_) => None,
        }
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite { writer, .. } => writer.migrate(&sqlx::migrate!("migrations/sqlite")).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite { writer, .. } => Tx::Sqlite(writer.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Starts a write of one statement (see [`SingleWrite`]).
    pub async fn begin_single_write(&self) -> Result<SingleWrite, StoreError> {
        Ok(match self {
            Db::Sqlite { writer, .. } => SingleWrite::Sqlite(writer.begin_single().await?),
            Db::Postgres(pool) => SingleWrite::Postgres(pool.acquire().await?),
        })
    }

    /// A connection for reads that need no transaction.
    pub async fn read(&self) -> Result<ReadConn, StoreError> {
        Ok(match self {
            Db::Sqlite { reader, .. } => ReadConn::Sqlite(reader.acquire().await?),
            Db::Postgres(pool) => ReadConn::Postgres(pool.acquire().await?),
        })
    }

    /// Is the database reachable? (`/readyz`)
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.read().await?;
        on_conn!(conn.conn(), c => sqlx::query("SELECT 1").execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { writer, reader } => {
                reader.close().await;
                writer.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(tx) => Conn::Sqlite(tx.conn()),
            Tx::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Ends the transaction without its changes. Use it (rather than
    /// dropping the transaction) when the answer depends on what the
    /// transaction read, such as a conflict: on SQLite it waits until the
    /// work of others it may have seen is durable (see [`sqlite_writer`]).
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

impl SingleWrite {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            SingleWrite::Sqlite(tx) => Conn::Sqlite(tx.conn()),
            SingleWrite::Postgres(c) => Conn::Postgres(c),
        }
    }

    /// Returns once the statement is durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            SingleWrite::Sqlite(tx) => tx.commit().await?,
            // The statement committed itself when it ran.
            SingleWrite::Postgres(_) => {}
        }
        Ok(())
    }

    /// Ends a write whose statement changed nothing (see [`Tx::rollback`]).
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            SingleWrite::Sqlite(tx) => tx.rollback().await?,
            SingleWrite::Postgres(_) => {}
        }
        Ok(())
    }
}

impl Conn<'_> {
    /// The same connection again, for one more store call.
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl ReadConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            ReadConn::Sqlite(c) => Conn::Sqlite(c),
            ReadConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// Decodes a JSON column into a typed value, naming what failed.
pub fn from_json<T: serde::de::DeserializeOwned>(what: &str, value: serde_json::Value) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
    /// The two backends must carry the same migrations, number for number.
    #[test]
    fn both_backends_have_the_same_migration_list() {
        let list = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let sqlite = list(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"));
        let postgres = list(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"));
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, postgres);
    }
}
