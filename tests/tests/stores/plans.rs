//! The list and search query shapes keep their indexes: each shape's statement, built by the
//! repository's own code, is explained on 20,000 seeded tasks and 60,000 comments after `ANALYZE`, and must walk the
//! indexes named here (and never scan `tasks` or `comments` whole).

use chrono::Utc;
use serde_json::Value;
use taskforge_adapter_sql::{Explain, PgSearch, PgTaskRepository};
use taskforge_app_http::seeding;
use taskforge_domain::seed::{list_shapes, search_shapes, Plan};
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

/// What is wrong with `plan` for a shape that must walk each of `indexes` (`a|b`: either):
/// nothing, or a line saying so.
fn miss(shape: &str, plan: &str, indexes: &[&str]) -> Option<String> {
    let plan: Value = must(serde_json::from_str(plan));
    let mut all = Vec::new();
    nodes(&plan[0]["Plan"], &mut all);
    let walked: Vec<&str> = all
        .iter()
        .filter_map(|n| n["Index Name"].as_str())
        .collect();
    let whole: Vec<&str> = all
        .iter()
        .filter(|n| n["Node Type"] == "Seq Scan")
        .filter_map(|n| n["Relation Name"].as_str())
        .filter(|r| ["tasks", "comments"].contains(r))
        .collect();
    let missing: Vec<&&str> = indexes
        .iter()
        .filter(|i| !i.split('|').any(|one| walked.contains(&one)))
        .collect();
    (!missing.is_empty() || !whole.is_empty())
        .then(|| format!("{shape}: wants {indexes:?}, walks {walked:?}, scans whole {whole:?}"))
}

/// The indexes each shape of `seed::list_shapes` and `seed::search_shapes` must walk at this
/// size (`a|b`: either, where the planner may rightly choose between them).
const PINS: &[(&str, &[&str])] = &[
    ("every team, newest first", &["tasks_team_created"]),
    ("one team", &["tasks_team_created"]),
    ("status", &["tasks_team_status|tasks_team_created"]),
    (
        "one team and status",
        &["tasks_team_status|tasks_team_created"],
    ),
    ("priority", &["tasks_team_priority|tasks_team_created"]),
    ("assigneeId=me", &["tasks_assignee"]),
    ("tag", &["tasks_tags"]),
    ("due range (7 days)", &["tasks_team_due|tasks_team_created"]),
    (
        "q common word",
        &[
            "tasks_team_created|tasks_team_search",
            "comments_team_search|comments_task_created",
        ],
    ),
    (
        "q rare word",
        &["tasks_team_search", "comments_team_search"],
    ),
    ("sort=created", &["tasks_team_created"]),
    ("sort=-created", &["tasks_team_created"]),
    ("sort=due", &["tasks_team_due_first"]),
    ("sort=-due", &["tasks_team_due_last"]),
    ("sort=priority", &["tasks_team_priority"]),
    ("sort=-priority", &["tasks_team_priority"]),
    ("sort=updated", &["tasks_team_updated"]),
    ("sort=-updated", &["tasks_team_updated"]),
    (
        "search rare word",
        &["tasks_team_search", "comments_team_search"],
    ),
    (
        "search common word",
        &[
            "tasks_team_created|tasks_team_search",
            "comments_team_created|comments_team_search",
        ],
    ),
    (
        "search prefix",
        &[
            "tasks_team_created|tasks_team_search",
            "comments_team_created|comments_team_search",
        ],
    ),
];

fn pinned(shape: &str) -> &'static [&'static str] {
    match PINS.iter().find(|(name, _)| *name == shape) {
        Some((_, indexes)) => indexes,
        None => panic!("{shape}: no index pinned for this shape"),
    }
}

#[tokio::test]
async fn each_list_and_search_shape_walks_its_index() {
    let app = TestApp::spawn_with(|s| s.worker.embedded = false).await;
    let plan = must(Plan::new(400, 20, 20_000, 60_000));
    let seeded = must(seeding::seed(&app.settings, plan, &mut |_| {}).await);
    app.psql("ANALYZE");
    let user = seeded.big_team_admin;
    let mut misses = Vec::new();
    let tasks = PgTaskRepository::new(app.sql());
    for (shape, query) in list_shapes(user, seeded.big_team, Utc::now()) {
        let Some(plan) = must(tasks.explain_list(user, &query, Explain::Plan).await) else {
            panic!("{shape} reads nothing");
        };
        misses.extend(miss(&shape, &plan, pinned(&shape)));
    }
    let search = PgSearch::new(app.sql());
    for (shape, query) in search_shapes() {
        let Some(plan) = must(search.explain_search(user, &query, Explain::Plan).await) else {
            panic!("{shape} reads nothing");
        };
        misses.extend(miss(&shape, &plan, pinned(&shape)));
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}
