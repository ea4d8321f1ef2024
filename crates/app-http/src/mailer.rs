//! `SmtpMailer`: the domain's `Mailer` over SMTP (lettre). Each message has a plain text and
//! an HTML alternative, the batch's own `Message-ID`, and one-click unsubscribe headers
//! (RFC 2369 `List-Unsubscribe`, RFC 8058 `List-Unsubscribe-Post`).

use crate::settings::{MailSettings, SmtpTls};
use async_trait::async_trait;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;
use taskforge_domain::clock::Clock;
use taskforge_domain::mail::{Links, MailJobs, MailService, Mailer, OutgoingMail, UnsubscribeKey};
use taskforge_domain::StoreError;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
}

impl SmtpMailer {
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        let host = settings.smtp_host.as_str();
        let builder = match settings.smtp_tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
        };
        let timeout = Duration::from_millis(settings.send_timeout_ms);
        let mut builder = builder.port(settings.smtp_port).timeout(Some(timeout));
        if let (Some(user), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        let from = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail.from is not an address: {e}"))?;
        Ok(Self {
            transport: builder.build(),
            from,
            timeout,
        })
    }

    fn message(&self, mail: &OutgoingMail) -> Result<Message, StoreError> {
        let rejected = |e: &dyn std::fmt::Display| StoreError::Rejected(format!("mail: {e}"));
        let to: Mailbox = mail.to.as_str().parse().map_err(|e| rejected(&e))?;
        let part = |content_type: ContentType, body: &str| {
            SinglePart::builder()
                .header(content_type)
                .header(ContentTransferEncoding::QuotedPrintable)
                .body(body.to_owned())
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}@{}>", mail.id, self.from.email.domain())))
            .header(ListUnsubscribe(format!("<{}>", mail.unsubscribe_url)))
            .header(ListUnsubscribePost)
            .multipart(
                MultiPart::alternative()
                    .singlepart(part(ContentType::TEXT_PLAIN, &mail.text))
                    .singlepart(part(ContentType::TEXT_HTML, &mail.html)),
            )
            .map_err(|e| rejected(&e))
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), StoreError> {
        let message = self.message(mail)?;
        // Every failure is tried again later, a refusal for good (5xx) too: its cause (a
        // relay setting, a full mailbox) may be fixed meanwhile.
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(StoreError::unavailable("smtp", e)),
            Err(_) => Err(StoreError::unavailable("smtp", "timed out")),
        }
    }
}

/// `List-Unsubscribe: <https://...>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): mail clients may
/// unsubscribe with one POST to the `List-Unsubscribe` URL.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// The key that signs and checks unsubscribe links.
pub fn unsubscribe_key(settings: &MailSettings) -> anyhow::Result<UnsubscribeKey> {
    let secret = settings.unsubscribe_secret.expose_secret();
    if secret.starts_with(DEVELOPMENT_SECRET) {
        tracing::warn!(
            "mail.unsubscribe_secret is the development default: anyone can unsubscribe your \
             users; set TASKFORGE__MAIL__UNSUBSCRIBE_SECRET"
        );
    }
    UnsubscribeKey::new(secret.as_bytes())
        .map_err(|e| anyhow::anyhow!("mail.unsubscribe_secret: {e}"))
}

/// How the default secret of `config/default.toml` begins.
const DEVELOPMENT_SECRET: &str = "development-only";

/// The mailer's use case over SMTP, working through `jobs` on `clock`'s time.
pub fn service(
    settings: &MailSettings,
    jobs: Arc<dyn MailJobs>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<MailService> {
    let links = Links::new(&settings.public_url, unsubscribe_key(settings)?);
    Ok(MailService::new(
        jobs,
        Arc::new(SmtpMailer::new(settings)?),
        clock,
        links,
        settings.policy(),
    ))
}
