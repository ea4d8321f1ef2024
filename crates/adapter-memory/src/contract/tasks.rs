//! The `TaskRepository` contract.

use super::*;

/// `TaskRepository`, with the team and user repositories of the same store around it.
pub async fn task_repository(
    tasks: &dyn TaskRepository,
    teams: &dyn TeamRepository,
    users: &dyn UserRepository,
) {
    use taskforge_domain::ids::{TaskId, TeamId};
    use taskforge_domain::tasks::query::Cursor;
    use taskforge_domain::tasks::*;
    use taskforge_domain::teams::{default_permissions, Role, Team, TeamDescription, TeamName};
    use taskforge_domain::write_path::Receipt;

    let people = registered(users, 3).await;
    let (owner, guest, outsider) = (&people[0], &people[1], &people[2]);
    let now = Utc::now().trunc_subsecs(6);
    let mut team_ids = Vec::new();
    for name in ["Alpha", "Beta"] {
        let team = Team {
            id: TeamId::new(),
            name: must(TeamName::parse("name", name), "name"),
            description: TeamDescription::default(),
            created_by: owner.id,
            created_at: now,
        };
        must(
            teams
                .create(
                    &team,
                    owner.id,
                    &default_permissions(),
                    team_change(team.id, AuditAction::Create),
                )
                .await,
            "team",
        );
        team_ids.push(team.id);
    }
    let (alpha, beta) = (team_ids[0], team_ids[1]);
    must(
        teams
            .add_member(
                alpha,
                guest.id,
                Role::Guest,
                now,
                team_change(alpha, AuditAction::Create),
            )
            .await,
        "guest",
    );

    let make = |i: i64,
                team: TeamId,
                title: &str,
                status: Status,
                priority: Priority,
                tags: &[&str]| {
        Task {
            task_id: TaskId::new(),
            team_id: team,
            title: must(TaskTitle::parse("title", title), "title"),
            description: must(
                Description::parse("d", format!("description number{i}")),
                "description",
            ),
            status,
            priority,
            assignee_id: (i % 2 == 0).then_some(owner.id),
            creator_id: owner.id,
            due_date: (i != 3).then(|| now + chrono::TimeDelta::days(i)),
            tags: must(
                Tags::parse("tags", tags.iter().map(ToString::to_string).collect()),
                "tags",
            ),
            custom_fields: must(
                CustomFields::parse(
                    "customFields",
                    serde_json::json!({ "points": i, "big": i64::MAX, "ratio": 0.5, "who": ["a", null] }),
                ),
                "custom fields",
            ),
            attachments: vec![],
            version: 1,
            metadata: taskforge_domain::tasks::model::TaskMetadata {
                created: now + chrono::TimeDelta::seconds(i),
                updated: now + chrono::TimeDelta::seconds(10 - i),
            },
        }
    };
    let specs = [
        (
            0,
            alpha,
            "Write the parser",
            Status::Todo,
            Priority::High,
            vec!["rust", "parser"],
        ),
        (
            1,
            alpha,
            "Review engine design",
            Status::InReview,
            Priority::Urgent,
            vec!["design"],
        ),
        (
            2,
            alpha,
            "Fix the parser crash",
            Status::Done,
            Priority::Low,
            vec!["rust", "bug"],
        ),
        (
            3,
            alpha,
            "Plan the release",
            Status::Backlog,
            Priority::Medium,
            vec![],
        ),
        (
            4,
            beta,
            "Beta launch",
            Status::Todo,
            Priority::High,
            vec!["rust"],
        ),
    ];
    let mut made = Vec::new();
    for (i, team, title, status, priority, tags) in specs {
        let task = make(i, team, title, status, priority, &tags);
        let task_change = |t: &Task, a| {
            let audit = audit(AuditEntityType::Task, t.task_id.as_uuid(), a, None);
            let task = Aggregate::entity(Scope::Team(t.team_id), "task", t.task_id.as_uuid());
            Change::new(task, audit, vec![])
        };
        must(
            tasks
                .create(&task, task_change(&task, AuditAction::Create))
                .await,
            "create task",
        );
        made.push((task, task_change));
    }
    let ids: Vec<TaskId> = made.iter().map(|(t, _)| t.task_id).collect();
    let (first, change_of) = (&made[0].0, made[0].1);

    assert_eq!(
        must(tasks.get(first.task_id).await, "get"),
        Some(first.clone()),
        "every field comes back as it went in"
    );
    let mut stranger = first.clone();
    stranger.task_id = TaskId::new();
    stranger.assignee_id = Some(outsider.id);
    let refused = tasks
        .create(&stranger, change_of(&stranger, AuditAction::Create))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "an outsider cannot be assigned: {refused:?}"
    );

    let patch =
        |patch: TaskPatch, if_match| TaskEdit::patch(patch, if_match, Actor::default(), now);
    let status = |status| TaskPatch {
        status: Some(status),
        ..TaskPatch::default()
    };
    let stale = tasks
        .modify(first.task_id, &patch(status(Status::Done), Some(5)))
        .await;
    assert!(matches!(stale, Err(StoreError::StaleVersion)), "{stale:?}");
    let stranger = TaskPatch {
        assignee_id: Some(Some(outsider.id)),
        ..TaskPatch::default()
    };
    let refused = tasks.modify(first.task_id, &patch(stranger, None)).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(
        must(tasks.get(first.task_id).await, "get"),
        Some(first.clone()),
        "a refused edit writes nothing"
    );
    let (next, receipt) = must(
        tasks
            .modify(first.task_id, &patch(status(Status::InProgress), Some(1)))
            .await,
        "modify",
    );
    assert_eq!((next.version, next.status), (2, Status::InProgress));
    assert_eq!(
        receipt.rows.len(),
        2,
        "the change's document and cache rows"
    );
    let renamed = TaskPatch {
        title: Some(must(TaskTitle::parse("title", "Write the lexer"), "title")),
        ..TaskPatch::default()
    };
    let (next, _) = must(
        tasks.modify(first.task_id, &patch(renamed, None)).await,
        "modify",
    );
    assert_eq!(
        (next.version, next.status, next.title.as_str()),
        (3, Status::InProgress, "Write the lexer"),
        "an edit applies to the task as stored"
    );
    assert_eq!(
        must(tasks.get(first.task_id).await, "get"),
        Some(next.clone())
    );
    let gone = tasks
        .modify(TaskId::new(), &patch(status(Status::Done), None))
        .await;
    assert!(matches!(gone, Err(StoreError::NotFound)), "{gone:?}");

    let list = |q: TaskQuery| async move {
        must(
            tasks.list(owner.id, &TaskQuery { limit: 100, ..q }).await,
            "list",
        )
        .into_iter()
        .map(|(t, _)| t.task_id)
        .collect::<Vec<TaskId>>()
    };
    let of = |which: &[usize]| which.iter().map(|&i| ids[i]).collect::<Vec<_>>();
    assert_eq!(
        list(TaskQuery::default()).await,
        of(&[4, 3, 2, 1, 0]),
        "newest first by default"
    );
    assert_eq!(
        list(TaskQuery {
            team: Some(beta),
            ..Default::default()
        })
        .await,
        of(&[4])
    );
    assert_eq!(
        list(TaskQuery {
            statuses: vec![Status::InProgress, Status::Done],
            ..Default::default()
        })
        .await,
        of(&[2, 0])
    );
    assert_eq!(
        list(TaskQuery {
            priorities: vec![Priority::High],
            ..Default::default()
        })
        .await,
        of(&[4, 0])
    );
    assert_eq!(
        list(TaskQuery {
            assignee: Some(owner.id),
            ..Default::default()
        })
        .await,
        of(&[4, 2, 0])
    );
    assert_eq!(
        list(TaskQuery {
            tags: vec!["rust".into(), "bug".into()],
            ..Default::default()
        })
        .await,
        of(&[2])
    );
    let cut = now + chrono::TimeDelta::hours(36);
    assert_eq!(
        list(TaskQuery {
            due_before: Some(cut),
            ..Default::default()
        })
        .await,
        of(&[1, 0])
    );
    assert_eq!(
        list(TaskQuery {
            due_after: Some(cut),
            ..Default::default()
        })
        .await,
        of(&[4, 2])
    );
    assert_eq!(
        list(TaskQuery {
            text: Some("parser".into()),
            ..Default::default()
        })
        .await,
        of(&[2, 0])
    );
    assert_eq!(
        list(TaskQuery {
            text: Some("number3".into()),
            ..Default::default()
        })
        .await,
        of(&[3]),
        "descriptions are searched"
    );
    assert_eq!(
        list(TaskQuery {
            text: Some("design".into()),
            ..Default::default()
        })
        .await,
        of(&[1]),
        "so are tags"
    );
    let sorted = |field, descending| TaskQuery {
        sort: TaskSort { field, descending },
        ..Default::default()
    };
    assert_eq!(
        list(sorted(SortField::Due, false)).await,
        of(&[0, 1, 2, 4, 3]),
        "no due date sorts last"
    );
    assert_eq!(
        list(sorted(SortField::Due, true)).await,
        of(&[4, 2, 1, 0, 3]),
        "either way"
    );
    assert_eq!(
        list(sorted(SortField::Priority, true)).await[0],
        ids[1],
        "urgent first"
    );
    assert_eq!(
        list(sorted(SortField::Updated, true)).await[0],
        ids[0],
        "the updated one"
    );

    for sort in [
        sorted(SortField::Created, true),
        sorted(SortField::Due, false),
        sorted(SortField::Priority, false),
    ] {
        let mut seen = Vec::new();
        let mut after: Option<Cursor> = None;
        loop {
            let page = must(
                tasks
                    .list(
                        owner.id,
                        &TaskQuery {
                            limit: 2,
                            after: after.clone(),
                            ..sort.clone()
                        },
                    )
                    .await,
                "page",
            );
            if page.is_empty() {
                break;
            }
            after = page.last().map(|(_, c)| c.clone());
            seen.extend(page.into_iter().map(|(t, _)| t.task_id));
        }
        assert_eq!(
            seen,
            list(sort.clone()).await,
            "pages of 2 walk the whole list once: {:?}",
            sort.sort
        );
    }
    let guest_sees = must(
        tasks
            .list(
                guest.id,
                &TaskQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await,
        "guest",
    )
    .len();
    assert_eq!(guest_sees, 4, "a guest reads their team's tasks only");
    assert!(must(
        tasks
            .list(
                outsider.id,
                &TaskQuery {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await,
        "outsider"
    )
    .is_empty());

    let history = must(tasks.history(first.task_id, None, 10).await, "history");
    assert_eq!(
        history.iter().map(|h| h.action).collect::<Vec<_>>(),
        vec![
            AuditAction::Update,
            AuditAction::StatusChange,
            AuditAction::Create
        ]
    );
    let older = must(
        tasks.history(first.task_id, Some(history[0].id), 10).await,
        "older",
    );
    assert_eq!(
        older.iter().map(|h| h.action).collect::<Vec<_>>(),
        vec![AuditAction::StatusChange, AuditAction::Create]
    );

    // The owner's tasks in Alpha (0 and 2) are edited in one commit, or none is.
    let versions = || async {
        let mut found = Vec::new();
        for i in [0, 2, 4] {
            let task = must(tasks.get(ids[i]).await, "get");
            found.push(task.map(|t| (t.version, t.assignee_id)));
        }
        found
    };
    let before = versions().await;
    let first_only = patch(status(Status::Done), Some(next.version));
    let refused = tasks.modify_assigned(alpha, owner.id, &first_only).await;
    assert!(
        matches!(refused, Err(StoreError::StaleVersion)),
        "{refused:?}"
    );
    assert_eq!(
        versions().await,
        before,
        "task 2 refused it: nothing written"
    );
    let unassign = TaskEdit::unassign(Actor::default(), now);
    let receipt = must(
        tasks.modify_assigned(alpha, owner.id, &unassign).await,
        "unassign",
    );
    assert_eq!(receipt.rows.len(), 4, "one commit: both tasks' rows");
    assert_eq!(
        versions().await,
        vec![Some((4, None)), Some((2, None)), Some((1, Some(owner.id)))],
        "Beta's task keeps its assignee"
    );
    let none = must(
        tasks.modify_assigned(alpha, owner.id, &unassign).await,
        "unassign again",
    );
    assert_eq!(none, Receipt::default(), "nothing left to edit");

    let scanned = must(tasks.scan(None, 1000).await, "scan");
    assert!(ids
        .iter()
        .all(|id| scanned.iter().any(|t| t.task_id == *id)));
    must(
        tasks
            .delete(first.task_id, change_of(first, AuditAction::Delete))
            .await,
        "delete",
    );
    assert_eq!(must(tasks.get(first.task_id).await, "get"), None);
    let again = tasks
        .delete(first.task_id, change_of(first, AuditAction::Delete))
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    must(
        teams
            .delete(beta, team_change(beta, AuditAction::Delete))
            .await,
        "delete team",
    );
    assert_eq!(
        must(tasks.get(ids[4]).await, "get"),
        None,
        "a team's tasks go with it"
    );
}
