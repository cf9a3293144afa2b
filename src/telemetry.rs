//! Logging: a `tracing` subscriber writing human-readable or JSON lines.
//!
//! Lines are formatted where they are logged and gathered in one memory
//! buffer ([`LogBuffer`]); standard output gets them in large writes: by
//! the logger whose line fills the buffer, by a flusher thread every
//! [`FLUSH_EVERY`], and by the guard at the end. Nothing is dropped, and a
//! request never waits for a write but the one in every few hundred lines.
//!
//! Each request's access line (from `web::edge`) is written straight into
//! the same buffer by [`write_access`], in the subscriber's format, rather
//! than as a `tracing` event: the general event formatter was the largest
//! part of a small request's time after the network.
//!
//! Why not a log thread fed by a channel (`tracing-appender`): at tens of
//! thousands of lines a second its receiving thread spun on an empty queue
//! and took a fifth of the server's CPU (`perf`, `/healthz` under load),
//! and each line cost an allocation and a wake-up to cross over. Writing
//! each line inline instead took about a tenth of the server's time.

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

/// What the buffer gathers before the logger that fills it writes it out.
const LOG_BUFFER_BYTES: usize = 64 * 1024;
/// The longest a line waits in the buffer on a quiet server.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Log lines on their way to `out` (standard output in the server).
pub struct LogBuffer<W> {
    pending: Mutex<Vec<u8>>,
    out: Mutex<W>,
}

impl<W: Write> LogBuffer<W> {
    pub fn new(out: W) -> Self {
        LogBuffer { pending: Mutex::new(Vec::with_capacity(LOG_BUFFER_BYTES)), out: Mutex::new(out) }
    }

    fn pending(&self) -> MutexGuard<'_, Vec<u8>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes out what is pending. The output is locked before the buffer
    /// is let go, so lines reach it in the order they were logged.
    fn write_out(&self, mut pending: MutexGuard<'_, Vec<u8>>) {
        if pending.is_empty() {
            return;
        }
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        let lines = std::mem::replace(&mut *pending, Vec::with_capacity(LOG_BUFFER_BYTES));
        drop(pending);
        // Nowhere to report a failed log write; the lines are given up.
        let _ = out.write_all(&lines).and_then(|()| out.flush());
    }

    pub fn flush_now(&self) {
        self.write_out(self.pending());
    }

    /// Takes one formatted line (or several).
    fn take(&self, lines: &[u8]) {
        let mut pending = self.pending();
        pending.extend_from_slice(lines);
        if pending.len() >= LOG_BUFFER_BYTES {
            self.write_out(pending);
        }
    }
}

impl<W: Write> Write for &LogBuffer<W> {
    fn write(&mut self, lines: &[u8]) -> io::Result<usize> {
        self.take(lines);
        Ok(lines.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

type StdoutBuffer = LogBuffer<io::Stdout>;

/// Keep until the process ends: dropping it stops the flusher and writes
/// out what is still pending.
pub struct LogGuard {
    stop: Option<mpsc::Sender<()>>,
    flusher: Option<JoinHandle<()>>,
    buffer: Arc<StdoutBuffer>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        self.buffer.flush_now();
    }
}

fn spawn_flusher(buffer: Arc<StdoutBuffer>) -> (mpsc::Sender<()>, Option<JoinHandle<()>>) {
    let (stop, stopped) = mpsc::channel::<()>();
    let flusher = std::thread::Builder::new().name("log-flusher".into()).spawn(move || {
        while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(FLUSH_EVERY) {
            buffer.flush_now();
        }
    });
    // Without the thread, lines still go out with each full buffer and at the end.
    (stop, flusher.ok())
}

/// Where access lines go and how they look: set by the first [`init`].
static ACCESS_LOG: OnceLock<(Arc<StdoutBuffer>, LogFormat)> = OnceLock::new();

/// The target access lines are logged under; `RUST_LOG` filters it like any other.
pub const ACCESS_TARGET: &str = "leadgate::access";

/// One answered request, as its access line tells it.
pub struct AccessLine<'a> {
    pub id: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub elapsed: Duration,
}

/// Writes the request's access line, when logging is set up and the filter
/// lets `leadgate::access` at INFO through.
pub fn write_access(line: &AccessLine<'_>) {
    let Some((buffer, format)) = ACCESS_LOG.get() else { return };
    if !tracing::enabled!(target: ACCESS_TARGET, tracing::Level::INFO) {
        return;
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    buffer.take(format_access(*format, &now, line).as_bytes());
}

/// The line as the subscriber would print an INFO event in the request's
/// span: `request{id=…}: finished …` for people, one object for JSON.
fn format_access(format: LogFormat, now: &str, line: &AccessLine<'_>) -> String {
    let latency_ms = line.elapsed.as_secs_f64() * 1000.0;
    let mut text = String::with_capacity(160 + line.path.len());
    // Writing to a String cannot fail.
    let _ = match format {
        LogFormat::Human => writeln!(
            text,
            "{now}  INFO request{{id={}}}: finished method={} path={} status={} latency_ms={latency_ms:.3}",
            line.id, line.method, line.path, line.status
        ),
        LogFormat::Json => writeln!(
            text,
            r#"{{"timestamp":"{now}","level":"INFO","message":"finished","method":{},"path":{},"status":{},"latency_ms":{latency_ms:.3},"target":"{ACCESS_TARGET}","span":{{"id":{},"name":"request"}}}}"#,
            json_string(line.method),
            json_string(line.path),
            line.status,
            json_string(line.id)
        ),
    };
    text
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Installs the global subscriber once. `RUST_LOG` overrides the default
/// filter (`info`, with sqlx's per-statement logs quieted).
pub fn init(format: LogFormat) -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let buffer = Arc::new(LogBuffer::new(io::stdout()));
    let registry = tracing_subscriber::registry().with(filter);
    let writer = buffer.clone();
    let result = match format {
        // Colours only on a terminal: a file or a journal gets plain text.
        LogFormat::Human => registry
            .with(fmt::layer().with_target(false).with_ansi(io::stdout().is_terminal()).with_writer(writer))
            .try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().flatten_event(true).with_writer(writer)).try_init(),
    };
    // A second init (tests start many apps in one process) is harmless.
    let _ = result;
    let _ = ACCESS_LOG.set((buffer.clone(), format));
    let (stop, flusher) = spawn_flusher(buffer.clone());
    LogGuard { stop: Some(stop), flusher, buffer }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output that keeps what it is given, for the test to read.
    #[derive(Clone, Default)]
    struct Kept(Arc<Mutex<Vec<u8>>>);

    impl Write for Kept {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_from_many_threads_all_arrive_whole_and_in_each_threads_order() {
        let kept = Kept::default();
        let buffer = Arc::new(LogBuffer::new(kept.clone()));
        let threads: Vec<_> = (0..4)
            .map(|thread| {
                let buffer = buffer.clone();
                std::thread::spawn(move || {
                    for n in 0..20_000 {
                        let line = format!("thread={thread} line={n} {}\n", "x".repeat(n % 90));
                        (&*buffer).write_all(line.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let before_flush = kept.0.lock().unwrap().len();
        assert!(before_flush > 0, "full buffers went out without a flush");
        buffer.flush_now();
        let text = String::from_utf8(kept.0.lock().unwrap().clone()).unwrap();
        let mut next = [0usize; 4];
        for line in text.lines() {
            let mut words = line.split(' ');
            let thread: usize = words.next().unwrap().trim_start_matches("thread=").parse().unwrap();
            let n: usize = words.next().unwrap().trim_start_matches("line=").parse().unwrap();
            assert_eq!(n, next[thread], "thread {thread}'s lines in order, none lost");
            assert_eq!(words.next().unwrap_or(""), "x".repeat(n % 90), "the line arrived whole");
            next[thread] += 1;
        }
        assert_eq!(next, [20_000; 4]);
    }

    fn missing_form_page() -> AccessLine<'static> {
        AccessLine { id: "4b1c", method: "GET", path: "/f/a\"b", status: 404, elapsed: Duration::from_micros(1250) }
    }

    #[test]
    fn a_human_access_line_reads_like_an_event_in_the_request_span() {
        let line = format_access(LogFormat::Human, "2026-12-04T02:00:00.000001Z", &missing_form_page());
        assert_eq!(
            line,
            "2026-12-04T02:00:00.000001Z  INFO request{id=4b1c}: finished method=GET path=/f/a\"b status=404 latency_ms=1.250\n"
        );
    }

    #[test]
    fn a_json_access_line_is_one_object_with_its_strings_escaped() {
        let line = format_access(LogFormat::Json, "2026-12-04T02:00:00.000001Z", &missing_form_page());
        assert!(line.ends_with('\n') && line.lines().count() == 1, "{line}");
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["path"], "/f/a\"b");
        assert_eq!(parsed["status"], 404);
        assert_eq!(parsed["latency_ms"], 1.25);
        assert_eq!(parsed["span"]["id"], "4b1c");
        assert_eq!(parsed["level"], "INFO");
        assert_eq!(parsed["target"], ACCESS_TARGET);
    }

    #[test]
    fn a_quiet_logger_waits_for_the_flush_not_for_a_full_buffer() {
        let kept = Kept::default();
        let buffer = LogBuffer::new(kept.clone());
        (&buffer).write_all(b"one line\n").unwrap();
        assert!(kept.0.lock().unwrap().is_empty());
        buffer.flush_now();
        assert_eq!(kept.0.lock().unwrap().as_slice(), b"one line\n");
    }
}
