//! Sign up, sign in and sign out: plain forms, working without JavaScript.

use super::page::{app_state, local_path, ok, redirect, Layout, Params, UiError, UiResult};
use crate::error::ApiError;
use crate::extract::{csrf_ok, Caller, Client, CSRF_COOKIE};
use crate::routes::auth::cookies;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse, HttpResponseBuilder, ResponseError};
use askama::Template;
use serde::Deserialize;
use taskforge_domain::identity::{RegisterInput, SessionToken};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    l: Layout,
    next: &'a str,
    email: &'a str,
    error: Option<UiError>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage<'a> {
    l: Layout,
    form: &'a SignupForm,
    error: Option<UiError>,
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: String,
    email: String,
    password: String,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct SignupForm {
    csrf: String,
    email: String,
    password: String,
    first_name: String,
    last_name: String,
}

/// The CSRF token of a form shown before signing in: the browser's `tf_csrf` cookie, or a new
/// one to set when it has none.
fn pre_session_csrf(req: &HttpRequest) -> (String, Option<SessionToken>) {
    match req.cookie(CSRF_COOKIE) {
        Some(c) => (c.value().to_owned(), None),
        None => {
            let token = SessionToken::generate();
            (token.expose().to_owned(), Some(token))
        }
    }
}

/// Renders a form page with `status`, setting the `tf_csrf` cookie it relies on when the
/// browser lacks it.
fn form_page(
    req: &HttpRequest,
    status: StatusCode,
    render: impl FnOnce(Layout) -> UiResult,
    title: &str,
) -> UiResult {
    let state = app_state(req)?;
    let (csrf, fresh) = pre_session_csrf(req);
    let mut response = render(Layout::anonymous(title, csrf))?;
    if let Some(token) = fresh {
        response
            .add_cookie(&cookies::csrf(&state, &token))
            .map_err(|_| UiError::from(ApiError::internal()))?;
    }
    *response.status_mut() = status;
    Ok(response)
}

/// Refuses a form post whose token does not match the `tf_csrf` cookie (and that does not come
/// from our own origin either).
fn check_csrf(req: &HttpRequest, sent: &str) -> Result<(), UiError> {
    if csrf_ok(req, Some(sent)) {
        Ok(())
    } else {
        Err(UiError::Page {
            status: StatusCode::FORBIDDEN,
            message: "This form has expired. Please reload the page and try again.".into(),
            details: Vec::new(),
        })
    }
}

/// Signs in and sends the browser on, with the session's cookies.
async fn signed_in(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
    password: String,
    next: &str,
) -> UiResult {
    let client = Client::of(req)?;
    let outcome = state.auth.login(email, password, &client).await?;
    let mut response = HttpResponse::SeeOther();
    response.insert_header(("Location", next));
    for cookie in cookies::issue(state, &outcome.token) {
        response.cookie(cookie);
    }
    Ok(response.finish())
}

#[get("/")]
pub async fn home(req: HttpRequest) -> HttpResponse {
    let signed_in = req.cookie(crate::extract::SESSION_COOKIE).is_some();
    redirect(if signed_in { "/teams" } else { "/login" })
}

#[get("/login")]
pub async fn login_page(req: HttpRequest, Params(q): Params<Next>) -> UiResult {
    let next = local_path(q.next.as_deref());
    form_page(
        &req,
        StatusCode::OK,
        |l| {
            ok(&LoginPage {
                l,
                next,
                email: "",
                error: None,
            })
        },
        "Sign in",
    )
}

#[post("/login")]
pub async fn login(
    req: HttpRequest,
    form: Result<web::Form<LoginForm>, actix_web::Error>,
) -> UiResult {
    let form = form.map_err(|_| UiError::bad_request("Please fill in your email and password."))?;
    check_csrf(&req, &form.csrf)?;
    let state = app_state(&req)?;
    let next = local_path(form.next.as_deref());
    match signed_in(&state, &req, &form.email, form.password.clone(), next).await {
        Ok(done) => Ok(done),
        Err(error) => {
            let status = error.status_code();
            form_page(
                &req,
                status,
                |l| {
                    ok(&LoginPage {
                        l,
                        next,
                        email: &form.email,
                        error: Some(error),
                    })
                },
                "Sign in",
            )
        }
    }
}

#[get("/signup")]
pub async fn signup_page(req: HttpRequest) -> UiResult {
    let form = SignupForm::default();
    form_page(
        &req,
        StatusCode::OK,
        |l| {
            ok(&SignupPage {
                l,
                form: &form,
                error: None,
            })
        },
        "Create an account",
    )
}

#[post("/signup")]
pub async fn signup(
    req: HttpRequest,
    form: Result<web::Form<SignupForm>, actix_web::Error>,
) -> UiResult {
    let form = form.map_err(|_| UiError::bad_request("Please fill in every field."))?;
    check_csrf(&req, &form.csrf)?;
    let state = app_state(&req)?;
    let input = RegisterInput {
        email: form.email.clone(),
        password: form.password.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
    };
    let registered = match state.auth.register(input, &Client::of(&req)?).await {
        Ok(_) => signed_in(&state, &req, &form.email, form.password.clone(), "/teams").await,
        Err(e) => Err(UiError::from(e)),
    };
    registered.or_else(|error| {
        let status = error.status_code();
        form_page(
            &req,
            status,
            |l| {
                ok(&SignupPage {
                    l,
                    form: &form,
                    error: Some(error),
                })
            },
            "Create an account",
        )
    })
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: String,
}

#[post("/logout")]
pub async fn logout(
    req: HttpRequest,
    form: Result<web::Form<LogoutForm>, actix_web::Error>,
) -> UiResult {
    let form = form.map_err(|_| UiError::bad_request("This form has expired."))?;
    let state = app_state(&req)?;
    match Caller::of(&req, Some(&form.csrf)).await {
        Ok(caller) => state.auth.logout(&caller.auth).await?,
        Err(e) if e.status_code() == StatusCode::UNAUTHORIZED => {}
        Err(e) => return Err(e.into()),
    }
    let mut response = HttpResponseBuilder::new(StatusCode::SEE_OTHER);
    response.insert_header(("Location", "/login"));
    Ok(crate::routes::auth::clear_cookies(response))
}
