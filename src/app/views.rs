//! First-page views, counted in memory per (form, version, day) and written
//! in one small transaction every few seconds and at shutdown, so showing a
//! form never waits on a database write. A crash loses the views of the last
//! few seconds; views are a statistic nobody was told was saved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::AppError;
use crate::store::{self, Db};

type Key = (Uuid, i32, NaiveDate);

/// Views not yet written, shared by every handler of this instance.
#[derive(Clone, Default, Debug)]
pub struct ViewCounter {
    pending: Arc<Mutex<HashMap<Key, i64>>>,
}

impl ViewCounter {
    /// Counts one view of the first page (no IO).
    pub fn record(&self, form_id: Uuid, version: i32, at: DateTime<Utc>) {
        let mut pending = self.pending.lock().expect("view counter lock");
        *pending.entry((form_id, version, at.date_naive())).or_default() += 1;
    }

    /// Writes the counted views; on failure they are put back for the next try.
    pub async fn flush(&self, db: &Db) -> Result<(), AppError> {
        let batch: Vec<(Key, i64)> =
            std::mem::take(&mut *self.pending.lock().expect("view counter lock")).into_iter().collect();
        if batch.is_empty() {
            return Ok(());
        }
        let written = write(db, &batch).await;
        if written.is_err() {
            let mut pending = self.pending.lock().expect("view counter lock");
            for (key, views) in batch {
                *pending.entry(key).or_default() += views;
            }
        }
        written
    }

    /// Flushes every `every` until `shutdown`, then once more.
    pub fn spawn_flusher(
        &self,
        db: Db,
        every: std::time::Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let counter = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {},
                    _ = shutdown.changed() => break,
                }
                if let Err(error) = counter.flush(&db).await {
                    tracing::warn!(error = %error, "writing form views failed; kept for the next try");
                }
            }
            if let Err(error) = counter.flush(&db).await {
                tracing::warn!(error = %error, "writing form views at shutdown failed");
            }
        })
    }
}

async fn write(db: &Db, batch: &[(Key, i64)]) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    for ((form_id, version, day), views) in batch {
        store::views::add_views(tx.conn(), *form_id, *version, *day, *views).await?;
    }
    tx.commit().await?;
    Ok(())
}
