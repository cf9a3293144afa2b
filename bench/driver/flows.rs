//! Whole responses, start to finish, and the responses the wrk rows reuse.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::demo::{self, LATER_STEPS};
use crate::stats::{Samples, f1, f2, result};

/// `flows`: `connections` prospects at once, each answering the whole demo
/// form (14 requests: start, 12 answers, the finishing consent) and then
/// starting again, for `seconds`. Reports finished responses per second and
/// the time of a whole response and of one request.
pub async fn run(base: &str, connections: usize, seconds: u64, first: u64) -> anyhow::Result<()> {
    let client = demo::client(connections);
    let token = demo::render_token(&client, base).await?;
    tokio::time::sleep(demo::TOKEN_AGE).await;
    let next = Arc::new(AtomicU64::new(first));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, base, token, next) = (client.clone(), base.to_string(), token.clone(), next.clone());
        tasks.push(tokio::spawn(async move { prospect_loop(&client, &base, &token, &next, deadline).await }));
    }
    let (mut whole, mut steps, mut errors) = (Samples::default(), Samples::default(), 0u64);
    for task in tasks {
        let (w, s, e) = task.await?;
        whole.extend(w);
        steps.extend(s);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    result(
        "flows",
        &[
            ("connections", connections.to_string()),
            ("responses", whole.len().to_string()),
            ("responses_per_s", f1(whole.len() as f64 / elapsed)),
            ("requests_per_s", f1(steps.len() as f64 / elapsed)),
            ("response_p50_ms", f2(whole.ms(0.50))),
            ("response_p99_ms", f2(whole.ms(0.99))),
            ("request_p50_ms", f2(steps.ms(0.50))),
            ("request_p99_ms", f2(steps.ms(0.99))),
            ("errors", errors.to_string()),
        ],
    );
    Ok(())
}

async fn prospect_loop(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    next: &AtomicU64,
    deadline: Instant,
) -> (Samples, Samples, u64) {
    let (mut whole, mut steps, mut errors) = (Samples::default(), Samples::default(), 0u64);
    while Instant::now() < deadline {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let began = Instant::now();
        let path = match demo::start(client, base, token, n).await {
            Ok(path) => path,
            Err(_) => {
                errors += 1;
                continue;
            }
        };
        steps.push(began.elapsed());
        let mut ok = true;
        for index in 0..LATER_STEPS.len() {
            let sent = Instant::now();
            if demo::answer(client, base, &path, index, n).await.is_err() {
                errors += 1;
                ok = false;
                break;
            }
            steps.push(sent.elapsed());
        }
        if ok {
            whole.push(began.elapsed());
        }
    }
    (whole, steps, errors)
}

/// `prestart`: starts `count` responses and answers them up to (not
/// including) company size; writes their paths, one a line, to `out`.
pub async fn prestart(base: &str, count: u64, first: u64, out: &str) -> anyhow::Result<()> {
    let client = demo::client(16);
    let token = demo::render_token(&client, base).await?;
    tokio::time::sleep(demo::TOKEN_AGE).await;
    let next = Arc::new(AtomicU64::new(first));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (client, base, token, next) = (client.clone(), base.to_string(), token.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut paths = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= first + count {
                    return Ok::<_, anyhow::Error>(paths);
                }
                let path = demo::answer_up_to(&client, &base, &token, n, demo::COMPANY_SIZE_STEP)
                    .await
                    .map_err(|e| anyhow::anyhow!("prestarting prospect {n}: {e}"))?;
                paths.push(path);
            }
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    std::fs::write(out, all.join("\n") + "\n")?;
    eprintln!("prestarted {} responses into {out}", all.len());
    Ok(())
}
