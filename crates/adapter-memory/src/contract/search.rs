//! The `SearchIndex` contract.

use super::comments::{a_task, comment, comment_change};
use super::*;
use std::collections::BTreeSet;
use taskforge_domain::comments::CommentRepository;
use taskforge_domain::search::{
    SearchCursor, SearchIndex, SearchKind, SearchQuery, SearchText, MARK_END, MARK_START,
};
use taskforge_domain::tasks::{Description, Tags, TaskTitle};

fn query(text: &str, team: Option<TeamId>, kinds: &[SearchKind], limit: usize) -> SearchQuery {
    SearchQuery {
        text: must(SearchText::parse("q", text), "text"),
        team,
        kinds: kinds.to_vec(),
        after: None,
        limit,
    }
}

const BOTH: [SearchKind; 2] = [SearchKind::Task, SearchKind::Comment];

/// Results are in the caller's teams only, match every word (the last as a prefix) in titles,
/// descriptions, tags and comments, honour the team and type filters, mark their matches, and
/// page without gaps or repeats.
pub async fn search_index(
    users: &dyn UserRepository,
    teams: &dyn TeamRepository,
    tasks: &dyn TaskRepository,
    comments: &dyn CommentRepository,
    index: &dyn SearchIndex,
) {
    let people = registered(users, 2).await;
    let (owner, stranger) = (people[0].id, people[1].id);
    let launch = a_task(teams, tasks, owner, |t| {
        t.title = TaskTitle::from_stored("Launch rocket".into());
        t.description = Description::from_stored("fuel the booster".into());
        t.tags = Tags::from_stored(vec!["space".into()]);
    })
    .await;
    let docs = a_task(teams, tasks, owner, |t| {
        t.title = TaskTitle::from_stored("Write docs".into());
    })
    .await;
    let note = comment(
        &docs,
        owner,
        "remember the rocketry manual <b>now</b>",
        Utc::now().trunc_subsecs(6),
    );
    must(
        comments
            .create(&note, comment_change(&note, AuditAction::Create))
            .await,
        "comment",
    );
    let secret = a_task(teams, tasks, stranger, |t| {
        t.title = TaskTitle::from_stored("rocket secret".into());
    })
    .await;

    let found = |hits: &[taskforge_domain::search::SearchHit]| -> BTreeSet<Uuid> {
        hits.iter().map(|h| h.id).collect()
    };
    let rocket = must(
        index.search(owner, &query("rocket", None, &BOTH, 10)).await,
        "rocket",
    );
    assert_eq!(
        found(&rocket),
        BTreeSet::from([launch.task_id.as_uuid(), note.comment_id.as_uuid()]),
        "the owner's task and comment (prefix), never another's team"
    );
    assert!(!found(&rocket).contains(&secret.task_id.as_uuid()));
    let hit = |id: Uuid| rocket.iter().find(|h| h.id == id);
    let task_hit =
        hit(launch.task_id.as_uuid()).map(|h| (h.kind, h.task_id, h.team_id, h.title.clone()));
    assert_eq!(
        task_hit,
        Some((
            SearchKind::Task,
            launch.task_id,
            launch.team_id,
            "Launch rocket".into()
        ))
    );
    let comment_hit = hit(note.comment_id.as_uuid());
    assert_eq!(
        comment_hit.map(|h| (h.kind, h.task_id, h.title.as_str())),
        Some((SearchKind::Comment, docs.task_id, "Write docs"))
    );
    let marked = |word: &str| format!("{MARK_START}{word}{MARK_END}");
    assert!(
        hit(launch.task_id.as_uuid()).is_some_and(|h| h.snippet.contains(&marked("rocket"))),
        "{rocket:?}"
    );
    assert!(
        comment_hit
            .is_some_and(|h| h.snippet.starts_with("remember the ")
                && h.snippet.contains(&marked("rocketry"))),
        "the comment's text, its match marked: {comment_hit:?}"
    );

    for (text, expected) in [
        ("launch rock", vec![launch.task_id.as_uuid()]),
        ("fuel", vec![launch.task_id.as_uuid()]),
        ("space", vec![launch.task_id.as_uuid()]),
        ("manual", vec![note.comment_id.as_uuid()]),
        ("launch manual", vec![]),
    ] {
        let hits = must(
            index.search(owner, &query(text, None, &BOTH, 10)).await,
            text,
        );
        assert_eq!(found(&hits), expected.into_iter().collect(), "{text}");
    }
    let comments_only = must(
        index
            .search(owner, &query("rocket", None, &[SearchKind::Comment], 10))
            .await,
        "comments only",
    );
    assert_eq!(
        found(&comments_only),
        BTreeSet::from([note.comment_id.as_uuid()])
    );
    let in_team = must(
        index
            .search(owner, &query("rocket", Some(docs.team_id), &BOTH, 10))
            .await,
        "one team",
    );
    assert_eq!(found(&in_team), BTreeSet::from([note.comment_id.as_uuid()]));

    // One by one, each result once, in the same order.
    let mut paged = Vec::new();
    let mut after: Option<SearchCursor> = None;
    for _ in 0..5 {
        let mut q = query("rocket", None, &BOTH, 1);
        q.after = after;
        let page = must(index.search(owner, &q).await, "page");
        let Some(last) = page.last() else { break };
        after = Some(last.cursor());
        paged.push(last.id);
    }
    assert_eq!(paged, rocket.iter().map(|h| h.id).collect::<Vec<_>>());
}
