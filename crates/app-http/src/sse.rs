//! Server-sent events: framing, the response, and the heartbeat that keeps a stream open and
//! ends it when its session ends.

use crate::state::AppState;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use futures::stream::{BoxStream, Stream, StreamExt};
use serde::Serialize;
use taskforge_domain::identity::SessionToken;
use tokio::time::{Interval, MissedTickBehavior};

/// One event: `event`, `id` when given, and `data` as one line of JSON (JSON escapes line
/// breaks, so no data line can end the event early).
pub fn event(name: &str, id: Option<&str>, data: &impl Serialize) -> Bytes {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".into());
    let id = id.map(|id| format!("id: {id}\n")).unwrap_or_default();
    Bytes::from(format!("event: {name}\n{id}data: {json}\n\n"))
}

/// What a stream waits for: its next message, or its next heartbeat.
pub enum Next<T> {
    Message(T),
    Heartbeat,
}

/// A stream's heartbeats: every `notifications.heartbeat_secs`, the first one interval from now.
pub fn heartbeats(state: &AppState) -> Interval {
    let every = state.live_settings.heartbeat();
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticks
}

/// The next message or heartbeat, whichever comes first; `None` once the messages end (the
/// live channel was lost: the client reconnects and catches up).
pub async fn next<T>(
    messages: &mut BoxStream<'static, T>,
    beats: &mut Interval,
) -> Option<Next<T>> {
    tokio::select! {
        message = messages.next() => message.map(Next::Message),
        _ = beats.tick() => Some(Next::Heartbeat),
    }
}

/// Whether the session behind a stream is still live (a revoked or expired one ends it; so
/// does a store that cannot tell, and the client reconnects).
pub async fn session_live(state: &AppState, token: &SessionToken) -> bool {
    state.auth.authenticate(token).await.is_ok()
}

/// The keep-alive a heartbeat sends: a comment line, which clients ignore.
pub fn keep_alive() -> Bytes {
    Bytes::from_static(b": keep-alive\n\n")
}

/// A `text/event-stream` response of `body`. It is never compressed (a compressor would hold
/// events back until its buffer fills) nor cached, and proxies are asked not to buffer it.
pub fn response(body: impl Stream<Item = Bytes> + 'static) -> HttpResponse {
    // Reconnect after a second: the client then resumes with Last-Event-ID.
    let opening = futures::stream::once(async { Bytes::from_static(b"retry: 1000\n\n") });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(ContentEncoding::Identity)
        .insert_header((header::CACHE_CONTROL, "no-cache, no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(opening.chain(body).map(Ok::<_, actix_web::Error>))
}
