//! The group-commit writer against a real SQLite file with the server's
//! durability settings.

use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

use super::*;

async fn writer(dir: &tempfile::TempDir) -> (SqliteWriter, SqliteConnectOptions) {
    let url = format!("sqlite://{}", dir.path().join("writer.db").display());
    let options = SqliteConnectOptions::from_str(&url)
        .unwrap()
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let writer = SqliteWriter::new(options.connect().await.unwrap());
    let mut tx = writer.begin().await.unwrap();
    sqlx::raw_sql("CREATE TABLE items (name TEXT PRIMARY KEY NOT NULL)").execute(tx.conn()).await.unwrap();
    tx.commit().await.unwrap();
    (writer, options)
}

async fn insert(writer: &SqliteWriter, name: &str) -> Result<(), StoreError> {
    let mut tx = writer.begin().await?;
    sqlx::query("INSERT INTO items (name) VALUES ($1)").bind(name).execute(tx.conn()).await?;
    tx.commit().await
}

/// Names as a separate connection sees them: only what was committed.
async fn committed_names(options: &SqliteConnectOptions) -> Vec<String> {
    let mut reader = options.connect().await.unwrap();
    sqlx::query_scalar("SELECT name FROM items ORDER BY name").fetch_all(&mut reader).await.unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn concurrent_transactions_share_commits_and_all_are_durable() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    let before = writer.stats();
    let tasks: Vec<_> = (0..100)
        .map(|n| {
            let writer = writer.clone();
            tokio::spawn(async move { insert(&writer, &format!("item{n:03}")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(committed_names(&options).await.len(), 100, "every acknowledged insert is committed");
    let after = writer.stats();
    assert_eq!(after.transactions - before.transactions, 100);
    let batches = after.batches - before.batches;
    assert!(batches <= 10, "100 waiting transactions should share a few commits, took {batches}");
}

#[tokio::test]
async fn a_dropped_transaction_rolls_back_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    insert(&writer, "kept-before").await.unwrap();
    {
        let mut tx = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO items (name) VALUES ('dropped')").execute(tx.conn()).await.unwrap();
        // Dropped without commit, as when a use case returns an error.
    }
    insert(&writer, "kept-after").await.unwrap();
    assert_eq!(committed_names(&options).await, vec!["kept-after", "kept-before"]);
}

#[tokio::test]
async fn a_failing_statement_fails_only_its_own_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    insert(&writer, "taken").await.unwrap();
    let duplicate = insert(&writer, "taken").await;
    assert!(matches!(duplicate, Err(StoreError::Database(_))), "{duplicate:?}");
    insert(&writer, "other").await.unwrap();
    assert_eq!(committed_names(&options).await, vec!["other", "taken"]);
}

#[tokio::test]
async fn a_transaction_sees_its_own_writes_before_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    let mut tx = writer.begin().await.unwrap();
    sqlx::query("INSERT INTO items (name) VALUES ('pending')").execute(tx.conn()).await.unwrap();
    let inside: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items").fetch_one(tx.conn()).await.unwrap();
    assert_eq!(inside, 1);
    assert!(committed_names(&options).await.is_empty(), "not visible to others before commit");
    tx.commit().await.unwrap();
    assert_eq!(committed_names(&options).await, vec!["pending"]);
}

#[tokio::test]
async fn closing_commits_what_is_waiting_and_refuses_new_work() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    insert(&writer, "before-close").await.unwrap();
    writer.close().await;
    assert!(matches!(writer.begin().await, Err(StoreError::Unavailable(_))));
    assert_eq!(committed_names(&options).await, vec!["before-close"]);
}

/// The first use case holds the writer with an uncommitted row while
/// `second` queues for it, so `second` runs in the same batch before that
/// batch is committed; `second` counts the rows it sees and rolls back.
/// Its rollback must return only once the row it saw is durable.
async fn assert_rollback_waits_for_what_it_saw<F, Fut>(second: F)
where
    F: FnOnce(SqliteWriter) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = i64> + Send,
{
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    let before = writer.stats().transactions;
    let mut first = writer.begin().await.unwrap();
    sqlx::query("INSERT INTO items (name) VALUES ('first')").execute(first.conn()).await.unwrap();
    let second = tokio::spawn({
        let (writer, options) = (writer.clone(), options.clone());
        async move {
            let seen = second(writer.clone()).await;
            // Read at once, before anything else can run: was it committed?
            let committed = writer.stats().transactions;
            (seen, committed, committed_names(&options).await)
        }
    });
    tokio::task::yield_now().await;
    first.commit().await.unwrap();
    let (seen, committed, durable) = second.await.unwrap();
    assert_eq!(seen, 1, "the second use case saw the first one's row before its commit");
    assert!(committed > before, "the rollback returned only after the first one's commit");
    assert_eq!(durable, vec!["first"]);
}

const COUNT_ITEMS: &str = "SELECT COUNT(*) FROM items";

#[tokio::test(flavor = "current_thread")]
async fn a_rollback_waits_until_the_work_it_could_see_is_durable() {
    assert_rollback_waits_for_what_it_saw(|writer| async move {
        let mut tx = writer.begin().await.unwrap();
        let seen: i64 = sqlx::query_scalar(COUNT_ITEMS).fetch_one(tx.conn()).await.unwrap();
        tx.rollback().await.unwrap();
        seen
    })
    .await;
}

/// Polls `work` at most `polls` times, yielding between polls, and drops
/// it if it has not finished by then: a request cut short at that point.
async fn cut_short<F: std::future::Future>(work: F, polls: usize) -> Option<F::Output> {
    let mut work = std::pin::pin!(work);
    for _ in 0..polls {
        let poll = std::future::poll_fn(|cx| std::task::Poll::Ready(work.as_mut().poll(cx))).await;
        if let std::task::Poll::Ready(output) = poll {
            return Some(output);
        }
        tokio::task::yield_now().await;
    }
    None
}

const ROUNDS: usize = 2000;

/// Runs `write(round)` for [`ROUNDS`] rounds: odd rounds are cut within a
/// few polls, at most `polls` (opening, the statement), even rounds within
/// a few milliseconds (waiting for the commit). Returns how many were cut
/// short and the rounds that finished, with their outcome.
async fn cut_short_rounds<F, Fut>(polls: usize, write: F) -> (usize, Vec<(usize, Result<(), StoreError>)>)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    let (mut cut, mut finished) = (0, Vec::new());
    for round in 0..ROUNDS {
        let work = write(round);
        let outcome = if round % 2 == 1 {
            cut_short(work, round % polls + 1).await
        } else {
            tokio::time::timeout(Duration::from_millis((round % 8) as u64), work).await.ok()
        };
        match outcome {
            None => cut += 1,
            Some(result) => finished.push((round, result)),
        }
    }
    assert!(cut > 100 && finished.len() > 100, "some work was cut short ({cut}), some finished ({})", finished.len());
    (cut, finished)
}

async fn insert_then(writer: &SqliteWriter, round: usize, commit: bool) -> Result<(), StoreError> {
    let mut tx = writer.begin().await?;
    sqlx::query("INSERT INTO items (name) VALUES ($1)").bind(format!("cut-{round}")).execute(tx.conn()).await?;
    if commit { tx.commit().await } else { tx.rollback().await }
}

/// A request whose client goes away is dropped wherever it is waiting,
/// also halfway through opening, committing or rolling back its
/// transaction: the writer's idea of its connection must stay true.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_cut_short_at_any_point_leave_the_writer_working() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    cut_short_rounds(80, |round| insert_then(&writer, round, round % 4 < 2)).await;
    insert(&writer, "after").await.expect("the writer still commits");
    assert!(committed_names(&options).await.contains(&"after".to_string()));
}

async fn insert_single(writer: &SqliteWriter, name: &str) -> Result<(), StoreError> {
    let mut write = writer.begin_single().await?;
    sqlx::query("INSERT INTO items (name) VALUES ($1)").bind(name).execute(write.conn()).await?;
    write.commit().await
}

#[tokio::test(flavor = "current_thread")]
async fn single_statements_and_transactions_share_commits_and_all_are_durable() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    let before = writer.stats();
    let tasks: Vec<_> = (0..100)
        .map(|n| {
            let writer = writer.clone();
            let name = format!("item{n:03}");
            tokio::spawn(async move {
                if n % 3 == 0 { insert(&writer, &name).await } else { insert_single(&writer, &name).await }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(committed_names(&options).await.len(), 100, "every acknowledged write is committed");
    let after = writer.stats();
    assert_eq!(after.transactions - before.transactions, 100);
    let batches = after.batches - before.batches;
    assert!(batches <= 10, "100 waiting writes should share a few commits, took {batches}");
}

/// Without a savepoint of its own, a failing statement still takes back
/// only itself: the writes before and after it in the batch are committed.
#[tokio::test(flavor = "current_thread")]
async fn a_failing_single_statement_fails_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    insert_single(&writer, "taken").await.unwrap();
    let tasks: Vec<_> = ["before", "taken", "after"]
        .into_iter()
        .map(|name| {
            let writer = writer.clone();
            tokio::spawn(async move { insert_single(&writer, name).await })
        })
        .collect();
    let outcomes: Vec<bool> =
        futures_util::future::join_all(tasks).await.into_iter().map(|t| t.unwrap().is_ok()).collect();
    assert_eq!(outcomes, vec![true, false, true], "only the duplicate fails");
    assert_eq!(committed_names(&options).await, vec!["after", "before", "taken"]);
}

/// A single write that changed nothing still waits for what it could see.
#[tokio::test(flavor = "current_thread")]
async fn a_single_rollback_waits_until_the_work_it_could_see_is_durable() {
    assert_rollback_waits_for_what_it_saw(|writer| async move {
        let mut write = writer.begin_single().await.unwrap();
        let seen: i64 = sqlx::query_scalar(COUNT_ITEMS).fetch_one(write.conn()).await.unwrap();
        write.rollback().await.unwrap();
        seen
    })
    .await;
}

/// Single writes dropped anywhere (waiting for the writer, in their
/// statement, waiting for the commit) leave the writer working, and a
/// statement that ran stays in the batch whole or not at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_writes_cut_short_at_any_point_leave_the_writer_working() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    let (_, finished) = cut_short_rounds(40, |round| {
        let writer = &writer;
        async move { insert_single(writer, &format!("cut-{round}")).await }
    })
    .await;
    insert(&writer, "after").await.expect("the writer still commits transactions");
    insert_single(&writer, "after-single").await.expect("and single writes");
    let names = committed_names(&options).await;
    assert!(names.contains(&"after".to_string()) && names.contains(&"after-single".to_string()));
    for (round, result) in finished {
        result.unwrap_or_else(|e| panic!("round {round} finished with {e}"));
        assert!(names.contains(&format!("cut-{round}")), "round {round} finished, so it is committed");
    }
}

/// A statement whose error ends the whole transaction (SQLite does so on an
/// I/O error or a full disk; here a ROLLBACK stands in for it) takes the
/// batch's earlier work with it: that work is reported failed, and the
/// next write starts a new batch instead of running outside any.
#[tokio::test(flavor = "current_thread")]
async fn a_single_statement_that_ended_the_transaction_fails_the_batch_and_the_next_write_starts_anew() {
    let dir = tempfile::tempdir().unwrap();
    let (writer, options) = writer(&dir).await;
    let mut first = writer.begin().await.unwrap();
    sqlx::query("INSERT INTO items (name) VALUES ('first')").execute(first.conn()).await.unwrap();
    let ender = tokio::spawn({
        let writer = writer.clone();
        async move {
            let mut write = writer.begin_single().await.unwrap();
            sqlx::raw_sql("ROLLBACK").execute(write.conn()).await.unwrap();
            // Dropped, as a write that failed would be.
        }
    });
    let third = tokio::spawn({
        let writer = writer.clone();
        async move { insert_single(&writer, "third").await }
    });
    tokio::task::yield_now().await;
    assert!(first.commit().await.is_err(), "the first write's work was lost, so it is not acknowledged");
    ender.await.unwrap();
    third.await.unwrap().expect("the next write is committed in a batch of its own");
    assert_eq!(committed_names(&options).await, vec!["third"]);
}
