//! The SIGKILL drill: prospects answer and finish the demo form while the
//! server is killed with SIGKILL; after a restart, everything that was
//! acknowledged with a success response must be in the database, and every
//! notice must be delivered.
//!
//! Checked after the restart, each against what the server acknowledged:
//! - answers: every acknowledged answer is stored on its response;
//! - finished responses, leads, assignments: every response whose finishing
//!   answer was acknowledged is finished, has its lead, and the lead has an
//!   assignment (routing ran in the same transaction);
//! - bookings: every Tier 1 prospect whose booking was acknowledged (the
//!   confirmation came back) has that meeting, with that rep at that time;
//! - notices: the outbox drains (none pending, none dead), and the webhook
//!   receiver got a `lead.assigned` for every acknowledged finish.

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadgate::engine::AnswerValue;
use leadgate::store::{self, Db};
use uuid::Uuid;

use crate::demo::{self, LATER_STEPS};

/// What the server acknowledged before it was killed.
#[derive(Default)]
struct Acks {
    /// (response id, question, value sent)
    answers: Vec<(Uuid, String, String)>,
    /// (prospect number, response id) of acknowledged finishing answers.
    finishes: Vec<(u64, Uuid)>,
    /// (response id, slot as posted: `{rep id}_{unix seconds}`) of confirmed bookings.
    bookings: Vec<(Uuid, String)>,
}

/// One compared row of the report.
struct Check {
    what: &'static str,
    acknowledged: usize,
    present: usize,
}

pub struct Drill<'a> {
    pub binary: &'a str,
    pub database_url: &'a str,
    pub connections: usize,
    pub kill_after: Duration,
}

pub async fn run(drill: Drill<'_>) -> anyhow::Result<bool> {
    let bind = crate::pages::free_port()?;
    let base = format!("http://{bind}");
    let mut server = spawn(drill.binary, drill.database_url, &bind, "first").await?;
    let hooks = Arc::new(Mutex::new(HashSet::new()));
    let hook_url = start_receiver(hooks.clone()).await?;
    crate::notices::add_webhook(&base, &hook_url).await?;

    let acks = Arc::new(Mutex::new(Acks::default()));
    let killed = Arc::new(AtomicBool::new(false));
    let client = demo::client(drill.connections);
    let token = demo::render_token(&client, &base).await?;
    tokio::time::sleep(demo::TOKEN_AGE).await;
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..drill.connections {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        let (next, acks, killed) = (next.clone(), acks.clone(), killed.clone());
        tasks.push(tokio::spawn(async move { load(&client, &base, &token, &next, &acks, &killed).await }));
    }
    tokio::time::sleep(drill.kill_after).await;
    server.kill()?; // SIGKILL on Unix: no graceful shutdown, no flush
    killed.store(true, Ordering::SeqCst);
    server.wait()?;
    let failed_in_flight: u64 = futures_util::future::join_all(tasks).await.into_iter().map(|r| r.unwrap_or(0)).sum();
    eprintln!("server killed with SIGKILL after {:?}; {failed_in_flight} requests failed in flight", drill.kill_after);

    let mut restarted = spawn(drill.binary, drill.database_url, &bind, "restarted").await?;
    let acks = std::mem::take(&mut *acks.lock().unwrap());
    let outcome = verify(drill.database_url, &acks, &hooks).await;
    let _ = restarted.kill();
    let _ = restarted.wait();
    outcome
}

/// Answers whole responses until the server dies; returns failed requests.
async fn load(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    next: &AtomicU64,
    acks: &Mutex<Acks>,
    killed: &AtomicBool,
) -> u64 {
    while !killed.load(Ordering::SeqCst) {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let Ok(path) = demo::start(client, base, token, n).await else { return 1 };
        let id: Uuid = path.rsplit('/').next().and_then(|s| s.parse().ok()).expect("a response id");
        acks.lock().unwrap().answers.push((id, "email".into(), demo::email(n)));
        for (index, (question, value)) in LATER_STEPS.iter().enumerate() {
            if demo::answer(client, base, &path, index, n).await.is_err() {
                return 1;
            }
            let mut acks = acks.lock().unwrap();
            acks.answers.push((id, question.to_string(), value.replace("{n}", &n.to_string())));
            if index == LATER_STEPS.len() - 1 {
                acks.finishes.push((n, id));
            }
        }
        // The Tier 1 ending offers slots: book one (prospects spread over
        // them; a slot another prospect took first is simply not confirmed).
        match book(client, base, &path, n).await {
            Ok(Some(slot)) => acks.lock().unwrap().bookings.push((id, slot)),
            Ok(None) => {}
            Err(()) => return 1,
        }
    }
    0
}

/// Books one of the slots the ending shows; the slot when it was confirmed.
async fn book(client: &reqwest::Client, base: &str, path: &str, n: u64) -> Result<Option<String>, ()> {
    let ending = client.get(format!("{base}{path}")).send().await.map_err(|_| ())?;
    let page = ending.text().await.map_err(|_| ())?;
    let slots: Vec<&str> =
        page.split("name=\"slot\" value=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    if slots.is_empty() {
        return Ok(None);
    }
    let slot = slots[(n as usize * 7) % slots.len()];
    let response = client
        .post(format!("{base}{path}/book"))
        .header("hx-request", "true")
        .form(&[("slot", slot), ("tz", "UTC")])
        .send()
        .await
        .map_err(|_| ())?;
    let confirmed = response.status().is_success();
    response.bytes().await.map_err(|_| ())?;
    Ok(confirmed.then(|| slot.to_string()))
}

async fn verify(database_url: &str, acks: &Acks, hooks: &Mutex<HashSet<u64>>) -> anyhow::Result<bool> {
    let db = Db::connect(database_url).await?;
    let mut conn = db.read().await?;
    let mut answers = 0;
    for (id, question, value) in &acks.answers {
        let response = store::responses::find_response(conn.conn(), *id).await?;
        let stored = response.as_ref().and_then(|r| r.answers.0.get(question).cloned());
        answers += usize::from(match stored {
            Some(AnswerValue::Text(text)) => &text == value,
            Some(AnswerValue::Consent { given, .. }) => given,
            Some(AnswerValue::Blank) => value.is_empty(),
            _ => false,
        });
    }
    let (mut finished, mut leads, mut assigned) = (0, 0, 0);
    for (_, id) in &acks.finishes {
        let Some(response) = store::responses::find_response(conn.conn(), *id).await? else { continue };
        finished += usize::from(response.is_finished());
        let Some(lead_id) = response.lead_id else { continue };
        leads += usize::from(store::leads::find_lead(conn.conn(), lead_id).await?.is_some());
        assigned += usize::from(!store::leads::list_assignments(conn.conn(), lead_id).await?.is_empty());
    }
    let mut booked = 0;
    for (response_id, slot) in &acks.bookings {
        let stored = store::bookings::find_latest_booking_of_response(conn.conn(), *response_id).await?;
        booked +=
            usize::from(stored.is_some_and(|b| {
                b.status == "confirmed" && format!("{}_{}", b.user_id, b.starts_at.timestamp()) == *slot
            }));
    }
    drop(conn);
    // Notices claimed by the killed process come back when their 60 s lease ends.
    let deadline = Instant::now() + Duration::from_secs(120);
    let (pending, dead) = loop {
        let mut conn = db.read().await?;
        let pending = store::outbox::count_pending(conn.conn()).await?;
        let dead = store::outbox::list_by_status(conn.conn(), "dead", 1000).await?.len();
        let all_hooks = acks.finishes.iter().all(|(n, _)| hooks.lock().unwrap().contains(n));
        if (pending == 0 && all_hooks) || Instant::now() > deadline {
            break (pending, dead);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let webhooks = acks.finishes.iter().filter(|(n, _)| hooks.lock().unwrap().contains(n)).count();
    db.close().await;
    let checks = [
        Check { what: "answers", acknowledged: acks.answers.len(), present: answers },
        Check { what: "finished responses", acknowledged: acks.finishes.len(), present: finished },
        Check { what: "leads", acknowledged: acks.finishes.len(), present: leads },
        Check { what: "assignments", acknowledged: acks.finishes.len(), present: assigned },
        Check { what: "lead.assigned webhooks received", acknowledged: acks.finishes.len(), present: webhooks },
        Check { what: "bookings", acknowledged: acks.bookings.len(), present: booked },
    ];
    Ok(report(&checks, pending, dead))
}

fn report(checks: &[Check], pending: i64, dead: usize) -> bool {
    println!("{:<34} {:>13} {:>9} {:>8}", "after SIGKILL and restart", "acknowledged", "present", "missing");
    let mut ok = pending == 0 && dead == 0;
    for check in checks {
        let missing = check.acknowledged - check.present.min(check.acknowledged);
        ok &= missing == 0;
        println!("{:<34} {:>13} {:>9} {:>8}", check.what, check.acknowledged, check.present, missing);
    }
    println!("notices still pending: {pending}, dead letters: {dead}");
    println!("{}", if ok { "RESULT sigkill ok=true" } else { "RESULT sigkill ok=false" });
    ok
}

async fn spawn(binary: &str, database_url: &str, bind: &str, label: &str) -> anyhow::Result<Child> {
    let child = std::process::Command::new(binary)
        .env("LEADGATE_DATABASE_URL", database_url)
        .env("LEADGATE_BIND", bind)
        .env("LEADGATE_START_LIMIT_PER_MINUTE", "100000000")
        .env("LEADGATE_ANSWER_LIMIT_PER_MINUTE", "100000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(1)).build()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !client.get(format!("http://{bind}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
        anyhow::ensure!(Instant::now() < deadline, "the {label} server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(child)
}

async fn start_receiver(seen: Arc<Mutex<HashSet<u64>>>) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let seen = seen.clone();
            async move {
                let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                if let Some(n) = value["data"]["name"].as_str().and_then(demo::number_in) {
                    seen.lock().unwrap().insert(n);
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}
