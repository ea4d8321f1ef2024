//! SIGTERM on the real binary, under load: in-flight requests finish, none answers 5xx, and the
//! process exits 0.

use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use taskforge_adapter_sql::provisioning;
use taskforge_app_http::settings::Settings;

#[derive(Debug, PartialEq)]
enum Outcome {
    Status(u16),
    Refused,
    Broken(String),
}

/// One request of the load: when it was sent, when it ended, how.
#[derive(Debug)]
struct Sent {
    at: Instant,
    done: Instant,
    outcome: Outcome,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_and_exits_zero() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let admin = settings.database.url.expose_secret().to_owned();
    let template = provisioning::ensure_template(&admin).await?;
    let database = format!("tfs_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    provisioning::create_database(&admin, &database, Some(&template)).await?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_taskforge-server"))
        .env(
            "DATABASE_URL",
            provisioning::with_database(&admin, &database)?,
        )
        .env("TASKFORGE__MONGO__DATABASE", &database)
        .env("TASKFORGE__REDIS__KEY_PREFIX", format!("{database}:"))
        .env("TASKFORGE__HTTP__BIND", format!("127.0.0.1:{port}"))
        .env("TASKFORGE__HTTP__MIGRATE_ON_START", "false")
        .env("TASKFORGE__AUTH__BCRYPT_COST", "10")
        .env(
            "TASKFORGE__AUTH__RATE_LIMITS__LOGIN_PER_IP__LIMIT",
            "100000",
        )
        .env(
            "TASKFORGE__AUTH__RATE_LIMITS__LOGIN_FAILURES__LIMIT",
            "100000",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;

    // Every request on a connection of its own: after the listener closes, new requests are
    // refused at connect, and any other failure is a dropped in-flight request.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let mut up = false;
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::ensure!(up, "the server did not come up");
    let credentials =
        serde_json::json!({ "email": "drain@example.com", "password": "correct horse" });
    let reg = client
        .post(format!("{base}/api/auth/register"))
        .json(&serde_json::json!({ "email": "drain@example.com", "password": "correct horse", "firstName": "D", "lastName": "T" }))
        .send()
        .await?;
    anyhow::ensure!(reg.status() == 201, "register: {}", reg.status());

    let stop = Arc::new(AtomicBool::new(false));
    let mut load = Vec::new();
    for _ in 0..6 {
        let (client, stop, url, body) = (
            client.clone(),
            stop.clone(),
            format!("{base}/api/auth/login"),
            credentials.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let at = Instant::now();
                let outcome = match client.post(&url).json(&body).send().await {
                    Ok(r) => Outcome::Status(r.status().as_u16()),
                    Err(e) if e.is_connect() => Outcome::Refused,
                    Err(e) => Outcome::Broken(e.to_string()),
                };
                let refused = outcome == Outcome::Refused;
                outcomes.push(Sent {
                    at,
                    done: Instant::now(),
                    outcome,
                });
                if refused {
                    break;
                }
            }
            outcomes
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let killed_at = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    anyhow::ensure!(status.success(), "kill -TERM failed");
    let exit = tokio::task::spawn_blocking(move || child.wait()).await??;
    stop.store(true, Ordering::Relaxed);

    let mut outcomes = Vec::new();
    for task in load {
        outcomes.extend(task.await?);
    }
    // A request sent in the instant the listener closes may be refused or reset before the
    // server ever saw it; one sent well before the signal was in flight and must be served.
    let settled = |sent: &&Sent| sent.at + Duration::from_millis(50) < killed_at;
    let in_flight = outcomes
        .iter()
        .filter(settled)
        .filter(|s| s.done > killed_at)
        .count();
    let dropped: Vec<&Sent> = outcomes
        .iter()
        .filter(settled)
        .filter(|s| s.outcome != Outcome::Status(200))
        .collect();
    let errors: Vec<&Sent> = outcomes
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Status(c) if c >= 500))
        .collect();
    assert!(
        in_flight > 0,
        "requests were in flight when the signal came: {outcomes:?}"
    );
    assert!(
        dropped.is_empty(),
        "in-flight requests were all served: {dropped:?}"
    );
    assert!(errors.is_empty(), "no 5xx during shutdown: {errors:?}");
    assert!(exit.success(), "exit status {exit:?}");
    provisioning::drop_database(&admin, &database).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_stops_on_sigterm_and_exits_zero() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let admin = settings.database.url.expose_secret().to_owned();
    let template = provisioning::ensure_template(&admin).await?;
    let database = format!("tfs_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    provisioning::create_database(&admin, &database, Some(&template)).await?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskforge-worker"))
        .env(
            "DATABASE_URL",
            provisioning::with_database(&admin, &database)?,
        )
        .env("TASKFORGE__MONGO__DATABASE", &database)
        .env("TASKFORGE__REDIS__KEY_PREFIX", format!("{database}:"))
        .env("TASKFORGE__AUTH__BCRYPT_COST", "4")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Whether the signal comes during start-up or during the relay's passes, it ends cleanly.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    anyhow::ensure!(status.success(), "kill -TERM failed");
    let exit = tokio::task::spawn_blocking(move || child.wait()).await??;
    assert!(exit.success(), "exit status {exit:?}");
    provisioning::drop_database(&admin, &database).await?;
    Ok(())
}
