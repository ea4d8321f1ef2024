//! The query shapes that scale is measured and explained by: each list filter, sort and text
//! search of a seeded team's admin, and the search words. `just bench-scale` explains them
//! (`taskforge-admin explain`) and a stores test holds each to its index.

use super::{COMMON_WORD, RARE_WORD};
use crate::ids::{TeamId, UserId};
use crate::search::{SearchKind, SearchQuery, SearchText};
use crate::tasks::{Priority, SortField, Status, TaskQuery, TaskSort};
use chrono::{DateTime, TimeDelta, Utc};

/// Every list shape of `user`, an admin of `team`, at `now`: a name and the query (a page of 20).
pub fn list_shapes(user: UserId, team: TeamId, now: DateTime<Utc>) -> Vec<(String, TaskQuery)> {
    let base = TaskQuery {
        limit: 20,
        ..TaskQuery::default()
    };
    let mut shapes = vec![
        ("every team, newest first", base.clone()),
        (
            "one team",
            TaskQuery {
                team: Some(team),
                ..base.clone()
            },
        ),
        (
            "status",
            TaskQuery {
                statuses: vec![Status::InReview],
                ..base.clone()
            },
        ),
        (
            "one team and status",
            TaskQuery {
                team: Some(team),
                statuses: vec![Status::InReview],
                ..base.clone()
            },
        ),
        (
            "priority",
            TaskQuery {
                priorities: vec![Priority::Urgent],
                ..base.clone()
            },
        ),
        (
            "assigneeId=me",
            TaskQuery {
                assignee: Some(user),
                ..base.clone()
            },
        ),
        (
            "tag",
            TaskQuery {
                tags: vec!["seo".into()],
                ..base.clone()
            },
        ),
        (
            "due range (7 days)",
            TaskQuery {
                due_after: Some(now),
                due_before: Some(now + TimeDelta::days(7)),
                ..base.clone()
            },
        ),
        (
            "q common word",
            TaskQuery {
                text: Some(COMMON_WORD.into()),
                ..base.clone()
            },
        ),
        (
            "q rare word",
            TaskQuery {
                text: Some(RARE_WORD.into()),
                ..base.clone()
            },
        ),
    ]
    .into_iter()
    .map(|(name, q)| (name.to_owned(), q))
    .collect::<Vec<_>>();
    for field in [
        SortField::Created,
        SortField::Due,
        SortField::Priority,
        SortField::Updated,
    ] {
        for descending in [false, true] {
            let sort = TaskSort { field, descending };
            shapes.push((
                format!("sort={}", sort.name()),
                TaskQuery {
                    sort,
                    ..base.clone()
                },
            ));
        }
    }
    shapes
}

/// Every search shape: a common word, a rare word and a prefix, over tasks and comments.
pub fn search_shapes() -> Vec<(String, SearchQuery)> {
    [
        ("search common word", COMMON_WORD),
        ("search rare word", RARE_WORD),
        ("search prefix", &COMMON_WORD[..3]),
    ]
    .into_iter()
    .filter_map(|(name, word)| {
        let query = SearchQuery {
            text: SearchText::parse("q", word).ok()?,
            team: None,
            kinds: vec![SearchKind::Task, SearchKind::Comment],
            after: None,
            limit: 20,
        };
        Some((name.to_owned(), query))
    })
    .collect()
}
