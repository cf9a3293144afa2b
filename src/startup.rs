//! Building and running the application: database, migrations, secret key,
//! demo data, the router, and a listener with graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use axum::ServiceExt as _;
use axum::serve::ListenerExt as _;
use rand::RngCore;
use tokio::net::TcpListener;

use crate::app::clock::Clock;
use crate::app::{Context, demo};
use crate::config::{SecretKey, Settings};
use crate::notify::channels::Channels;
use crate::notify::email::Mailer;
use crate::notify::feeds::FeedPoller;
use crate::notify::live::LiveHub;
use crate::notify::worker::Worker;
use crate::store::{Db, settings as stored_settings};
use crate::web::{self, AppState};

/// A built application, bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    demo: Option<demo::Demo>,
    channels: Channels,
}

impl Application {
    /// Connects and migrates the database, loads or creates the secret key,
    /// seeds the demo when asked, and binds the listener (port 0 = any free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with_clock(settings, Clock::System).await
    }

    /// As [`Application::build`], with a given clock (tests move time by hand).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Application> {
        let db = Db::connect(&settings.database_url)
            .await
            .with_context(|| format!("cannot open the database at {}", redact(&settings.database_url)))?;
        db.migrate().await.context("cannot apply database migrations")?;
        let secret = match settings.secret_key.clone() {
            Some(secret) => secret,
            None => stored_or_new_secret(&db).await?,
        };
        let demo = if settings.demo { demo::seed_if_empty(&db).await.context("cannot load the demo")? } else { None };
        let mailer = match &settings.smtp {
            Some(smtp) => Some(Arc::new(Mailer::new(smtp).context("LEADGATE_SMTP_URL or LEADGATE_SMTP_FROM")?)),
            None => None,
        };
        let channels = Channels { mailer, http: crate::notify::webhook::http_client() };
        let listener =
            TcpListener::bind(settings.bind).await.with_context(|| format!("cannot listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        let base_url = settings.base_url.clone().unwrap_or_else(|| format!("http://{address}"));
        let mut ctx = Context::new(db, clock, base_url, settings.smtp.is_some());
        ctx.analytics = settings.analytics;
        if settings.metrics_token.is_some() {
            crate::web::metrics::handle();
        }
        let live = LiveHub::default();
        live.spawn_listener(&ctx.db);
        let state = AppState::new(ctx, secret, settings, live);
        Ok(Application { listener, state, demo, channels })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// The public base URL (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.state.ctx.base_url
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What the demo loaded (form and sign-ins), when it is on.
    pub fn demo(&self) -> Option<&demo::Demo> {
        self.demo.as_ref()
    }

    /// Serves until SIGTERM or Ctrl-C; in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes, then drains in-flight requests.
    /// The notice worker runs beside the server and stops after it.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let db = self.state.ctx.db.clone();
        let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
        let http = self.channels.http.clone();
        let worker = Worker {
            ctx: self.state.ctx.clone(),
            live: self.state.live.clone(),
            channels: self.channels,
            policy: self.state.settings.notices,
        }
        .spawn_if(self.state.settings.run_worker, worker_stopped.clone());
        let views =
            self.state.ctx.views.spawn_flusher(db.clone(), std::time::Duration::from_secs(5), worker_stopped.clone());
        let feeds = FeedPoller {
            ctx: self.state.ctx.clone(),
            http,
            allow_private: self.state.settings.calendar_allow_private,
            every: self.state.settings.calendar_poll_every,
        }
        .spawn(worker_stopped.clone());
        let metrics_upkeep =
            self.state.settings.metrics_token.is_some().then(|| crate::web::metrics::spawn_upkeep(worker_stopped));
        let state = self.state.clone();
        let shutdown = async move {
            shutdown.await;
            state.stopping.send_replace(true);
        };
        let app = web::app(self.state).into_make_service_with_connect_info::<SocketAddr>();
        // Without TCP_NODELAY a live-inbox event written while the one
        // before is still unacknowledged waits for the reader's delayed ACK
        // (40 ms on Linux): a notice p99 of 40 ms instead of a few.
        let listener = self.listener.tap_io(|connection| {
            if let Err(error) = connection.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
            }
        });
        let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
        let _ = stop_worker.send(true);
        let _ = worker.await;
        let _ = views.await;
        let _ = feeds.await;
        if let Some(upkeep) = metrics_upkeep {
            let _ = upkeep.await;
        }
        if let Some(stats) = db.writer_stats() {
            tracing::info!(commits = stats.batches, transactions = stats.transactions, "sqlite group commit");
        }
        db.close().await;
        served
    }
}

/// The secret shared by every instance on this database, created on first run.
async fn stored_or_new_secret(db: &Db) -> anyhow::Result<SecretKey> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut tx = db.begin().await?;
    let value = stored_settings::insert_setting_once(tx.conn(), "secret_key", &hex::encode(bytes)).await?;
    tx.commit().await?;
    Ok(SecretKey::new(value))
}

/// Hides a password in a database URL before it is shown.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(super::redact("postgres://u:secret@db:5432/x"), "postgres://***@db:5432/x");
        assert_eq!(super::redact("sqlite://leadgate.db"), "sqlite://leadgate.db");
    }
}
