//! The list query shapes keep their indexes: each shape's statement, built by the repository's
//! own code, is explained on 20,000 seeded tasks after `ANALYZE`, and must walk the index named
//! here (and never scan `tasks` whole).

use chrono::{Duration, Utc};
use serde_json::Value;
use taskforge_adapter_sql::PgTaskRepository;
use taskforge_app_http::seeding;
use taskforge_domain::seed::{Plan, RARE_WORD};
use taskforge_domain::tasks::{Status, TaskQuery, TaskSort};
use taskforge_tests::TestApp;

fn must<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e:#}"),
    }
}

/// Every node of a plan, depth first.
fn nodes<'a>(plan: &'a Value, out: &mut Vec<&'a Value>) {
    out.push(plan);
    for child in plan["Plans"].as_array().into_iter().flatten() {
        nodes(child, out);
    }
}

fn sorted(raw: &str) -> TaskSort {
    must(TaskSort::parse("sort", raw))
}

#[tokio::test]
async fn each_list_shape_walks_its_index() {
    let app = TestApp::spawn_with(|s| s.worker.embedded = false).await;
    let plan = must(Plan::new(400, 20, 20_000, 2_000));
    let seeded = must(seeding::seed(&app.settings, plan, &mut |_| {}).await);
    app.psql("ANALYZE");
    let user = seeded.big_team_admin;
    let team = Some(seeded.big_team);
    let base = TaskQuery {
        limit: 21,
        ..TaskQuery::default()
    };
    let shapes: Vec<(&str, TaskQuery, &str)> = vec![
        ("every team, newest first", base.clone(), "tasks_created"),
        (
            "one team",
            TaskQuery {
                team,
                ..base.clone()
            },
            "tasks_team_created",
        ),
        (
            "status",
            TaskQuery {
                statuses: vec![Status::InReview],
                team,
                ..base.clone()
            },
            "tasks_team_created",
        ),
        (
            "assignee",
            TaskQuery {
                assignee: Some(user),
                ..base.clone()
            },
            "tasks_assignee",
        ),
        (
            "tag",
            TaskQuery {
                tags: vec!["seo".into()],
                ..base.clone()
            },
            "tasks_tags",
        ),
        (
            "due range",
            TaskQuery {
                due_after: Some(Utc::now()),
                due_before: Some(Utc::now() + Duration::days(7)),
                team,
                sort: sorted("due"),
                ..base.clone()
            },
            "tasks_due_first",
        ),
        // Not `tasks_search`: the OR with the comments' words keeps it out (docs/scale-plans.md).
        (
            "q",
            TaskQuery {
                text: Some(RARE_WORD.into()),
                ..base.clone()
            },
            "tasks_created",
        ),
        (
            "sort=due",
            TaskQuery {
                sort: sorted("due"),
                ..base.clone()
            },
            "tasks_due_first",
        ),
        (
            "sort=-due",
            TaskQuery {
                sort: sorted("-due"),
                ..base.clone()
            },
            "tasks_due_last",
        ),
        (
            "sort=priority",
            TaskQuery {
                sort: sorted("priority"),
                ..base.clone()
            },
            "tasks_priority",
        ),
        (
            "sort=-updated",
            TaskQuery {
                sort: sorted("-updated"),
                ..base.clone()
            },
            "tasks_updated",
        ),
    ];
    let repository = PgTaskRepository::new(app.sql());
    let mut misses = Vec::new();
    for (shape, query, index) in shapes {
        let explained = must(repository.explain_list(user, &query).await);
        let mut all = Vec::new();
        nodes(&explained[0]["Plan"], &mut all);
        let indexes: Vec<&str> = all
            .iter()
            .filter_map(|n| n["Index Name"].as_str())
            .collect();
        let scans_tasks = all
            .iter()
            .any(|n| n["Node Type"] == "Seq Scan" && n["Relation Name"] == "tasks");
        if !indexes.contains(&index) || scans_tasks {
            misses.push(format!(
                "{shape}: wants {index}, walks {indexes:?} (seq scan of tasks: {scans_tasks})"
            ));
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}
