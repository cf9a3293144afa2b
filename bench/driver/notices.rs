//! Finish → the rep's live inbox event, and finish → webhook received, at a
//! steady rate of finished responses.
//!
//! Every demo person who works leads is signed in with the inbox's event
//! stream open; an admin adds a webhook endpoint (a receiver in this
//! process). Responses are answered up to their last step beforehand; then
//! one finishing answer is sent every `1 / rate` seconds, whatever the
//! server's latency (open loop), and the time from sending it to the first
//! live event and to the webhook naming that prospect is recorded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::demo::{self, LATER_STEPS};
use crate::stats::{Samples, f1, f2, result};

type Seen = Arc<Mutex<HashMap<u64, Instant>>>;

const INBOX_PEOPLE: [&str; 6] = ["admin", "manager", "ana", "ben", "chloe", "dev"];
const DEMO_PASSWORD: &str = "leadgate-demo";

pub async fn run(base: &str, rate: u64, seconds: u64, first: u64) -> anyhow::Result<()> {
    let live: Seen = Arc::default();
    for person in INBOX_PEOPLE {
        let browser = signed_in(base, person).await?;
        let events = browser.get(format!("{base}/inbox/events")).send().await?;
        anyhow::ensure!(events.status().is_success(), "{person}'s event stream: {}", events.status());
        tokio::spawn(read_events(events, live.clone()));
    }
    let hooks: Seen = Arc::default();
    let hook_url = start_receiver(hooks.clone()).await?;
    add_webhook(base, &hook_url).await?;

    let total = rate * seconds;
    let client = demo::client(64);
    let paths = prepare(&client, base, first, total).await?;
    eprintln!("{total} responses wait at their last step; finishing {rate} per second");
    let sent: Seen = Arc::default();
    let mut errors = 0u64;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    let mut tasks = Vec::new();
    for (n, path) in paths {
        ticker.tick().await;
        let (client, base, sent) = (client.clone(), base.to_string(), sent.clone());
        tasks.push(tokio::spawn(async move {
            sent.lock().unwrap().insert(n, Instant::now());
            demo::answer(&client, &base, &path, LATER_STEPS.len() - 1, n).await.is_ok()
        }));
    }
    for task in tasks {
        errors += u64::from(!task.await?);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && (live.lock().unwrap().len() as u64) < total {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    while Instant::now() < deadline && (hooks.lock().unwrap().len() as u64) < total {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    report("notices_live", rate, &sent, &live, errors);
    report("notices_webhook", rate, &sent, &hooks, errors);
    Ok(())
}

fn report(name: &str, rate: u64, sent: &Seen, seen: &Seen, errors: u64) {
    let sent = sent.lock().unwrap();
    let seen = seen.lock().unwrap();
    let mut samples = Samples::default();
    for (n, at) in seen.iter() {
        if let Some(sent_at) = sent.get(n) {
            samples.push(at.saturating_duration_since(*sent_at));
        }
    }
    let missing = sent.len() - samples.len();
    result(
        name,
        &[
            ("rate_per_s", rate.to_string()),
            ("finished", sent.len().to_string()),
            ("received", samples.len().to_string()),
            ("missing", missing.to_string()),
            ("p50_ms", f2(samples.ms(0.50))),
            ("p99_ms", f2(samples.ms(0.99))),
            ("max_ms", f1(samples.ms(1.0))),
            ("errors", errors.to_string()),
        ],
    );
}

/// Answers `total` responses up to their finishing step, 64 at a time.
async fn prepare(client: &reqwest::Client, base: &str, first: u64, total: u64) -> anyhow::Result<Vec<(u64, String)>> {
    let token = demo::render_token(client, base).await?;
    tokio::time::sleep(demo::TOKEN_AGE).await;
    let last = LATER_STEPS.len() - 1;
    let numbers: Vec<u64> = (first..first + total).collect();
    let mut prepared = Vec::new();
    for chunk in numbers.chunks(64) {
        let mut tasks = Vec::new();
        for &n in chunk {
            let (client, base, token) = (client.clone(), base.to_string(), token.clone());
            tasks.push(tokio::spawn(async move { (n, demo::answer_up_to(&client, &base, &token, n, last).await) }));
        }
        for task in tasks {
            let (n, path) = task.await?;
            prepared.push((n, path.map_err(|e| anyhow::anyhow!("preparing prospect {n}: {e}"))?));
        }
    }
    Ok(prepared)
}

/// A cookie-keeping client signed in as a demo person.
pub async fn signed_in(base: &str, person: &str) -> anyhow::Result<reqwest::Client> {
    let browser = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
    let email = format!("{person}@demo.leadgate.test");
    let response = browser
        .post(format!("{base}/login"))
        .form(&[("email", email.as_str()), ("password", DEMO_PASSWORD)])
        .send()
        .await?;
    anyhow::ensure!(response.status().as_u16() == 303, "sign-in as {email}: {}", response.status());
    Ok(browser)
}

async fn read_events(response: reqwest::Response, seen: Seen) {
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            let Some(data) = line.strip_prefix("data:") else { continue };
            let event: serde_json::Value = serde_json::from_str(data.trim()).unwrap_or_default();
            if let Some(n) = event["summary"].as_str().and_then(demo::number_in) {
                seen.lock().unwrap().entry(n).or_insert(now);
            }
        }
    }
}

async fn start_receiver(seen: Seen) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let seen = seen.clone();
            async move {
                let now = Instant::now();
                let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                if let Some(n) = value["data"]["name"].as_str().and_then(demo::number_in) {
                    seen.lock().unwrap().entry(n).or_insert(now);
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

/// Adds the receiver as a webhook endpoint through the admin page.
pub async fn add_webhook(base: &str, url: &str) -> anyhow::Result<()> {
    let admin = signed_in(base, "admin").await?;
    let page = admin.get(format!("{base}/admin/webhooks")).send().await?.text().await?;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
    let form = [("csrf", csrf), ("url", url), ("allow_private", "yes"), ("events", "lead.assigned")];
    let response = admin.post(format!("{base}/admin/webhooks")).form(&form).send().await?;
    anyhow::ensure!(response.status().is_success(), "adding the webhook: {}", response.status());
    Ok(())
}
