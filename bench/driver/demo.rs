//! The demo form ("Talk to sales") as a prospect answers it: an enterprise
//! buyer ready now (Tier 1), one HTTP request per step, each sent as htmx
//! sends it (`HX-Request: true`), so the server parses, validates, branches,
//! scores, commits and renders the next step in the same request.

use std::time::Duration;

use reqwest::header::HeaderMap;

pub const SLUG: &str = "talk-to-sales";

/// Steps after the first (email), in path order, with the buyer's answers.
/// `{n}` is replaced by the prospect's number.
pub const LATER_STEPS: [(&str, &str); 13] = [
    ("first_name", "Bench"),
    ("last_name", "L{n}"),
    ("company", "Company {n}"),
    ("job_title", "VP Operations"),
    ("country", "US"),
    ("company_size", "1000+"),
    ("procurement", "purchase_order"),
    ("security_review", "questionnaire"),
    ("seats", "250+"),
    ("buyer_stage", "ready_to_buy"),
    ("timeline", "this_month"),
    ("anything_else", ""),
    ("consent", "yes"),
];

/// Index in [`LATER_STEPS`] of the first step the answer-step rows repeat.
pub const COMPANY_SIZE_STEP: usize = 5;

/// A keep-alive HTTP client that follows no redirects.
pub fn client(connections: usize) -> reqwest::Client {
    leadgate::notify::webhook::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(connections.max(1))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

pub fn email(n: u64) -> String {
    format!("bench{n}@company{n}.example")
}

/// The prospect number in a lead's name ("Bench L123").
pub fn number_in(text: &str) -> Option<u64> {
    let rest = &text[text.find("Bench L")? + "Bench L".len()..];
    rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

/// A signed render time from the first page. The demo form refuses (marks
/// as a bot) a first answer within 2 s of the render, so callers wait
/// [`TOKEN_AGE`] before using it; one token then serves every start.
pub async fn render_token(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let page = client.get(format!("{base}/f/{SLUG}")).send().await?.text().await?;
    let token = page.split("name=\"t\" value=\"").nth(1).and_then(|rest| rest.split('"').next());
    token.map(str::to_string).ok_or_else(|| anyhow::anyhow!("no render token on the first page"))
}

pub const TOKEN_AGE: Duration = Duration::from_millis(2100);

/// Why a step was not acknowledged.
#[derive(Debug)]
pub enum StepError {
    Status(u16),
    Network(String),
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepError::Status(s) => write!(f, "status {s}"),
            StepError::Network(e) => write!(f, "network: {e}"),
        }
    }
}

fn pushed_path(headers: &HeaderMap) -> Option<String> {
    headers.get("hx-push-url").and_then(|v| v.to_str().ok()).map(str::to_string)
}

async fn post(client: &reqwest::Client, url: String, pairs: &[(&str, &str)]) -> Result<HeaderMap, StepError> {
    let response = client
        .post(url)
        .header("hx-request", "true")
        .form(pairs)
        .send()
        .await
        .map_err(|e| StepError::Network(e.to_string()))?;
    let status = response.status();
    let headers = response.headers().clone();
    // Read the whole rendered step, as a browser would.
    response.bytes().await.map_err(|e| StepError::Network(e.to_string()))?;
    if status.is_success() { Ok(headers) } else { Err(StepError::Status(status.as_u16())) }
}

/// Answers the first question; returns the response's path.
pub async fn start(client: &reqwest::Client, base: &str, token: &str, n: u64) -> Result<String, StepError> {
    let email = email(n);
    let pairs = [("question", "email"), ("answer", email.as_str()), ("t", token)];
    let headers = post(client, format!("{base}/f/{SLUG}"), &pairs).await?;
    pushed_path(&headers).ok_or(StepError::Status(0))
}

/// Answers step `index` of [`LATER_STEPS`] for prospect `n`.
pub async fn answer(client: &reqwest::Client, base: &str, path: &str, index: usize, n: u64) -> Result<(), StepError> {
    let (question, value) = LATER_STEPS[index];
    let value = value.replace("{n}", &n.to_string());
    let mut pairs = vec![("question", question)];
    if !value.is_empty() {
        pairs.push(("answer", value.as_str()));
    }
    post(client, format!("{base}{path}"), &pairs).await.map(|_| ())
}

/// Starts prospect `n` and answers every step before `until`.
pub async fn answer_up_to(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    n: u64,
    until: usize,
) -> Result<String, StepError> {
    let path = start(client, base, token, n).await?;
    for index in 0..until {
        answer(client, base, &path, index, n).await?;
    }
    Ok(path)
}
