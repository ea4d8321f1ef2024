use super::ProfileResponse;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{patch, web, HttpResponse};
use serde::{Deserialize, Deserializer};
use taskforge_domain::identity::{Bio, Frequency, PersonName, PictureUrl, ProfilePatch, Theme};
use taskforge_domain::validation::{rejected, FieldError};

/// Tells an explicit `null` (Some(None)) from an absent field (None).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    first_name: Option<String>,
    last_name: Option<String>,
    bio: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    profile_picture: Option<Option<String>>,
    preferences: Option<PreferencesBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferencesBody {
    theme: Option<Theme>,
    notifications: Option<NotificationsBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotificationsBody {
    email: Option<bool>,
    push: Option<bool>,
    frequency: Option<Frequency>,
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
        if !errors.is_empty() {
            return Err(rejected(errors).into());
        }
        let prefs = self.preferences;
        let notifications = prefs.as_ref().and_then(|p| p.notifications.as_ref());
        Ok(ProfilePatch {
            first_name,
            last_name,
            bio,
            profile_picture,
            theme: prefs.as_ref().and_then(|p| p.theme),
            notify_email: notifications.and_then(|n| n.email),
            notify_push: notifications.and_then(|n| n.push),
            notify_frequency: notifications.and_then(|n| n.frequency),
        })
    }
}

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
