//! Logging: a `tracing` subscriber writing human-readable or JSON lines.
//!
//! Lines are formatted where they are logged but written to standard
//! output by a background thread (`tracing-appender`), so a request never
//! waits on the write (at tens of thousands of requests a second, writing
//! the access log line inline took about a tenth of the server's time).
//! Nothing is dropped: when the thread falls behind, loggers wait. The
//! thread writes through a buffer and flushes whenever it has written all
//! that is queued, so under load one `write` carries many lines (one
//! syscall per line cost the server about a tenth of its time) and when
//! idle every line is out at once.

use std::io::{BufWriter, IsTerminal};

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

/// What the log thread gathers before a write (it also writes whenever its queue is empty).
const LOG_BUFFER_BYTES: usize = 64 * 1024;

/// Installs the global subscriber once. `RUST_LOG` overrides the default
/// filter (`info`, with sqlx's per-statement logs quieted). Keep the
/// returned guard until the process ends: dropping it writes out what is
/// still queued.
pub fn init(format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let buffered = BufWriter::with_capacity(LOG_BUFFER_BYTES, std::io::stdout());
    let (writer, guard) = NonBlockingBuilder::default().lossy(false).finish(buffered);
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        // Colours only on a terminal: a file or a journal gets plain text.
        LogFormat::Human => registry
            .with(fmt::layer().with_target(false).with_ansi(std::io::stdout().is_terminal()).with_writer(writer))
            .try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().flatten_event(true).with_writer(writer)).try_init(),
    };
    // A second init (tests start many apps in one process) is harmless.
    let _ = result;
    guard
}
