//! The list and search query shapes keep their indexes: each shape's statement, built by the
//! repository's own code, is explained on 20,000 seeded tasks and 60,000 comments after `ANALYZE`, and must walk the
//! indexes named here (and never scan `tasks` or `comments` whole).

use chrono::{Duration, Utc};
use serde_json::Value;
use taskforge_adapter_sql::{PgSearch, PgTaskRepository};
use taskforge_app_http::seeding;
use taskforge_domain::search::{SearchKind, SearchQuery, SearchText};
use taskforge_domain::seed::{Plan, COMMON_WORD, RARE_WORD};
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

/// What is wrong with `plan` for a shape that must walk each of `indexes` (`a|b`: either):
/// nothing, or a line saying so.
fn miss(shape: &str, plan: &Value, indexes: &[&str]) -> Option<String> {
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

#[tokio::test]
async fn each_list_shape_walks_its_index() {
    let app = TestApp::spawn_with(|s| s.worker.embedded = false).await;
    let plan = must(Plan::new(400, 20, 20_000, 60_000));
    let seeded = must(seeding::seed(&app.settings, plan, &mut |_| {}).await);
    app.psql("ANALYZE");
    let user = seeded.big_team_admin;
    let team = Some(seeded.big_team);
    let base = TaskQuery {
        limit: 21,
        ..TaskQuery::default()
    };
    let shapes: Vec<(&str, TaskQuery, &[&str])> = vec![
        (
            "every team, newest first",
            base.clone(),
            &["tasks_team_created"],
        ),
        (
            "one team",
            TaskQuery {
                team,
                ..base.clone()
            },
            &["tasks_team_created"],
        ),
        (
            "status",
            TaskQuery {
                statuses: vec![Status::InReview],
                team,
                ..base.clone()
            },
            &["tasks_team_status"],
        ),
        (
            "assignee",
            TaskQuery {
                assignee: Some(user),
                ..base.clone()
            },
            &["tasks_assignee"],
        ),
        (
            "tag",
            TaskQuery {
                tags: vec!["seo".into()],
                ..base.clone()
            },
            &["tasks_tags"],
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
            &["tasks_team_due|tasks_team_due_first"],
        ),
        (
            "q, rare word",
            TaskQuery {
                text: Some(RARE_WORD.into()),
                ..base.clone()
            },
            &["tasks_team_search", "comments_team_search"],
        ),
        (
            "sort=due",
            TaskQuery {
                sort: sorted("due"),
                ..base.clone()
            },
            &["tasks_team_due_first"],
        ),
        (
            "sort=-due",
            TaskQuery {
                sort: sorted("-due"),
                ..base.clone()
            },
            &["tasks_team_due_last"],
        ),
        (
            "sort=priority",
            TaskQuery {
                sort: sorted("priority"),
                ..base.clone()
            },
            &["tasks_team_priority"],
        ),
        (
            "sort=-updated",
            TaskQuery {
                sort: sorted("-updated"),
                ..base.clone()
            },
            &["tasks_team_updated"],
        ),
    ];
    let repository = PgTaskRepository::new(app.sql());
    let mut misses = Vec::new();
    for (shape, query, indexes) in shapes {
        let plan = must(repository.explain_list(user, &query).await);
        misses.extend(miss(shape, &plan, indexes));
    }
    let search = PgSearch::new(app.sql());
    for (word, indexes) in [
        (RARE_WORD, ["tasks_team_search", "comments_team_search"]),
        // Either way for a common word: newest first, or all of them when a team has few.
        (
            COMMON_WORD,
            [
                "tasks_team_created|tasks_team_search",
                "comments_team_created|comments_team_search",
            ],
        ),
    ] {
        let query = SearchQuery {
            text: must(SearchText::parse("q", word)),
            team: None,
            kinds: vec![SearchKind::Task, SearchKind::Comment],
            after: None,
            limit: 20,
        };
        let plan = must(search.explain_search(user, &query).await);
        let Some(plan) = plan else {
            panic!("search for {word} reads nothing");
        };
        misses.extend(miss(&format!("search {word}"), &plan, &indexes));
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}
