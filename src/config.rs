//! Configuration: command-line flags and `LEADGATE_*` environment variables,
//! parsed once at start-up into typed [`Settings`].
//!
//! Raw values are read as strings and parsed here (not by clap) so that a bad
//! value stops start-up with one line naming the variable and what it accepts.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The `leadgate` command line.
#[derive(Debug, Parser)]
#[command(name = "leadgate", version, about = "Adaptive lead-qualification form server")]
pub struct Cli {
    #[command(flatten)]
    pub raw: RawSettings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage people who sign in (admins, marketers, managers, reps).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens (for scripts and integrations).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Lint a form definition file (YAML or JSON); exits non-zero on errors.
    Check {
        /// Path of the definition file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person; prints a generated password unless LEADGATE_USER_PASSWORD is set.
    Add {
        /// admin, marketer, manager or rep.
        #[arg(long)]
        role: String,
        /// Display name (default: the part of the email before @).
        #[arg(long)]
        name: Option<String>,
        email: String,
    },
    /// Set a new password (generated unless LEADGATE_USER_PASSWORD is set) and end all sessions.
    Reset { email: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token acting for an active admin; prints the token once, alone on its line.
    Add {
        /// Email of the admin the token acts for.
        #[arg(long)]
        admin: String,
        /// Comma-separated scopes: read, write or read,write.
        #[arg(long, default_value = "read")]
        scopes: String,
        /// A name that says what the token is for, such as "CRM sync".
        name: String,
    },
}

/// Settings as typed by a person: every value is still a string.
#[derive(Debug, Clone, Args, Default)]
pub struct RawSettings {
    /// Database URL: `sqlite://FILE` (default `sqlite://leadgate.db`) or `postgres://…`.
    #[arg(long, env = "LEADGATE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Address to listen on (default 127.0.0.1:3000).
    #[arg(long, env = "LEADGATE_BIND", global = true)]
    pub bind: Option<String>,
    /// Public base URL used in links and emails (default http://<bind>).
    #[arg(long, env = "LEADGATE_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Secret key for signing (at least 32 characters); generated and stored in the database when unset.
    #[arg(long, env = "LEADGATE_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Log format: `human` (default) or `json`.
    #[arg(long, env = "LEADGATE_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Origins allowed to embed forms in an iframe, space-separated (default: none, `'self'` only).
    #[arg(long, env = "LEADGATE_FRAME_ANCESTORS", global = true)]
    pub frame_ancestors: Option<String>,
    /// Load the demo form on first start with an empty database: `true` (default) or `false`.
    #[arg(long, env = "LEADGATE_DEMO", global = true)]
    pub demo: Option<String>,
    /// Form starts allowed per client IP per minute (default 20).
    #[arg(long, env = "LEADGATE_START_LIMIT_PER_MINUTE", global = true)]
    pub start_limit_per_minute: Option<String>,
    /// Outgoing mail server: smtp://[user:password@]host[:port] (STARTTLS), smtps://… (TLS) or smtp+plain://… (no TLS, local relays only).
    #[arg(long, env = "LEADGATE_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of notice emails (default: leadgate <leadgate@localhost>).
    #[arg(long, env = "LEADGATE_SMTP_FROM", global = true)]
    pub smtp_from: Option<String>,
    /// Delivery attempts before a notice is given up (default 10).
    #[arg(long, env = "LEADGATE_NOTICE_MAX_ATTEMPTS", global = true)]
    pub notice_max_attempts: Option<String>,
    /// How often reps' calendar feeds are read again, in seconds (default 300).
    #[arg(long, env = "LEADGATE_CALENDAR_POLL_SECONDS", global = true)]
    pub calendar_poll_seconds: Option<String>,
    /// Allow calendar feed addresses on private or loopback networks: `false` (default) or `true`.
    #[arg(long, env = "LEADGATE_CALENDAR_ALLOW_PRIVATE", global = true)]
    pub calendar_allow_private: Option<String>,
    /// Answers allowed per client IP per minute (default 240).
    #[arg(long, env = "LEADGATE_ANSWER_LIMIT_PER_MINUTE", global = true)]
    pub answer_limit_per_minute: Option<String>,
    /// Bearer token a Prometheus scraper must send to read /metrics (default: none, /metrics is off).
    #[arg(long, env = "LEADGATE_METRICS_TOKEN", global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Disqualified share of a source's judged leads that alerts marketers, in percent (default 50).
    #[arg(long, env = "LEADGATE_SOURCE_ALERT_PERCENT", global = true)]
    pub source_alert_percent: Option<String>,
    /// Judged leads a source needs in the window before it can alert (default 20).
    #[arg(long, env = "LEADGATE_SOURCE_ALERT_MIN_LEADS", global = true)]
    pub source_alert_min_leads: Option<String>,
    /// Days the source-quality window covers; also the quiet time after an alert (default 7).
    #[arg(long, env = "LEADGATE_SOURCE_ALERT_WINDOW_DAYS", global = true)]
    pub source_alert_window_days: Option<String>,
    /// Minutes without an answer after which an unfinished response counts as abandoned (default 30).
    #[arg(long, env = "LEADGATE_ABANDONED_AFTER_MINUTES", global = true)]
    pub abandoned_after_minutes: Option<String>,
    /// Folder of the browser assets (default: `static` beside the binary, else the source tree's).
    #[arg(long, env = "LEADGATE_STATIC_DIR", global = true)]
    pub static_dir: Option<String>,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// Validated settings: everything the application needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    pub base_url: Option<String>,
    pub secret_key: Option<SecretKey>,
    pub log_format: LogFormat,
    pub frame_ancestors: Vec<String>,
    pub demo: bool,
    pub limits: Limits,
    pub smtp: Option<crate::notify::email::SmtpSettings>,
    pub notices: crate::notify::worker::RetryPolicy,
    /// Bearer token for /metrics; None turns /metrics off.
    pub metrics_token: Option<String>,
    /// Source-quality alert and abandoned-response settings.
    pub analytics: crate::app::analytics::AnalyticsSettings,
    /// Run the notice worker in this process (tests turn it off to leave
    /// notices undelivered, as a killed process would).
    pub run_worker: bool,
    /// How often calendar feeds are polled.
    pub calendar_poll_every: std::time::Duration,
    /// Calendar feeds may be on private or loopback addresses.
    pub calendar_allow_private: bool,
    /// Where the CSS, scripts and vendored htmx are served from.
    pub static_dir: PathBuf,
}

/// Abuse limits for the public pages.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub starts_per_minute: u32,
    pub answers_per_minute: u32,
    pub logins_per_minute: u32,
    /// Sign-in attempts per account (whatever the address) per minute:
    /// guessing one person's password from many addresses is slowed too.
    pub logins_per_account_per_minute: u32,
    /// Overrides every form's minimum time before the first answer (tests use 0).
    pub min_seconds_before_first_answer: Option<u32>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            starts_per_minute: 20,
            answers_per_minute: 240,
            logins_per_minute: 10,
            logins_per_account_per_minute: 5,
            min_seconds_before_first_answer: None,
        }
    }
}

/// A secret that never appears in logs or debug output.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    pub fn new(value: String) -> Self {
        SecretKey(value)
    }
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// A bad setting: which variable, and what it accepts.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {accepts} (got {got:?})")]
pub struct ConfigError {
    pub variable: &'static str,
    pub accepts: &'static str,
    pub got: String,
}

impl RawSettings {
    /// Parses every value, naming the first bad one.
    pub fn parse(&self) -> Result<Settings, ConfigError> {
        let bind = parse_bind(self.bind.as_deref())?;
        Ok(Settings {
            database_url: parse_database_url(self.database_url.as_deref())?,
            bind,
            base_url: parse_base_url(self.base_url.as_deref())?,
            secret_key: parse_secret(self.secret_key.as_deref())?,
            log_format: parse_log_format(self.log_format.as_deref())?,
            frame_ancestors: parse_frame_ancestors(self.frame_ancestors.as_deref())?,
            demo: parse_bool("LEADGATE_DEMO", self.demo.as_deref(), true)?,
            static_dir: parse_static_dir(self.static_dir.as_deref())?,
            run_worker: true,
            metrics_token: parse_metrics_token(self.metrics_token.as_deref())?,
            analytics: self.parse_analytics()?,
            calendar_poll_every: std::time::Duration::from_secs(u64::from(parse_rate(
                "LEADGATE_CALENDAR_POLL_SECONDS",
                self.calendar_poll_seconds.as_deref(),
                300,
            )?)),
            calendar_allow_private: parse_bool(
                "LEADGATE_CALENDAR_ALLOW_PRIVATE",
                self.calendar_allow_private.as_deref(),
                false,
            )?,
            smtp: parse_smtp(self.smtp_url.as_deref(), self.smtp_from.as_deref())?,
            notices: crate::notify::worker::RetryPolicy {
                max_attempts: parse_rate("LEADGATE_NOTICE_MAX_ATTEMPTS", self.notice_max_attempts.as_deref(), 10)?,
                ..Default::default()
            },
            limits: Limits {
                starts_per_minute: parse_rate(
                    "LEADGATE_START_LIMIT_PER_MINUTE",
                    self.start_limit_per_minute.as_deref(),
                    20,
                )?,
                answers_per_minute: parse_rate(
                    "LEADGATE_ANSWER_LIMIT_PER_MINUTE",
                    self.answer_limit_per_minute.as_deref(),
                    240,
                )?,
                logins_per_minute: 10,
                logins_per_account_per_minute: 5,
                min_seconds_before_first_answer: None,
            },
        })
    }
}

impl RawSettings {
    fn parse_analytics(&self) -> Result<crate::app::analytics::AnalyticsSettings, ConfigError> {
        let percent = parse_rate("LEADGATE_SOURCE_ALERT_PERCENT", self.source_alert_percent.as_deref(), 50)?;
        if percent > 100 {
            return Err(bad("LEADGATE_SOURCE_ALERT_PERCENT", "a whole number from 1 to 100", &percent.to_string()));
        }
        Ok(crate::app::analytics::AnalyticsSettings {
            source_alert_threshold_percent: percent,
            source_alert_min_leads: parse_rate(
                "LEADGATE_SOURCE_ALERT_MIN_LEADS",
                self.source_alert_min_leads.as_deref(),
                20,
            )?,
            source_alert_window_days: parse_rate(
                "LEADGATE_SOURCE_ALERT_WINDOW_DAYS",
                self.source_alert_window_days.as_deref(),
                7,
            )?,
            abandoned_after_minutes: parse_rate(
                "LEADGATE_ABANDONED_AFTER_MINUTES",
                self.abandoned_after_minutes.as_deref(),
                30,
            )?,
        })
    }
}

fn parse_metrics_token(raw: Option<&str>) -> Result<Option<String>, ConfigError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(token) if token.len() >= 16 && !token.contains(char::is_whitespace) => Ok(Some(token.to_string())),
        Some(_) => Err(bad("LEADGATE_METRICS_TOKEN", "at least 16 characters without spaces", "<hidden>")),
    }
}

fn bad(variable: &'static str, accepts: &'static str, got: &str) -> ConfigError {
    ConfigError { variable, accepts, got: got.to_string() }
}

fn parse_database_url(raw: Option<&str>) -> Result<String, ConfigError> {
    let url = raw.unwrap_or("sqlite://leadgate.db").trim();
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if known.iter().any(|prefix| url.starts_with(prefix)) {
        Ok(url.to_string())
    } else {
        Err(bad("LEADGATE_DATABASE_URL", "a URL starting with sqlite:// or postgres://", url))
    }
}

fn parse_bind(raw: Option<&str>) -> Result<SocketAddr, ConfigError> {
    let text = raw.unwrap_or("127.0.0.1:3000").trim();
    text.parse().map_err(|_| bad("LEADGATE_BIND", "an IP address and port such as 127.0.0.1:3000", text))
}

fn parse_base_url(raw: Option<&str>) -> Result<Option<String>, ConfigError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let valid = (text.starts_with("http://") || text.starts_with("https://"))
        && text.split("://").nth(1).is_some_and(|rest| !rest.is_empty());
    if valid {
        Ok(Some(text.trim_end_matches('/').to_string()))
    } else {
        Err(bad("LEADGATE_BASE_URL", "an http:// or https:// URL such as https://forms.example.com", text))
    }
}

fn parse_secret(raw: Option<&str>) -> Result<Option<SecretKey>, ConfigError> {
    match raw {
        None | Some("") => Ok(None),
        Some(text) if text.len() >= 32 => Ok(Some(SecretKey(text.to_string()))),
        // Never echo a secret back, even a bad one.
        Some(_) => Err(bad("LEADGATE_SECRET_KEY", "at least 32 characters", "<hidden>")),
    }
}

fn parse_log_format(raw: Option<&str>) -> Result<LogFormat, ConfigError> {
    match raw.map(str::trim).unwrap_or("human") {
        "human" => Ok(LogFormat::Human),
        "json" => Ok(LogFormat::Json),
        other => Err(bad("LEADGATE_LOG_FORMAT", "`human` or `json`", other)),
    }
}

fn parse_frame_ancestors(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    let Some(text) = raw else {
        return Ok(Vec::new());
    };
    let origins: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    let valid = |o: &String| {
        o == "*" || ((o.starts_with("https://") || o.starts_with("http://")) && !o.contains([';', ',', '\'']))
    };
    match origins.iter().find(|o| !valid(o)) {
        None => Ok(origins),
        Some(o) => Err(bad("LEADGATE_FRAME_ANCESTORS", "space-separated origins such as https://www.example.com", o)),
    }
}

fn parse_smtp(
    url: Option<&str>,
    from: Option<&str>,
) -> Result<Option<crate::notify::email::SmtpSettings>, ConfigError> {
    use crate::notify::email::{SmtpSecurity, SmtpSettings};
    let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else { return Ok(None) };
    let accepts = "smtp://[user:password@]host[:port], smtps://… or smtp+plain://…";
    let invalid = || bad("LEADGATE_SMTP_URL", accepts, "<hidden>");
    let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
    let (security, default_port) = match scheme {
        "smtp" => (SmtpSecurity::StartTls, 587),
        "smtps" => (SmtpSecurity::Tls, 465),
        "smtp+plain" => (SmtpSecurity::None, 25),
        _ => return Err(invalid()),
    };
    let (credentials, host_port) = match rest.rsplit_once('@') {
        Some((credentials, host_port)) => (Some(credentials), host_port),
        None => (None, rest),
    };
    let (host, port) = match host_port.trim_end_matches('/').rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().map_err(|_| invalid())?),
        None => (host_port.trim_end_matches('/'), default_port),
    };
    if host.is_empty() {
        return Err(invalid());
    }
    let decode = |t: &str| percent_encoding::percent_decode_str(t).decode_utf8_lossy().into_owned();
    let (username, password) = match credentials.map(|c| c.split_once(':').unwrap_or((c, ""))) {
        Some((user, password)) => (Some(decode(user)), Some(decode(password))),
        None => (None, None),
    };
    let from = from.unwrap_or("leadgate <leadgate@localhost>").to_string();
    Ok(Some(SmtpSettings { host: host.to_string(), port, security, username, password, from }))
}

/// The one file every page needs; a folder without it is not the assets folder.
const STATIC_PROBE: &str = "htmx.min.js";

/// An installed binary finds `static/` beside itself; `cargo run` finds the
/// source tree's. A folder given by hand must hold the assets.
fn parse_static_dir(raw: Option<&str>) -> Result<PathBuf, ConfigError> {
    if let Some(given) = raw.map(str::trim).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(given);
        if dir.join(STATIC_PROBE).is_file() {
            return Ok(dir);
        }
        return Err(ConfigError {
            variable: "LEADGATE_STATIC_DIR",
            accepts: "a folder holding leadgate's static files (htmx.min.js, app.css, app.js)",
            got: given.to_string(),
        });
    }
    let beside_binary = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join("static")));
    let source_tree = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static");
    Ok(beside_binary.filter(|dir| dir.join(STATIC_PROBE).is_file()).unwrap_or(source_tree))
}

fn parse_bool(variable: &'static str, raw: Option<&str>, default: bool) -> Result<bool, ConfigError> {
    match raw.map(|t| t.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(t) if ["true", "1", "yes", "on"].contains(&t.as_str()) => Ok(true),
        Some(t) if ["false", "0", "no", "off"].contains(&t.as_str()) => Ok(false),
        Some(t) => Err(bad(variable, "`true` or `false`", &t)),
    }
}

fn parse_rate(variable: &'static str, raw: Option<&str>, default: u32) -> Result<u32, ConfigError> {
    let Some(text) = raw.map(str::trim) else {
        return Ok(default);
    };
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(bad(variable, "a whole number greater than 0", text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_sqlite_on_localhost_3000() {
        let settings = RawSettings::default().parse().unwrap();
        assert_eq!(settings.database_url, "sqlite://leadgate.db");
        assert_eq!(settings.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(settings.log_format, LogFormat::Human);
        assert!(settings.demo);
        assert!(settings.static_dir.join("htmx.min.js").is_file(), "{:?}", settings.static_dir);
    }

    #[test]
    fn a_static_folder_without_the_assets_is_refused() {
        let empty = tempfile::tempdir().unwrap();
        let raw = RawSettings { static_dir: Some(empty.path().display().to_string()), ..Default::default() };
        assert_eq!(raw.parse().unwrap_err().variable, "LEADGATE_STATIC_DIR");
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static");
        let raw = RawSettings { static_dir: Some(source.display().to_string()), ..Default::default() };
        assert_eq!(raw.parse().unwrap().static_dir, source);
    }

    #[test]
    fn a_bad_bind_names_the_variable() {
        let raw = RawSettings { bind: Some("nonsense".into()), ..Default::default() };
        let error = raw.parse().unwrap_err();
        assert_eq!(error.variable, "LEADGATE_BIND");
        assert!(error.to_string().starts_with("LEADGATE_BIND: an IP address and port"));
    }

    #[test]
    fn a_short_secret_is_refused_without_echoing_it() {
        let raw = RawSettings { secret_key: Some("tooshort".into()), ..Default::default() };
        let error = raw.parse().unwrap_err();
        assert!(!error.to_string().contains("tooshort"));
    }

    #[test]
    fn frame_ancestors_reject_injection() {
        let raw = RawSettings { frame_ancestors: Some("https://a.example; script-src *".into()), ..Default::default() };
        assert_eq!(raw.parse().unwrap_err().variable, "LEADGATE_FRAME_ANCESTORS");
    }

    #[test]
    fn secret_keys_are_redacted_in_debug_output() {
        let key = SecretKey::new("x".repeat(40));
        assert!(!format!("{key:?}").contains("xxxx"));
    }

    #[test]
    fn analytics_and_metrics_settings_have_defaults_and_name_bad_values() {
        let settings = RawSettings::default().parse().unwrap();
        assert_eq!(settings.analytics, crate::app::analytics::AnalyticsSettings::default());
        assert_eq!(settings.metrics_token, None);
        let raw = RawSettings { source_alert_percent: Some("150".into()), ..Default::default() };
        assert_eq!(raw.parse().unwrap_err().variable, "LEADGATE_SOURCE_ALERT_PERCENT");
        let raw = RawSettings { abandoned_after_minutes: Some("0".into()), ..Default::default() };
        assert_eq!(raw.parse().unwrap_err().variable, "LEADGATE_ABANDONED_AFTER_MINUTES");
        let raw = RawSettings { metrics_token: Some("short".into()), ..Default::default() };
        let error = raw.parse().unwrap_err();
        assert_eq!(error.variable, "LEADGATE_METRICS_TOKEN");
        assert!(!error.to_string().contains("short"), "a token is never echoed");
        let raw = RawSettings { source_alert_min_leads: Some("5".into()), ..Default::default() };
        assert_eq!(raw.parse().unwrap().analytics.source_alert_min_leads, 5);
    }
}
