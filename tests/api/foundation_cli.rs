//! The `leadgate` binary itself: its commands, its logs and what it prints
//! on start. The server runs as a child process and is waited for by
//! reading its output line by line, never by sleeping.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use leadgate::store::Db;

/// How long the binary may take to print what a test waits for.
const PATIENCE: Duration = Duration::from_secs(60);

/// The binary with none of the caller's `LEADGATE_*` settings or `RUST_LOG`.
fn leadgate() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadgate"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("LEADGATE_") || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    command
}

fn sqlite_url(dir: &tempfile::TempDir, name: &str) -> String {
    format!("sqlite://{}", dir.path().join(name).display())
}

/// Names of the migration files of one backend, as shipped in the repo.
fn migration_count(backend: &str) -> i64 {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sql"))
        .count() as i64
}

/// Migrations recorded as applied (successfully) in the database at `url`.
async fn applied_migrations(url: &str) -> i64 {
    let db = Db::connect(url).await.unwrap();
    let mut conn = db.read().await.unwrap();
    let count = leadgate::on_conn!(conn.conn(), c => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(&mut *c).await
    })
    .unwrap();
    drop(conn);
    db.close().await;
    count
}

#[tokio::test]
async fn leadgate_migrate_applies_every_migration_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = sqlite_url(&dir, "fresh.db");
    // The test database too: a new PostgreSQL database when one is configured.
    let test_database = crate::helpers::fresh_database_url(&dir).await;
    for url in [fresh, test_database] {
        for run in ["first", "second"] {
            let output = leadgate().arg("migrate").env("LEADGATE_DATABASE_URL", &url).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(0), "{run} run on {url}: {stderr}");
            assert!(String::from_utf8_lossy(&output.stdout).contains("migrations applied"));
        }
        let backend = if url.starts_with("postgres") { "postgres" } else { "sqlite" };
        assert_eq!(applied_migrations(&url).await, migration_count(backend), "on {url}");
    }
}

#[test]
fn leadgate_help_lists_every_command_and_exits_0() {
    let output = leadgate().arg("--help").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout).unwrap();
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for command in ["serve", "migrate", "check", "user", "token"] {
        assert!(commands.contains(&command), "{command} missing from:\n{help}");
    }
}

/// A `leadgate serve` child process and the lines it has written.
struct Server {
    child: Child,
    lines: mpsc::Receiver<(Stream, String)>,
    stdout: Vec<String>,
    stderr: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Stream {
    Out,
    Err,
}

impl Server {
    /// Starts the binary on `database_url`, any free port, with `env`.
    fn start(database_url: &str, env: &[(&str, &str)]) -> Server {
        let mut command = leadgate();
        command
            .env("LEADGATE_DATABASE_URL", database_url)
            .env("LEADGATE_BIND", "127.0.0.1:0")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the binary starts");
        let (send, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for (stream, pipe) in
            [(Stream::Out, Box::new(out) as Box<dyn std::io::Read + Send>), (Stream::Err, Box::new(err))]
        {
            let send = send.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = send.send((stream, line));
                }
            });
        }
        Server { child, lines, stdout: Vec::new(), stderr: Vec::new() }
    }

    /// Reads lines until one on standard output matches `wanted`.
    fn wait_for_stdout(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok((stream, line)) = self.lines.recv_timeout(left) else {
                panic!("no such line in time; stdout: {:#?}\nstderr: {:#?}", self.stdout, self.stderr);
            };
            self.keep(stream, line.clone());
            if stream == Stream::Out && wanted(&line) {
                return line;
            }
        }
    }

    fn keep(&mut self, stream: Stream, line: String) {
        match stream {
            Stream::Out => self.stdout.push(line),
            Stream::Err => self.stderr.push(line),
        }
    }

    /// The base URL from the "leadgate is running at" line.
    fn wait_for_url(&mut self) -> String {
        let line = self.wait_for_stdout(|l| l.starts_with("leadgate is running at "));
        line.trim_start_matches("leadgate is running at ").trim().to_string()
    }

    /// SIGTERM, then every remaining line until both pipes close; the exit status.
    fn stop(&mut self) -> std::process::ExitStatus {
        let killed = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((stream, line)) => self.keep(stream, line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!("the server did not stop after SIGTERM; stdout: {:#?}", self.stdout);
                }
            }
        }
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn with_json_logs_every_log_line_is_json_and_a_request_is_logged_with_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        Server::start(&sqlite_url(&dir, "json.db"), &[("LEADGATE_LOG_FORMAT", "json"), ("LEADGATE_DEMO", "false")]);
    let base = server.wait_for_url();
    server.wait_for_stdout(|l| l.starts_with("Press Ctrl-C"));
    let banner = server.stdout.len();

    let response = crate::helpers::new_client().get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(server.stop().success(), "a SIGTERM is a clean stop");

    // What the server prints for people comes first; everything else is logs.
    let (people, rest) = server.stdout.split_at(banner);
    let logs: Vec<&String> = people.iter().filter(|l| l.starts_with('{')).chain(rest).chain(&server.stderr).collect();
    let parsed: Vec<serde_json::Value> = logs
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(parsed.iter().all(|l| l["message"].is_string() && l["level"].is_string()), "{logs:#?}");
    let of_request = parsed.iter().find(|l| l["span"]["id"] == request_id.as_str());
    let of_request = of_request.unwrap_or_else(|| panic!("no log line carries request id {request_id}: {logs:#?}"));
    assert_eq!(of_request["path"], "/healthz");
    assert_eq!(of_request["status"], 200);
    assert!(parsed.iter().any(|l| l["message"].as_str().unwrap().contains("shutting down")), "{logs:#?}");
}

/// A server without the demo that has answered one `/healthz`, and that
/// request's id (to find its access-log line).
async fn serve_one_health_check(dir: &tempfile::TempDir, database: &str) -> (Server, String) {
    let mut server = Server::start(&sqlite_url(dir, database), &[("LEADGATE_DEMO", "false")]);
    let base = server.wait_for_url();
    let response = crate::helpers::new_client().get(format!("{base}/healthz")).send().await.unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    (server, request_id)
}

/// Logs read by people (the default) are plain text when written to a
/// file or a pipe (no terminal colour codes), and every line queued before
/// a SIGTERM is written out.
#[tokio::test]
async fn human_logs_to_a_pipe_are_plain_text_and_the_last_lines_are_written_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, request_id) = serve_one_health_check(&dir, "human.db").await;
    assert!(server.stop().success(), "a SIGTERM is a clean stop");
    let lines: Vec<&String> = server.stdout.iter().chain(&server.stderr).collect();
    assert!(lines.iter().all(|l| !l.contains('\u{1b}')), "no escape codes: {lines:#?}");
    let of_request = lines.iter().find(|l| l.contains(&request_id)).unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(of_request.contains("/healthz") && of_request.contains("status=200"), "{of_request}");
    assert!(lines.iter().any(|l| l.contains("shutting down")), "{lines:#?}");
}

/// The log thread writes through a buffer, yet an idle server's line is
/// out at once: an operator tailing the log sees each request as it ends.
#[tokio::test]
async fn a_running_server_writes_each_access_log_line_without_waiting_for_more() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, request_id) = serve_one_health_check(&dir, "tail.db").await;
    let line = server.wait_for_stdout(|l| l.contains(&request_id));
    assert!(line.contains("/healthz") && line.contains("status=200"), "{line}");
    assert!(server.stop().success(), "a SIGTERM is a clean stop");
}

/// Access lines obey `RUST_LOG` like every other line: an operator can
/// turn them off and keep the rest.
#[tokio::test]
async fn rust_log_can_turn_access_lines_off_and_keep_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("LEADGATE_DEMO", "false"), ("RUST_LOG", "info,leadgate::access=off")];
    let mut server = Server::start(&sqlite_url(&dir, "quiet.db"), &env);
    let base = server.wait_for_url();
    let response = crate::helpers::new_client().get(format!("{base}/healthz")).send().await.unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(server.stop().success(), "a SIGTERM is a clean stop");
    let lines: Vec<&String> = server.stdout.iter().chain(&server.stderr).collect();
    assert!(lines.iter().all(|l| !l.contains(&request_id)), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("shutting down")), "{lines:#?}");
}

#[tokio::test]
async fn the_demo_prints_the_form_url_and_the_logins_of_its_people_who_exist_with_those_roles() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "demo.db");
    let mut server = Server::start(&url, &[("LEADGATE_DEMO", "true")]);
    let base = server.wait_for_url();
    let form = server.wait_for_stdout(|l| l.trim_start().starts_with("demo form:"));
    let form_url = form.trim_start().trim_start_matches("demo form:").trim().to_string();
    assert_eq!(form_url, format!("{base}/f/talk-to-sales"));
    server.wait_for_stdout(|l| l.starts_with("Press Ctrl-C"));
    // Login lines: "    role      email".
    let logins: Vec<(String, String)> = server
        .stdout
        .iter()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let (role, email) = (words.next()?, words.next()?);
            (l.starts_with("    ") && email.contains('@') && words.next().is_none())
                .then(|| (role.to_string(), email.to_string()))
        })
        .collect();
    let count = |role: &str| logins.iter().filter(|(r, _)| r == role).count();
    assert_eq!(
        (count("admin"), count("manager"), count("marketer"), count("rep")),
        (1, 1, 1, 4),
        "{:#?}",
        server.stdout
    );

    // The form it names is served, and a printed login signs in.
    let client = crate::helpers::new_client();
    assert_eq!(client.get(&form_url).send().await.unwrap().status(), 200);
    let (_, rep) = logins.iter().find(|(r, _)| r == "rep").unwrap();
    let password = leadgate::app::demo::DEMO_PASSWORD;
    let signed_in =
        client.post(format!("{base}/login")).form(&[("email", rep.as_str()), ("password", password)]).send();
    assert_eq!(signed_in.await.unwrap().status(), 303, "{rep} signs in with the demo password");
    assert!(server.stop().success());

    let db = Db::connect(&url).await.unwrap();
    let users = {
        let mut conn = db.read().await.unwrap();
        leadgate::store::users::list_users(conn.conn()).await.unwrap()
    };
    for (role, email) in &logins {
        let user = users.iter().find(|u| &u.email == email).unwrap_or_else(|| panic!("{email} exists"));
        assert_eq!(&user.role, role, "{email}");
        assert!(user.active);
    }
    db.close().await;
}
