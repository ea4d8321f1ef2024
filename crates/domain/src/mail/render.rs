//! A batch as a message: a plain text and an HTML body (every text a user wrote escaped), links
//! to each task at the public URL, and the recipient's unsubscribe link.

use super::ports::{MailBatch, OutgoingMail};
use super::unsubscribe::UnsubscribeKey;
use crate::identity::Frequency;
use crate::ids::{TaskId, UserId};
use crate::notifications::{Notification, NotificationKind};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Where a message's links lead.
#[derive(Debug, Clone)]
pub struct Links {
    public_url: String,
    unsubscribe: UnsubscribeKey,
}

impl Links {
    /// `public_url` is where users reach TaskForge (`https://tasks.example.com`).
    pub fn new(public_url: &str, unsubscribe: UnsubscribeKey) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            unsubscribe,
        }
    }

    pub fn task(&self, task: TaskId) -> String {
        format!("{}/tasks/{task}", self.public_url)
    }

    /// The one-click link that turns `user`'s email off.
    pub fn unsubscribe(&self, user: UserId) -> String {
        format!(
            "{}/api/notifications/unsubscribe?user={user}&token={}",
            self.public_url,
            self.unsubscribe.token(user)
        )
    }

    pub fn key(&self) -> &UnsubscribeKey {
        &self.unsubscribe
    }
}

/// What the notification says, in one line (user text unescaped).
fn headline(n: &Notification) -> String {
    let title = &n.data.task_title;
    match n.kind {
        NotificationKind::TaskAssigned => format!("You were assigned \"{title}\""),
        NotificationKind::TaskStatusChanged => match n.data.status {
            Some(status) => format!("\"{title}\" moved to {}", status.as_str()),
            None => format!("\"{title}\" changed status"),
        },
        NotificationKind::CommentAdded => format!("New comment on \"{title}\""),
        NotificationKind::CommentMentioned => format!("You were mentioned on \"{title}\""),
        NotificationKind::WatchedChange => format!("\"{title}\" changed"),
        NotificationKind::TaskDueSoon => format!("\"{title}\" is due soon"),
        NotificationKind::TaskOverdue => format!("\"{title}\" is overdue"),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Unique to the batch's key and notifications, the same on every attempt.
fn mail_id(batch: &MailBatch) -> String {
    let mut hasher = Sha256::new();
    hasher.update(batch.key.as_bytes());
    for n in &batch.notifications {
        hasher.update(b"\n");
        hasher.update(n.notification_id.to_string().as_bytes());
    }
    hex::encode(&hasher.finalize()[..16])
}

fn subject(batch: &MailBatch) -> String {
    match (batch.frequency, batch.notifications.as_slice()) {
        (Frequency::Immediate, [one]) => format!("[TaskForge] {}", headline(one)),
        (frequency, all) => format!(
            "[TaskForge] Your {} digest: {} notification{}",
            match frequency {
                Frequency::Hourly => "hourly",
                Frequency::Daily => "daily",
                Frequency::Weekly | Frequency::Immediate => "weekly",
            },
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        ),
    }
}

pub fn render(batch: &MailBatch, links: &Links) -> OutgoingMail {
    let recipient = &batch.recipient;
    let zone = recipient.time_zone.tz();
    let unsubscribe_url = links.unsubscribe(recipient.user_id);
    let name = recipient.first_name.as_str();
    let mut text = format!("Hi {name},\n\n");
    let mut html = format!(
        "<!DOCTYPE html>\n<html><body>\n<p>Hi {},</p>\n<ul>\n",
        escape(name)
    );
    for n in &batch.notifications {
        let line = headline(n);
        let link = links.task(n.data.task_id);
        let when = n
            .created_at
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string();
        let _ = writeln!(text, "- {line}");
        let _ = write!(
            html,
            "<li><a href=\"{}\">{}</a>",
            escape(&link),
            escape(&line)
        );
        if let Some(excerpt) = &n.data.excerpt {
            let _ = writeln!(text, "  > {}", excerpt.replace('\n', "\n  > "));
            let _ = write!(html, "<blockquote>{}</blockquote>", escape(excerpt));
        }
        let _ = writeln!(text, "  {when} - {link}\n");
        let _ = writeln!(html, "<br><small>{}</small></li>", escape(&when));
    }
    let _ = write!(
        text,
        "You get these emails because of your TaskForge notification preferences.\n\
         Unsubscribe: {unsubscribe_url}\n"
    );
    let _ = write!(
        html,
        "</ul>\n<p><small>You get these emails because of your TaskForge notification \
         preferences. <a href=\"{}\">Unsubscribe</a></small></p>\n</body></html>\n",
        escape(&unsubscribe_url)
    );
    OutgoingMail {
        id: mail_id(batch),
        to: recipient.email.clone(),
        subject: subject(batch),
        text,
        html,
        unsubscribe_url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{Email, PersonName, TimeZone};
    use crate::ids::TeamId;
    use crate::mail::ports::Recipient;
    use crate::notifications::NotificationData;
    use crate::tasks::Status;
    use crate::write_path::AuditEntityType;
    use chrono::{TimeZone as _, Utc};

    fn invalid(e: crate::validation::FieldError) -> anyhow::Error {
        anyhow::anyhow!("{e}")
    }

    fn batch(frequency: Frequency, kinds: &[NotificationKind]) -> anyhow::Result<MailBatch> {
        let user = UserId::new();
        let at = Utc.with_ymd_and_hms(2026, 5, 4, 21, 30, 0).single();
        let at = at.ok_or_else(|| anyhow::anyhow!("time"))?;
        let notifications = kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| {
                let data = NotificationData {
                    team_id: TeamId::new(),
                    task_id: TaskId::new(),
                    task_title: format!("<b>Plan</b> & \"ship\" {i}"),
                    actor_id: None,
                    entity_type: AuditEntityType::Task,
                    entity_id: uuid::Uuid::now_v7(),
                    action: None,
                    status: Some(Status::Done),
                    previous_status: None,
                    due_date: None,
                    excerpt: Some("<script>alert(1)</script>".into()),
                };
                Notification::derived(&format!("e{i}"), user, *kind, data, at)
            })
            .collect();
        Ok(MailBatch {
            key: "k".into(),
            recipient: Recipient {
                user_id: user,
                email: Email::parse("email", "ada@example.com").map_err(invalid)?,
                first_name: PersonName::parse("firstName", "Ada <3").map_err(invalid)?,
                time_zone: TimeZone::parse("timeZone", "Europe/Paris").map_err(invalid)?,
            },
            frequency,
            notifications,
            attempts: 0,
        })
    }

    fn links() -> anyhow::Result<Links> {
        Ok(Links::new(
            "https://tasks.example.com/",
            UnsubscribeKey::new(&[1; 32])?,
        ))
    }

    #[test]
    fn one_notification_makes_a_mail_with_both_bodies_and_links() -> anyhow::Result<()> {
        let (batch, links) = (
            batch(Frequency::Immediate, &[NotificationKind::TaskStatusChanged])?,
            links()?,
        );
        let mail = render(&batch, &links);
        let n = &batch.notifications[0];
        assert_eq!(
            mail.subject,
            "[TaskForge] \"<b>Plan</b> & \"ship\" 0\" moved to done"
        );
        let task_link = format!("https://tasks.example.com/tasks/{}", n.data.task_id);
        assert!(mail.text.contains(&task_link), "{}", mail.text);
        assert!(mail.html.contains(&format!("<a href=\"{task_link}\">")));
        assert!(
            mail.text.contains("2026-05-04 23:30 CEST"),
            "in the user's zone"
        );
        assert!(mail
            .html
            .contains("&lt;b&gt;Plan&lt;/b&gt; &amp; &quot;ship&quot;"));
        assert!(mail.html.contains("&lt;script&gt;") && !mail.html.contains("<script>"));
        assert!(mail.html.contains("Hi Ada &lt;3,"));
        let user = batch.recipient.user_id;
        assert_eq!(
            mail.unsubscribe_url,
            format!(
                "https://tasks.example.com/api/notifications/unsubscribe?user={user}&token={}",
                links.key().token(user)
            )
        );
        assert!(mail.text.contains(&mail.unsubscribe_url));
        assert!(mail.html.contains(&escape(&mail.unsubscribe_url)));
        assert_eq!(
            mail.id,
            render(&batch, &links).id,
            "the same on every attempt"
        );
        Ok(())
    }

    #[test]
    fn a_digest_lists_every_notification_of_its_batch() -> anyhow::Result<()> {
        use NotificationKind::*;
        let batch = batch(
            Frequency::Daily,
            &[TaskAssigned, CommentAdded, CommentMentioned],
        )?;
        let mail = render(&batch, &links()?);
        assert_eq!(
            mail.subject,
            "[TaskForge] Your daily digest: 3 notifications"
        );
        for n in &batch.notifications {
            assert!(mail.text.contains(&n.data.task_id.to_string()));
            assert!(mail.html.contains(&n.data.task_id.to_string()));
        }
        assert_eq!(mail.html.matches("<li>").count(), 3);
        let mut fewer = batch.clone();
        fewer.notifications.pop();
        assert_ne!(render(&fewer, &links()?).id, mail.id);
        Ok(())
    }
}
