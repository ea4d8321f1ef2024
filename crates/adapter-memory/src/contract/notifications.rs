//! The `NotificationStore`, `UnreadCounter`, `LiveFeed`, `Presence`, `Audience` and
//! `ReminderRepository` contracts.

use super::*;
use chrono::TimeDelta;
use futures::StreamExt;
use taskforge_domain::ids::{NotificationId, TaskId};
use taskforge_domain::notifications::{
    Audience, Channel, Erase, FollowLevel, LiveFeed, Marked, Notification, NotificationCursor,
    NotificationData, NotificationKind, NotificationStore, Presence, ReminderRepository, Threshold,
    UnreadCounter,
};
use taskforge_domain::tasks::Status;
use taskforge_domain::teams::{default_permissions, Role, Team, TeamDescription, TeamName};

fn data(team: TeamId, task: TaskId) -> NotificationData {
    NotificationData {
        team_id: team,
        task_id: task,
        task_title: "Plan the launch".into(),
        actor_id: Some(UserId::new()),
        entity_type: AuditEntityType::Task,
        entity_id: task.as_uuid(),
        action: Some(AuditAction::Assign),
        status: None,
        previous_status: None,
        due_date: None,
        excerpt: Some("a <b>bold</b> line".into()),
    }
}

/// A notification of `user` about `task`, made `age` seconds ago (ms precision: MongoDB's).
fn notification(user: UserId, team: TeamId, task: TaskId, age: i64) -> Notification {
    let at = Utc::now().trunc_subsecs(3) - TimeDelta::seconds(age);
    Notification::derived(
        &Uuid::new_v4().to_string(),
        user,
        NotificationKind::TaskAssigned,
        data(team, task),
        at,
    )
}

fn ids(list: &[Notification]) -> Vec<NotificationId> {
    list.iter().map(|n| n.notification_id).collect()
}

pub async fn notification_store(store: &dyn NotificationStore) {
    let (ada, bob) = (UserId::new(), UserId::new());
    let (team, task, other_task) = (TeamId::new(), TaskId::new(), TaskId::new());
    let now = Utc::now().trunc_subsecs(3);
    let batch: Vec<Notification> = (0..5)
        .map(|i| notification(ada, team, if i == 0 { other_task } else { task }, 50 - i))
        .collect();
    let fresh = must(store.insert(&batch, now).await, "insert");
    assert_eq!(fresh, ids(&batch), "a new batch is stored whole");
    let bobs = notification(bob, team, task, 1);
    let again = must(
        store.insert(&[batch[0].clone(), bobs.clone()], now).await,
        "insert again",
    );
    assert_eq!(
        again,
        vec![bobs.notification_id],
        "a stored one is kept once"
    );

    let newest_first: Vec<NotificationId> = ids(&batch).into_iter().rev().collect();
    let first = must(store.page(ada, false, None, 3).await, "page");
    assert_eq!(ids(&first), newest_first[..3], "newest first");
    assert_eq!(first[0], batch[4], "stored as given");
    let cursor = NotificationCursor {
        id: first[2].notification_id,
    };
    let rest = must(store.page(ada, false, Some(cursor), 3).await, "next page");
    assert_eq!(ids(&rest), newest_first[3..]);

    assert_eq!(must(store.count_unread(ada).await, "count"), 5);
    let read = batch[1].notification_id;
    assert_eq!(must(store.mark_read(ada, read).await, "read"), Marked::Now);
    assert_eq!(
        must(store.mark_read(ada, read).await, "read"),
        Marked::Already
    );
    assert!(matches!(
        store.mark_read(bob, read).await,
        Err(StoreError::NotFound)
    ));
    let unread = must(store.page(ada, true, None, 10).await, "unread");
    assert!(!ids(&unread).contains(&read));
    assert_eq!(unread.len(), 4);
    assert_eq!(must(store.count_unread(ada).await, "count"), 4);

    // Replay: what was stored after the last delivered one, in storage order.
    let later = notification(ada, team, task, 100);
    must(
        store
            .insert(std::slice::from_ref(&later), now + TimeDelta::seconds(1))
            .await,
        "a late one",
    );
    let missed = must(
        store.stored_after(ada, batch[4].notification_id, 10).await,
        "replay",
    );
    assert_eq!(
        ids(&missed),
        vec![later.notification_id],
        "stored after, however old its change"
    );
    let from_second = must(
        store.stored_after(ada, batch[1].notification_id, 10).await,
        "replay",
    );
    assert_eq!(
        ids(&from_second),
        [&ids(&batch)[2..], &[later.notification_id]].concat(),
        "same storage time: by id"
    );

    assert_eq!(must(store.mark_all_read(ada).await, "read all"), 5);
    assert_eq!(must(store.count_unread(ada).await, "count"), 0);
    assert_eq!(must(store.count_unread(bob).await, "count"), 1);

    assert_eq!(
        must(store.erase(Erase::Task(task)).await, "erase task"),
        vec![bob],
        "the users whose unread ones went"
    );
    let left = must(store.page(ada, false, None, 10).await, "left");
    assert_eq!(ids(&left), vec![batch[0].notification_id]);
    must(store.erase(Erase::Team(team)).await, "erase team");
    assert!(must(store.page(ada, false, None, 10).await, "none").is_empty());

    let old = notification(ada, team, task, 3600);
    let young = notification(ada, team, task, 10);
    must(
        store.insert(&[old.clone(), young.clone()], now).await,
        "insert",
    );
    must(
        store
            .erase(Erase::CreatedBefore(now - TimeDelta::seconds(60)))
            .await,
        "retention",
    );
    assert_eq!(
        ids(&must(store.page(ada, false, None, 10).await, "kept")),
        vec![young.notification_id]
    );
    assert_eq!(
        must(store.erase(Erase::User(ada)).await, "erase user"),
        vec![ada]
    );
    assert_eq!(must(store.count_unread(ada).await, "count"), 0);
}

pub async fn unread_counter(counter: &dyn UnreadCounter) {
    let ada = UserId::new();
    assert_eq!(must(counter.get(ada).await, "get"), None);
    must(counter.add(ada, 1).await, "add to a missing one");
    assert_eq!(
        must(counter.get(ada).await, "get"),
        None,
        "a missing counter stays missing"
    );
    must(counter.fill(ada, 3).await, "fill");
    must(counter.fill(ada, 9).await, "fill again");
    assert_eq!(
        must(counter.get(ada).await, "get"),
        Some(3),
        "a present one is newer"
    );
    must(counter.add(ada, 2).await, "add");
    must(counter.add(ada, -10).await, "subtract");
    assert_eq!(
        must(counter.get(ada).await, "get"),
        Some(0),
        "never below zero"
    );
    must(counter.forget(&[ada, UserId::new()]).await, "forget");
    assert_eq!(must(counter.get(ada).await, "get"), None);
}

pub async fn live_feed(feed: &dyn LiveFeed) {
    let (ada, bob) = (UserId::new(), UserId::new());
    let mut adas = must(feed.subscribe(Channel::User(ada)).await, "subscribe");
    let mut again = must(feed.subscribe(Channel::User(ada)).await, "subscribe");
    let mut bobs = must(feed.subscribe(Channel::User(bob)).await, "subscribe");
    for message in ["one", "two"] {
        must(
            feed.publish(Channel::User(ada), message.into()).await,
            "publish",
        );
    }
    must(
        feed.publish(Channel::Team(TeamId::new()), "elsewhere".into())
            .await,
        "publish",
    );
    must(
        feed.publish(Channel::User(bob), "bob's".into()).await,
        "publish",
    );
    assert_eq!(next(&mut adas).await, "one");
    assert_eq!(next(&mut adas).await, "two", "in order");
    assert_eq!(next(&mut again).await, "one", "every subscriber");
    assert_eq!(next(&mut bobs).await, "bob's", "only its channel");
}

async fn next(messages: &mut futures::stream::BoxStream<'static, String>) -> String {
    match at_most_five_seconds(messages.next()).await {
        Some(Some(m)) => m,
        other => panic!("no message: {other:?}"),
    }
}

/// Waits for `f` at most five seconds without a runtime's timer (the fakes have none): by
/// racing it against a thread that sleeps.
async fn at_most_five_seconds<T>(f: impl std::future::Future<Output = T>) -> Option<T> {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(5));
        let _ = tx.send(());
    });
    futures::pin_mut!(f);
    match futures::future::select(f, rx).await {
        futures::future::Either::Left((v, _)) => Some(v),
        futures::future::Either::Right(_) => None,
    }
}

pub async fn presence(presence: &dyn Presence) {
    let team = TeamId::new();
    let (ada, bob) = (UserId::new(), UserId::new());
    let long = Duration::from_secs(60);
    let sorted = |mut v: Vec<UserId>| {
        v.sort();
        v
    };
    assert_eq!(
        must(presence.touch(team, "board", ada, long).await, "touch"),
        vec![ada]
    );
    assert_eq!(
        sorted(must(
            presence.touch(team, "board", bob, long).await,
            "touch"
        )),
        sorted(vec![ada, bob])
    );
    assert_eq!(
        must(
            presence.touch(team, "task:x", ada, long).await,
            "other view"
        ),
        vec![ada]
    );
    assert_eq!(
        must(presence.leave(team, "board", bob).await, "leave"),
        vec![ada]
    );
    must(
        presence
            .touch(team, "board", bob, Duration::from_millis(1))
            .await,
        "a short stay",
    );
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        must(presence.touch(team, "board", ada, long).await, "renew"),
        vec![ada],
        "an expired viewer is gone"
    );
}

/// `teams` holds memberships; `audience` answers from the same store.
pub async fn audience(
    users: &dyn UserRepository,
    teams: &dyn TeamRepository,
    audience: &dyn Audience,
) {
    let people = registered(users, 4).await;
    let [owner, watcher, muted, outsider] = [0, 1, 2, 3].map(|i| people[i].id);
    let now = Utc::now().trunc_subsecs(6);
    let team = Team {
        id: TeamId::new(),
        name: must(TeamName::parse("name", "Audience"), "name"),
        description: TeamDescription::default(),
        created_by: owner,
        created_at: now,
    };
    let team_change = |user: UserId| {
        Change::new(
            Aggregate::entity(Scope::Team(team.id), "membership", user.as_uuid()),
            audit(
                AuditEntityType::Membership,
                user.as_uuid(),
                AuditAction::Update,
                Some(owner),
            ),
            vec![],
        )
    };
    must(
        teams
            .create(&team, owner, &default_permissions(), team_change(owner))
            .await,
        "team",
    );
    for user in [watcher, muted] {
        must(
            teams
                .add_member(team.id, user, Role::Member, now, team_change(user))
                .await,
            "member",
        );
    }
    let set = |user, level| teams.set_follow_level(team.id, user, level, team_change(user));
    must(set(watcher, FollowLevel::Watch).await, "watch");
    must(set(muted, FollowLevel::Mute).await, "mute");
    assert!(matches!(
        set(outsider, FollowLevel::Watch).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        must(teams.follow_level(team.id, muted).await, "level"),
        Some(FollowLevel::Mute)
    );
    assert_eq!(
        must(teams.follow_level(team.id, owner).await, "level"),
        Some(FollowLevel::Default)
    );
    assert_eq!(
        must(teams.follow_level(team.id, outsider).await, "level"),
        None
    );

    let mut found = must(
        audience.audience(team.id, &[owner, muted, outsider]).await,
        "audience",
    );
    found.sort_by_key(|f| f.user);
    let mut expected = vec![
        (owner, FollowLevel::Default),
        (watcher, FollowLevel::Watch),
        (muted, FollowLevel::Mute),
    ];
    expected.sort_by_key(|(user, _)| *user);
    assert_eq!(
        found.iter().map(|f| (f.user, f.level)).collect::<Vec<_>>(),
        expected,
        "members among the concerned, and every watcher; never an outsider"
    );
}

/// `ReminderRepository`: reminders arm once per task, threshold and due date, only for
/// assigned, unfinished tasks, and go with their task.
pub async fn reminders(
    users: &dyn UserRepository,
    teams: &dyn TeamRepository,
    tasks: &dyn TaskRepository,
    reminders: &dyn ReminderRepository,
) {
    let owner = registered(users, 1).await[0].id;
    let now = Utc::now().trunc_subsecs(6);
    let hours = |h: i64| now + TimeDelta::hours(h);
    let task = |due: i64, assigned: bool, status: Status| {
        super::comments::a_task(teams, tasks, owner, move |t| {
            t.due_date = Some(hours(due));
            t.assignee_id = assigned.then_some(owner);
            t.status = status;
        })
    };
    let soon = task(2, true, Status::Todo).await;
    let overdue = task(-1, true, Status::InProgress).await;
    task(72, true, Status::Todo).await;
    task(1, false, Status::Todo).await;
    task(1, true, Status::Done).await;

    let window = Duration::from_secs(24 * 3600);
    assert_eq!(must(reminders.arm(now, window).await, "arm"), 2);
    assert_eq!(
        must(reminders.arm(now, window).await, "again"),
        0,
        "once each"
    );
    let mut pending = must(reminders.undelivered(10).await, "pending");
    pending.sort_by_key(|r| r.due_date);
    let expected = [
        (overdue.task_id, Threshold::Overdue, hours(-1)),
        (soon.task_id, Threshold::DueSoon, hours(2)),
    ];
    assert_eq!(
        pending
            .iter()
            .map(|r| (r.task_id, r.threshold, r.due_date))
            .collect::<Vec<_>>(),
        expected
    );
    assert!(pending.iter().all(|r| r.armed_at == now));

    must(reminders.delivered(&pending[..1]).await, "delivered");
    let left = must(reminders.undelivered(10).await, "left");
    assert_eq!(
        left.iter().map(|r| r.task_id).collect::<Vec<_>>(),
        vec![soon.task_id]
    );

    // Later the task due soon is overdue: a reminder of its own.
    assert_eq!(must(reminders.arm(hours(3), window).await, "later"), 1);
    let change = change_of(
        Aggregate::entity(Scope::Team(soon.team_id), "task", soon.task_id.as_uuid()),
        owner,
        AuditAction::Delete,
        vec![],
    );
    must(tasks.delete(soon.task_id, change).await, "delete");
    assert!(
        must(reminders.undelivered(10).await, "after delete").is_empty(),
        "a deleted task's reminders go with it"
    );
}
