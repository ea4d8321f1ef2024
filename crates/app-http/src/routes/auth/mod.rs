//! Auth and sessions.

pub(crate) mod cookies;
mod login;
mod logout;
mod logout_all;
mod register;
mod session_delete;
mod sessions_list;

use actix_web::{HttpResponse, HttpResponseBuilder};
use serde::Serialize;
use taskforge_domain::identity::User;

super::routes!(
    register,
    login,
    logout,
    logout_all,
    sessions_list,
    session_delete
);

/// `user` of the contract.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    user_id: String,
    email: String,
    first_name: String,
    last_name: String,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        Self {
            user_id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
        }
    }
}

/// Finishes a response that ends the browser's session: both cookies are dropped.
pub fn clear_cookies(mut response: HttpResponseBuilder) -> HttpResponse {
    for cookie in cookies::clear() {
        response.cookie(cookie);
    }
    response.finish()
}
