//! Test peers that leadgate talks to: a webhook receiver and an SMTP server,
//! both on 127.0.0.1.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One webhook request as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

/// Collects webhook requests; answers with `status` after `delay` (both changeable).
#[derive(Clone)]
pub struct WebhookReceiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<Mutex<StatusCode>>,
    pub delay: Arc<Mutex<std::time::Duration>>,
}

impl WebhookReceiver {
    pub async fn start() -> WebhookReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(StatusCode::OK));
        let delay = Arc::new(Mutex::new(std::time::Duration::ZERO));
        let (log, answer, wait) = (received.clone(), status.clone(), delay.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let (log, answer, wait) = (log.clone(), answer.clone(), wait.clone());
                async move {
                    log.lock().unwrap().push(Received { headers, body });
                    let pause = *wait.lock().unwrap();
                    // A slow receiver: the test sets how long it takes to answer.
                    tokio::time::sleep(pause).await;
                    *answer.lock().unwrap()
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        WebhookReceiver { url, received, status, delay }
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn answer_with(&self, status: StatusCode) {
        *self.status.lock().unwrap() = status;
    }

    pub fn answer_after(&self, delay: std::time::Duration) {
        *self.delay.lock().unwrap() = delay;
    }
}

/// A minimal SMTP server that keeps every message's DATA.
#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        Self::start_on(0).await
    }

    /// On a given port (0: any free one), e.g. one that was down before.
    pub async fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, store.clone()));
            }
        });
        SmtpServer { port, messages }
    }

    pub fn all(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}

async fn session(stream: tokio::net::TcpStream, store: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 test SMTP\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 test\r\n",
            "DATA" => {
                let _ = write.write_all(b"354 end with .\r\n").await;
                let mut data = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if line == "." {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    data.push('\n');
                }
                store.lock().unwrap().push(data);
                b"250 queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"250 ok\r\n",
        };
        let _ = write.write_all(reply).await;
    }
}
