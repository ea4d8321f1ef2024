//! Teams, members and permissions. Every route here is team-scoped through `TeamMember`.

mod create;
mod delete;
mod events;
mod follow_get;
mod follow_put;
mod get;
mod list;
mod member_add;
mod member_remove;
mod member_update;
mod members_list;
mod permissions_get;
mod permissions_put;
mod update;

use serde::Serialize;
use taskforge_domain::teams::{MemberView, Role, TeamView};

super::routes!(
    create,
    list,
    get,
    update,
    delete,
    members_list,
    member_add,
    member_update,
    member_remove,
    permissions_get,
    permissions_put,
    follow_get,
    follow_put,
    events
);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamResponse {
    team_id: String,
    name: String,
    description: String,
    created_by: String,
    created_at: chrono::DateTime<chrono::Utc>,
    my_role: Role,
}

impl From<&TeamView> for TeamResponse {
    fn from(v: &TeamView) -> Self {
        Self {
            team_id: v.team.id.to_string(),
            name: v.team.name.as_str().to_owned(),
            description: v.team.description.as_str().to_owned(),
            created_by: v.team.created_by.to_string(),
            created_at: v.team.created_at,
            my_role: v.my_role,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberResponse {
    user_id: String,
    email: String,
    first_name: String,
    last_name: String,
    role: Role,
    joined_at: chrono::DateTime<chrono::Utc>,
    /// Whether the member made a request in the last five minutes (in the members list).
    #[serde(skip_serializing_if = "Option::is_none")]
    online: Option<bool>,
}

impl From<&MemberView> for MemberResponse {
    fn from(m: &MemberView) -> Self {
        Self {
            user_id: m.user_id.to_string(),
            email: m.email.as_str().to_owned(),
            first_name: m.first_name.as_str().to_owned(),
            last_name: m.last_name.as_str().to_owned(),
            role: m.role,
            joined_at: m.joined_at,
            online: None,
        }
    }
}

/// `{items, nextCursor: null}`: the lists of this module are small by nature and whole.
pub fn whole_list<T: Serialize>(items: Vec<T>) -> serde_json::Value {
    serde_json::json!({ "items": items, "nextCursor": null })
}
