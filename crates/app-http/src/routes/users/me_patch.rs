use super::ProfileResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::json_fields::{not_null, nullable};
use crate::state::AppState;
use actix_web::{patch, web, HttpResponse};
use serde::Deserialize;
use taskforge_domain::identity::{
    Bio, Frequency, PersonName, PictureUrl, ProfilePatch, QuietHours, Theme, TimeZone,
};
use taskforge_domain::validation::{rejected, FieldError};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    #[serde(default, deserialize_with = "not_null")]
    first_name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    last_name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    bio: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    profile_picture: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    preferences: Option<PreferencesBody>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PreferencesBody {
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Option<String>, example = "dark")]
    theme: Option<Theme>,
    #[serde(default, deserialize_with = "not_null")]
    notifications: Option<NotificationsBody>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NotificationsBody {
    #[serde(default, deserialize_with = "not_null")]
    email: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    push: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Option<String>, example = "daily")]
    frequency: Option<Frequency>,
    /// An IANA time zone name.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(example = "Europe/Paris")]
    time_zone: Option<String>,
    /// `null` clears them.
    #[serde(default, deserialize_with = "nullable")]
    quiet_hours: Option<Option<QuietHoursBody>>,
}

/// When email waits, on the user's clock (`HH:MM`, 24 h; across midnight when `end` is
/// earlier).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct QuietHoursBody {
    #[schema(example = "22:00")]
    start: String,
    #[schema(example = "07:00")]
    end: String,
}

impl Body {
    fn try_into_domain(self) -> Result<ProfilePatch, ApiError> {
        fn check<T>(
            r: Option<Result<T, FieldError>>,
            errors: &mut Vec<Option<FieldError>>,
        ) -> Option<T> {
            match r? {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(Some(e));
                    None
                }
            }
        }
        let mut errors = Vec::new();
        let first_name = check(
            self.first_name.map(|v| PersonName::parse("firstName", &v)),
            &mut errors,
        );
        let last_name = check(
            self.last_name.map(|v| PersonName::parse("lastName", &v)),
            &mut errors,
        );
        let bio = check(self.bio.map(|v| Bio::parse("bio", v)), &mut errors);
        let profile_picture = match self.profile_picture {
            Some(Some(url)) => {
                check(Some(PictureUrl::parse("profilePicture", url)), &mut errors).map(Some)
            }
            Some(None) => Some(None),
            None => None,
        };
        let prefs = self.preferences;
        let notifications = prefs.as_ref().and_then(|p| p.notifications.as_ref());
        let time_zone = check(
            notifications
                .and_then(|n| n.time_zone.as_deref())
                .map(|z| TimeZone::parse("timeZone", z)),
            &mut errors,
        );
        let quiet_hours = match notifications.and_then(|n| n.quiet_hours.as_ref()) {
            Some(Some(q)) => check(
                Some(QuietHours::parse("quietHours", &q.start, &q.end)),
                &mut errors,
            )
            .map(Some),
            Some(None) => Some(None),
            None => None,
        };
        if !errors.is_empty() {
            return Err(rejected(errors).into());
        }
        Ok(ProfilePatch {
            first_name,
            last_name,
            bio,
            profile_picture,
            theme: prefs.as_ref().and_then(|p| p.theme),
            notify_email: notifications.and_then(|n| n.email),
            notify_push: notifications.and_then(|n| n.push),
            notify_frequency: notifications.and_then(|n| n.frequency),
            notify_time_zone: time_zone,
            notify_quiet_hours: quiet_hours,
        })
    }
}

#[utoipa::path(
    operation_id = "users_me_patch",
    tag = "users",
    responses(
        (status = 200, description = "OK"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[patch("/users/me")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    let patch = body.into_inner().try_into_domain()?;
    let profile = state
        .profiles
        .patch(caller.auth.user_id, &patch, &caller.actor)
        .await?;
    Ok(HttpResponse::Ok().json(ProfileResponse::from(&profile)))
}
