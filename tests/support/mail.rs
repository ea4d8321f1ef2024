//! Mail in tests: the SMTP sink's folder (deploy/local/smtp_sink.py) read as a mailbox, and the
//! mail queue and mailer of a test app, on a clock of the test's.

use crate::TestApp;
use std::path::PathBuf;
use std::sync::Arc;
use taskforge_adapter_sql::PgMailQueue;
use taskforge_domain::clock::Clock;
use taskforge_domain::mail::MailService;

/// One message as the sink received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub html: String,
}

impl Mail {
    /// The header's value, unfolded (the first of that name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn parse(raw: &str) -> Self {
        let (head, body) = split_head(raw);
        let headers = parse_headers(head);
        let mut mail = Self {
            headers,
            text: String::new(),
            html: String::new(),
        };
        let boundary = mail
            .header("Content-Type")
            .and_then(|t| t.split("boundary=").nth(1))
            .map(|b| b.trim_matches('"').to_owned());
        let Some(boundary) = boundary else {
            return mail;
        };
        for part in body.split(&format!("--{boundary}")) {
            let (head, body) = split_head(part.trim_start_matches(['\r', '\n']));
            let headers = parse_headers(head);
            let value = |name: &str| {
                headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.to_ascii_lowercase())
                    .unwrap_or_default()
            };
            let decoded = if value("Content-Transfer-Encoding") == "quoted-printable" {
                quoted_printable(body)
            } else {
                body.to_owned()
            };
            if value("Content-Type").starts_with("text/plain") {
                mail.text = decoded;
            } else if value("Content-Type").starts_with("text/html") {
                mail.html = decoded;
            }
        }
        mail
    }
}

fn split_head(raw: &str) -> (&str, &str) {
    raw.split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""))
}

/// Header lines, continuation lines joined (RFC 5322 unfolding).
fn parse_headers(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    headers
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where the sink writes: `TASKFORGE_MAIL_DIR` (`services.sh env` sets it), else the local
/// services' default.
pub fn mail_dir() -> PathBuf {
    std::env::var_os("TASKFORGE_MAIL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.local/mail"))
}

/// Every mail the sink received for `to` (the test's own addresses), oldest first. Other tests
/// write there too: each test reads only its own recipients' mail.
pub fn mails_to(to: &str) -> Vec<Mail> {
    let dir = mail_dir();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (are the services up?)", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    let to = to.to_ascii_lowercase();
    names
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|raw| Mail::parse(&raw))
        .filter(|m| m.header("To").is_some_and(|t| t.to_ascii_lowercase() == to))
        .collect()
}

impl TestApp {
    /// This app's mail queue, queueing at `clock`'s time.
    pub fn mail_queue(&self, clock: Arc<dyn Clock>) -> PgMailQueue {
        PgMailQueue::new(self.sql(), clock)
    }

    /// A mailer of this app's queue, as the relay runs one, on `clock`'s time and sending to
    /// the SMTP server on `smtp_port`.
    pub fn mailer(&self, clock: Arc<dyn Clock>, smtp_port: u16) -> MailService {
        let mut settings = self.settings.mail.clone();
        settings.smtp_port = smtp_port;
        let jobs = Arc::new(self.mail_queue(clock.clone()));
        taskforge_app_http::mailer::service(&settings, jobs, clock)
            .unwrap_or_else(|e| panic!("mailer: {e:#}"))
    }
}
