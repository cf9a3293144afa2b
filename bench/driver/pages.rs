//! The prospect's first page on the wire, and cold start.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::demo::SLUG;
use crate::stats::{f1, result};

/// `page-weight`: fetches the first page of the demo form and every
/// stylesheet and script it links, as a browser with an empty cache does
/// (`Accept-Encoding: br, gzip`), and adds up the bytes received: status
/// line, headers and the (compressed) body.
pub async fn page_weight(base: &str) -> anyhow::Result<()> {
    // No decompression features: the body is counted as it came.
    let client = reqwest::Client::builder().build()?;
    let fetch = |path: String| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let response = client.get(&url).header("accept-encoding", "br, gzip").send().await?;
            let headers: usize = response.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
            let encoding = response.headers().get("content-encoding").map(|v| v.to_str().unwrap_or("?").to_string());
            let body = response.bytes().await?;
            Ok::<_, anyhow::Error>((headers + "HTTP/1.1 200 OK\r\n\r\n".len(), body, encoding))
        }
    };
    let (html_headers, html, html_encoding) = fetch(format!("/f/{SLUG}")).await?;
    // The same page uncompressed, only to find what it links.
    let text = client.get(format!("{base}/f/{SLUG}")).send().await?.text().await?;
    let (mut css, mut js) = (0usize, 0usize);
    let mut assets = Vec::new();
    for (path, is_css) in linked_assets(&text) {
        let (headers, body, encoding) = fetch(path.clone()).await?;
        let bytes = headers + body.len();
        if is_css {
            css += bytes
        } else {
            js += bytes
        }
        assets.push(format!("{path}:{}:{}", body.len(), encoding.unwrap_or_else(|| "identity".into())));
    }
    let html_bytes = html_headers + html.len();
    result(
        "page_weight",
        &[
            ("html_bytes", html_bytes.to_string()),
            ("css_bytes", css.to_string()),
            ("js_bytes", js.to_string()),
            ("total_kb", f1((html_bytes + css + js) as f64 / 1024.0)),
            ("html_encoding", html_encoding.unwrap_or_else(|| "identity".into())),
            ("assets", assets.join(",")),
        ],
    );
    Ok(())
}

/// `(path, is_stylesheet)` of every `<link rel="stylesheet">` and `<script src>`.
fn linked_assets(html: &str) -> Vec<(String, bool)> {
    let document = scraper::Html::parse_document(html);
    let css = scraper::Selector::parse("link[rel=stylesheet][href]").unwrap();
    let js = scraper::Selector::parse("script[src]").unwrap();
    let mut found: Vec<(String, bool)> =
        document.select(&css).filter_map(|e| e.value().attr("href")).map(|h| (h.to_string(), true)).collect();
    found.extend(document.select(&js).filter_map(|e| e.value().attr("src")).map(|s| (s.to_string(), false)));
    found
}

/// `cold-start`: runs the server binary on `database_url` and times the
/// first successful `GET /healthz`, then reads its resident memory idle.
pub async fn cold_start(binary: &str, database_url: &str, label: &str) -> anyhow::Result<()> {
    let bind = free_port()?;
    let began = Instant::now();
    let mut child = std::process::Command::new(binary)
        .env("LEADGATE_DATABASE_URL", database_url)
        .env("LEADGATE_BIND", &bind)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(1)).build()?;
    let url = format!("http://{bind}/healthz");
    let deadline = began + Duration::from_secs(60);
    let first = loop {
        if let Ok(response) = client.get(&url).send().await
            && response.status().is_success()
        {
            break began.elapsed();
        }
        anyhow::ensure!(Instant::now() < deadline, "the server did not answer within 60 s");
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rss, _) = crate::rss::of(child.id());
    let _ = child.kill();
    let _ = child.wait();
    result(label, &[("first_request_ms", f1(first.as_secs_f64() * 1000.0)), ("idle_rss_mb", f1(rss))]);
    Ok(())
}

/// A free 127.0.0.1 port for a child server.
pub fn free_port() -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.to_string())
}
