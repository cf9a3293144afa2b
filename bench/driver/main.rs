//! The driver of leadgate's HTTP benchmarks and fault drills, run by
//! `bench/run.sh` and `bench/faults/sigkill.sh` against a release server
//! (see docs/BENCHMARKS.md). Each command prints `RESULT name key=value …`.
//!
//! - `prestart --base URL --count N --out FILE`: responses for the wrk rows;
//! - `flows --base URL --connections C --seconds S`: whole responses;
//! - `notices --base URL --rate R --seconds S`: finish → live event / webhook;
//! - `page-weight --base URL`: the first page's bytes on the wire;
//! - `cold-start --binary PATH --database-url URL --label NAME`;
//! - `sigkill --binary PATH --database-url URL --connections C --kill-after S`;
//! - `report --results FILE [--previous FILE]`: one table, with targets.

mod demo;
mod flows;
mod notices;
mod pages;
mod report;
mod rss;
mod sigkill;
mod stats;

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

struct Args(HashMap<String, String>);

impl Args {
    fn get(&self, key: &str) -> anyhow::Result<&str> {
        self.0.get(key).map(String::as_str).ok_or_else(|| anyhow::anyhow!("--{key} is needed"))
    }

    fn number(&self, key: &str, default: u64) -> anyhow::Result<u64> {
        match self.0.get(key) {
            Some(text) => text.parse().map_err(|_| anyhow::anyhow!("--{key}: a whole number (got {text})")),
            None => Ok(default),
        }
    }
}

fn parse(raw: &[String]) -> Args {
    let mut pairs = HashMap::new();
    for pair in raw.chunks(2) {
        if let [key, value] = pair {
            pairs.insert(key.trim_start_matches("--").to_string(), value.clone());
        }
    }
    Args(pairs)
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = raw.first().cloned() else {
        eprintln!("usage: bench_driver COMMAND [--key value ...] (see bench/driver/main.rs)");
        return ExitCode::from(2);
    };
    let args = parse(&raw[1..]);
    leadgate::notify::webhook::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    match runtime.block_on(dispatch(&command, &args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("bench_driver {command}: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(command: &str, args: &Args) -> anyhow::Result<bool> {
    let first = args.number("first", 0)?;
    match command {
        "prestart" => flows::prestart(args.get("base")?, args.number("count", 2000)?, first, args.get("out")?).await?,
        "flows" => {
            let connections = args.number("connections", 16)? as usize;
            flows::run(args.get("base")?, connections, args.number("seconds", 10)?, first).await?
        }
        "notices" => {
            notices::run(args.get("base")?, args.number("rate", 100)?, args.number("seconds", 20)?, first).await?
        }
        "report" => report::run(args.get("results")?, args.0.get("previous").map(String::as_str))?,
        "page-weight" => pages::page_weight(args.get("base")?).await?,
        "cold-start" => {
            let label = args.0.get("label").map(String::as_str).unwrap_or("cold_start");
            pages::cold_start(args.get("binary")?, args.get("database-url")?, label).await?
        }
        "sigkill" => {
            let drill = sigkill::Drill {
                binary: args.get("binary")?,
                database_url: args.get("database-url")?,
                connections: args.number("connections", 16)? as usize,
                kill_after: Duration::from_secs(args.number("kill-after", 10)?),
            };
            return sigkill::run(drill).await;
        }
        other => anyhow::bail!("unknown command {other}"),
    }
    Ok(true)
}
