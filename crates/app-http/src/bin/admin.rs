//! `taskforge-admin`: operator commands.
//!
//! - `migrate`: apply pending migrations.
//! - `seed-demo`: create the demo accounts and, the first time, a team of the three with a few
//!   tasks (idempotent); print how to log in.
//! - `seed [--users N] [--teams N] [--tasks N] [--comments N]`: bulk-load generated data beside
//!   what the stores hold (ADR 26), with progress on stderr; print how to log in.
//! - `reconcile`: compare PostgreSQL, MongoDB (documents, GridFS) and Redis, repair drift, print
//!   what was found.
//! - `outbox dead`: list the outbox rows that became dead letters, with their causes.
//! - `outbox retry ID`: queue a dead letter again.
//! - `explain --email E --team ID`: run each scale query shape (lists, search, dashboards) under
//!   `EXPLAIN (ANALYZE, BUFFERS)` as that user, an admin of that team; print markdown.
//! - `audit-verify [--team ID]`: chain the audit rows committed since the last pass, then walk
//!   every scope's hash chain (or the team's) from its first link; fails if one is broken.

use secrecy::ExposeSecret;
use std::process::ExitCode;
use taskforge_app_http::settings::Settings;
use taskforge_app_http::state::AppState;
use taskforge_app_http::{chains, scale_plans, seeding, telemetry, wiring};
use taskforge_domain::identity::values::Email;
use taskforge_domain::identity::RegisterInput;
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::seed::{Plan, Progress, COMMON_WORD, RARE_WORD};
use taskforge_domain::tasks::{
    CustomFields, Description, NewTask, Priority, Status, Tags, TaskTitle,
};
use taskforge_domain::teams::{Requirement, Role, TeamDescription, TeamName};
use taskforge_domain::validation::FieldError;
use taskforge_domain::write_path::Actor;
use taskforge_domain::Error;

const USAGE: &str = "usage: taskforge-admin \
    <migrate | seed-demo | reconcile | outbox dead | outbox retry ID | audit-verify [--team ID]\n\
    | explain --email E --team ID\n\
    | seed [--users N] [--teams N] [--tasks N] [--comments N] (defaults 5000, 200, 100000, 200000)>";

/// The demo accounts: (email, password, first name, last name).
const DEMO_USERS: [(&str, &str, &str, &str); 3] = [
    ("ada@taskforge.test", "demo-password-1", "Ada", "Lovelace"),
    ("grace@taskforge.test", "demo-password-2", "Grace", "Hopper"),
    ("alan@taskforge.test", "demo-password-3", "Alan", "Turing"),
];

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = args.join(" ");
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("taskforge-admin: {e:#}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logging(&settings.log);
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match words.as_slice() {
        ["migrate"] => migrate(&settings).await,
        ["seed-demo"] => seed_demo(&settings).await,
        ["seed", flags @ ..] => match seeding::parse_plan(flags) {
            Ok(plan) => seed(&settings, plan).await,
            Err(e) => {
                eprintln!("{e:#}\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        ["reconcile"] => reconcile(&settings).await,
        ["outbox", "dead"] => dead_letters(&settings).await,
        ["outbox", "retry", id] => match id.parse() {
            Ok(id) => retry(&settings, id).await,
            Err(_) => Err(anyhow::anyhow!("{id} is not an outbox row id")),
        },
        ["explain", "--email", email, "--team", team] => match team.parse() {
            Ok(team) => scale_plans::explain(&settings, email, team)
                .await
                .map(|plans| print!("{plans}")),
            Err(_) => Err(anyhow::anyhow!("{team} is not a team id")),
        },
        ["audit-verify"] => audit_verify(&settings, None).await,
        ["audit-verify", "--team", id] => match id.parse() {
            Ok(team) => audit_verify(&settings, Some(team)).await,
            Err(_) => Err(anyhow::anyhow!("{id} is not a team id")),
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("taskforge-admin {command}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let applied =
        taskforge_adapter_sql::migrations::run_pending(settings.database.url.expose_secret())
            .await?;
    if applied.is_empty() {
        println!("migrations: up to date");
    }
    for name in applied {
        println!("migrations: applied {name}");
    }
    Ok(())
}

/// A demo task: title, status, priority, assignee (an index into `DEMO_USERS`), tags.
type DemoTask = (
    &'static str,
    Status,
    Priority,
    Option<usize>,
    &'static [&'static str],
);

const DEMO_TASKS: [DemoTask; 5] = [
    (
        "Write the first program",
        Status::Done,
        Priority::High,
        Some(0),
        &["notes"],
    ),
    (
        "Compile the compiler",
        Status::InProgress,
        Priority::Urgent,
        Some(1),
        &["compiler"],
    ),
    (
        "Find the moth in relay 70",
        Status::InReview,
        Priority::Medium,
        Some(1),
        &["bug"],
    ),
    (
        "Decide what is computable",
        Status::Todo,
        Priority::High,
        None,
        &["theory"],
    ),
    (
        "Order more punched cards",
        Status::Backlog,
        Priority::Low,
        None,
        &[],
    ),
];

async fn seed_demo(settings: &Settings) -> anyhow::Result<()> {
    let wiring::Wired { state, relay, .. } = wiring::wire(settings).await?;
    let mut created = Vec::new();
    for (email, password, first, last) in DEMO_USERS {
        let input = RegisterInput {
            email: email.into(),
            password: password.into(),
            first_name: first.into(),
            last_name: last.into(),
        };
        match state.auth.register(input, &Actor::default()).await {
            Ok(user) => {
                println!("demo: created {email} (password {password})");
                created.push(user.id);
            }
            Err(Error::Conflict(_)) => println!("demo: {email} exists (password {password})"),
            Err(e) => return Err(anyhow::anyhow!("seeding {email}: {e}")),
        }
    }
    // Only a first seeding (all three accounts new) makes the team, so a rerun adds nothing.
    if created.len() == DEMO_USERS.len() {
        seed_team(&state, &created).await?;
    }
    relay.pass().await?;
    Ok(())
}

fn invalid(e: FieldError) -> anyhow::Error {
    anyhow::anyhow!("demo data is invalid: {e:?}")
}

/// The demo team: Ada its admin, Grace a member, Alan a guest, and `DEMO_TASKS`.
async fn seed_team(state: &AppState, users: &[UserId]) -> anyhow::Result<()> {
    let actor = Actor::default();
    let admin = users[0];
    let name = TeamName::parse("name", "Analytical Engine").map_err(invalid)?;
    let about = TeamDescription::parse("description", "The demo team.".into()).map_err(invalid)?;
    let team = state.teams.create(admin, name, about, &actor).await?.team;
    let access = state
        .teams
        .authorize(admin, team.id, Requirement::Member)
        .await?;
    for (i, role) in [(1, Role::Member), (2, Role::Guest)] {
        let email = Email::parse("email", DEMO_USERS[i].0).map_err(invalid)?;
        state
            .teams
            .add_member(&access, &email, role, &actor)
            .await?;
    }
    for (title, status, priority, assignee, tags) in DEMO_TASKS {
        let tags = tags.iter().map(|t| (*t).to_owned()).collect();
        let task = NewTask {
            team: team.id,
            title: TaskTitle::parse("title", title).map_err(invalid)?,
            description: Description::default(),
            status,
            priority,
            assignee: assignee.map(|i| users[i]),
            due_date: None,
            tags: Tags::parse("tags", tags).map_err(invalid)?,
            custom_fields: CustomFields::default(),
        };
        state.tasks.create(admin, task, &actor, None).await?;
    }
    println!(
        "demo: team {} with {} tasks",
        team.name.as_str(),
        DEMO_TASKS.len()
    );
    Ok(())
}

async fn seed(settings: &Settings, plan: Plan) -> anyhow::Result<()> {
    let mut progress = |p: &Progress| {
        eprint!(
            "\rseed: {:<8} {:>9}/{:<9} {:>8.0}/s",
            p.entity,
            p.done,
            p.total,
            p.rate()
        );
        if p.done == p.total {
            eprintln!();
        }
    };
    let report = seeding::seed(settings, plan, &mut progress).await?;
    for p in &report.entities {
        println!(
            "seed: {} {} in {:.1} s ({:.0}/s)",
            p.done,
            p.entity,
            p.elapsed.as_secs_f64(),
            p.rate()
        );
    }
    println!(
        "seed: run {}; log in as {} (password {}), an admin of the biggest team {}",
        report.run,
        report.big_team_admin_email,
        seeding::SEED_PASSWORD,
        report.big_team
    );
    println!("seed: search words: common {COMMON_WORD}, rare {RARE_WORD}");
    Ok(())
}

async fn reconcile(settings: &Settings) -> anyhow::Result<()> {
    let wired = wiring::wire(settings).await?;
    // Whatever the relay can still apply is not drift.
    wired.relay.drain(1000).await?;
    let report = wired
        .reconciler
        .run()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("reconcile: {} tasks checked", report.tasks_checked);
    println!(
        "reconcile: {} documents restored",
        report.documents_restored
    );
    println!(
        "reconcile: {} documents brought forward",
        report.documents_updated
    );
    println!(
        "reconcile: {} orphan documents deleted",
        report.orphans_deleted
    );
    println!(
        "reconcile: {} stale cache entries dropped",
        report.cache_entries_dropped
    );
    let comments = wired
        .comment_reconciler
        .run()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("reconcile: {} comments checked", comments.comments_checked);
    println!(
        "reconcile: {} comment documents restored, {} brought forward, {} orphans deleted",
        comments.documents_restored, comments.documents_updated, comments.orphans_deleted
    );
    // Bytes of an upload whose change never committed, past the sweeper's grace.
    let grace = std::time::Duration::from_secs(settings.worker.upload_grace_secs);
    let swept = wired
        .state
        .attachments
        .sweep(grace)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("reconcile: {swept} orphan attachment files deleted from GridFS");
    println!(
        "reconcile: drift {}",
        report.drift() + comments.drift() + swept
    );
    Ok(())
}

async fn dead_letters(settings: &Settings) -> anyhow::Result<()> {
    let wired = wiring::wire(settings).await?;
    let letters = wired.outbox.dead_letters(1000).await?;
    println!("outbox: {} dead letters", letters.len());
    for l in letters {
        println!(
            "outbox: row {} ({}), {} attempts, dead since {}: {}",
            l.id,
            l.aggregate,
            l.attempts,
            l.dead_at.to_rfc3339(),
            l.last_error.unwrap_or_default()
        );
    }
    Ok(())
}

async fn audit_verify(settings: &Settings, team: Option<TeamId>) -> anyhow::Result<()> {
    let checks = chains::verify(settings, team).await?;
    let mut broken = 0;
    for (scope, check) in &checks {
        match (check.ok, check.first_bad) {
            (true, _) => println!("audit: {scope}: ok, {} rows", check.checked),
            (false, Some(row)) => {
                broken += 1;
                println!(
                    "audit: {scope}: BROKEN at row {row} ({} rows hold before it)",
                    check.checked
                );
            }
            (false, None) => {
                broken += 1;
                println!(
                    "audit: {scope}: BROKEN: its {} rows hold, but its head records more \
                     (rows deleted from its end)",
                    check.checked
                );
            }
        }
    }
    if broken > 0 {
        anyhow::bail!("{broken} of {} chains broken", checks.len());
    }
    println!("audit: {} chains verified", checks.len());
    Ok(())
}

async fn retry(settings: &Settings, id: i64) -> anyhow::Result<()> {
    let wired = wiring::wire(settings).await?;
    if wired.outbox.requeue(id).await? {
        println!("outbox: row {id} queued again");
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "row {id} is not a dead letter, or a later change of its whole scope (a team's \
             deletion) has been applied since and it must not be undone"
        ))
    }
}
