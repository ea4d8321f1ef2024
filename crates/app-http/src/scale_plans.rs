//! `taskforge-admin explain`: each scale query shape's statement (`seed::list_shapes`,
//! `seed::search_shapes`, both dashboards) run under `EXPLAIN (ANALYZE, BUFFERS)` as a seeded
//! admin, through the repositories' own statement builders, printed as markdown.

use crate::settings::Settings;
use chrono::{TimeDelta, Utc};
use std::fmt::Write;
use taskforge_adapter_sql::{
    Explain, PgDashboards, PgSearch, PgStore, PgTaskRepository, PgUserRepository,
};
use taskforge_domain::dashboards::{DashboardScope, DayWindow};
use taskforge_domain::identity::ports::UserRepository;
use taskforge_domain::identity::values::Email;
use taskforge_domain::ids::TeamId;
use taskforge_domain::seed::{list_shapes, search_shapes};

/// The plans of every shape for the user with `email`, an admin of `team`, as markdown sections.
pub async fn explain(settings: &Settings, email: &str, team: TeamId) -> anyhow::Result<String> {
    let store = PgStore::new(&settings.database)?;
    let email = Email::parse("email", email).map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some((user, _)) = PgUserRepository::new(store.clone())
        .by_email(&email)
        .await?
    else {
        anyhow::bail!("no account has that email");
    };
    let user = user.id;
    let now = Utc::now();
    let mut out = String::new();
    let mut section = |name: &str, plan: &str| {
        let _ = write!(out, "## {name}\n\n```\n{plan}\n```\n\n");
    };
    let tasks = PgTaskRepository::new(store.clone());
    for (name, query) in list_shapes(user, team, now) {
        if let Some(plan) = tasks.explain_list(user, &query, Explain::Analyze).await? {
            section(&format!("list: {name}"), &plan);
        }
    }
    let search = PgSearch::new(store.clone());
    for (name, query) in search_shapes() {
        if let Some(plan) = search
            .explain_search(user, &query, Explain::Analyze)
            .await?
        {
            section(&name, &plan);
        }
    }
    let dashboards = PgDashboards::new(store);
    let window = DayWindow {
        zone: "UTC".into(),
        since: (now - TimeDelta::days(29))
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc(),
        now,
    };
    for (name, scope) in [
        ("dashboard: team", DashboardScope::Team(team)),
        ("dashboard: personal", DashboardScope::Assignee(user)),
    ] {
        section(
            name,
            &dashboards.explain(scope, &window, Explain::Analyze).await?,
        );
    }
    Ok(out)
}
