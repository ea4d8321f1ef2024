//! The `CommentRepository` and `CommentDocuments` contracts.

use super::*;
use chrono::{DateTime, TimeZone};
use taskforge_domain::comments::{
    Comment, CommentContent, CommentCursor, CommentDocuments, CommentRepository,
};
use taskforge_domain::ids::{CommentId, TaskId};
use taskforge_domain::tasks::{Task, TaskTitle};
use taskforge_domain::teams::{default_permissions, Team, TeamDescription, TeamName};

pub(super) fn comment(task: &Task, author: UserId, text: &str, created: DateTime<Utc>) -> Comment {
    Comment {
        comment_id: CommentId::new(),
        task_id: task.task_id,
        team_id: task.team_id,
        author_id: author,
        content: must(CommentContent::parse("content", text.into()), "content"),
        mentioned_users: vec![author],
        created,
        last_edited_at: None,
        version: 1,
    }
}

pub(super) fn comment_change(c: &Comment, action: AuditAction) -> Change {
    let aggregate = Aggregate::entity(Scope::Team(c.team_id), "comment", c.comment_id.as_uuid());
    let draft = audit(
        AuditEntityType::Comment,
        c.comment_id.as_uuid(),
        action,
        Some(c.author_id),
    );
    Change::new(aggregate, draft, vec![])
}

/// A team of `owner` with one task (`shape` sets its fields), committed through the store's
/// repositories.
pub(super) async fn a_task(
    teams: &dyn TeamRepository,
    tasks: &dyn TaskRepository,
    owner: UserId,
    shape: impl FnOnce(&mut Task),
) -> Task {
    let now = Utc::now().trunc_subsecs(6);
    let team = Team {
        id: TeamId::new(),
        name: must(TeamName::parse("name", "Comments"), "name"),
        description: TeamDescription::default(),
        created_by: owner,
        created_at: now,
    };
    let permissions = default_permissions();
    let create = teams.create(
        &team,
        owner,
        &permissions,
        team_change(team.id, AuditAction::Create),
    );
    must(create.await, "team");
    let mut task = Task {
        task_id: TaskId::new(),
        team_id: team.id,
        title: must(TaskTitle::parse("title", "discussed"), "title"),
        description: Default::default(),
        status: Default::default(),
        priority: Default::default(),
        assignee_id: None,
        creator_id: owner,
        due_date: None,
        tags: Default::default(),
        custom_fields: Default::default(),
        attachments: vec![],
        version: 1,
        metadata: taskforge_domain::tasks::model::TaskMetadata {
            created: now,
            updated: now,
        },
    };
    shape(&mut task);
    let aggregate = Aggregate::entity(Scope::Team(team.id), "task", task.task_id.as_uuid());
    let change = change_of(aggregate, owner, AuditAction::Create, vec![]);
    must(tasks.create(&task, change).await, "task");
    task
}

/// `CommentRepository`: comments read back as stored, page oldest first, change only from the
/// version they were read at, and go with their task.
pub async fn comment_repository(
    users: &dyn UserRepository,
    teams: &dyn TeamRepository,
    tasks: &dyn TaskRepository,
    comments: &dyn CommentRepository,
) {
    let owner = registered(users, 1).await[0].id;
    let task = a_task(teams, tasks, owner, |_| {}).await;
    let start = Utc::now().trunc_subsecs(6);
    let written: Vec<Comment> = (0..3)
        .map(|i| {
            comment(
                &task,
                owner,
                &format!("note {i}"),
                start + chrono::TimeDelta::seconds(i),
            )
        })
        .collect();
    for c in written.iter().rev() {
        must(
            comments
                .create(c, comment_change(c, AuditAction::Create))
                .await,
            "create",
        );
    }
    assert_eq!(
        must(comments.get(written[0].comment_id).await, "get"),
        Some(written[0].clone()),
        "every field as stored"
    );
    let mut ids: Vec<CommentId> = written.iter().map(|c| c.comment_id).collect();
    ids.sort();
    let scanned = must(comments.scan(Some(ids[0]), 1).await, "scan");
    assert_eq!(
        scanned.iter().map(|c| c.comment_id).collect::<Vec<_>>(),
        vec![ids[1]],
        "a scan goes in id order, after the id given"
    );
    let first = must(comments.page(task.task_id, None, 2).await, "page");
    assert_eq!(first, written[..2].to_vec(), "oldest first");
    let rest = must(
        comments
            .page(task.task_id, Some(CommentCursor::of(&first[1])), 2)
            .await,
        "next page",
    );
    assert_eq!(rest, written[2..].to_vec());

    let mut edited = written[1].clone();
    edited.content = must(
        CommentContent::parse("content", "changed".into()),
        "content",
    );
    edited.last_edited_at = Some(start + chrono::TimeDelta::minutes(1));
    edited.version = 2;
    must(
        comments
            .update(&edited, comment_change(&edited, AuditAction::Update))
            .await,
        "update",
    );
    assert_eq!(
        must(comments.get(edited.comment_id).await, "get"),
        Some(edited.clone())
    );
    assert!(
        matches!(
            comments
                .update(&edited, comment_change(&edited, AuditAction::Update))
                .await,
            Err(StoreError::StaleVersion)
        ),
        "an edit from a version since changed is refused"
    );
    let gone = comment(&task, owner, "never stored", start);
    let change = comment_change(&gone, AuditAction::Update);
    assert!(matches!(
        comments.update(&gone, change).await,
        Err(StoreError::NotFound)
    ));

    let removal = comment_change(&written[0], AuditAction::Delete);
    must(
        comments.delete(written[0].comment_id, removal).await,
        "delete",
    );
    assert_eq!(must(comments.get(written[0].comment_id).await, "get"), None);
    let again = comment_change(&written[0], AuditAction::Delete);
    assert!(matches!(
        comments.delete(written[0].comment_id, again).await,
        Err(StoreError::NotFound)
    ));

    let orphan = Task {
        task_id: TaskId::new(),
        ..task.clone()
    };
    let stray = comment(&orphan, owner, "on nothing", start);
    let change = comment_change(&stray, AuditAction::Create);
    assert!(
        matches!(
            comments.create(&stray, change).await,
            Err(StoreError::NotFound)
        ),
        "a comment needs its task"
    );
    let delete = comment_change(&written[2], AuditAction::Delete);
    must(tasks.delete(task.task_id, delete).await, "delete the task");
    assert!(
        must(comments.page(task.task_id, None, 10).await, "page").is_empty(),
        "a task's comments go with it"
    );
}

/// `CommentDocuments`: every field comes back as put (times in milliseconds); versions only
/// move forward; a task's or a team's documents go together and no other's.
pub async fn comment_documents(store: &dyn CommentDocuments) {
    let at = match Utc.timestamp_millis_opt(1_767_225_600_123) {
        chrono::LocalResult::Single(at) => at,
        _ => panic!("a fixed instant"),
    };
    let author = UserId::new();
    let task = |team: TeamId| Task {
        task_id: TaskId::new(),
        team_id: team,
        title: TaskTitle::from_stored("t".into()),
        description: Default::default(),
        status: Default::default(),
        priority: Default::default(),
        assignee_id: None,
        creator_id: author,
        due_date: None,
        tags: Default::default(),
        custom_fields: Default::default(),
        attachments: vec![],
        version: 1,
        metadata: taskforge_domain::tasks::model::TaskMetadata {
            created: at,
            updated: at,
        },
    };
    let (team, other) = (TeamId::new(), TeamId::new());
    let (one, two, elsewhere) = (task(team), task(team), task(other));
    let mut first = comment(&one, author, "line one\nline two", at);
    must(store.put(&first).await, "put");
    assert_eq!(
        must(store.get(first.comment_id).await, "get"),
        Some(first.clone())
    );
    let older = first.clone();
    first.content = CommentContent::from_stored("edited".into());
    first.last_edited_at = Some(at + chrono::TimeDelta::milliseconds(5));
    first.version = 2;
    must(store.put(&first).await, "put v2");
    must(store.put(&older).await, "put older v1");
    assert_eq!(
        must(store.get(first.comment_id).await, "get"),
        Some(first.clone()),
        "an older version never overwrites"
    );

    let second = comment(&two, author, "on two", at);
    let third = comment(&elsewhere, author, "elsewhere", at);
    must(store.put(&second).await, "put");
    must(store.put(&third).await, "put");
    let ids = must(store.ids().await, "ids");
    for c in [&first, &second, &third] {
        assert!(ids.contains(&c.comment_id), "ids list every document");
    }
    must(store.delete_task(one.task_id).await, "delete task's");
    assert_eq!(must(store.get(first.comment_id).await, "get"), None);
    assert!(
        must(store.get(second.comment_id).await, "get").is_some(),
        "other tasks' stay"
    );
    must(store.delete_team(team).await, "delete team's");
    assert_eq!(must(store.get(second.comment_id).await, "get"), None);
    assert!(
        must(store.get(third.comment_id).await, "get").is_some(),
        "other teams' stay"
    );
    must(store.delete(third.comment_id).await, "delete");
    must(store.delete(third.comment_id).await, "delete again");
    assert_eq!(must(store.get(third.comment_id).await, "get"), None);
}
