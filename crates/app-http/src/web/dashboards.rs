//! Team and personal dashboards: counts and charts drawn as SVG on the server.

use super::board::status_label;
use super::page::{app_state, ok, Layout, UiResult, Viewer};
use super::svg;
use super::tasks::Names;
use super::teams::{team_of, Person, TeamNav};
use actix_web::{get, web, HttpRequest};
use askama::Template;
use taskforge_domain::dashboards::Dashboard;

pub struct Charts {
    status: String,
    priority: String,
    days: String,
    workload: String,
    overdue: u64,
    due_soon: u64,
    cycle: String,
}

impl Charts {
    fn of(d: &Dashboard, names: &Names) -> Self {
        let status: Vec<(&str, u64)> = d
            .by_status
            .iter()
            .map(|(s, n)| (status_label(*s), *n))
            .collect();
        let priority: Vec<(&str, u64)> = d
            .by_priority
            .iter()
            .map(|(p, n)| (p.as_str(), *n))
            .collect();
        let days: Vec<String> = d
            .created_per_day
            .iter()
            .map(|c| c.date.to_string())
            .collect();
        let counts = |series: &[taskforge_domain::dashboards::DayCount]| -> Vec<u64> {
            series.iter().map(|c| c.count).collect()
        };
        let load: Vec<(String, u64, u64)> = d
            .by_assignee
            .iter()
            .map(|l| (names.name(Some(l.user)), l.open, l.done))
            .collect();
        Self {
            status: svg::bars("Tasks by status", &status),
            priority: svg::bars("Tasks by priority", &priority),
            days: svg::lines(
                "Tasks created and completed per day, last 30 days",
                &days,
                &counts(&d.created_per_day),
                &counts(&d.completed_per_day),
            ),
            workload: svg::workload("Open and done tasks per assignee", &load),
            overdue: d.overdue,
            due_soon: d.due_next_7_days,
            cycle: d
                .avg_cycle_time_hours
                .map(|h| format!("{h:.1} h"))
                .unwrap_or_else(|| "no finished task yet".into()),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    l: &'a Layout,
    nav: Option<TeamNav>,
    heading: String,
    charts: Charts,
}

#[get("/teams/{teamId}/dashboard")]
pub async fn team(req: HttpRequest, mut viewer: Viewer, path: web::Path<String>) -> UiResult {
    let state = app_state(&req)?;
    let (access, view) = team_of(&state, &viewer, &path).await?;
    let (dashboard, members) = futures::try_join!(
        state.dashboards.team(viewer.user(), view.team.id),
        state.teams.members(&access)
    )?;
    let people: Vec<Person> = members.iter().map(Person::from).collect();
    let heading = format!("{} dashboard", view.team.name.as_str());
    let page = DashboardPage {
        nav: Some(TeamNav::new(&access, &view, "dashboard")),
        charts: Charts::of(&dashboard, &Names::of(&people)),
        l: viewer.titled(heading.clone()),
        heading,
    };
    ok(&page)
}

#[get("/dashboard")]
pub async fn personal(req: HttpRequest, mut viewer: Viewer) -> UiResult {
    let state = app_state(&req)?;
    let dashboard = state.dashboards.personal(viewer.user()).await?;
    let me = Person {
        id: viewer.user().to_string(),
        name: viewer.layout.user_name.clone(),
        initials: String::new(),
    };
    let page = DashboardPage {
        nav: None,
        charts: Charts::of(&dashboard, &Names::of(&[me])),
        heading: "My dashboard".into(),
        l: viewer.titled("My dashboard"),
    };
    ok(&page)
}
