//! SQLite's single writer, with group commit.
//!
//! SQLite commits one transaction at a time and, with `synchronous=FULL`,
//! every commit waits for the disk. Instead of one disk flush per use case,
//! the writer runs each use case's transaction as a `SAVEPOINT` inside a
//! shared outer transaction, and a committer task commits the outer one
//! whenever a use case has finished: every use case that finished its work
//! while the previous commit was on its way to disk shares the next one.
//!
//! The guarantees stay those of one transaction per use case:
//! - [`SqliteTx::commit`] returns only when the shared commit is durable, so
//!   nothing is acknowledged before it is on disk;
//! - a use case that fails, or is dropped, rolls back to its own savepoint
//!   and leaves the others' work alone;
//! - when the shared commit fails, every use case in it gets the error (and
//!   none was acknowledged).
//!
//! Use cases take the writer one after another (a fair queue), so a use case
//! sees the writes of earlier ones in its batch; if the batch then fails,
//! they fail together.
//!
//! A use case that writes exactly one statement ([`SqliteSingle`], an
//! answer) needs no savepoint: SQLite undoes a failed statement by itself
//! and keeps the transaction. It holds the writer for that one statement
//! only, instead of three statements and two task hops, and every hop
//! made while holding the writer waits for a busy runtime thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sqlx::{Connection, SqliteConnection};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

use super::StoreError;

/// How long a use case waits for the writer before giving up (busy).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The one write connection, shared by every use case of this process.
#[derive(Clone)]
pub struct SqliteWriter {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SqliteWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteWriter")
    }
}

struct Shared {
    state: Arc<Mutex<WriterState>>,
    commit_wanted: Notify,
    closed: AtomicBool,
    stats: Stats,
}

/// Counts of what the writer has committed, for metrics and tests.
#[derive(Default)]
struct Stats {
    batches: AtomicU64,
    transactions: AtomicU64,
}

/// How many shared commits carried how many use-case transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Commits made (each one disk flush).
    pub batches: u64,
    /// Use-case transactions those commits carried.
    pub transactions: u64,
}

struct WriterState {
    /// `None` once the writer is closed.
    conn: Option<SqliteConnection>,
    /// The shared outer transaction has begun.
    batch_open: bool,
    /// A use case's savepoint is open: it is at work, or was dropped
    /// without committing (the next holder rolls it back).
    job_open: bool,
    /// A single-statement use case holds the writer, or was dropped before
    /// it ended (the next holder checks the batch's transaction survived).
    single_open: bool,
    /// Use cases whose work is in the batch, waiting for the commit.
    waiting: Vec<oneshot::Sender<Result<(), String>>>,
}

/// One use case's transaction: a savepoint in the shared batch.
pub struct SqliteTx {
    guard: Option<OwnedMutexGuard<WriterState>>,
    shared: Arc<Shared>,
}

/// One use case's single statement in the shared batch, without a savepoint.
pub struct SqliteSingle {
    guard: Option<OwnedMutexGuard<WriterState>>,
    shared: Arc<Shared>,
}

impl SqliteWriter {
    /// Takes over `conn` as the writer and starts its committer task.
    pub fn new(conn: SqliteConnection) -> SqliteWriter {
        let state = WriterState {
            conn: Some(conn),
            batch_open: false,
            job_open: false,
            single_open: false,
            waiting: Vec::new(),
        };
        let shared = Arc::new(Shared {
            state: Arc::new(Mutex::new(state)),
            commit_wanted: Notify::new(),
            closed: false.into(),
            stats: Stats::default(),
        });
        tokio::spawn(run_committer(shared.clone()));
        SqliteWriter { shared }
    }

    /// Starts a use case's transaction.
    pub async fn begin(&self) -> Result<SqliteTx, StoreError> {
        let mut guard = self.lock().await?;
        let shared = self.shared.clone();
        run_to_end(async move {
            guard.open_job().await?;
            // Made here: if the caller is gone, dropping it tells the committer.
            Ok(SqliteTx { guard: Some(guard), shared })
        })
        .await
    }

    /// Starts a use case that writes exactly one statement. When the batch
    /// is open and nobody left anything behind, no statement is needed to
    /// start it, so nothing can be cut short either.
    pub async fn begin_single(&self) -> Result<SqliteSingle, StoreError> {
        let mut guard = self.lock().await?;
        let shared = self.shared.clone();
        if guard.batch_open && !guard.job_open && !guard.single_open {
            guard.single_open = true;
            return Ok(SqliteSingle { guard: Some(guard), shared });
        }
        run_to_end(async move {
            guard.discard_abandoned_job().await?;
            guard.open_batch().await?;
            guard.single_open = true;
            Ok(SqliteSingle { guard: Some(guard), shared })
        })
        .await
    }

    /// Runs the migrations on the writer, outside any batch.
    pub async fn migrate(&self, migrator: &sqlx::migrate::Migrator) -> Result<(), sqlx::migrate::MigrateError> {
        let mut guard =
            self.lock().await.map_err(|_| sqlx::migrate::MigrateError::Execute(sqlx::Error::PoolTimedOut))?;
        guard.commit_batch(&self.shared.stats).await;
        let conn = guard.conn.as_mut().ok_or(sqlx::migrate::MigrateError::Execute(sqlx::Error::PoolClosed))?;
        migrator.run(conn).await
    }

    /// Commits what is waiting and closes the connection.
    pub async fn close(&self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.commit_wanted.notify_one();
        let mut guard = self.shared.state.clone().lock_owned().await;
        guard.commit_batch(&self.shared.stats).await;
        if let Some(conn) = guard.conn.take() {
            let _ = conn.close().await;
        }
    }

    /// What has been committed so far.
    pub fn stats(&self) -> WriterStats {
        let stats = &self.shared.stats;
        WriterStats {
            batches: stats.batches.load(Ordering::Relaxed),
            transactions: stats.transactions.load(Ordering::Relaxed),
        }
    }

    async fn lock(&self) -> Result<OwnedMutexGuard<WriterState>, StoreError> {
        let guard = tokio::time::timeout(ACQUIRE_TIMEOUT, self.shared.state.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Unavailable(sqlx::Error::PoolTimedOut))?;
        if guard.conn.is_none() {
            return Err(StoreError::Unavailable(sqlx::Error::PoolClosed));
        }
        Ok(guard)
    }
}

impl SqliteTx {
    /// The connection, for the store functions.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.guard.as_mut().and_then(|g| g.conn.as_mut()).expect("an open transaction has its connection")
    }

    /// Rolls this transaction back and, when earlier use cases' work is in
    /// the batch (work this one may have read), waits until that is
    /// committed: a use case that tells someone what it saw ("this slot was
    /// just taken") must not tell them before it is durable.
    pub async fn rollback(mut self) -> Result<(), StoreError> {
        let mut guard = self.guard.take().expect("a transaction ends once");
        let shared = self.shared.clone();
        let committed = run_to_end(async move {
            guard.discard_abandoned_job().await?;
            if guard.waiting.is_empty() {
                return Ok(None);
            }
            Ok(Some(join_waiting(guard, &shared)))
        })
        .await?;
        match committed {
            Some(committed) => wait_for(committed).await,
            None => Ok(()),
        }
    }

    /// Releases the savepoint into the batch and waits until the batch is
    /// committed (durable) or has failed.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let mut guard = self.guard.take().expect("a transaction commits once");
        let shared = self.shared.clone();
        let committed = run_to_end(async move {
            if let Err(error) = guard.exec("RELEASE job").await {
                guard.discard_abandoned_job().await?;
                return Err(error);
            }
            guard.job_open = false;
            Ok(join_waiting(guard, &shared))
        })
        .await?;
        wait_for(committed).await
    }
}

impl SqliteSingle {
    /// The connection, for the one statement.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.guard.as_mut().and_then(|g| g.conn.as_mut()).expect("an open write has its connection")
    }

    /// Waits until the batch holding the statement is committed (durable)
    /// or has failed.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        let mut guard = self.guard.take().expect("a write commits once");
        guard.single_open = false;
        wait_for(join_waiting(guard, &self.shared)).await
    }

    /// Ends a write whose statement changed nothing; like
    /// [`SqliteTx::rollback`], it returns once the work it could see is durable.
    pub async fn rollback(mut self) -> Result<(), StoreError> {
        let mut guard = self.guard.take().expect("a write ends once");
        guard.single_open = false;
        if guard.waiting.is_empty() {
            return Ok(());
        }
        wait_for(join_waiting(guard, &self.shared)).await
    }
}

impl Drop for SqliteSingle {
    /// Ended by an error or cut short: the committer (or the next use case)
    /// checks the batch before going on.
    fn drop(&mut self) {
        if self.guard.is_some() {
            self.shared.commit_wanted.notify_one();
        }
    }
}

/// Joins the batch's waiting list, lets go of the writer and wakes the
/// committer; the receiver hears how the commit went.
fn join_waiting(mut guard: OwnedMutexGuard<WriterState>, shared: &Shared) -> oneshot::Receiver<Result<(), String>> {
    let (done, committed) = oneshot::channel();
    guard.waiting.push(done);
    drop(guard);
    shared.commit_wanted.notify_one();
    committed
}

/// Runs a change of the writer's state in a task of its own, to its end:
/// a caller dropped halfway (a request whose client went away) must not
/// stop it between a statement and the flag that records it, or the
/// writer would believe no transaction is open while SQLite has one.
async fn run_to_end<T: Send + 'static>(
    change: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::spawn(change).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => Err(StoreError::Unavailable(sqlx::Error::Io(std::io::Error::other(error.to_string())))),
    }
}

impl Drop for SqliteTx {
    /// A transaction dropped without commit: the committer rolls its
    /// savepoint back, so the batch does not hold SQLite's write lock.
    fn drop(&mut self) {
        if self.guard.is_some() {
            self.shared.commit_wanted.notify_one();
        }
    }
}

/// Commits batches until the writer closes. Waiting for the lock queues the
/// committer behind every use case already waiting, so they join the batch.
async fn run_committer(shared: Arc<Shared>) {
    loop {
        shared.commit_wanted.notified().await;
        if shared.closed.load(Ordering::SeqCst) {
            return;
        }
        let mut guard = shared.state.lock().await;
        guard.commit_batch(&shared.stats).await;
    }
}

impl WriterState {
    /// Rolls back what a dropped use case left, opens the batch if needed
    /// and this use case's savepoint in it.
    async fn open_job(&mut self) -> Result<(), StoreError> {
        self.discard_abandoned_job().await?;
        self.open_batch().await?;
        self.exec("SAVEPOINT job").await?;
        self.job_open = true;
        Ok(())
    }

    async fn open_batch(&mut self) -> Result<(), StoreError> {
        if !self.batch_open {
            self.exec("BEGIN IMMEDIATE").await?;
            self.batch_open = true;
        }
        Ok(())
    }

    async fn exec(&mut self, sql: &'static str) -> Result<(), StoreError> {
        let conn = self.conn.as_mut().ok_or(StoreError::Unavailable(sqlx::Error::PoolClosed))?;
        sqlx::raw_sql(sql).execute(conn).await?;
        Ok(())
    }

    /// Rolls back a savepoint left open by a use case that failed or was
    /// dropped. If even that fails, the batch cannot be trusted: it is
    /// rolled back whole and its waiting use cases get the error.
    async fn discard_abandoned_job(&mut self) -> Result<(), StoreError> {
        if self.single_open {
            return self.check_after_abandoned_single().await;
        }
        if !self.job_open {
            return Ok(());
        }
        self.job_open = false;
        let rolled_back = match self.exec("ROLLBACK TO job").await {
            Ok(()) => self.exec("RELEASE job").await,
            Err(error) => Err(error),
        };
        if let Err(error) = rolled_back {
            self.abort_batch(&error.to_string()).await;
            return Err(error);
        }
        Ok(())
    }

    /// A single statement left behind ran whole or not at all, and stays in
    /// the batch if it ran. What matters is whether its error ended the
    /// batch's transaction (SQLite does so on an I/O error, a full disk or
    /// no memory): then `BEGIN` succeeds, and the batch's earlier work is
    /// gone, so everyone waiting for it hears so.
    async fn check_after_abandoned_single(&mut self) -> Result<(), StoreError> {
        self.single_open = false;
        match self.exec("BEGIN IMMEDIATE").await {
            Err(error) if is_within_transaction(&error) => Ok(()),
            Ok(()) => {
                self.abort_batch("a failed statement ended the transaction").await;
                Ok(())
            }
            Err(error) => {
                self.abort_batch(&error.to_string()).await;
                Err(error)
            }
        }
    }

    /// Commits the batch (if any) and tells everyone in it how it went.
    async fn commit_batch(&mut self, stats: &Stats) {
        if self.discard_abandoned_job().await.is_err() || !self.batch_open {
            return;
        }
        match self.exec("COMMIT").await {
            Ok(()) => {
                self.batch_open = false;
                if !self.waiting.is_empty() {
                    stats.batches.fetch_add(1, Ordering::Relaxed);
                    stats.transactions.fetch_add(self.waiting.len() as u64, Ordering::Relaxed);
                }
                for done in self.waiting.drain(..) {
                    let _ = done.send(Ok(()));
                }
            }
            Err(error) => self.abort_batch(&error.to_string()).await,
        }
    }

    async fn abort_batch(&mut self, why: &str) {
        // SQLite may already have rolled back; a failing ROLLBACK then changes nothing.
        let _ = self.exec("ROLLBACK").await;
        self.batch_open = false;
        self.job_open = false;
        self.single_open = false;
        for done in self.waiting.drain(..) {
            let _ = done.send(Err(why.to_string()));
        }
    }
}

/// SQLite's refusal of a `BEGIN` inside a transaction: the one still open.
fn is_within_transaction(error: &StoreError) -> bool {
    match error {
        StoreError::Database(sqlx::Error::Database(db)) => db.message().contains("within a transaction"),
        _ => false,
    }
}

async fn wait_for(committed: oneshot::Receiver<Result<(), String>>) -> Result<(), StoreError> {
    match committed.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(message)) => Err(commit_failed(message)),
        Err(_) => Err(commit_failed("the writer closed before committing".into())),
    }
}

fn commit_failed(message: String) -> StoreError {
    StoreError::Unavailable(sqlx::Error::Io(std::io::Error::other(format!("commit failed: {message}"))))
}

#[cfg(test)]
#[path = "sqlite_writer_tests.rs"]
mod tests;
