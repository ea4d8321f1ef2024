//! The notifications page: newest first, in words, each marked read with one click. The bell
//! in every page's header counts the unread ones live.

use super::page::{app_state, ok, Layout, Params, UiError, UiResult, Viewer};
use actix_web::{get, HttpRequest};
use askama::Template;
use serde::Deserialize;
use taskforge_domain::notifications::{Notification, NotificationCursor, NotificationKind};

pub struct Item {
    id: String,
    text: String,
    excerpt: Option<String>,
    task: String,
    at: String,
    read: bool,
}

/// What happened, as a sentence.
fn sentence(n: &Notification) -> String {
    let title = &n.data.task_title;
    match n.kind {
        NotificationKind::TaskAssigned => format!("You were assigned “{title}”."),
        NotificationKind::TaskStatusChanged => format!(
            "“{title}” moved to {}.",
            n.data
                .status
                .map(|s| s.as_str())
                .unwrap_or("another status")
        ),
        NotificationKind::CommentAdded => format!("New comment on “{title}”."),
        NotificationKind::CommentMentioned => format!("You were mentioned on “{title}”."),
        NotificationKind::WatchedChange => format!("“{title}” changed."),
        NotificationKind::TaskDueSoon => format!("“{title}” is due soon."),
        NotificationKind::TaskOverdue => format!("“{title}” is overdue."),
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage<'a> {
    l: &'a Layout,
    items: Vec<Item>,
    next: Option<String>,
    unread_only: bool,
}

#[derive(Deserialize)]
struct Page {
    unread: Option<String>,
    cursor: Option<String>,
}

#[get("/notifications")]
pub async fn list(req: HttpRequest, mut viewer: Viewer, Params(page): Params<Page>) -> UiResult {
    let state = app_state(&req)?;
    let cursor = page
        .cursor
        .as_deref()
        .map(NotificationCursor::decode)
        .transpose()
        .map_err(|_| UiError::bad_request("This page link is not valid any more."))?;
    let unread_only = page.unread.as_deref() == Some("true");
    let (items, next) = state
        .notifications
        .list(viewer.user(), unread_only, cursor, 30)
        .await?;
    let page = NotificationsPage {
        items: items
            .iter()
            .map(|n| Item {
                id: n.notification_id.to_string(),
                text: sentence(n),
                excerpt: n.data.excerpt.clone(),
                task: n.data.task_id.to_string(),
                at: viewer.layout.when(n.created_at),
                read: n.read,
            })
            .collect(),
        next: next.map(|c| c.encode()),
        unread_only,
        l: viewer.titled("Notifications"),
    };
    ok(&page)
}
