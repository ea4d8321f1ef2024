//! The caller's notifications: the list, the unread count, read flags and the live stream.

mod list;
mod read;
mod read_all;
mod stream;
mod unread_count;

use serde::Serialize;
use taskforge_domain::notifications::Notification;

super::routes!(list, unread_count, read_all, read, stream);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationResponse {
    notification_id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    data: serde_json::Value,
    read: bool,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<&Notification> for NotificationResponse {
    fn from(n: &Notification) -> Self {
        Self {
            notification_id: n.notification_id.to_string(),
            kind: n.kind.as_str(),
            data: serde_json::to_value(&n.data).unwrap_or_default(),
            read: n.read,
            created_at: n.created_at,
        }
    }
}
