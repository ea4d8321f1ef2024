//! The identity use cases on the fakes: expiry rules with a manual clock, and profiles while
//! MongoDB is down.

use std::time::Duration;
use taskforge_adapter_memory::{FakeWorld, ABSOLUTE, IDLE};
use taskforge_domain::identity::{Bio, ProfileDocuments, ProfilePatch, RegisterInput, Theme};
use taskforge_domain::write_path::{Actor, AuditAction, Outbox};
use taskforge_domain::Error;

async fn world() -> FakeWorld {
    FakeWorld::new().await.unwrap_or_else(|e| panic!("{e}"))
}

fn input(email: &str) -> RegisterInput {
    RegisterInput {
        email: email.into(),
        password: "correct horse".into(),
        first_name: "Ada".into(),
        last_name: "L".into(),
    }
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout() -> Result<(), Error> {
    let w = world().await;
    w.auth
        .register(input("idle@example.com"), &Actor::default())
        .await?;
    let login = w
        .auth
        .login(
            "idle@example.com",
            "correct horse".into(),
            &Actor::default(),
        )
        .await?;
    w.clock.advance(IDLE - Duration::from_secs(1));
    w.auth.authenticate(&login.token).await?;
    // Activity restarts the idle countdown...
    w.clock.advance(IDLE - Duration::from_secs(1));
    w.auth.authenticate(&login.token).await?;
    // ...and without it the session ends.
    w.clock.advance(IDLE);
    assert!(matches!(
        w.auth.authenticate(&login.token).await,
        Err(Error::Unauthenticated)
    ));
    Ok(())
}

#[tokio::test]
async fn no_activity_extends_a_session_past_its_absolute_expiry() -> Result<(), Error> {
    let w = world().await;
    w.auth
        .register(input("abs@example.com"), &Actor::default())
        .await?;
    let login = w
        .auth
        .login("abs@example.com", "correct horse".into(), &Actor::default())
        .await?;
    let mut elapsed = Duration::ZERO;
    while elapsed + IDLE / 2 < ABSOLUTE {
        w.clock.advance(IDLE / 2);
        elapsed += IDLE / 2;
        w.auth.authenticate(&login.token).await?;
    }
    w.clock.advance(ABSOLUTE - elapsed);
    assert!(matches!(
        w.auth.authenticate(&login.token).await,
        Err(Error::Unauthenticated)
    ));
    Ok(())
}

#[tokio::test]
async fn every_change_commits_one_audit_row() -> Result<(), Error> {
    let w = world().await;
    let user = w
        .auth
        .register(input("audit@example.com"), &Actor::default())
        .await?;
    w.auth
        .login(
            "audit@example.com",
            "correct horse".into(),
            &Actor::default(),
        )
        .await?;
    let patch = ProfilePatch {
        bio: Some(Bio::parse("bio", "hi".into())?),
        ..ProfilePatch::default()
    };
    w.profiles.patch(user.id, &patch, &Actor::default()).await?;
    let actions: Vec<AuditAction> = w.db.audit_rows().iter().map(|c| c.audit.action).collect();
    assert_eq!(
        actions,
        vec![AuditAction::Create, AuditAction::Login, AuditAction::Update]
    );
    assert!(w
        .db
        .audit_rows()
        .iter()
        .all(|c| c.audit.actor.user_id == Some(user.id)));
    Ok(())
}

#[tokio::test]
async fn with_mongodb_down_profiles_are_changed_and_read_from_postgresql() -> Result<(), Error> {
    let w = world().await;
    w.profile_docs.set_down(true);
    let user = w
        .auth
        .register(input("down@example.com"), &Actor::default())
        .await?;
    let patch = ProfilePatch {
        bio: Some(Bio::parse("bio", "while down".into())?),
        theme: Some(Theme::Dark),
        ..ProfilePatch::default()
    };
    let patched = w.profiles.patch(user.id, &patch, &Actor::default()).await?;
    assert_eq!(
        w.db.pending_count().await?,
        1,
        "the patch waits in the outbox; the registration's document, superseded by it, is done"
    );
    let read = w.profiles.get(user.id).await?;
    assert_eq!(read, patched, "reads serve the committed change");
    assert_eq!(
        (read.details.bio.as_str(), read.user.profile_version),
        ("while down", 2)
    );

    w.profile_docs.set_down(false);
    // The failed row waits out its backoff; a later change of the profile takes it at once.
    assert!(w.profile_docs.get(user.id).await?.is_none());
    let later = ProfilePatch {
        bio: Some(Bio::parse("bio", "back up".into())?),
        ..ProfilePatch::default()
    };
    w.profiles.patch(user.id, &later, &Actor::default()).await?;
    assert_eq!(w.db.pending_count().await?, 0);
    let document = w.profile_docs.get(user.id).await?;
    assert_eq!(
        document.map(|d| (d.version, d.details)),
        Some((3, w.profiles.get(user.id).await?.details))
    );
    Ok(())
}

#[tokio::test]
async fn fast_path_projects_at_once_when_the_stores_are_up() -> Result<(), Error> {
    let w = world().await;
    let user = w
        .auth
        .register(input("fast@example.com"), &Actor::default())
        .await?;
    let doc = w.profile_docs.get(user.id).await?;
    assert_eq!(doc.map(|d| d.version), Some(1));
    assert_eq!(w.db.pending_count().await?, 0);
    assert_eq!(
        w.write_path.relay_once(10).await?.applied,
        0,
        "nothing left for the relay"
    );
    Ok(())
}
