//! A team's audit log, for members with `audit.read`, with the hash chain's check.

use super::page::{app_state, ok, Layout, Params, UiError, UiResult, Viewer};
use super::tasks::Names;
use super::teams::{team_of, Person, TeamNav};
use actix_web::{get, web, HttpRequest};
use askama::Template;
use serde::Deserialize;
use taskforge_domain::audit::{AuditCursor, AuditFilter};
use taskforge_domain::write_path::{AuditAction, AuditEntityType};

pub struct Row {
    at: String,
    actor: String,
    entity: &'static str,
    action: &'static str,
    entity_id: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    l: &'a Layout,
    nav: TeamNav,
    ok_chain: bool,
    checked: usize,
    first_bad: Option<String>,
    rows: Vec<Row>,
    next: Option<String>,
    entity: String,
    action: String,
    entities: [&'static str; 6],
    actions: [&'static str; 7],
}

#[derive(Deserialize)]
struct Query {
    #[serde(rename = "entityType")]
    entity_type: Option<String>,
    action: Option<String>,
    cursor: Option<String>,
}

#[get("/teams/{teamId}/audit")]
pub async fn show(
    req: HttpRequest,
    mut viewer: Viewer,
    path: web::Path<String>,
    Params(query): Params<Query>,
) -> UiResult {
    let state = app_state(&req)?;
    let (access, view) = team_of(&state, &viewer, &path).await?;
    let chosen = |raw: &Option<String>| raw.clone().filter(|v| !v.is_empty());
    let (entity, action) = (chosen(&query.entity_type), chosen(&query.action));
    let unknown = || UiError::bad_request("Choose a filter from the list.");
    let filter = AuditFilter {
        entity_type: entity
            .as_deref()
            .map(|e| AuditEntityType::parse(e).ok_or_else(unknown))
            .transpose()?,
        action: action
            .as_deref()
            .map(|a| AuditAction::parse(a).ok_or_else(unknown))
            .transpose()?,
        ..AuditFilter::default()
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| AuditCursor::decode("cursor", c))
        .transpose()
        .map_err(|_| UiError::bad_request("This page link is not valid any more."))?;
    let (check, (records, next), members) = futures::try_join!(
        state.audit.verify(&access),
        state.audit.page(&access, &filter, after.as_ref(), 50),
        state.teams.members(&access),
    )?;
    let people: Vec<Person> = members.iter().map(Person::from).collect();
    let names = Names::of(&people);
    let page = AuditPage {
        nav: TeamNav::new(&access, &view, "audit"),
        ok_chain: check.ok,
        checked: check.checked,
        first_bad: check.first_bad.map(|id| id.to_string()),
        rows: records
            .iter()
            .map(|r| Row {
                at: viewer.layout.when(r.at),
                actor: names.name(r.actor_id),
                entity: r.entity_type.as_str(),
                action: r.action.as_str(),
                entity_id: r.entity_id.to_string(),
            })
            .collect(),
        next: next.map(|c| c.encode()),
        entity: entity.unwrap_or_default(),
        action: action.unwrap_or_default(),
        entities: [
            "user",
            "team",
            "task",
            "comment",
            "membership",
            "attachment",
        ],
        actions: [
            "create",
            "update",
            "delete",
            "assign",
            "status_change",
            "login",
            "role_change",
        ],
        l: viewer.titled(format!("{} audit log", view.team.name.as_str())),
    };
    ok(&page)
}
