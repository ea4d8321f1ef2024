//! Teams: the list, a new team, and a team's page (members, invitations, roles and the
//! permissions editor). Changes are sent to the JSON API by the page's forms.

use super::page::{app_state, ok, uuid, UiResult, Viewer};
use crate::state::AppState;
use actix_web::{get, web, HttpRequest};
use askama::Template;
use taskforge_domain::ids::TeamId;
use taskforge_domain::teams::{Access, MemberView, Permission, Requirement, Role, TeamView};

/// The team named by a path segment, as the viewer may see it (404 for outsiders).
pub async fn team_of(state: &AppState, viewer: &Viewer, raw: &str) -> UiResult<(Access, TeamView)> {
    let team = TeamId::from_uuid(uuid(raw)?);
    let access = state
        .teams
        .authorize(viewer.user(), team, Requirement::Member)
        .await?;
    let view = state.teams.get(&access).await?;
    Ok((access, view))
}

/// The links every page of a team shows, with the one it is on marked.
pub struct TeamNav {
    pub id: String,
    pub name: String,
    pub current: &'static str,
    pub audit: bool,
}

impl TeamNav {
    pub fn new(access: &Access, view: &TeamView, current: &'static str) -> Self {
        Self {
            id: view.team.id.to_string(),
            name: view.team.name.as_str().to_owned(),
            current,
            audit: access.allows(Permission::AuditRead),
        }
    }

    pub fn links(&self) -> [(&'static str, &'static str, String); 5] {
        let id = &self.id;
        [
            ("board", "Board", format!("/teams/{id}/board")),
            ("list", "List", format!("/tasks?teamId={id}")),
            ("dashboard", "Dashboard", format!("/teams/{id}/dashboard")),
            ("team", "Members", format!("/teams/{id}")),
            ("audit", "Audit log", format!("/teams/{id}/audit")),
        ]
    }
}

/// A person as pickers and avatars show them.
pub struct Person {
    pub id: String,
    pub name: String,
    pub initials: String,
}

impl From<&MemberView> for Person {
    fn from(m: &MemberView) -> Self {
        let (first, last) = (m.first_name.as_str(), m.last_name.as_str());
        Self {
            id: m.user_id.to_string(),
            name: format!("{first} {last}"),
            initials: first.chars().take(1).chain(last.chars().take(1)).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage<'a> {
    l: &'a super::page::Layout,
    teams: Vec<TeamView>,
}

#[get("/teams")]
pub async fn list(req: HttpRequest, mut viewer: Viewer) -> UiResult {
    let state = app_state(&req)?;
    let teams = state.teams.list(viewer.user()).await?;
    ok(&TeamsPage {
        l: viewer.titled("Your teams"),
        teams,
    })
}

struct RoleRow {
    role: &'static str,
    granted: Vec<(&'static str, bool, bool)>,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage<'a> {
    l: &'a super::page::Layout,
    nav: TeamNav,
    description: String,
    members: Vec<(MemberView, Person)>,
    manage_members: bool,
    manage_team: bool,
    roles: Vec<RoleRow>,
    role_names: [&'static str; 3],
}

#[get("/teams/{teamId}")]
pub async fn show(req: HttpRequest, mut viewer: Viewer, path: web::Path<String>) -> UiResult {
    let state = app_state(&req)?;
    let (access, view) = team_of(&state, &viewer, &path).await?;
    let members = state.teams.members(&access).await?;
    let manage_team = access.allows(Permission::TeamManage);
    let roles = if manage_team {
        state
            .teams
            .permissions(&access)
            .await?
            .into_iter()
            .map(|(role, granted)| RoleRow {
                role: role.as_str(),
                granted: Permission::ALL
                    .into_iter()
                    .map(|p| {
                        let fixed = role == Role::Admin && Permission::ADMIN_ALWAYS.contains(&p);
                        (p.as_str(), granted.contains(&p), fixed)
                    })
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = TeamPage {
        nav: TeamNav::new(&access, &view, "team"),
        description: view.team.description.as_str().to_owned(),
        members: members
            .iter()
            .map(|m| (m.clone(), Person::from(m)))
            .collect(),
        manage_members: access.allows(Permission::MemberManage),
        manage_team,
        roles,
        role_names: Role::ALL.map(|r| r.as_str()),
        l: viewer.titled(view.team.name.as_str().to_owned()),
    };
    ok(&page)
}
