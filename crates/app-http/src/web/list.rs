//! The task list: every filter of the API's list, sorting and cursor paging, across the
//! viewer's teams or within one.

use super::board::status_label;
use super::page::{app_state, encode, ok, Layout, Params, UiResult, Viewer};
use super::teams::Person;
use crate::routes::tasks::list::parse;
use actix_web::{get, HttpRequest};
use askama::Template;
use taskforge_domain::tasks::{Priority, Status};
use taskforge_domain::teams::{Requirement, TeamView};

pub struct Row {
    id: String,
    title: String,
    status: &'static str,
    priority: &'static str,
    due: String,
    updated: String,
    tags: String,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage<'a> {
    l: &'a Layout,
    teams: Vec<TeamView>,
    /// The chosen team's members, to filter by assignee.
    people: Vec<Person>,
    rows: Vec<Row>,
    next: Option<String>,
    value: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    priorities: [&'static str; 4],
    sorts: [(&'static str, &'static str); 8],
}

impl ListPage<'_> {
    /// Whether the query holds this value for this key.
    fn has(&self, key: &str, value: &str) -> bool {
        self.value.iter().any(|(k, v)| k == key && v == value)
    }

    fn get(&self, key: &str) -> &str {
        self.value
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A `date` field (`2026-12-01`) as the API's date-time, at midnight UTC.
fn as_date_time(key: &str, value: &str) -> String {
    let is_date = value.len() == 10 && !value.contains('T');
    if (key == "dueBefore" || key == "dueAfter") && is_date {
        format!("{value}T00:00:00Z")
    } else {
        value.to_owned()
    }
}

#[get("/tasks")]
pub async fn show(
    req: HttpRequest,
    mut viewer: Viewer,
    Params(query): Params<Vec<(String, String)>>,
) -> UiResult {
    let state = app_state(&req)?;
    let value: Vec<(String, String)> = query
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .cloned()
        .collect();
    let api: Vec<(String, String)> = value
        .iter()
        .map(|(k, v)| (k.clone(), as_date_time(k, v)))
        .collect();
    let q = parse(viewer.user(), &api)?;
    let sort = q.sort;
    let people = match q.team {
        Some(team) => match state
            .teams
            .authorize(viewer.user(), team, Requirement::Member)
            .await
        {
            Ok(access) => state
                .teams
                .members(&access)
                .await?
                .iter()
                .map(Person::from)
                .collect(),
            // An outsider's list is empty; it has no one to pick.
            Err(_) => Vec::new(),
        },
        None => Vec::new(),
    };
    let (teams, (tasks, next)) = futures::try_join!(
        state.teams.list(viewer.user()),
        state.tasks.list(viewer.user(), q)
    )?;
    let next = next.map(|c| {
        let mut params: Vec<String> = value
            .iter()
            .filter(|(k, _)| k != "cursor")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        params.push(format!("cursor={}", encode(&c.encode(sort))));
        format!("/tasks?{}", params.join("&"))
    });
    let page = ListPage {
        teams,
        people,
        rows: tasks
            .iter()
            .map(|t| Row {
                id: t.task_id.to_string(),
                title: t.title.as_str().to_owned(),
                status: status_label(t.status),
                priority: t.priority.as_str(),
                due: t
                    .due_date
                    .map(|d| viewer.layout.when(d))
                    .unwrap_or_default(),
                updated: viewer.layout.when(t.metadata.updated),
                tags: t.tags.as_slice().join(", "),
            })
            .collect(),
        next,
        value,
        statuses: Status::ALL
            .into_iter()
            .map(|s| (s.as_str(), status_label(s)))
            .collect(),
        priorities: Priority::ALL.map(|p| p.as_str()),
        sorts: [
            ("-created", "Newest first"),
            ("created", "Oldest first"),
            ("due", "Due soonest"),
            ("-due", "Due latest"),
            ("-priority", "Most urgent"),
            ("priority", "Least urgent"),
            ("-updated", "Recently updated"),
            ("updated", "Least recently updated"),
        ],
        l: viewer.titled("Tasks"),
    };
    ok(&page)
}
