//! A task's page: its fields (edited under the version guard), comments with @mentions,
//! attachments and activity, following the team's live changes.

use super::board::status_label;
use super::page::{app_state, ok, uuid, Layout, UiError, UiResult, Viewer};
use super::teams::{Person, TeamNav};
use actix_web::{get, web, HttpRequest};
use askama::Template;
use std::collections::HashMap;
use taskforge_domain::ids::{TaskId, UserId};
use taskforge_domain::tasks::{Priority, Status, Task};
use taskforge_domain::teams::{Permission, Requirement};

/// Names of the team's members by id; anyone else is a former member.
pub struct Names(HashMap<UserId, String>);

impl Names {
    pub fn of(people: &[Person]) -> Self {
        Self(
            people
                .iter()
                .filter_map(|p| Some((p.id.parse().ok()?, p.name.clone())))
                .collect(),
        )
    }

    pub fn name(&self, id: Option<UserId>) -> String {
        match id {
            None => "TaskForge".into(),
            Some(id) => self
                .0
                .get(&id)
                .cloned()
                .unwrap_or_else(|| "a former member".into()),
        }
    }
}

pub struct CommentView {
    author: String,
    at: String,
    content: String,
    edited: bool,
}

pub struct FileView {
    id: String,
    name: String,
    size: String,
}

pub struct EventView {
    actor: String,
    action: &'static str,
    at: String,
}

/// A byte count in words.
fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage<'a> {
    l: &'a Layout,
    nav: TeamNav,
    task: Task,
    tags: String,
    assignee: String,
    custom_fields: String,
    due: String,
    people: Vec<Person>,
    statuses: Vec<(&'static str, &'static str)>,
    priorities: [&'static str; 4],
    comments: Vec<CommentView>,
    files: Vec<FileView>,
    activity: Vec<EventView>,
    can_edit: bool,
    can_assign: bool,
    can_comment: bool,
    can_upload: bool,
    can_delete: bool,
}

#[get("/tasks/{taskId}")]
pub async fn show(req: HttpRequest, mut viewer: Viewer, path: web::Path<String>) -> UiResult {
    let state = app_state(&req)?;
    let id = TaskId::from_uuid(uuid(&path)?);
    let user = viewer.user();
    let task = state.tasks.get(user, id).await?;
    let access = state
        .teams
        .authorize(user, task.team_id, Requirement::Member)
        .await?;
    let (view, members, (comments, _), activity) = futures::try_join!(
        state.teams.get(&access),
        state.teams.members(&access),
        state.comments.list(user, id, None, 100),
        state.tasks.activity(user, id, None, 20),
    )
    .map_err(UiError::from)?;
    let people: Vec<Person> = members.iter().map(Person::from).collect();
    let names = Names::of(&people);
    let files = task
        .attachments
        .iter()
        .filter_map(|a| {
            Some(FileView {
                id: a.get("attachmentId")?.as_str()?.to_owned(),
                name: a.get("name")?.as_str()?.to_owned(),
                size: size(a.get("size")?.as_u64()?),
            })
        })
        .collect();
    let page = TaskPage {
        nav: TeamNav::new(&access, &view, "board"),
        tags: task.tags.as_slice().join(", "),
        assignee: task.assignee_id.map(|a| a.to_string()).unwrap_or_default(),
        custom_fields: if task.custom_fields.as_map().is_empty() {
            String::new()
        } else {
            serde_json::to_string_pretty(task.custom_fields.as_map()).unwrap_or_default()
        },
        due: task
            .due_date
            .map(|d| d.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        statuses: Status::ALL
            .into_iter()
            .map(|s| (s.as_str(), status_label(s)))
            .collect(),
        priorities: Priority::ALL.map(|p| p.as_str()),
        comments: comments
            .iter()
            .map(|c| CommentView {
                author: names.name(Some(c.author_id)),
                at: viewer.layout.when(c.created),
                content: c.content.as_str().to_owned(),
                edited: c.edited(),
            })
            .collect(),
        files,
        activity: activity
            .iter()
            .map(|e| EventView {
                actor: names.name(e.actor_id),
                action: e.action.as_str(),
                at: viewer.layout.when(e.at),
            })
            .collect(),
        can_edit: access.allows(Permission::TaskUpdate),
        can_assign: access.allows(Permission::TaskAssign),
        can_comment: access.allows(Permission::CommentCreate),
        can_upload: access.allows(Permission::AttachmentUpload),
        can_delete: access.allows(Permission::TaskDelete),
        people,
        l: viewer.titled(task.title.as_str().to_owned()),
        task,
    };
    ok(&page)
}
