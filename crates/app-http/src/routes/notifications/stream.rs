use super::NotificationResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::sse::{self, Next};
use crate::state::AppState;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use futures::stream::BoxStream;
use std::collections::{HashSet, VecDeque};
use taskforge_domain::identity::SessionToken;
use taskforge_domain::ids::NotificationId;
use taskforge_domain::notifications::Notification;
use tokio::time::Interval;

/// Ids a stream remembers having sent, to drop a notification published twice.
const REMEMBERED: usize = 1024;

/// The caller's notifications as server-sent events (`event: notification`, `id:` the
/// notification id). With `Last-Event-ID`, first what was stored after that one.
#[utoipa::path(
    operation_id = "notifications_stream",
    tag = "notifications",
    params(("Last-Event-ID" = Option<String>, Header, description = "the last notification id received")),
    responses(
        (status = 200, description = "OK: text/event-stream"),
        (status = 400, description = "VALIDATION_FAILED: Last-Event-ID is not a notification id"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/notifications/stream")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let last = match req.headers().get("last-event-id") {
        None => None,
        Some(raw) => Some(
            raw.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<NotificationId>().ok())
                .ok_or_else(|| ApiError::bad_input("Last-Event-ID", "must be a notification id"))?,
        ),
    };
    let user = caller.auth.user_id;
    // Subscribed before the replay is read, so nothing falls between the two.
    let live = state.notifications.live(user).await?;
    let missed = match last {
        Some(last) => state.notifications.missed(user, last).await?,
        None => vec![],
    };
    let mut sent = Sent::default();
    let replay: Vec<Bytes> = missed
        .iter()
        .filter(|n| sent.first_time(n.notification_id))
        .map(render)
        .collect();
    let open = Open {
        beats: sse::heartbeats(&state),
        state,
        token: caller.token,
        live,
        sent,
    };
    let body = futures::stream::unfold(open, |mut open| async move {
        loop {
            match sse::next(&mut open.live, &mut open.beats).await? {
                Next::Message(n) if open.sent.first_time(n.notification_id) => {
                    return Some((render(&n), open));
                }
                Next::Message(_) => continue,
                Next::Heartbeat => {
                    if !sse::session_live(&open.state, &open.token).await {
                        return None;
                    }
                    return Some((sse::keep_alive(), open));
                }
            }
        }
    });
    Ok(sse::response(futures::StreamExt::chain(
        futures::stream::iter(replay),
        body,
    )))
}

struct Open {
    state: web::Data<AppState>,
    token: SessionToken,
    live: BoxStream<'static, Notification>,
    beats: Interval,
    sent: Sent,
}

/// The ids sent last, at most [`REMEMBERED`].
#[derive(Default)]
struct Sent {
    order: VecDeque<NotificationId>,
    ids: HashSet<NotificationId>,
}

impl Sent {
    fn first_time(&mut self, id: NotificationId) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }
}

fn render(n: &Notification) -> Bytes {
    let id = n.notification_id.to_string();
    sse::event("notification", Some(&id), &NotificationResponse::from(n))
}
