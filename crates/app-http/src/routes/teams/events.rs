use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::sse::{self, Next};
use crate::state::AppState;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};
use taskforge_domain::identity::SessionToken;
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::notifications::{TeamActivity, TeamSignal, View};
use tokio::time::Interval;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
struct Viewing {
    /// `board` (the default) or `task:{taskId}`.
    viewing: Option<String>,
}

/// The team's task, comment and attachment changes as server-sent events (`event: change`),
/// and who else views the same board or task (`event: presence`). Needs `task.read`.
#[utoipa::path(
    operation_id = "teams_events",
    tag = "notifications",
    params(Viewing),
    responses(
        (status = 200, description = "OK: text/event-stream"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without task.read"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/teams/{teamId}/events")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    query: web::Query<Viewing>,
) -> ApiResult<HttpResponse> {
    let raw = query.viewing.as_deref().unwrap_or("board");
    let view = View::parse("viewing", raw).map_err(|e| ApiError::validation(vec![e]))?;
    let (team, user) = (TeamId::from_uuid(path.into_inner()), caller.auth.user_id);
    let signals = state.live.open(user, team, view).await?;
    let viewers = state.live.viewing(team, view, user).await?;
    state.live.announce(team, view, viewers.clone()).await?;
    let open = Open {
        beats: sse::heartbeats(&state),
        stay: Stay {
            state,
            team,
            view,
            user,
        },
        token: caller.token,
        signals,
        shown: viewers.clone(),
    };
    let first = presence(view, &viewers);
    let body = futures::stream::unfold(open, |mut open| async move {
        loop {
            let shown = match sse::next(&mut open.signals, &mut open.beats).await? {
                Next::Message(TeamSignal::Change(change)) => {
                    return Some((
                        sse::event("change", None, &ChangeEvent::from(&change)),
                        open,
                    ));
                }
                Next::Message(TeamSignal::Presence { view, viewers }) => {
                    if view != open.stay.view.key() || viewers == open.shown {
                        continue;
                    }
                    viewers
                }
                Next::Heartbeat => {
                    let stay = &open.stay;
                    if !sse::session_live(&stay.state, &open.token).await {
                        return None;
                    }
                    let live = &stay.state.live;
                    let Ok(viewers) = live.viewing(stay.team, stay.view, stay.user).await else {
                        return None;
                    };
                    if viewers != open.shown {
                        // Someone's presence lapsed: everyone else is told too.
                        let _ = live.announce(stay.team, stay.view, viewers.clone()).await;
                    }
                    if viewers == open.shown {
                        return Some((sse::keep_alive(), open));
                    }
                    viewers
                }
            };
            let event = presence(open.stay.view, &shown);
            open.shown = shown;
            return Some((event, open));
        }
    });
    Ok(sse::response(futures::StreamExt::chain(
        futures::stream::once(async move { first }),
        body,
    )))
}

struct Open {
    stay: Stay,
    token: SessionToken,
    signals: BoxStream<'static, TeamSignal>,
    beats: Interval,
    /// The viewers the client was last told of.
    shown: Vec<UserId>,
}

/// A viewer's presence, which ends when the stream does (the client left, or its session or
/// the live channel ended): the others are told at once.
struct Stay {
    state: web::Data<AppState>,
    team: TeamId,
    view: View,
    user: UserId,
}

impl Drop for Stay {
    fn drop(&mut self) {
        let (state, team, view, user) = (self.state.clone(), self.team, self.view, self.user);
        actix_web::rt::spawn(async move {
            if let Ok(viewers) = state.live.left(team, view, user).await {
                let _ = state.live.announce(team, view, viewers).await;
            }
        });
    }
}

fn presence(view: View, viewers: &[UserId]) -> Bytes {
    let viewers: Vec<String> = viewers.iter().map(ToString::to_string).collect();
    sse::event(
        "presence",
        None,
        &serde_json::json!({ "viewing": view.key(), "viewers": viewers }),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangeEvent {
    entity_type: &'static str,
    entity_id: String,
    task_id: String,
    action: &'static str,
    version: i64,
    actor_id: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
}

impl From<&TeamActivity> for ChangeEvent {
    fn from(a: &TeamActivity) -> Self {
        Self {
            entity_type: a.entity_type.as_str(),
            entity_id: a.entity_id.to_string(),
            task_id: a.task_id.to_string(),
            action: a.action.as_str(),
            version: a.version,
            actor_id: a.actor_id.map(|u| u.to_string()),
            at: a.at,
        }
    }
}
