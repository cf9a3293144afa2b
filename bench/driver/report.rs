//! `report`: one table of every figure in a results file (the `RESULT`
//! lines `bench/run.sh` collects), each next to its target, and next to the
//! previous run's figure when one is given, so a regression shows.

use std::collections::BTreeMap;

/// Fields of one result line, by key.
type Fields = BTreeMap<String, String>;

/// Every result line, keyed by "name backend connections".
fn parse(text: &str) -> BTreeMap<String, Fields> {
    let mut rows = BTreeMap::new();
    for line in text.lines().filter_map(|l| l.strip_prefix("RESULT ")) {
        let mut parts = line.split_whitespace();
        let Some(name) = parts.next() else { continue };
        let fields: Fields =
            parts.filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let key = format!(
            "{name} {} {}",
            fields.get("backend").map(String::as_str).unwrap_or("-"),
            fields.get("connections").map(String::as_str).unwrap_or("-")
        );
        rows.insert(key, fields); // the last run of a row wins
    }
    rows
}

fn value(rows: &BTreeMap<String, Fields>, key: &str, field: &str) -> Option<f64> {
    rows.get(key)?.get(field)?.parse().ok()
}

/// One printed figure: what, its value, its target (and whether it is met).
struct Line {
    what: String,
    now: Option<f64>,
    before: Option<f64>,
    target: &'static str,
    met: Option<bool>,
}

pub fn run(results: &str, previous: Option<&str>) -> anyhow::Result<()> {
    let now = parse(&std::fs::read_to_string(results)?);
    let before = previous.and_then(|p| std::fs::read_to_string(p).ok()).map(|t| parse(&t)).unwrap_or_default();
    let mut lines = Vec::new();
    for backend in ["sqlite", "postgres"] {
        for c in ["16", "64"] {
            figures(&mut lines, &now, &before, backend, c);
        }
        let key = |n: &str| format!("{n} {backend} -");
        let simple =
            [("notices_live", "p50_ms", ""), ("notices_live", "p99_ms", ""), ("notices_webhook", "p50_ms", "")];
        for (name, field, target) in simple.into_iter().chain([("notices_webhook", "p99_ms", "")]) {
            push(
                &mut lines,
                &now,
                &before,
                format!("{backend} {name} {field} @100/s"),
                &key(name),
                field,
                target,
                None,
            );
        }
    }
    let top = [
        ("page_weight", "total_kb", "< 30 KB"),
        ("cold_start_new_database", "first_request_ms", ""),
        ("cold_start_existing_database", "first_request_ms", ""),
        ("cold_start_existing_database", "idle_rss_mb", ""),
        ("cold_start_new_postgres", "first_request_ms", ""),
    ];
    for (name, field, target) in top {
        let met = if target.is_empty() { None } else { value(&now, &format!("{name} - -"), field).map(|kb| kb < 30.0) };
        push(&mut lines, &now, &before, format!("{name} {field}"), &format!("{name} - -"), field, target, met);
    }
    for key in now.keys().filter(|k| k.starts_with("engine_")) {
        let what = format!("{} median µs", key.trim_end_matches(" - -"));
        push(&mut lines, &now, &before, what, key, "median_us", "", None);
    }
    for field in ["p50_ms", "p99_ms"] {
        let what = format!("notice_latency (sequential, SSE) {field}");
        push(&mut lines, &now, &before, what, "notice_latency - -", field, "", None);
    }
    print(&lines);
    Ok(())
}

fn figures(lines: &mut Vec<Line>, now: &BTreeMap<String, Fields>, before: &BTreeMap<String, Fields>, b: &str, c: &str) {
    let key = |name: &str| format!("{name} {b} {c}");
    for (name, field) in [
        ("get_step", "rps"),
        ("get_step", "p99_ms"),
        ("baseline_text", "rps"),
        ("baseline_page", "rps"),
        ("server_healthz", "rps"),
        ("answer_step", "rps"),
        ("answer_step", "p50_ms"),
        ("answer_step", "p99_ms"),
        ("baseline_commit", "rps"),
        ("baseline_commit", "p99_ms"),
        ("answer_step", "hwm_mb"),
        ("flows", "responses_per_s"),
        ("flows", "response_p50_ms"),
        ("flows", "response_p99_ms"),
    ] {
        let met = (name == "answer_step" && field == "p99_ms" && c == "64")
            .then(|| value(now, &key(name), field).map(|p| p < 25.0));
        let target = if met.is_some() { "< 25 ms @64" } else { "" };
        push(lines, now, before, format!("{b} {name} {field} @{c}"), &key(name), field, target, met.flatten());
    }
    let ratio = |rows: &BTreeMap<String, Fields>, a: &str, z: &str| {
        Some(value(rows, &key(a), "rps")? / value(rows, &key(z), "rps")?)
    };
    for (a, z, target, min) in
        [("get_step", "baseline_text", ">= 0.5", 0.5), ("answer_step", "baseline_commit", ">= 0.8", 0.8)]
    {
        let (r, r0) = (ratio(now, a, z), ratio(before, a, z));
        lines.push(Line { what: format!("{b} {a} / {z} @{c}"), now: r, before: r0, target, met: r.map(|r| r >= min) });
    }
    // Where the step page's gap lies: a page's bytes, the middleware every
    // route pays, or the page's own work.
    for (a, z) in
        [("baseline_page", "baseline_text"), ("server_healthz", "baseline_text"), ("get_step", "server_healthz")]
    {
        let (r, r0) = (ratio(now, a, z), ratio(before, a, z));
        lines.push(Line { what: format!("{b} {a} / {z} @{c}"), now: r, before: r0, target: "", met: None });
    }
    let per_commit = |rows: &BTreeMap<String, Fields>| {
        Some(value(rows, &key("answer_step"), "transactions")? / value(rows, &key("answer_step"), "commits")?)
    };
    if b == "sqlite" {
        let what = format!("{b} answer_step transactions per commit @{c}");
        lines.push(Line { what, now: per_commit(now), before: per_commit(before), target: "", met: None });
    }
}

#[allow(clippy::too_many_arguments)]
fn push(
    lines: &mut Vec<Line>,
    now: &BTreeMap<String, Fields>,
    before: &BTreeMap<String, Fields>,
    what: String,
    key: &str,
    field: &str,
    target: &'static str,
    met: Option<bool>,
) {
    lines.push(Line { what, now: value(now, key, field), before: value(before, key, field), target, met });
}

fn print(lines: &[Line]) {
    let show = |v: Option<f64>| match v {
        Some(v) if v.abs() >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
        None => "-".to_string(),
    };
    println!("{:<52} {:>10} {:>10} {:>8}  target", "figure", "now", "previous", "change");
    for line in lines.iter().filter(|l| l.now.is_some() || l.before.is_some()) {
        let change = match (line.now, line.before) {
            (Some(n), Some(b)) if b != 0.0 => format!("{:+.0}%", (n - b) / b * 100.0),
            _ => String::new(),
        };
        let verdict = match line.met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "{:<52} {:>10} {:>10} {:>8}  {:<12} {}",
            line.what,
            show(line.now),
            show(line.before),
            change,
            line.target,
            verdict
        );
    }
}
