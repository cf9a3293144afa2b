//! Webhook notices, signed per the Standard Webhooks specification.
//!
//! Each delivery is one `POST` with the headers `webhook-id`,
//! `webhook-timestamp` and `webhook-signature` (`v1,` + base64 of
//! HMAC-SHA256 over `"{id}.{timestamp}.{body}"`). The body is either the
//! standard envelope `{"type", "timestamp", "data"}` or, for chat tools, a
//! Slack-style `{"text": summary}`.
//!
//! Targets are checked before anything is sent: only `http`/`https`, and no
//! loopback, private, link-local or otherwise internal address unless the
//! endpoint allows it. The host is resolved once; the connection goes to the
//! addresses that were checked, so a DNS answer that changes between check
//! and connect cannot redirect the request. Redirects are never followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};
use std::{error::Error as _, fmt};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::dns::{Name, Resolve, Resolving};
use sha2::Sha256;
use url::{Host, Url};

/// Prefix of a Standard Webhooks secret.
const SECRET_PREFIX: &str = "whsec_";
/// Bytes of key in a generated secret.
const SECRET_BYTES: usize = 32;
/// How long one delivery may take, body included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Sent as `user-agent`.
const USER_AGENT: &str = "leadgate-webhooks";
/// Characters of the response body kept in reports and errors.
const EXCERPT_CHARS: usize = 500;
/// Bytes of the response body read at most (enough for the excerpt).
const EXCERPT_READ_LIMIT: usize = EXCERPT_CHARS * 4;

type HmacSha256 = Hmac<Sha256>;

/// Shape of the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// `{"type": ..., "timestamp": ..., "data": ...}`.
    Standard,
    /// `{"text": summary}`, for Slack-style incoming webhooks.
    Chat,
}

/// Where and how to deliver.
#[derive(Clone)]
pub struct Endpoint {
    /// Target URL, `http` or `https`.
    pub url: String,
    /// Signing secret: `whsec_` + base64 of the key bytes; never printed.
    pub secret: String,
    /// Body shape.
    pub format: BodyFormat,
    /// Allows loopback and private-network targets (self-hosted receivers).
    pub allow_private: bool,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .field("secret", &"<redacted>")
            .field("format", &self.format)
            .field("allow_private", &self.allow_private)
            .finish()
    }
}

/// One event to deliver.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// Stable notice id, sent as `webhook-id` so receivers can drop repeats.
    pub notice_id: &'a str,
    /// Event type, such as `lead.assigned`.
    pub event_type: &'a str,
    /// Send time: the signed `webhook-timestamp` (receivers refuse one more
    /// than a few minutes off, so use now, also on retries) and the body's.
    pub timestamp: DateTime<Utc>,
    /// Event payload.
    pub data: &'a serde_json::Value,
    /// One-line human summary, the whole body in [`BodyFormat::Chat`].
    pub summary: &'a str,
}

/// What the receiver answered to a successful delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// HTTP status, always 2xx here.
    pub status: u16,
    /// Time from sending to the end of the response.
    pub duration_ms: u64,
    /// First 500 characters of the response body.
    pub response_excerpt: String,
}

/// Why a delivery failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The URL is unusable; holds the reason.
    #[error("The webhook URL is not usable: {0}.")]
    BadUrl(String),
    /// The target is an internal address; holds host and address.
    #[error("The webhook target {0} is a loopback, private or otherwise internal address.")]
    PrivateTarget(String),
    /// The secret is not `whsec_` + base64 of a non-empty key.
    #[error("The webhook secret is not a valid whsec_ secret.")]
    BadSecret,
    /// Name resolution, connection or transfer failed; holds the cause.
    #[error("The webhook could not be delivered: {0}.")]
    Network(String),
    /// The receiver did not answer within 10 seconds.
    #[error("The webhook receiver did not answer in time.")]
    Timeout,
    /// The receiver answered with a status other than 2xx.
    #[error("The webhook receiver answered with status {status}.")]
    Status {
        /// HTTP status.
        status: u16,
        /// First 500 characters of the response body.
        excerpt: String,
    },
}

/// A new secret: `whsec_` + base64 of 32 random bytes.
pub fn generate_secret() -> String {
    let key: [u8; SECRET_BYTES] = rand::random();
    format!("{SECRET_PREFIX}{}", BASE64.encode(key))
}

/// The standard envelope: `{"type", "timestamp" (RFC 3339, UTC), "data"}`.
pub fn standard_body(delivery: &Delivery) -> serde_json::Value {
    serde_json::json!({
        "type": delivery.event_type,
        "timestamp": delivery.timestamp.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        "data": delivery.data,
    })
}

/// The chat body: `{"text": summary}`, with `&`, `<` and `>` escaped as
/// Slack-style chat tools require, so what a prospect typed cannot become
/// a link or a mention there.
fn chat_body(delivery: &Delivery) -> serde_json::Value {
    let text = delivery.summary.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    serde_json::json!({ "text": text })
}

/// The exact bytes sent (and signed) for a format.
fn body_bytes(format: BodyFormat, delivery: &Delivery) -> Vec<u8> {
    let body = match format {
        BodyFormat::Standard => standard_body(delivery),
        BodyFormat::Chat => chat_body(delivery),
    };
    body.to_string().into_bytes()
}

/// The `webhook-signature` value: `v1,` + base64 of
/// HMAC-SHA256(key, `"{msg_id}.{timestamp}.{body}"`).
///
/// The secret may carry the `whsec_` prefix or be the bare base64 key.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Result<String, WebhookError> {
    let key = secret_key(secret)?;
    let mut mac = HmacSha256::new_from_slice(&key).map_err(|_| WebhookError::BadSecret)?;
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// Decodes the key bytes of a secret.
fn secret_key(secret: &str) -> Result<Vec<u8>, WebhookError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    match BASE64.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(key),
        _ => Err(WebhookError::BadSecret),
    }
}

/// Checks that `url` is an `http`/`https` URL whose host resolves only to
/// public addresses (or to anything, when `allow_private`).
pub async fn check_target(url: &str, allow_private: bool) -> Result<(), WebhookError> {
    resolve_target(url, allow_private).await.map(|_| ())
}

/// A checked target: the parsed URL and the addresses to connect to.
struct Target {
    url: Url,
    /// The host name when the URL has one (not an IP literal).
    domain: Option<String>,
    addrs: Vec<SocketAddr>,
}

/// Parses, resolves once and checks every address.
async fn resolve_target(raw: &str, allow_private: bool) -> Result<Target, WebhookError> {
    let url = parse_url(raw)?;
    let port = url.port_or_known_default().ok_or_else(|| WebhookError::BadUrl("it has no port".to_owned()))?;
    let (domain, addrs) = match url.host() {
        Some(Host::Domain(domain)) => (Some(domain.to_owned()), lookup(domain, port).await?),
        Some(Host::Ipv4(ip)) => (None, vec![SocketAddr::new(ip.into(), port)]),
        Some(Host::Ipv6(ip)) => (None, vec![SocketAddr::new(ip.into(), port)]),
        None => return Err(WebhookError::BadUrl("it has no host".to_owned())),
    };
    let target = Target { url, domain, addrs };
    if !allow_private {
        refuse_internal(&target)?;
    }
    Ok(target)
}

/// Parses and keeps only `http` and `https` URLs.
fn parse_url(raw: &str) -> Result<Url, WebhookError> {
    let url = Url::parse(raw.trim()).map_err(|e| WebhookError::BadUrl(e.to_string()))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(WebhookError::BadUrl(format!("the scheme {other:?} is not http or https"))),
    }
}

/// Resolves a host name to socket addresses.
async fn lookup(domain: &str, port: u16) -> Result<Vec<SocketAddr>, WebhookError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((domain, port))
        .await
        .map_err(|e| WebhookError::Network(format!("cannot resolve {domain}: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(WebhookError::Network(format!("{domain} has no addresses")));
    }
    Ok(addrs)
}

/// Fails on the first internal address, naming the host and address.
fn refuse_internal(target: &Target) -> Result<(), WebhookError> {
    let Some(addr) = target.addrs.iter().find(|addr| is_internal(addr.ip())) else {
        return Ok(());
    };
    Err(WebhookError::PrivateTarget(match &target.domain {
        Some(domain) => format!("{domain} ({})", addr.ip()),
        None => addr.ip().to_string(),
    }))
}

/// True for addresses a public webhook must not reach.
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

/// Loopback, private, link-local, CGNAT, "this network", broadcast,
/// multicast and unspecified IPv4.
fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0
        || (a == 100 && (b & 0xc0) == 64)
}

/// Loopback, unspecified, multicast, link-local (fe80::/10), unique-local
/// (fc00::/7), and IPv4 embedded as mapped, compatible or NAT64 forms.
fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
        return true;
    }
    if (first & 0xffc0) == 0xfe80 || (first & 0xfe00) == 0xfc00 {
        return true;
    }
    embedded_v4(ip).is_some_and(is_internal_v4)
}

/// The IPv4 address inside `::ffff:a.b.c.d`, `::a.b.c.d` or `64:ff9b::a.b.c.d`.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., a, b, c, d] = ip.octets();
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    ip.to_ipv4()
}

/// The shared client for webhook deliveries: no redirects, no proxy,
/// 10-second timeout, `user-agent: leadgate-webhooks`.
///
/// It resolves no host names by itself: [`deliver`] uses it for IP-literal
/// targets and pins names to their checked addresses. Installs the ring
/// crypto provider for rustls if none is installed yet.
///
/// # Panics
///
/// If the TLS backend cannot be set up, which means a broken build.
pub fn http_client() -> reqwest::Client {
    client_builder().build().expect("the webhook HTTP client settings are valid")
}

/// Installs rustls' ring provider as the process default, once.
///
/// reqwest is built without a provider of its own, so any `reqwest::Client`
/// in the process needs this before it is built; [`http_client`] calls it.
pub fn install_crypto_provider() {
    // An error means a provider is already installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Settings shared by the shared client and pinned clients.
fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(TIMEOUT)
        .user_agent(USER_AGENT)
        .dns_resolver(NoLookups)
}

/// A client whose only resolvable name is `domain`, to the checked `addrs`.
fn pinned_client(domain: &str, addrs: &[SocketAddr]) -> Result<reqwest::Client, WebhookError> {
    client_builder().resolve_to_addrs(domain, addrs).build().map_err(|e| WebhookError::Network(describe(&e)))
}

/// A resolver that refuses every name, so a client cannot look up an
/// address that was not checked.
struct NoLookups;

impl Resolve for NoLookups {
    fn resolve(&self, name: Name) -> Resolving {
        let message = format!("{} was not resolved by the webhook target check", name.as_str());
        Box::pin(async move { Err(message.into()) })
    }
}

/// Checks the target, signs and posts one delivery.
///
/// `client` should come from [`http_client`]; it carries IP-literal targets,
/// while host names go through a one-off client pinned to the addresses
/// that passed the check.
pub async fn deliver(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    delivery: &Delivery<'_>,
) -> Result<DeliveryReport, WebhookError> {
    let body = body_bytes(endpoint.format, delivery);
    let timestamp = delivery.timestamp.timestamp();
    let signature = sign(&endpoint.secret, delivery.notice_id, timestamp, &body)?;
    let target = resolve_target(&endpoint.url, endpoint.allow_private).await?;
    let pinned = match &target.domain {
        Some(domain) => Some(pinned_client(domain, &target.addrs)?),
        None => None,
    };
    let request = pinned
        .as_ref()
        .unwrap_or(client)
        .post(target.url)
        .timeout(TIMEOUT)
        .header("webhook-id", delivery.notice_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .header("content-type", "application/json")
        .header("user-agent", USER_AGENT)
        .body(body);
    send(request).await
}

/// GETs `url` after the same target check and address pinning as a
/// delivery (used for reps' calendar feeds); at most `max_bytes` are read.
pub async fn fetch_checked(
    client: &reqwest::Client,
    url: &str,
    allow_private: bool,
    max_bytes: usize,
) -> Result<String, WebhookError> {
    let target = resolve_target(url, allow_private).await?;
    let pinned = match &target.domain {
        Some(domain) => Some(pinned_client(domain, &target.addrs)?),
        None => None,
    };
    let request = pinned.as_ref().unwrap_or(client).get(target.url).timeout(TIMEOUT);
    let mut response = request.send().await.map_err(request_error)?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        let excerpt = read_excerpt(&mut response).await?;
        return Err(WebhookError::Status { status, excerpt });
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(request_error)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > max_bytes {
            return Err(WebhookError::Network(format!("the answer is larger than {max_bytes} bytes")));
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Sends and turns the answer into a report or a status error.
async fn send(request: reqwest::RequestBuilder) -> Result<DeliveryReport, WebhookError> {
    let started = Instant::now();
    let mut response = request.send().await.map_err(request_error)?;
    let status = response.status().as_u16();
    let excerpt = read_excerpt(&mut response).await?;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if !(200..300).contains(&status) {
        return Err(WebhookError::Status { status, excerpt });
    }
    Ok(DeliveryReport { status, duration_ms, response_excerpt: excerpt })
}

/// Reads at most enough of the body for the excerpt, then stops.
async fn read_excerpt(response: &mut reqwest::Response) -> Result<String, WebhookError> {
    let mut bytes = Vec::new();
    while bytes.len() < EXCERPT_READ_LIMIT {
        match response.chunk().await.map_err(request_error)? {
            Some(chunk) => bytes.extend_from_slice(&chunk),
            None => break,
        }
    }
    Ok(excerpt(&bytes))
}

/// The first 500 characters of a body, invalid UTF-8 replaced.
fn excerpt(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().take(EXCERPT_CHARS).collect()
}

/// Maps a reqwest error; the URL (which may hold a token) is left out.
fn request_error(error: reqwest::Error) -> WebhookError {
    if error.is_timeout() { WebhookError::Timeout } else { WebhookError::Network(describe(&error.without_url())) }
}

/// An error and its causes, joined with `: `.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    use std::sync::{Arc, Mutex};

    /// What the test receiver saw.
    #[derive(Clone, Debug)]
    struct Seen {
        headers: HeaderMap,
        body: Vec<u8>,
        verified: bool,
    }

    #[derive(Clone)]
    struct Receiver {
        secret: String,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    /// Verifies with the standardwebhooks crate (an independent
    /// implementation) and answers 204, or 401 when the signature fails.
    async fn verify_and_store(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
        let verifier = standardwebhooks::Webhook::new(&receiver.secret).unwrap();
        let verified = verifier.verify(&body, &headers).is_ok();
        let seen = Seen { headers, body: body.to_vec(), verified };
        receiver.seen.lock().unwrap().push(seen);
        if verified { StatusCode::NO_CONTENT } else { StatusCode::UNAUTHORIZED }
    }

    async fn fail() -> (StatusCode, String) {
        (StatusCode::INTERNAL_SERVER_ERROR, format!("boom {}", "x".repeat(600)))
    }

    async fn redirect() -> (StatusCode, [(&'static str, &'static str); 1]) {
        (StatusCode::FOUND, [("location", "/hook")])
    }

    /// Starts the receiver on 127.0.0.1:0; returns its base URL.
    async fn start_receiver(secret: &str) -> (String, Arc<Mutex<Vec<Seen>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = Receiver { secret: secret.to_owned(), seen: seen.clone() };
        let app = Router::new()
            .route("/hook", post(verify_and_store))
            .route("/fail", post(fail))
            .route("/redirect", post(redirect))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (format!("http://127.0.0.1:{port}"), seen)
    }

    fn endpoint(url: String, secret: &str, format: BodyFormat) -> Endpoint {
        Endpoint { url, secret: secret.to_owned(), format, allow_private: true }
    }

    fn delivery(data: &serde_json::Value) -> Delivery<'_> {
        Delivery {
            notice_id: "msg_0193a1b2c3d4",
            event_type: "lead.assigned",
            timestamp: Utc::now(),
            data,
            summary: "Acme Corp (score 87) assigned to Dana",
        }
    }

    fn header<'h>(headers: &'h HeaderMap, name: &str) -> &'h str {
        headers.get(name).unwrap().to_str().unwrap()
    }

    #[test]
    fn sign_matches_the_specification_vector() {
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn sign_matches_a_vector_computed_with_python_hmac() {
        let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let body = r#"{"type":"lead.assigned","data":{"name":"Zoë"}}"#;
        let signature = sign(secret, "notice-42", 1_700_000_000, body.as_bytes()).unwrap();
        assert_eq!(signature, "v1,TlGZhC8oQkMQYacFAhyReqpN++c7szKN8qHsoQ7ZKns=");
    }

    #[test]
    fn bad_secrets_are_refused() {
        for secret in ["whsec_", "whsec_!!!not-base64", ""] {
            let result = sign(secret, "id", 1, b"{}");
            assert!(matches!(result, Err(WebhookError::BadSecret)), "{secret:?}");
        }
    }

    #[test]
    fn generated_secrets_hold_32_random_bytes() {
        let (one, two) = (generate_secret(), generate_secret());
        assert_ne!(one, two);
        assert_eq!(secret_key(&one).unwrap().len(), 32);
        assert!(one.starts_with("whsec_"));
        assert!(standardwebhooks::Webhook::new(&one).is_ok());
    }

    #[test]
    fn standard_body_has_type_timestamp_and_data() {
        let data = serde_json::json!({"lead": {"id": 7}});
        let mut delivery = delivery(&data);
        delivery.timestamp = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let expected = serde_json::json!({
            "type": "lead.assigned",
            "timestamp": "2023-11-14T22:13:20Z",
            "data": {"lead": {"id": 7}},
        });
        assert_eq!(standard_body(&delivery), expected);
    }

    #[tokio::test]
    async fn delivers_signed_standard_body() {
        let secret = generate_secret();
        let (base, seen) = start_receiver(&secret).await;
        let data = serde_json::json!({"lead": {"company": "Acme Corp", "score": 87}});
        let delivery = delivery(&data);
        let endpoint = endpoint(format!("{base}/hook"), &secret, BodyFormat::Standard);

        let report = deliver(&http_client(), &endpoint, &delivery).await.unwrap();
        assert_eq!(report.status, 204);
        assert_eq!(report.response_excerpt, "");

        let seen = seen.lock().unwrap()[0].clone();
        assert!(seen.verified, "standardwebhooks rejected the signature");
        assert_eq!(header(&seen.headers, "webhook-id"), "msg_0193a1b2c3d4");
        let timestamp = delivery.timestamp.timestamp().to_string();
        assert_eq!(header(&seen.headers, "webhook-timestamp"), timestamp);
        assert!(header(&seen.headers, "webhook-signature").starts_with("v1,"));
        assert_eq!(header(&seen.headers, "content-type"), "application/json");
        assert_eq!(header(&seen.headers, "user-agent"), "leadgate-webhooks");
        let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
        assert_eq!(body, standard_body(&delivery));
    }

    #[tokio::test]
    async fn delivers_chat_body_through_a_pinned_host_name() {
        let secret = generate_secret();
        let (base, seen) = start_receiver(&secret).await;
        let data = serde_json::json!({});
        let url = format!("{}/hook", base.replace("127.0.0.1", "localhost"));
        let endpoint = endpoint(url, &secret, BodyFormat::Chat);

        let report = deliver(&http_client(), &endpoint, &delivery(&data)).await.unwrap();
        assert_eq!(report.status, 204);

        let seen = seen.lock().unwrap()[0].clone();
        assert!(seen.verified);
        let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
        assert_eq!(body, serde_json::json!({"text": "Acme Corp (score 87) assigned to Dana"}));
    }

    #[tokio::test]
    async fn receiver_rejects_a_signature_made_with_another_secret() {
        let (base, seen) = start_receiver(&generate_secret()).await;
        let data = serde_json::json!({});
        let endpoint = endpoint(format!("{base}/hook"), &generate_secret(), BodyFormat::Standard);
        let error = deliver(&http_client(), &endpoint, &delivery(&data)).await.unwrap_err();
        assert!(matches!(error, WebhookError::Status { status: 401, .. }), "{error:?}");
        assert!(!seen.lock().unwrap()[0].verified);
    }

    #[tokio::test]
    async fn shared_client_never_resolves_names_itself() {
        let (base, seen) = start_receiver(&generate_secret()).await;
        let url = format!("{}/hook", base.replace("127.0.0.1", "localhost"));
        let error = http_client().post(url).send().await.unwrap_err();
        assert!(error.is_connect(), "{error:?}");
        assert!(seen.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed() {
        let secret = generate_secret();
        let (base, seen) = start_receiver(&secret).await;
        let data = serde_json::json!({});
        for host in ["127.0.0.1", "localhost"] {
            let url = format!("{}/hook", base.replace("127.0.0.1", host));
            let mut endpoint = endpoint(url, &secret, BodyFormat::Standard);
            endpoint.allow_private = false;
            let error = deliver(&http_client(), &endpoint, &delivery(&data)).await.unwrap_err();
            assert!(matches!(error, WebhookError::PrivateTarget(_)), "{host}: {error:?}");
        }
        assert!(seen.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn error_status_gives_status_error_with_excerpt() {
        let secret = generate_secret();
        let (base, _) = start_receiver(&secret).await;
        let data = serde_json::json!({});
        let endpoint = endpoint(format!("{base}/fail"), &secret, BodyFormat::Standard);
        match deliver(&http_client(), &endpoint, &delivery(&data)).await {
            Err(WebhookError::Status { status, excerpt }) => {
                assert_eq!(status, 500);
                assert!(excerpt.starts_with("boom x"));
                assert_eq!(excerpt.chars().count(), 500);
            }
            other => panic!("expected a status error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let secret = generate_secret();
        let (base, seen) = start_receiver(&secret).await;
        let data = serde_json::json!({});
        let endpoint = endpoint(format!("{base}/redirect"), &secret, BodyFormat::Standard);
        let error = deliver(&http_client(), &endpoint, &delivery(&data)).await.unwrap_err();
        assert!(matches!(error, WebhookError::Status { status: 302, .. }), "{error:?}");
        assert!(seen.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn refused_connection_is_a_network_error() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let data = serde_json::json!({});
        let url = format!("http://127.0.0.1:{port}/hook");
        let endpoint = endpoint(url, &generate_secret(), BodyFormat::Standard);
        let error = deliver(&http_client(), &endpoint, &delivery(&data)).await.unwrap_err();
        assert!(matches!(error, WebhookError::Network(_)), "{error:?}");
    }

    #[tokio::test]
    async fn check_target_refuses_internal_addresses() {
        let internal = [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://127.0.0.1./",
            "http://2130706433/",
            "http://0.0.0.0/",
            "http://0.1.2.3/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://100.127.255.255/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://[::1]/",
            "http://[::]/",
            "http://[fe80::1]/",
            "http://[febf::1]/",
            "http://[fc00::1]/",
            "http://[fd12:3456::1]/",
            "http://[ff02::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::a00:1]/",
            "https://localhost:8443/",
        ];
        for url in internal {
            let result = check_target(url, false).await;
            assert!(matches!(result, Err(WebhookError::PrivateTarget(_))), "{url}: {result:?}");
            assert!(check_target(url, true).await.is_ok(), "{url} with allow_private");
        }
    }

    #[tokio::test]
    async fn check_target_allows_public_addresses() {
        let public = [
            "https://93.184.216.34/hook",
            "http://100.128.0.1/",
            "http://172.32.0.1/",
            "http://[2606:4700:4700::1111]/",
            "http://[::ffff:8.8.8.8]/",
        ];
        for url in public {
            assert!(check_target(url, false).await.is_ok(), "{url}");
        }
    }

    #[tokio::test]
    async fn check_target_refuses_other_schemes_and_garbage() {
        for url in ["ftp://93.184.216.34/", "file:///etc/passwd", "not a url", "http://"] {
            let result = check_target(url, true).await;
            assert!(matches!(result, Err(WebhookError::BadUrl(_))), "{url}: {result:?}");
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let endpoint = endpoint("https://example.com".to_owned(), "whsec_c2VjcmV0", BodyFormat::Chat);
        assert!(!format!("{endpoint:?}").contains("c2VjcmV0"));
    }
}
