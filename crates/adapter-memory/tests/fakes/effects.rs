//! Open projection: a feature's own effect kind, registered beside the core ones. An effect
//! that is not idempotent on its own (a publish) carries a stable id, so its consumer drops the
//! duplicate a retry delivers.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use taskforge_adapter_memory::{InMemoryRelational, InlineRuntime};
use taskforge_domain::identity::ports::UserRepository;
use taskforge_domain::identity::{Email, PasswordHash, PersonName, Profile, User};
use taskforge_domain::ids::UserId;
use taskforge_domain::write_path::{
    Actor, Aggregate, Apply, AuditAction, AuditDraft, AuditEntityType, Change, EffectId,
    EffectKind, Outbox, ProjectionPolicy, Projector, Scope, StoredEffect, WritePath,
};
use taskforge_domain::{Error, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Announce {
    text: String,
}

impl EffectKind for Announce {
    const KIND: &'static str = "test_announce";
}

/// A subscriber that receives every delivery and keeps what it has seen by effect id; the
/// first delivery "loses its acknowledgement", so the row is applied again.
#[derive(Default)]
struct Subscriber {
    deliveries: Mutex<Vec<(EffectId, String)>>,
    seen: Mutex<BTreeSet<EffectId>>,
    acked_once: Mutex<bool>,
}

#[async_trait]
impl Apply<Announce> for Arc<Subscriber> {
    async fn apply(&self, effect: Announce, id: EffectId) -> Result<(), StoreError> {
        let lock = |m: &'_ Mutex<Vec<(EffectId, String)>>| {
            m.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((id, effect.text.clone()))
        };
        lock(&self.deliveries);
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id);
        let mut acked = self.acked_once.lock().unwrap_or_else(|p| p.into_inner());
        if *acked {
            Ok(())
        } else {
            *acked = true;
            Err(StoreError::unavailable(
                "subscriber",
                "acknowledgement lost",
            ))
        }
    }
}

#[tokio::test]
async fn a_retried_publish_reaches_its_subscriber_twice_under_one_id() -> Result<(), Error> {
    let db = InMemoryRelational::default();
    let subscriber = Arc::new(Subscriber::default());
    let projector = Projector::default().on::<Announce>(subscriber.clone());
    let write_path = WritePath::new(
        Arc::new(db.clone()),
        Arc::new(projector),
        Arc::new(InlineRuntime),
        ProjectionPolicy::default(),
    );
    let profile = Profile {
        user: User {
            id: UserId::new(),
            email: Email::parse("email", "announce@example.com")?,
            first_name: PersonName::parse("firstName", "Ada")?,
            last_name: PersonName::parse("lastName", "L")?,
            created_at: chrono::Utc::now(),
            last_login: None,
            profile_version: 1,
        },
        details: Default::default(),
    };
    let user = &profile.user;
    let audit = AuditDraft {
        entity_type: AuditEntityType::User,
        entity_id: user.id.as_uuid(),
        action: AuditAction::Create,
        actor: Actor::default(),
        previous_state: None,
        new_state: None,
    };
    let announce = StoredEffect::of(&Announce {
        text: "hello".into(),
    });
    let aggregate = Aggregate::entity(Scope::Account(user.id), "announce", user.id.as_uuid());
    let change = Change::new(aggregate, audit, vec![announce]);
    let hash = PasswordHash::from_stored("h".into());
    write_path
        .commit(db.create(&profile, &hash, change))
        .await?;
    assert_eq!(
        db.pending_count().await?,
        1,
        "the lost acknowledgement leaves it pending"
    );
    // The relay delivers it again once its backoff is over.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while write_path.relay_once(10).await?.applied == 0 {
        assert!(std::time::Instant::now() < deadline, "never retried");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(db.pending_count().await?, 0);

    let deliveries = subscriber
        .deliveries
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    assert_eq!(deliveries.len(), 2, "delivered twice");
    assert_eq!(deliveries[0], deliveries[1], "under the same id");
    let seen = subscriber
        .seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .len();
    assert_eq!(seen, 1, "the subscriber keeps one");
    Ok(())
}
