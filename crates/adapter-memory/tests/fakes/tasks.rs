//! The task and team use cases on the fakes: permissions, changes while MongoDB is down, a
//! team's deletion ordered after its tasks' projections, and reconcile.

use taskforge_adapter_memory::FakeWorld;
use taskforge_domain::identity::{RegisterInput, User};
use taskforge_domain::ids::TeamId;
use taskforge_domain::tasks::{
    CustomFields, Description, NewTask, Priority, Status, Tags, TaskDocuments, TaskPatch,
    TaskQuery, TaskTitle,
};
use taskforge_domain::teams::{Requirement, Role, TeamDescription, TeamName};
use taskforge_domain::write_path::{Actor, Outbox};
use taskforge_domain::Error;

async fn world() -> FakeWorld {
    FakeWorld::new().await.unwrap_or_else(|e| panic!("{e}"))
}

async fn user(w: &FakeWorld, email: &str) -> Result<User, Error> {
    let input = RegisterInput {
        email: email.into(),
        password: "correct horse".into(),
        first_name: "Ada".into(),
        last_name: "L".into(),
    };
    w.auth.register(input, &Actor::default()).await
}

async fn team(w: &FakeWorld, admin: &User) -> Result<TeamId, Error> {
    let name = TeamName::parse("name", "Engine")?;
    let about = TeamDescription::parse("description", String::new())?;
    let view = w
        .teams
        .create(admin.id, name, about, &Actor::default())
        .await?;
    Ok(view.team.id)
}

fn new_task(team: TeamId, title: &str) -> Result<NewTask, Error> {
    Ok(NewTask {
        team,
        title: TaskTitle::parse("title", title)?,
        description: Description::parse("description", "what to do".into())?,
        status: Status::Todo,
        priority: Priority::High,
        assignee: None,
        due_date: None,
        tags: Tags::parse("tags", vec!["ops".into()])?,
        custom_fields: CustomFields::parse("customFields", serde_json::json!({ "points": 3 }))?,
    })
}

#[tokio::test]
async fn guests_read_members_change_and_outsiders_see_nothing() -> Result<(), Error> {
    let w = world().await;
    let (admin, guest, outsider) = (
        user(&w, "admin@example.com").await?,
        user(&w, "guest@example.com").await?,
        user(&w, "outsider@example.com").await?,
    );
    let team = team(&w, &admin).await?;
    let access = w
        .teams
        .authorize(admin.id, team, Requirement::Member)
        .await?;
    w.teams
        .add_member(&access, &guest.email, Role::Guest, &Actor::default())
        .await?;
    let task = w
        .tasks
        .create(admin.id, new_task(team, "first")?, &Actor::default(), None)
        .await?;
    assert_eq!(w.tasks.get(guest.id, task.task_id).await?, task);
    let patch = TaskPatch {
        status: Some(Status::Done),
        ..TaskPatch::default()
    };
    let refused = w
        .tasks
        .patch(guest.id, task.task_id, &patch, None, &Actor::default())
        .await;
    assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    assert!(matches!(
        w.tasks.get(outsider.id, task.task_id).await,
        Err(Error::NotFound)
    ));
    let stale = w
        .tasks
        .patch(admin.id, task.task_id, &patch, Some(7), &Actor::default())
        .await;
    assert!(matches!(stale, Err(Error::PreconditionFailed)));
    let done = w
        .tasks
        .patch(admin.id, task.task_id, &patch, Some(1), &Actor::default())
        .await?;
    assert_eq!((done.version, done.status), (2, Status::Done));
    Ok(())
}

#[tokio::test]
async fn with_mongodb_down_tasks_are_listed_changed_and_read_from_postgresql() -> Result<(), Error>
{
    let w = world().await;
    let admin = user(&w, "down@example.com").await?;
    let team = team(&w, &admin).await?;
    let task = w
        .tasks
        .create(admin.id, new_task(team, "before")?, &Actor::default(), None)
        .await?;
    w.task_docs.set_down(true);
    let query = TaskQuery {
        limit: 20,
        ..TaskQuery::default()
    };
    let (listed, _) = w.tasks.list(admin.id, query).await?;
    assert_eq!(listed, vec![task.clone()]);
    let patch = TaskPatch {
        title: Some(TaskTitle::parse("title", "during")?),
        ..TaskPatch::default()
    };
    let patched = w
        .tasks
        .patch(admin.id, task.task_id, &patch, None, &Actor::default())
        .await?;
    assert_eq!(
        patched.description, task.description,
        "untouched fields kept"
    );
    assert_eq!(w.tasks.get(admin.id, task.task_id).await?, patched);
    assert_eq!(w.db.pending_count().await?, 1, "its projection waits");
    w.task_docs.set_down(false);
    w.write_path.relay_once(10).await?;
    // The failed row waits out its backoff; a fast path of the same task takes it at once.
    w.tasks
        .delete(admin.id, task.task_id, &Actor::default())
        .await?;
    assert_eq!(w.db.pending_count().await?, 0);
    assert_eq!(w.task_docs.get(task.task_id).await?, None);
    Ok(())
}

#[tokio::test]
async fn reconcile_restores_documents_from_postgresql() -> Result<(), Error> {
    let w = world().await;
    let admin = user(&w, "reconcile@example.com").await?;
    let team = team(&w, &admin).await?;
    let task = w
        .tasks
        .create(admin.id, new_task(team, "lost")?, &Actor::default(), None)
        .await?;
    w.task_docs.delete(task.task_id).await?;
    let report = w.reconciler.run().await?;
    assert_eq!((report.documents_restored, report.drift()), (1, 1));
    assert_eq!(w.task_docs.get(task.task_id).await?, Some(task));
    assert_eq!(w.reconciler.run().await?.drift(), 0);
    Ok(())
}

/// Team checks answer from the access cache, which every membership or permission change
/// drops before it returns; with the cache down they answer from the repository.
#[tokio::test]
async fn team_checks_follow_every_change_at_once_with_or_without_the_cache() -> Result<(), Error> {
    use taskforge_domain::cache::Lookup;
    use taskforge_domain::teams::{AccessCache, Permission};
    let w = world().await;
    let (admin, ada) = (
        user(&w, "admin@example.com").await?,
        user(&w, "ada@example.com").await?,
    );
    let team = team(&w, &admin).await?;
    let access = w
        .teams
        .authorize(admin.id, team, Requirement::Member)
        .await?;
    let probe = w.teams.authorize(ada.id, team, Requirement::Member).await;
    assert!(matches!(probe, Err(Error::NotFound)), "{probe:?}");
    w.teams
        .add_member(&access, &ada.email, Role::Member, &Actor::default())
        .await?;
    let update = Requirement::Permission(Permission::TaskUpdate);
    w.teams.authorize(ada.id, team, update).await?;
    let cached = w.access_cache.get(team, ada.id).await;
    assert!(
        matches!(&cached, Ok(Lookup::Hit(s)) if s.role == Some(Role::Member)),
        "the add dropped the outsider's entry, and the check filled it anew: {cached:?}"
    );

    w.teams
        .change_role(&access, ada.id, Role::Guest, &Actor::default())
        .await?;
    let demoted = w.teams.authorize(ada.id, team, update).await;
    assert!(matches!(demoted, Err(Error::Forbidden)), "{demoted:?}");

    let granted = [Permission::TaskRead, Permission::TaskUpdate].into();
    w.teams
        .set_permissions(&access, Role::Guest, granted, &Actor::default())
        .await?;
    w.teams.authorize(ada.id, team, update).await?;

    w.access_cache.set_down(true);
    w.teams.authorize(ada.id, team, update).await?;
    w.access_cache.set_down(false);
    let unknown = TeamId::new();
    let outsider = w.teams.authorize(ada.id, unknown, update).await;
    assert!(matches!(outsider, Err(Error::NotFound)), "{outsider:?}");
    assert!(
        matches!(
            w.access_cache.get(unknown, ada.id).await,
            Ok(Lookup::Miss(_))
        ),
        "a team id that does not exist leaves nothing in the cache"
    );
    w.access_cache.set_down(true);
    // A change the cache cannot take is not acknowledged as if it had been.
    let removal = w
        .tasks
        .remove_member(&access, ada.id, &Actor::default())
        .await;
    assert!(
        matches!(removal, Err(Error::Unavailable { .. })),
        "{removal:?}"
    );
    // The relay retries the refresh (after its backoff) once the cache is back.
    w.access_cache.set_down(false);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        w.write_path.relay_once(100).await?;
        let removed = w.teams.authorize(ada.id, team, Requirement::Member).await;
        if matches!(removed, Err(Error::NotFound)) {
            return Ok(());
        }
        assert!(std::time::Instant::now() < deadline, "{removed:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_assignment_notifies_the_assignee_once_and_a_deletion_takes_it_back() -> Result<(), Error>
{
    use taskforge_domain::notifications::{NotificationKind, NotificationStore};
    let w = world().await;
    let (admin, ada) = (
        user(&w, "boss@example.com").await?,
        user(&w, "ada@example.com").await?,
    );
    let team = team(&w, &admin).await?;
    let access = w
        .teams
        .authorize(admin.id, team, Requirement::Member)
        .await?;
    w.teams
        .add_member(&access, &ada.email, Role::Member, &Actor::default())
        .await?;
    let actor = Actor {
        user_id: Some(admin.id),
        ..Actor::default()
    };
    let mut new = new_task(team, "assigned")?;
    new.assignee = Some(ada.id);
    let task = w.tasks.create(admin.id, new, &actor, None).await?;
    let page = w.notifications.page(ada.id, false, None, 10).await?;
    assert_eq!(
        page.iter()
            .map(|n| (n.kind, n.data.task_id))
            .collect::<Vec<_>>(),
        vec![(NotificationKind::TaskAssigned, task.task_id)]
    );
    assert!(w
        .notifications
        .page(admin.id, false, None, 10)
        .await?
        .is_empty());
    w.tasks.delete(admin.id, task.task_id, &actor).await?;
    assert!(w
        .notifications
        .page(ada.id, false, None, 10)
        .await?
        .is_empty());
    Ok(())
}
