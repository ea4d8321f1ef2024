//! The viewer's profile and preferences: name, theme, notification settings, time zone and
//! quiet hours.

use super::page::{ok, Layout, UiResult, Viewer};
use actix_web::get;
use askama::Template;
use taskforge_domain::identity::{Frequency, Theme};

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage<'a> {
    l: &'a Layout,
    email: String,
    first_name: String,
    last_name: String,
    bio: String,
    theme: &'static str,
    themes: [&'static str; 3],
    email_on: bool,
    push_on: bool,
    frequency: &'static str,
    frequencies: [&'static str; 4],
    time_zone: String,
    quiet_start: String,
    quiet_end: String,
}

#[get("/profile")]
pub async fn show(mut viewer: Viewer) -> UiResult {
    let p = &viewer.profile;
    let prefs = &p.details.preferences;
    let n = &prefs.notifications;
    let (quiet_start, quiet_end) = n.quiet_hours.map(|q| q.written()).unwrap_or_default();
    let page = ProfilePage {
        email: p.user.email.as_str().to_owned(),
        first_name: p.user.first_name.as_str().to_owned(),
        last_name: p.user.last_name.as_str().to_owned(),
        bio: p.details.bio.as_str().to_owned(),
        theme: prefs.theme.as_str(),
        themes: Theme::ALL.map(|t| t.as_str()),
        email_on: n.email,
        push_on: n.push,
        frequency: n.frequency.as_str(),
        frequencies: Frequency::ALL.map(|f| f.as_str()),
        time_zone: n.time_zone.as_str().to_owned(),
        quiet_start,
        quiet_end,
        l: viewer.titled("Profile and preferences"),
    };
    ok(&page)
}
