//! What every page shares: who is looking (or a redirect to sign in), the layout's data,
//! rendering, and errors told in words.

use crate::error::ApiError;
use crate::extract::{Caller, CSRF_COOKIE};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use futures::future::LocalBoxFuture;
use std::fmt;
use taskforge_domain::identity::{Profile, TimeZone};
use taskforge_domain::Error as DomainError;

use super::assets;

/// The signed-in person a page is rendered for.
pub struct Viewer {
    pub caller: Caller,
    pub profile: Profile,
    pub layout: Layout,
}

/// The data of the page frame: theme, CSRF token, who is signed in, the bell.
pub struct Layout {
    pub title: String,
    pub theme: &'static str,
    pub csrf: String,
    pub user_name: String,
    pub user_id: String,
    pub unread: u64,
    /// The viewer's time zone, which pages show times in.
    pub zone: TimeZone,
    pub css: &'static str,
    pub js: &'static str,
}

impl Layout {
    /// The frame of a page shown before signing in.
    pub fn anonymous(title: &str, csrf: String) -> Self {
        Self {
            title: title.to_owned(),
            theme: "system",
            csrf,
            user_name: String::new(),
            user_id: String::new(),
            unread: 0,
            zone: TimeZone::default(),
            css: assets::css_url(),
            js: assets::js_url(),
        }
    }

    pub fn signed_in(&self) -> bool {
        !self.user_id.is_empty()
    }

    /// A time as pages show it, in the viewer's time zone.
    pub fn when(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&self.zone.tz())
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

impl Viewer {
    /// The page title is set by the handler once it knows what the page shows.
    pub fn titled(&mut self, title: impl Into<String>) -> &Layout {
        self.layout.title = title.into();
        &self.layout
    }

    pub fn user(&self) -> taskforge_domain::ids::UserId {
        self.caller.auth.user_id
    }
}

pub fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, UiError> {
    crate::extract::state(req).map_err(UiError::from)
}

impl FromRequest for Viewer {
    type Error = UiError;
    type Future = LocalBoxFuture<'static, Result<Self, UiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let caller = Caller::of(&req, None)
                .await
                .map_err(|e| UiError::from(e).signing_in_to(&req))?;
            let state = app_state(&req)?;
            let user = caller.auth.user_id;
            let (profile, unread) = futures::try_join!(
                state.profiles.get(user),
                state.notifications.unread_count(user)
            )?;
            let csrf = req
                .cookie(CSRF_COOKIE)
                .map(|c| c.value().to_owned())
                .unwrap_or_default();
            let layout = Layout {
                title: String::new(),
                theme: profile.details.preferences.theme.as_str(),
                csrf,
                user_name: format!(
                    "{} {}",
                    profile.user.first_name.as_str(),
                    profile.user.last_name.as_str()
                ),
                user_id: user.to_string(),
                unread,
                zone: profile.details.preferences.notifications.time_zone,
                css: assets::css_url(),
                js: assets::js_url(),
            };
            Ok(Viewer {
                caller,
                profile,
                layout,
            })
        })
    }
}

/// The query string read into `T`; one that does not read is a 400 page (the API's query
/// extractor would answer JSON).
pub struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequest for Params<T> {
    type Error = UiError;
    type Future = std::future::Ready<Result<Self, UiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            web::Query::<T>::from_query(req.query_string())
                .map(|q| Params(q.into_inner()))
                .map_err(|_| {
                    UiError::bad_request(
                        "This address has parameters TaskForge does not understand.",
                    )
                }),
        )
    }
}

/// A rendered page, with the status it answers.
pub fn html(status: StatusCode, page: &impl Template) -> Result<HttpResponse, UiError> {
    let body = page.render().map_err(|e| {
        tracing::error!(error = %e, "template failed");
        UiError::from(ApiError::internal())
    })?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

pub fn ok(page: &impl Template) -> Result<HttpResponse, UiError> {
    html(StatusCode::OK, page)
}

/// A `303 See Other` to a page of ours.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// Where to go back to after signing in: a path of this site only.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/teams",
    }
}

/// A failed page: a redirect to sign in, or a page that says what went wrong in words.
#[derive(Debug)]
pub enum UiError {
    SignIn {
        next: String,
    },
    Page {
        status: StatusCode,
        message: String,
        details: Vec<String>,
    },
}

pub type UiResult<T = HttpResponse> = Result<T, UiError>;

impl UiError {
    pub fn not_found() -> Self {
        ApiError::not_found().into()
    }

    pub fn bad_request(message: &str) -> Self {
        Self::Page {
            status: StatusCode::BAD_REQUEST,
            message: message.to_owned(),
            details: Vec::new(),
        }
    }

    /// A missing or ended session sends the browser to sign in, then back here.
    fn signing_in_to(self, req: &HttpRequest) -> Self {
        match self {
            Self::Page { status, .. } if status == StatusCode::UNAUTHORIZED => Self::SignIn {
                next: req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
            },
            other => other,
        }
    }

    /// The sentence shown for an error, also on forms that stay on their page.
    pub fn message(&self) -> &str {
        match self {
            Self::SignIn { .. } => "Please sign in to continue.",
            Self::Page { message, .. } => message,
        }
    }

    pub fn details(&self) -> &[String] {
        match self {
            Self::SignIn { .. } => &[],
            Self::Page { details, .. } => details,
        }
    }
}

/// What a person is told for each kind of failure.
pub fn explain(status: StatusCode, api_message: &str) -> String {
    match status.as_u16() {
        400 => "Some of what was entered is not valid. Please check it and try again.".into(),
        401 => "That email and password do not match an account.".into(),
        403 => "You do not have permission to do this. A team admin can grant it.".into(),
        404 => {
            "We could not find this. It may have been deleted, or you may not have access to it."
                .into()
        }
        409 => format!("This could not be done: {api_message}."),
        412 => "Someone else changed this in the meantime.".into(),
        413 => "That is too large.".into(),
        429 => "Too many attempts in a short time. Please wait a moment and try again.".into(),
        503 => "TaskForge is briefly unavailable. Please try again in a few seconds.".into(),
        _ => "Something went wrong on our side. Please try again.".into(),
    }
}

impl From<ApiError> for UiError {
    fn from(e: ApiError) -> Self {
        let status = e.status_code();
        Self::Page {
            status,
            message: explain(status, e.message()),
            details: e
                .details()
                .iter()
                .map(|d| format!("{}: {}", d.field, d.message))
                .collect(),
        }
    }
}

impl From<DomainError> for UiError {
    fn from(e: DomainError) -> Self {
        ApiError::from(e).into()
    }
}

impl fmt::Display for UiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    l: Layout,
    status: u16,
    message: &'a str,
    details: &'a [String],
}

impl ResponseError for UiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::Page { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn { next } => redirect(&format!("/login?next={}", encode(next))),
            Self::Page {
                status,
                message,
                details,
            } => {
                let page = ErrorPage {
                    l: Layout::anonymous("Something went wrong", String::new()),
                    status: status.as_u16(),
                    message,
                    details,
                };
                html(*status, &page).unwrap_or_else(|_| HttpResponse::build(*status).finish())
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A path segment that must be a UUID: anything else is a page that does not exist.
pub fn uuid(raw: &str) -> UiResult<uuid::Uuid> {
    raw.parse().map_err(|_| UiError::not_found())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(local_path(Some("/tasks/1")), "/tasks/1");
        for bad in ["//evil.test/x", "https://evil.test", "/\\evil", "x"] {
            assert_eq!(local_path(Some(bad)), "/teams", "{bad}");
        }
        assert_eq!(local_path(None), "/teams");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("/teams?a=b c&d"), "/teams%3Fa%3Db%20c%26d");
    }
}
