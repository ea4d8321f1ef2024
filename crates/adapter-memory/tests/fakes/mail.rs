//! The mailer's use case on the fakes: an SMTP outage delays mail and loses none, a batch is
//! sent once, and an unsubscribe stops mail, all on the fake world's manual clock.

use std::sync::Arc;
use std::time::Duration;
use taskforge_adapter_memory::{FakeWorld, InMemoryMailQueue, InMemoryMailer};
use taskforge_domain::clock::Clock;
use taskforge_domain::identity::{ProfilePatch, RegisterInput, User};
use taskforge_domain::ids::{TaskId, TeamId};
use taskforge_domain::mail::{Links, MailPolicy, MailReport, MailService, UnsubscribeKey};
use taskforge_domain::notifications::{
    MailQueue, Notification, NotificationData, NotificationKind,
};
use taskforge_domain::write_path::{Actor, AuditEntityType};

struct Mail {
    world: FakeWorld,
    queue: InMemoryMailQueue,
    smtp: Arc<InMemoryMailer>,
    service: MailService,
}

async fn mail() -> Mail {
    let world = FakeWorld::new().await.unwrap_or_else(|e| panic!("{e}"));
    let queue = InMemoryMailQueue::new(world.db.clone(), world.clock.clone());
    let smtp = Arc::new(InMemoryMailer::default());
    let key = UnsubscribeKey::new(&[9; 32]).unwrap_or_else(|e| panic!("{e}"));
    let policy = MailPolicy {
        batch_size: 10,
        lease: Duration::from_secs(60),
        first_retry: Duration::from_secs(30),
        max_retry: Duration::from_secs(600),
    };
    let service = MailService::new(
        Arc::new(queue.clone()),
        smtp.clone(),
        world.clock.clone(),
        Links::new("https://tasks.example.com", key),
        policy,
    );
    Mail {
        world,
        queue,
        smtp,
        service,
    }
}

impl Mail {
    async fn user(&self, email: &str) -> User {
        let input = RegisterInput {
            email: email.into(),
            password: "correct horse".into(),
            first_name: "Ada".into(),
            last_name: "L".into(),
        };
        let registered = self.world.auth.register(input, &Actor::default()).await;
        registered.unwrap_or_else(|e| panic!("{e}"))
    }

    async fn notify(&self, user: &User, title: &str) -> Notification {
        let data = NotificationData {
            team_id: TeamId::new(),
            task_id: TaskId::new(),
            task_title: title.into(),
            actor_id: None,
            entity_type: AuditEntityType::Task,
            entity_id: uuid::Uuid::now_v7(),
            action: None,
            status: None,
            previous_status: None,
            due_date: None,
            excerpt: None,
        };
        let n = Notification::derived(
            title,
            user.id,
            NotificationKind::TaskAssigned,
            data,
            self.world.clock.now(),
        );
        let queued = self.queue.enqueue(std::slice::from_ref(&n)).await;
        queued.unwrap_or_else(|e| panic!("{e}"));
        n
    }

    async fn pass(&self) -> MailReport {
        self.service
            .send_due()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

#[tokio::test]
async fn an_outage_delays_mail_with_a_growing_backoff_and_loses_none() {
    let m = mail().await;
    let ada = m.user("ada@example.com").await;
    m.smtp.set_down(true);
    m.notify(&ada, "one").await;
    m.notify(&ada, "two").await;
    assert_eq!(m.pass().await, MailReport { sent: 0, failed: 2 });
    assert_eq!(m.pass().await, MailReport::default(), "backing off");
    m.world.clock.advance(Duration::from_secs(30));
    assert_eq!(m.pass().await.failed, 2, "tried again after 30 s");
    m.world.clock.advance(Duration::from_secs(59));
    assert_eq!(m.pass().await, MailReport::default(), "then after 60 s");
    m.smtp.set_down(false);
    m.world.clock.advance(Duration::from_secs(1));
    assert_eq!(m.pass().await.sent, 2);
    assert_eq!(m.pass().await, MailReport::default());
    let mut subjects: Vec<String> = m.smtp.sent().into_iter().map(|s| s.subject).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        vec![
            "[TaskForge] You were assigned \"one\"",
            "[TaskForge] You were assigned \"two\""
        ]
    );
}

#[tokio::test]
async fn an_unsubscribed_user_gets_nothing_more_and_it_is_audited() {
    let m = mail().await;
    let ada = m.user("ada@example.com").await;
    m.notify(&ada, "before").await;
    let actor = Actor {
        user_id: Some(ada.id),
        ..Actor::default()
    };
    let audit_rows = m.world.db.audit_rows().len();
    m.world
        .profiles
        .stop_email(ada.id, &actor)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.world.db.audit_rows().len(), audit_rows + 1);
    m.world
        .profiles
        .stop_email(ada.id, &actor)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.world.db.audit_rows().len(), audit_rows + 1, "once");
    m.notify(&ada, "after").await;
    assert_eq!(m.pass().await, MailReport::default(), "neither is sent");

    let patch = ProfilePatch {
        notify_email: Some(true),
        ..ProfilePatch::default()
    };
    m.world
        .profiles
        .patch(ada.id, &patch, &actor)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    m.notify(&ada, "back").await;
    assert_eq!(
        m.pass().await.sent,
        1,
        "mail resumes; what fell due meanwhile was dropped"
    );
}
