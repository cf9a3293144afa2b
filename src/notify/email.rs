//! Email notices over SMTP.
//!
//! A [`Mailer`] holds one pooled SMTP transport built from [`SmtpSettings`]
//! and sends [`EmailMessage`]s: a `multipart/alternative` text + HTML body,
//! wrapped in `multipart/mixed` when there are attachments. Each message
//! carries a `Message-ID` derived from the notice id, so a receiver that sees
//! the same notice twice (after a retry) can drop the duplicate.
//!
//! TLS is rustls with the ring provider; certificates are checked against
//! the operating system's trust store.

use std::fmt;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one send may take, connection and TLS included.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text; only for a relay on the same host or a trusted network.
    None,
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    StartTls,
    /// TLS from the first byte (implicit TLS, port 465).
    Tls,
}

/// Where and how to send mail.
#[derive(Clone)]
pub struct SmtpSettings {
    /// Server host name, also the name its certificate must carry.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Connection protection.
    pub security: SmtpSecurity,
    /// Login name, if the server wants one.
    pub username: Option<String>,
    /// Password for `username`; never printed.
    pub password: Option<String>,
    /// Sender, as `Name <address>` or a bare address.
    pub from: String,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .finish()
    }
}

/// A file sent along with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Name the receiver sees.
    pub filename: String,
    /// MIME type, such as `text/csv`.
    pub content_type: String,
    /// Raw content.
    pub bytes: Vec<u8>,
}

/// One email notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// Recipient, as `Name <address>` or a bare address.
    pub to: String,
    /// Subject line; line breaks are turned into spaces.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Files to attach.
    pub attachments: Vec<Attachment>,
    /// Stable notice id, the local part of the `Message-ID` header.
    pub message_id: String,
}

/// Why an email could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// The sender or recipient address does not parse; holds which one.
    #[error("The {0} address is not a valid email address.")]
    BadAddress(String),
    /// The message itself cannot be built; holds the reason.
    #[error("The email could not be built: {0}.")]
    BadMessage(String),
    /// The SMTP server could not be reached or refused the message.
    #[error("The mail server did not take the email: {0}.")]
    Transport(String),
    /// The send took longer than the time allowed.
    #[error("The mail server did not answer in time.")]
    Timeout,
}

/// Sends email notices through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// Builds a mailer; checks the sender address and the TLS setup.
    ///
    /// No connection is made until the first [`Mailer::send`].
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime: the connection pool starts a cleanup task.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, EmailError> {
        let from = parse_mailbox(&settings.from, "sender")?;
        let transport = transport_builder(settings)?.build();
        Ok(Mailer { transport, from })
    }

    /// Sends one message, giving up after 15 seconds.
    pub async fn send(&self, message: &EmailMessage) -> Result<(), EmailError> {
        let email = compose(&self.from, message)?;
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(email)).await {
            Err(_) => Err(EmailError::Timeout),
            Ok(Err(error)) => Err(transport_error(&error)),
            Ok(Ok(_)) => Ok(()),
        }
    }
}

/// Chooses the transport for the configured security, then port, timeout
/// and credentials.
fn transport_builder(settings: &SmtpSettings) -> Result<AsyncSmtpTransportBuilder, EmailError> {
    type Smtp = AsyncSmtpTransport<Tokio1Executor>;
    let builder = match settings.security {
        SmtpSecurity::None => Smtp::builder_dangerous(settings.host.as_str()),
        SmtpSecurity::StartTls => Smtp::starttls_relay(&settings.host).map_err(|e| transport_error(&e))?,
        SmtpSecurity::Tls => Smtp::relay(&settings.host).map_err(|e| transport_error(&e))?,
    };
    let builder = builder.port(settings.port).timeout(Some(SEND_TIMEOUT));
    Ok(match credentials(settings) {
        Some(credentials) => builder.credentials(credentials),
        None => builder,
    })
}

/// Login credentials, when a username is set.
fn credentials(settings: &SmtpSettings) -> Option<Credentials> {
    let username = settings.username.clone()?;
    let password = settings.password.clone().unwrap_or_default();
    Some(Credentials::new(username, password))
}

/// Maps a lettre error to ours; lettre's text names no credentials.
fn transport_error(error: &lettre::transport::smtp::Error) -> EmailError {
    if error.is_timeout() { EmailError::Timeout } else { EmailError::Transport(error.to_string()) }
}

/// Parses `Name <address>` or a bare address; `which` names it in the error.
fn parse_mailbox(raw: &str, which: &str) -> Result<Mailbox, EmailError> {
    raw.trim().parse().map_err(|_| EmailError::BadAddress(which.to_owned()))
}

/// Builds the full MIME message.
fn compose(from: &Mailbox, message: &EmailMessage) -> Result<Message, EmailError> {
    let to = parse_mailbox(&message.to, "recipient")?;
    let body = body_parts(message)?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(single_line(&message.subject))
        .message_id(Some(message_id_header(&message.message_id, from)?))
        .multipart(body)
        .map_err(|e| EmailError::BadMessage(e.to_string()))
}

/// Text + HTML as alternatives, inside `multipart/mixed` with attachments.
fn body_parts(message: &EmailMessage) -> Result<MultiPart, EmailError> {
    let alternative = MultiPart::alternative_plain_html(message.text.clone(), message.html.clone());
    if message.attachments.is_empty() {
        return Ok(alternative);
    }
    let mut mixed = MultiPart::mixed().multipart(alternative);
    for attachment in &message.attachments {
        mixed = mixed.singlepart(attachment_part(attachment)?);
    }
    Ok(mixed)
}

/// One attachment as a MIME part.
fn attachment_part(attachment: &Attachment) -> Result<SinglePart, EmailError> {
    let content_type = ContentType::parse(&attachment.content_type).map_err(|_| {
        EmailError::BadMessage(format!("attachment {:?} has an invalid content type", attachment.filename))
    })?;
    Ok(MimeAttachment::new(single_line(&attachment.filename)).body(attachment.bytes.clone(), content_type))
}

/// `<notice-id@sender-domain>`; the id must be a plain token so it cannot
/// break out of the header.
fn message_id_header(notice_id: &str, from: &Mailbox) -> Result<String, EmailError> {
    let valid = !notice_id.is_empty() && notice_id.chars().all(is_message_id_char);
    if !valid {
        return Err(EmailError::BadMessage("the notice id may hold only letters, digits and . - _ + =".to_owned()));
    }
    Ok(format!("<{notice_id}@{}>", from.email.domain()))
}

/// Characters allowed in the local part of a Message-ID here.
fn is_message_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '=')
}

/// Replaces line breaks so a value stays on one header line.
fn single_line(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::mpsc;

    /// Runs a minimal SMTP receiver on 127.0.0.1; each DATA body is sent
    /// on the returned channel.
    async fn smtp_receiver() -> (u16, mpsc::UnboundedReceiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(smtp_session(stream, tx.clone()));
            }
        });
        (port, rx)
    }

    /// Speaks just enough SMTP for one client: EHLO, MAIL, RCPT, DATA, QUIT.
    async fn smtp_session(stream: TcpStream, messages: mpsc::UnboundedSender<String>) {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 test ESMTP\r\n").await.unwrap();
        while let Ok(Some(line)) = lines.next_line().await {
            let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 test\r\n",
                "DATA" => {
                    write.write_all(b"354 go on\r\n").await.unwrap();
                    let body = read_data(&mut lines).await;
                    messages.send(body).unwrap();
                    b"250 queued\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    return;
                }
                _ => b"250 ok\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
    }

    /// Reads a DATA section up to the lone dot, undoing dot-stuffing.
    async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(lines: &mut tokio::io::Lines<R>) -> String {
        let mut body = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            if line == "." {
                break;
            }
            body.push_str(line.strip_prefix('.').unwrap_or(&line));
            body.push('\n');
        }
        body
    }

    fn settings(port: u16) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".to_owned(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "leadgate <leads@example.com>".to_owned(),
        }
    }

    fn message() -> EmailMessage {
        EmailMessage {
            to: "Sales Team <sales@example.org>".to_owned(),
            subject: "New lead: Acme Corp (score 87)".to_owned(),
            text: "Acme Corp scored 87 and was assigned to you.".to_owned(),
            html: "<p><strong>Acme Corp</strong> scored 87.</p>".to_owned(),
            attachments: vec![Attachment {
                filename: "lead.csv".to_owned(),
                content_type: "text/csv".to_owned(),
                bytes: b"name,score\nAcme Corp,87\n".to_vec(),
            }],
            message_id: "notice-0193a1b2-7c3d".to_owned(),
        }
    }

    /// A port on 127.0.0.1 with nothing listening.
    async fn closed_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    }

    #[tokio::test]
    async fn sends_multipart_message_with_attachment_and_message_id() {
        let (port, mut received) = smtp_receiver().await;
        let mailer = Mailer::new(&settings(port)).unwrap();
        mailer.send(&message()).await.unwrap();
        let raw = received.recv().await.unwrap();

        assert!(raw.contains("Subject: New lead: Acme Corp (score 87)"), "{raw}");
        assert!(raw.contains("Message-ID: <notice-0193a1b2-7c3d@example.com>"), "{raw}");
        assert!(raw.contains("To: \"Sales Team\" <sales@example.org>"), "{raw}");
        assert!(raw.contains("Content-Type: multipart/mixed"), "{raw}");
        assert!(raw.contains("Content-Type: multipart/alternative"), "{raw}");
        assert!(raw.contains("Content-Type: text/plain"), "{raw}");
        assert!(raw.contains("Acme Corp scored 87 and was assigned to you."), "{raw}");
        assert!(raw.contains("Content-Type: text/html"), "{raw}");
        assert!(raw.contains("<p><strong>Acme Corp</strong> scored 87.</p>"), "{raw}");
        assert!(raw.contains("Content-Disposition: attachment; filename=\"lead.csv\""), "{raw}");
        assert!(raw.contains("Content-Type: text/csv"), "{raw}");
        assert!(raw.contains("name,score\nAcme Corp,87\n"), "{raw}");
    }

    #[tokio::test]
    async fn without_attachments_the_top_level_is_alternative() {
        let (port, mut received) = smtp_receiver().await;
        let mailer = Mailer::new(&settings(port)).unwrap();
        let plain = EmailMessage { attachments: Vec::new(), ..message() };
        mailer.send(&plain).await.unwrap();
        let raw = received.recv().await.unwrap();
        assert!(raw.contains("Content-Type: multipart/alternative"), "{raw}");
        assert!(!raw.contains("multipart/mixed"), "{raw}");
    }

    #[tokio::test]
    async fn refused_connection_is_a_quick_transport_error() {
        let mut settings = settings(closed_port().await);
        settings.username = Some("leads".to_owned());
        settings.password = Some("hunter2-secret".to_owned());
        let mailer = Mailer::new(&settings).unwrap();
        let started = Instant::now();
        let error = mailer.send(&message()).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(matches!(error, EmailError::Transport(_)), "{error:?}");
        assert!(!error.to_string().contains("hunter2"));
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn bad_sender_is_refused_at_construction() {
        let mut settings = settings(25);
        settings.from = "leadgate <not an address>".to_owned();
        let error = Mailer::new(&settings).unwrap_err();
        assert!(matches!(&error, EmailError::BadAddress(which) if which == "sender"));
        assert_eq!(error.to_string(), "The sender address is not a valid email address.");
    }

    #[tokio::test]
    async fn sender_may_be_a_bare_or_local_address() {
        for from in ["leads@example.com", "leadgate <leadgate@localhost>"] {
            let settings = SmtpSettings { from: from.to_owned(), ..settings(25) };
            assert!(Mailer::new(&settings).is_ok(), "{from}");
        }
    }

    #[tokio::test]
    async fn bad_recipient_and_unsafe_message_id_are_refused() {
        let mailer = Mailer::new(&settings(closed_port().await)).unwrap();
        let bad_to = EmailMessage { to: "nobody".to_owned(), ..message() };
        let error = mailer.send(&bad_to).await.unwrap_err();
        assert!(matches!(&error, EmailError::BadAddress(which) if which == "recipient"));

        let injected = EmailMessage { message_id: "x>\r\nBcc: a@b.c".to_owned(), ..message() };
        let error = mailer.send(&injected).await.unwrap_err();
        assert!(matches!(error, EmailError::BadMessage(_)), "{error:?}");
    }

    #[test]
    fn subject_line_breaks_become_spaces() {
        assert_eq!(single_line("a\r\nBcc: x@y.z"), "a  Bcc: x@y.z");
    }
}
