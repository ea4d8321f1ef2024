//! The board: a team's tasks in columns by status, with quick filters and search. Cards move
//! by drag and drop or from the keyboard, and the page follows the team's live changes.

use super::page::{app_state, ok, Layout, Params, UiError, UiResult, Viewer};
use super::teams::{team_of, Person, TeamNav};
use crate::routes::tasks::list::parse;
use crate::state::AppState;
use actix_web::{get, web, HttpRequest};
use askama::Template;
use chrono::{Duration, SecondsFormat, Utc};
use std::collections::HashMap;
use taskforge_domain::ids::UserId;
use taskforge_domain::tasks::{Priority, Status, Task, TaskQuery};

/// The most tasks a board shows; a larger team is narrowed with the filters.
const BOARD_LIMIT: usize = 1000;

pub struct Card {
    pub id: String,
    pub title: String,
    pub priority: &'static str,
    pub assignee: Option<(String, String)>,
    pub due: Option<String>,
}

pub struct Column {
    pub status: &'static str,
    pub label: &'static str,
    pub cards: Vec<Card>,
}

pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Backlog => "Backlog",
        Status::Todo => "To do",
        Status::InProgress => "In progress",
        Status::InReview => "In review",
        Status::Done => "Done",
    }
}

/// The page's own filter values, echoed in its form.
#[derive(Default)]
pub struct Filters {
    pub assignee: String,
    pub priority: String,
    pub tag: String,
    pub due: String,
    pub q: String,
}

/// Reads the quick filters of the query string into the API's list query of the team: empty
/// fields are left out, and `due` (overdue, week) becomes a due-date range.
pub fn board_query(
    viewer: UserId,
    team: &str,
    pairs: &[(String, String)],
) -> UiResult<(TaskQuery, Filters)> {
    let mut filters = Filters::default();
    let mut api: Vec<(String, String)> = vec![("teamId".into(), team.to_owned())];
    let now = Utc::now();
    let stamp = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    for (key, value) in pairs.iter().filter(|(_, v)| !v.trim().is_empty()) {
        match key.as_str() {
            "assigneeId" => filters.assignee = value.clone(),
            "priority" => filters.priority = value.clone(),
            "tag" => filters.tag = value.clone(),
            "q" => filters.q = value.clone(),
            "due" => {
                filters.due = value.clone();
                match value.as_str() {
                    "overdue" => api.push(("dueBefore".into(), stamp(now))),
                    "week" => {
                        api.push(("dueAfter".into(), stamp(now)));
                        api.push(("dueBefore".into(), stamp(now + Duration::days(7))));
                    }
                    _ => {
                        return Err(UiError::bad_request(
                            "Choose a due date filter from the list.",
                        ))
                    }
                }
                continue;
            }
            _ => return Err(UiError::bad_request("This page does not know that filter.")),
        }
        api.push((key.clone(), value.clone()));
    }
    api.push(("limit".into(), "100".into()));
    Ok((parse(viewer, &api)?, filters))
}

/// Every task the query matches, page after page, up to [`BOARD_LIMIT`].
async fn all_tasks(
    state: &AppState,
    viewer: UserId,
    mut q: TaskQuery,
) -> UiResult<(Vec<Task>, bool)> {
    let mut tasks = Vec::new();
    loop {
        let (page, next) = state.tasks.list(viewer, q.clone()).await?;
        tasks.extend(page);
        match next {
            Some(cursor) if tasks.len() < BOARD_LIMIT => q.after = Some(cursor),
            more => return Ok((tasks, more.is_some())),
        }
    }
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage<'a> {
    l: &'a Layout,
    nav: TeamNav,
    columns: Vec<Column>,
    people: Vec<Person>,
    filters: Filters,
    priorities: [&'static str; 4],
    truncated: bool,
    can_create: bool,
}

#[get("/teams/{teamId}/board")]
pub async fn show(
    req: HttpRequest,
    mut viewer: Viewer,
    path: web::Path<String>,
    Params(query): Params<Vec<(String, String)>>,
) -> UiResult {
    let state = app_state(&req)?;
    let (access, view) = team_of(&state, &viewer, &path).await?;
    let (q, filters) = board_query(viewer.user(), &path, &query)?;
    let (members, (tasks, truncated)) = futures::try_join!(
        async { state.teams.members(&access).await.map_err(UiError::from) },
        all_tasks(&state, viewer.user(), q)
    )?;
    let people: Vec<Person> = members.iter().map(Person::from).collect();
    let by_id: HashMap<String, &Person> = people.iter().map(|p| (p.id.clone(), p)).collect();
    let mut columns: Vec<Column> = Status::ALL
        .into_iter()
        .map(|s| Column {
            status: s.as_str(),
            label: status_label(s),
            cards: Vec::new(),
        })
        .collect();
    for t in &tasks {
        let card = Card {
            id: t.task_id.to_string(),
            title: t.title.as_str().to_owned(),
            priority: t.priority.as_str(),
            assignee: t
                .assignee_id
                .and_then(|a| by_id.get(&a.to_string()))
                .map(|p| (p.initials.clone(), p.name.clone())),
            due: t.due_date.map(|d| d.format("%b %-d").to_string()),
        };
        if let Some(col) = columns.iter_mut().find(|c| c.status == t.status.as_str()) {
            col.cards.push(card);
        }
    }
    let page = BoardPage {
        nav: TeamNav::new(&access, &view, "board"),
        columns,
        people,
        filters,
        priorities: Priority::ALL.map(|p| p.as_str()),
        truncated,
        can_create: access.allows(taskforge_domain::teams::Permission::TaskCreate),
        l: viewer.titled(format!("{} board", view.team.name.as_str())),
    };
    ok(&page)
}
