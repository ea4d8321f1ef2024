//! `taskforge-admin`: operator commands.
//!
//! - `migrate`: apply pending migrations.
//! - `seed-demo`: create the demo accounts (idempotent) and print how to log in.
//! - `reconcile`: compare PostgreSQL, MongoDB and Redis, repair drift, print what was found.

use secrecy::ExposeSecret;
use std::process::ExitCode;
use taskforge_app_http::settings::Settings;
use taskforge_app_http::{telemetry, wiring};
use taskforge_domain::identity::RegisterInput;
use taskforge_domain::write_path::Actor;
use taskforge_domain::Error;

const USAGE: &str = "usage: taskforge-admin <migrate | seed-demo | reconcile>";

/// The demo accounts: (email, password, first name, last name).
const DEMO_USERS: [(&str, &str, &str, &str); 3] = [
    ("ada@taskforge.test", "demo-password-1", "Ada", "Lovelace"),
    ("grace@taskforge.test", "demo-password-2", "Grace", "Hopper"),
    ("alan@taskforge.test", "demo-password-3", "Alan", "Turing"),
];

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("taskforge-admin: {e:#}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_logging(&settings.log);
    let outcome = match command.as_str() {
        "migrate" => migrate(&settings).await,
        "seed-demo" => seed_demo(&settings).await,
        "reconcile" => reconcile(&settings).await,
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

async fn seed_demo(settings: &Settings) -> anyhow::Result<()> {
    let wiring::Wired { state, relay, .. } = wiring::wire(settings).await?;
    for (email, password, first, last) in DEMO_USERS {
        let input = RegisterInput {
            email: email.into(),
            password: password.into(),
            first_name: first.into(),
            last_name: last.into(),
        };
        match state.auth.register(input, &Actor::default()).await {
            Ok(_) => println!("demo: created {email} (password {password})"),
            Err(Error::Conflict(_)) => println!("demo: {email} exists (password {password})"),
            Err(e) => return Err(anyhow::anyhow!("seeding {email}: {e}")),
        }
    }
    relay.pass().await?;
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
    for id in &report.unrecoverable {
        println!(
            "reconcile: task {id}: committed document lost (not in MongoDB, not in the outbox)"
        );
    }
    println!("reconcile: drift {}", report.drift());
    Ok(())
}
