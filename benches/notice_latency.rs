//! Finish → live inbox latency: how long after the finishing request is sent
//! does the assigned rep's open inbox stream receive the event?
//!
//! Runs the real application in-process (release build, SQLite in a temp
//! directory, `synchronous=FULL`), a rep signed in over HTTP with the SSE
//! stream open, and N prospects finishing the form one after another.
//! `cargo bench --bench notice_latency` (N = 1000; `LATENCY_LEADS` to change).

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use leadgate::app::auth::{self, Role};
use leadgate::config::RawSettings;
use leadgate::engine::{Pool, PoolMember, Rep, Strategy, TimeRange, WeeklyHours};
use leadgate::startup::Application;

const FORM: &str = include_str!("../tests/api/fixtures/branching.yaml");

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let leads: usize = std::env::var("LATENCY_LEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let raw = RawSettings { database_url: Some(url), bind: Some("127.0.0.1:0".into()), ..Default::default() };
    let mut settings = raw.parse().unwrap();
    settings.demo = false;
    settings.limits.min_seconds_before_first_answer = Some(0);
    settings.limits.starts_per_minute = 1_000_000;
    settings.limits.answers_per_minute = 1_000_000;
    let app = Application::build(settings).await.unwrap();
    let base = app.base_url().to_string();
    let db = app.state().ctx.db.clone();
    seed(&db).await;
    tokio::spawn(app.run_until(std::future::pending()));

    leadgate::notify::webhook::install_crypto_provider();
    let rep = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let login = [("email", "rep@bench.example"), ("password", "benchmark-password")];
    rep.post(format!("{base}/login")).form(&login).send().await.unwrap();
    let mut events = rep.get(format!("{base}/inbox/events")).send().await.unwrap().bytes_stream();

    let prospect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut samples = Vec::with_capacity(leads);
    for n in 0..leads {
        let path = start(&prospect, &base, n).await;
        for (question, value) in [("company_size", "large"), ("procurement", "yes"), ("timeline", "now")] {
            let pairs = [("question", question), ("answer", value)];
            prospect.post(format!("{base}{path}")).form(&pairs).send().await.unwrap();
        }
        let sent = Instant::now();
        let finish = [("question", "consent"), ("answer", "yes")];
        prospect.post(format!("{base}{path}")).form(&finish).send().await.unwrap();
        let mut seen = String::new();
        while !seen.contains("\n\n") {
            let chunk = tokio::time::timeout(Duration::from_secs(10), events.next()).await.unwrap().unwrap().unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        samples.push(sent.elapsed());
    }
    report(&mut samples);
}

async fn start(client: &reqwest::Client, base: &str, n: usize) -> String {
    let page = client.get(format!("{base}/f/qualify")).send().await.unwrap().text().await.unwrap();
    let token = page.split("name=\"t\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap().to_string();
    let email = format!("buyer{n}@company{n}.example");
    let pairs = [("question", "email"), ("answer", email.as_str()), ("t", token.as_str())];
    let response = client.post(format!("{base}/f/qualify")).form(&pairs).send().await.unwrap();
    response.headers()["location"].to_str().unwrap().to_string()
}

async fn seed(db: &leadgate::store::Db) {
    let definition = leadgate::engine::parse_definition_yaml(FORM).unwrap();
    leadgate::app::forms::create_published_form(db, &definition, chrono::Utc::now()).await.unwrap();
    let id = auth::add_user(db, "rep@bench.example", "Bench Rep", Role::Rep, "benchmark-password").await.unwrap();
    let all_day = TimeRange { start: chrono::NaiveTime::MIN, end: chrono::NaiveTime::MIN };
    let rep = Rep {
        id: String::new(),
        name: String::new(),
        active: true,
        territories: Vec::new(),
        segments: Vec::new(),
        seniority: None,
        languages: Vec::new(),
        time_zone: "UTC".into(),
        working_hours: WeeklyHours { days: std::array::from_fn(|_| vec![all_day]) },
        capacity: None,
        out_of_office: Vec::new(),
    };
    let mut tx = db.begin().await.unwrap();
    leadgate::store::routing::upsert_rep(tx.conn(), id, &rep).await.unwrap();
    let member = PoolMember { rep_id: id.to_string(), weight: 1, assigned_count: 0 };
    let pool = Pool {
        name: "senior-ae".into(),
        strategy: Strategy::RoundRobin,
        members: vec![member],
        overflow_rep: None,
        last_assigned: None,
    };
    leadgate::store::routing::insert_pool(tx.conn(), &pool).await.unwrap();
    tx.commit().await.unwrap();
}

fn report(samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("finish -> live inbox event, {} leads, SQLite synchronous=FULL", samples.len());
    println!("| p50 ms | p95 ms | p99 ms | max ms |");
    println!("| ---: | ---: | ---: | ---: |");
    println!("| {:.2} | {:.2} | {:.2} | {:.2} |", ms(at(0.50)), ms(at(0.95)), ms(at(0.99)), ms(at(1.0)));
}
