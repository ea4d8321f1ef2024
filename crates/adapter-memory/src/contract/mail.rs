//! The mail queue contract: `MailQueue` (queueing) and `MailJobs` (the mailer's claims) of one
//! store.

use super::*;
use crate::ManualClock;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::sync::Arc;
use taskforge_domain::identity::{Frequency, NotificationPreferences};
use taskforge_domain::ids::{TaskId, TeamId};
use taskforge_domain::mail::{MailBatch, MailJobs};
use taskforge_domain::notifications::{
    MailQueue, Notification, NotificationData, NotificationKind,
};
use taskforge_domain::write_path::Lease;

/// The clock the suite needs its store's queue to read: 10:20 UTC, 40 minutes before an
/// hour's end.
pub fn mail_clock() -> Arc<ManualClock> {
    let start = Utc.with_ymd_and_hms(2030, 1, 15, 10, 20, 0).single();
    ManualClock::new(start.unwrap_or_default())
}

async fn account(users: &dyn UserRepository, notifications: NotificationPreferences) -> Profile {
    let mut profile = new_profile(&unique_email());
    profile.details.preferences.notifications = notifications;
    let hash = PasswordHash::from_stored("h".into());
    let id = profile.user.id;
    let create = users.create(&profile, &hash, change(id, AuditAction::Create, vec![]));
    must(create.await, "create user");
    profile
}

fn note(user: &Profile, event: &str, at: DateTime<Utc>) -> Notification {
    let data = NotificationData {
        team_id: TeamId::new(),
        task_id: TaskId::new(),
        task_title: format!("task of {event}"),
        actor_id: None,
        entity_type: AuditEntityType::Task,
        entity_id: Uuid::now_v7(),
        action: Some(AuditAction::Assign),
        status: None,
        previous_status: None,
        due_date: None,
        excerpt: None,
    };
    let kind = NotificationKind::TaskAssigned;
    Notification::derived(event, user.user.id, kind, data, at)
}

fn lease(length: Duration) -> Lease {
    Lease {
        owner: Uuid::new_v4(),
        length,
    }
}

const LONG: Duration = Duration::from_secs(30);

fn ids(batch: &MailBatch) -> Vec<String> {
    batch
        .notifications
        .iter()
        .map(|n| n.data.task_title.clone())
        .collect()
}

async fn claim(jobs: &dyn MailJobs, now: DateTime<Utc>, lease: &Lease) -> Vec<MailBatch> {
    must(jobs.claim(now, 10, lease).await, "claim")
}

/// `MailQueue` and `MailJobs` of one store, whose queue reads `clock` (made by
/// [`mail_clock`]): a notification is queued once, as its recipient's preferences ask; a
/// batch is claimed whole when all of it is due, by one lease at a time, until it is sent; a
/// failure makes it due again later; a lapsed lease frees it; settling needs the lease; users
/// who want no email (any more), or are gone, get none.
pub async fn mail_jobs(
    users: &dyn UserRepository,
    queue: &dyn MailQueue,
    jobs: &dyn MailJobs,
    clock: &ManualClock,
) {
    use taskforge_domain::clock::Clock;
    let t0 = clock.now();
    let immediate = NotificationPreferences::default();
    let hourly = NotificationPreferences {
        frequency: Frequency::Hourly,
        ..NotificationPreferences::default()
    };
    let off = NotificationPreferences {
        email: false,
        ..NotificationPreferences::default()
    };
    let ada = account(users, immediate.clone()).await;
    let bob = account(users, hourly).await;
    let cy = account(users, off).await;
    let (a1, b1, c1) = (
        note(&ada, "a1", t0),
        note(&bob, "b1", t0),
        note(&cy, "c1", t0),
    );
    must(queue.enqueue(&[a1.clone(), b1, c1]).await, "enqueue");
    must(
        queue.enqueue(std::slice::from_ref(&a1)).await,
        "enqueue again",
    );

    let first = lease(LONG);
    let claimed = claim(jobs, t0, &first).await;
    assert_eq!(claimed.len(), 1, "only immediate mail is due: {claimed:?}");
    let batch = &claimed[0];
    assert_eq!(
        (
            batch.key.as_str(),
            ids(batch),
            batch.frequency,
            batch.attempts
        ),
        (
            a1.notification_id.to_string().as_str(),
            vec!["task of a1".to_owned()],
            Frequency::Immediate,
            0
        )
    );
    assert_eq!(batch.recipient.email, ada.user.email);
    assert_eq!(batch.recipient.user_id, ada.user.id);
    assert_eq!(
        batch.notifications[0], a1,
        "the notification comes back whole"
    );
    assert!(claim(jobs, t0, &lease(LONG)).await.is_empty(), "leased");

    let retry_at = t0 + TimeDelta::seconds(60);
    must(
        jobs.failed(batch, &first, retry_at, "smtp down").await,
        "failed",
    );
    let early = t0 + TimeDelta::seconds(59);
    assert!(
        claim(jobs, early, &lease(LONG)).await.is_empty(),
        "backing off"
    );
    let second = lease(LONG);
    let again = claim(jobs, retry_at, &second).await;
    assert_eq!(
        again
            .iter()
            .map(|b| (ids(b), b.attempts))
            .collect::<Vec<_>>(),
        vec![(vec!["task of a1".to_owned()], 1)]
    );
    must(
        jobs.sent(&again[0], &first, retry_at).await,
        "sent by a stale lease",
    );
    must(
        jobs.failed(&again[0], &first, t0, "x").await,
        "failed by a stale lease",
    );
    assert!(
        claim(jobs, retry_at, &lease(LONG)).await.is_empty(),
        "still held"
    );
    must(jobs.sent(&again[0], &second, retry_at).await, "sent");

    // Bob's hourly digest: due when his hour ends, with everything queued in it.
    clock.advance(Duration::from_secs(30 * 60));
    must(
        queue.enqueue(&[note(&bob, "b2", clock.now())]).await,
        "enqueue b2",
    );
    let hour_end = t0 + TimeDelta::minutes(40);
    assert!(
        claim(jobs, hour_end - TimeDelta::seconds(1), &lease(LONG))
            .await
            .is_empty(),
        "no digest before its period ends (and no sent mail again)"
    );
    // A lease that lapses at once, as a mailer that died holding it leaves it.
    let lapsed = lease(Duration::ZERO);
    let digest = claim(jobs, hour_end, &lapsed).await;
    assert_eq!(
        digest
            .iter()
            .map(|b| (ids(b), b.frequency, b.recipient.user_id))
            .collect::<Vec<_>>(),
        vec![(
            vec!["task of b1".to_owned(), "task of b2".to_owned()],
            Frequency::Hourly,
            bob.user.id
        )]
    );
    let third = lease(LONG);
    let retaken = claim(jobs, hour_end, &third).await;
    assert_eq!(
        retaken.iter().map(ids).collect::<Vec<_>>(),
        digest.iter().map(ids).collect::<Vec<_>>(),
        "a lapsed lease frees the batch"
    );
    must(
        jobs.sent(&retaken[0], &lapsed, hour_end).await,
        "lapsed lease",
    );
    assert!(claim(jobs, hour_end, &lease(LONG)).await.is_empty());
    must(jobs.sent(&retaken[0], &third, hour_end).await, "sent");
    let far = t0 + TimeDelta::days(30);
    assert!(claim(jobs, far, &lease(LONG)).await.is_empty(), "all sent");

    // A batch goes out whole: a digest with a notification held back waits for it.
    clock.advance(Duration::from_secs(60 * 60));
    let b3 = note(&bob, "b3", clock.now());
    let b4 = note(&bob, "b4", clock.now());
    must(queue.enqueue(&[b3, b4]).await, "enqueue b3 b4");
    let held = lease(LONG);
    let period = claim(jobs, far, &held).await;
    assert_eq!(period.len(), 1);
    assert_eq!(ids(&period[0]).len(), 2, "both notifications of the period");
    must(jobs.sent(&period[0], &held, clock.now()).await, "sent");

    // Limits, and users who stop wanting email or leave.
    let dee = account(users, immediate).await;
    let now = clock.now();
    let dee_notes: Vec<Notification> = (0..3).map(|i| note(&dee, &format!("d{i}"), now)).collect();
    must(queue.enqueue(&dee_notes).await, "enqueue d");
    let two = lease(LONG);
    let limited = must(jobs.claim(now, 2, &two).await, "claim 2");
    assert_eq!(limited.len(), 2, "at most the limit");
    for batch in &limited {
        must(jobs.sent(batch, &two, now).await, "sent");
    }
    let mut quiet = dee.clone();
    quiet.details.preferences.notifications.email = false;
    quiet.user.profile_version += 1;
    let update = users.update_profile(&quiet, 1, change(dee.user.id, AuditAction::Update, vec![]));
    must(update.await, "email off");
    assert!(
        claim(jobs, far, &lease(LONG)).await.is_empty(),
        "no mail for a user who turned email off"
    );
    let mut loud = quiet.clone();
    loud.details.preferences.notifications.email = true;
    loud.user.profile_version += 1;
    let update = users.update_profile(&loud, 2, change(dee.user.id, AuditAction::Update, vec![]));
    must(update.await, "email on");
    assert!(
        claim(jobs, far, &lease(LONG)).await.is_empty(),
        "what fell due while email was off was dropped"
    );
    assert_eq!(must(jobs.prune(t0).await, "prune before"), 0);
    let pruned = must(jobs.prune(far).await, "prune");
    assert_eq!(pruned, 7, "what was sent goes: a1, b1 to b4, two of dee's");

    let a2 = note(&ada, "a2", clock.now());
    must(queue.enqueue(&[a2]).await, "enqueue a2");
    must(
        users
            .delete(
                ada.user.id,
                change(ada.user.id, AuditAction::Delete, vec![]),
            )
            .await,
        "delete ada",
    );
    assert!(
        claim(jobs, far, &lease(LONG)).await.is_empty(),
        "no mail for a deleted account"
    );
}
