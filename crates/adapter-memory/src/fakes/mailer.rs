//! An SMTP server's fake: it keeps what it was sent, or refuses everything while down.

use crate::fakes::{lock, Outage};
use async_trait::async_trait;
use std::sync::Mutex;
use taskforge_domain::mail::{Mailer, OutgoingMail};
use taskforge_domain::StoreError;

#[derive(Default)]
pub struct InMemoryMailer {
    sent: Mutex<Vec<OutgoingMail>>,
    outage: Outage,
}

impl InMemoryMailer {
    pub fn set_down(&self, down: bool) {
        *lock(&self.outage.0) = down;
    }

    /// Everything sent so far, in order.
    pub fn sent(&self) -> Vec<OutgoingMail> {
        lock(&self.sent).clone()
    }
}

#[async_trait]
impl Mailer for InMemoryMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), StoreError> {
        self.outage.check("smtp")?;
        lock(&self.sent).push(mail.clone());
        Ok(())
    }
}
