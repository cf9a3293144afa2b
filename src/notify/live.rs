//! The live inbox hub: notices for signed-in reps, pushed over Server-Sent
//! Events. One broadcast channel per instance; on PostgreSQL every instance
//! listens to `LISTEN leadgate_live`, so a notice delivered by any instance
//! reaches a rep connected to any other.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::store::{Db, StoreError};

/// The PostgreSQL channel carrying live notices between instances.
const CHANNEL: &str = "leadgate_live";

/// One live notice for one person.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LiveEvent {
    pub notice_id: Uuid,
    pub user_id: Uuid,
    pub event_type: String,
    pub lead_id: Option<Uuid>,
    pub summary: String,
}

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<LiveEvent>,
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub { sender: broadcast::channel(1024).0 }
    }
}

impl LiveHub {
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.sender.subscribe()
    }

    /// Hands the event to this instance's connected clients.
    pub fn publish_local(&self, event: LiveEvent) {
        // No receiver connected is fine: the inbox page shows it on load.
        let _ = self.sender.send(event);
    }

    /// Publishes to every instance: directly on SQLite (one instance per
    /// file), through `pg_notify` on PostgreSQL.
    pub async fn publish(&self, db: &Db, event: LiveEvent) -> Result<(), StoreError> {
        match db {
            Db::Sqlite { .. } => {
                self.publish_local(event);
                Ok(())
            }
            Db::Postgres(pool) => {
                let payload = serde_json::to_string(&event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(pool).await?;
                Ok(())
            }
        }
    }

    /// On PostgreSQL, forwards notices from every instance to local clients
    /// until the pool closes. The listener reconnects by itself.
    pub fn spawn_listener(&self, db: &Db) {
        let Db::Postgres(pool) = db else { return };
        let (pool, hub) = (pool.clone(), self.clone());
        tokio::spawn(async move {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(error) => return tracing::error!(%error, "live notices: cannot listen"),
            };
            if let Err(error) = listener.listen(CHANNEL).await {
                return tracing::error!(%error, "live notices: cannot listen");
            }
            loop {
                match listener.recv().await {
                    Ok(message) => match serde_json::from_str::<LiveEvent>(message.payload()) {
                        Ok(event) => hub.publish_local(event),
                        Err(error) => tracing::warn!(%error, "live notices: unreadable payload"),
                    },
                    // The pool closes when the process shuts down: stop, and let the
                    // listener's connection go so the pool can finish closing.
                    Err(_) if pool.is_closed() => return,
                    Err(error) => {
                        tracing::warn!(%error, "live notices: listener error, reconnecting");
                        // While the database is down, each reconnect fails at once: do not spin.
                        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                    }
                }
            }
        });
    }
}
