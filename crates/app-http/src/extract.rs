//! Extractors: who is calling (session from bearer token, alias header or cookie, with the CSRF
//! check for cookies) and from where.

use crate::error::ApiError;
use crate::forwarded::origin_of;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpRequest};
use futures::future::LocalBoxFuture;
use taskforge_domain::identity::{Authenticated, SessionToken};
use taskforge_domain::ids::TeamId;
use taskforge_domain::teams::{Access, Requirement};
use taskforge_domain::validation::plain;
use taskforge_domain::write_path::Actor;

pub const SESSION_COOKIE: &str = "tf_session";
pub const CSRF_COOKIE: &str = "tf_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The app state of `req`'s server.
pub fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(ApiError::internal)
}

/// The client's address and user agent, as recorded on audit rows and sessions. A user agent
/// with control characters is refused (400); one that is not ASCII is not recorded.
pub struct Client(pub Actor);

impl Client {
    pub fn of(req: &HttpRequest) -> Result<Actor, ApiError> {
        let user_agent = match req.headers().get(header::USER_AGENT).map(|v| v.to_str()) {
            Some(Ok(ua)) => {
                plain("User-Agent", ua).map_err(|e| ApiError::validation(vec![e]))?;
                Some(ua.chars().take(512).collect())
            }
            Some(Err(_)) | None => None,
        };
        Ok(Actor {
            user_id: None,
            ip: origin_of(req).client.map(|ip| ip.to_string()),
            user_agent,
        })
    }
}

impl FromRequest for Client {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Client::of(req).map(Client))
    }
}

/// An authenticated caller. Answers 401 without a live session, 403 for a cross-site unsafe
/// request carrying only a cookie, 503 when sessions cannot be checked.
pub struct Caller {
    pub auth: Authenticated,
    pub actor: Actor,
    /// The token it came with (long-lived streams check it again).
    pub token: SessionToken,
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let headers = req.headers();
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .or_else(|| headers.get("x-session-id").and_then(|v| v.to_str().ok()))
        .map(str::trim)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A cookie-authenticated unsafe request must come from our own pages: a double-submit token
/// (`sent`, from the `X-CSRF-Token` header or a form's hidden field) matching the `tf_csrf`
/// cookie, or an Origin (else Referer) of this server or an allowed origin.
pub fn csrf_ok(req: &HttpRequest, sent: Option<&str>) -> bool {
    if let (Some(sent), Some(cookie)) = (sent, req.cookie(CSRF_COOKIE)) {
        if !sent.is_empty() && sent == cookie.value() {
            return true;
        }
    }
    let state = state(req).ok();
    let allowed = state
        .as_ref()
        .map(|s| s.http.allowed_origins.as_slice())
        .unwrap_or_default();
    let from = origin_of(req);
    let scheme = if from.https { "https" } else { "http" };
    let own = format!("{scheme}://{}", from.host.unwrap_or_default());
    let from = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let origin = from(header::ORIGIN).or_else(|| {
        from(header::REFERER).and_then(|r| {
            let (scheme, rest) = r.split_once("://")?;
            let host = rest.split('/').next()?;
            Some(format!("{scheme}://{host}"))
        })
    });
    origin.is_some_and(|o| o == own || allowed.iter().any(|a| a == &o))
}

impl Caller {
    /// The session the request carries (bearer token, alias header or cookie), checked against
    /// the session store; `csrf` says what the CSRF check of a cookie-carried unsafe request
    /// compares with the `tf_csrf` cookie (the header for the API, a hidden field for forms).
    pub async fn of(req: &HttpRequest, csrf: Option<&str>) -> Result<Caller, ApiError> {
        let state = state(req)?;
        let (raw, via_cookie) = match bearer(req) {
            Some(token) => (token.to_owned(), false),
            None => match req.cookie(SESSION_COOKIE) {
                Some(c) => (c.value().to_owned(), true),
                None => return Err(ApiError::unauthenticated()),
            },
        };
        if via_cookie && !is_safe(req.method()) && !csrf_ok(req, csrf) {
            return Err(ApiError::forbidden(
                "cross-site request refused (CSRF check)",
            ));
        }
        let token = SessionToken::from_client(&raw).ok_or_else(ApiError::unauthenticated)?;
        let auth = state.auth.authenticate(&token).await?;
        let mut actor = Client::of(req)?;
        actor.user_id = Some(auth.user_id);
        Ok(Caller { auth, actor, token })
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let header = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            Caller::of(&req, header).await
        })
    }
}

/// A member of the team named by the `{teamId}` path segment. Outsiders are answered 404;
/// what a member may do there, the team service checks against `access` (403 when not).
pub struct TeamMember {
    pub caller: Caller,
    pub access: Access,
}

impl FromRequest for TeamMember {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let caller = Caller::from_request(&req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            let state = state(&req)?;
            let team: TeamId = req
                .match_info()
                .get("teamId")
                .and_then(|raw| raw.parse().ok())
                .ok_or_else(|| ApiError::bad_input("teamId", "must be a UUID"))?;
            let access = state
                .teams
                .authorize(caller.auth.user_id, team, Requirement::Member)
                .await?;
            Ok(TeamMember { caller, access })
        })
    }
}
