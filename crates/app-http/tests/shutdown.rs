//! SIGTERM on the real binaries: the server, under load, finishes its in-flight requests, answers
//! no 5xx and exits 0; the worker stops its relay and exits 0.

use secrecy::ExposeSecret;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use taskforge_adapter_mongo::MongoStore;
use taskforge_adapter_sql::provisioning;
use taskforge_app_http::settings::Settings;
use tokio::sync::mpsc;

/// How long start-up, a readiness condition or an exit may take before the test gives up.
const DEADLINE: Duration = Duration::from_secs(30);

/// A PostgreSQL database (cloned from the migrated template) and a MongoDB database of the test's
/// own, dropped when the guard goes, whether the test passed, failed or panicked. Named as the
/// black-box harness names its own, so that its sweep of old databases also finds any that a
/// killed run left behind.
struct Databases {
    name: String,
    admin_url: String,
    settings: Settings,
}

impl Databases {
    async fn create() -> anyhow::Result<Self> {
        let settings = Settings::load()?;
        let admin_url = settings.database.url.expose_secret().to_owned();
        let template = provisioning::ensure_template(&admin_url).await?;
        let born = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let name = format!(
            "tft_{born}_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        provisioning::create_database(&admin_url, &name, Some(&template)).await?;
        Ok(Self {
            name,
            admin_url,
            settings,
        })
    }

    /// The environment that points a binary at these databases and a Redis key prefix of its own.
    fn env(&self) -> anyhow::Result<Vec<(String, String)>> {
        Ok(vec![
            (
                "DATABASE_URL".into(),
                provisioning::with_database(&self.admin_url, &self.name)?,
            ),
            ("TASKFORGE__MONGO__DATABASE".into(), self.name.clone()),
            (
                "TASKFORGE__REDIS__KEY_PREFIX".into(),
                format!("{}:", self.name),
            ),
        ])
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        let (name, admin_url, mongo) = (
            self.name.clone(),
            self.admin_url.clone(),
            self.settings.mongo.clone(),
        );
        // Drop may run while the test's runtime unwinds: the drops get a runtime and a thread
        // of their own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(async {
                    provisioning::drop_database(&admin_url, &name).await?;
                    MongoStore::connect(&mongo)
                        .await?
                        .drop_database(&name)
                        .await?;
                    anyhow::Ok(())
                })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("dropping test database {}: {e:#}", self.name),
            Err(_) => eprintln!("dropping test database {}: panicked", self.name),
        }
    }
}

/// A binary under test. Each line it writes (stdout and stderr) comes through `lines` and is
/// kept in `output`, printed if it did not exit successfully. Killed if still running when the
/// guard goes.
struct Process {
    child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    output: Arc<Mutex<String>>,
    exit: Option<ExitStatus>,
}

impl Process {
    fn spawn(program: &str, env: Vec<(String, String)>) -> anyhow::Result<Self> {
        let mut child = Command::new(program)
            .envs(env)
            .env("TASKFORGE__LOG__FILTER", "info")
            .env("TASKFORGE__LOG__FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (tx, lines) = mpsc::unbounded_channel();
        let output = Arc::new(Mutex::new(String::new()));
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let (tx, output) = (tx.clone(), output.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Ok(mut all) = output.lock() {
                        all.push_str(&line);
                        all.push('\n');
                    }
                    let _ = tx.send(line);
                }
            });
        }
        Ok(Self {
            child,
            lines,
            output,
            exit: None,
        })
    }

    /// Waits for the first line for which `find` gives something.
    async fn line<T>(&mut self, what: &str, find: impl Fn(&str) -> Option<T>) -> anyhow::Result<T> {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    if let Some(found) = find(&line) {
                        return Ok(found);
                    }
                }
                Ok(None) => anyhow::bail!("the process ended before {what}"),
                Err(_) => anyhow::bail!("no {what} within {DEADLINE:?}"),
            }
        }
    }

    fn terminate(&self) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        anyhow::ensure!(status.success(), "kill -TERM failed");
        Ok(())
    }

    /// Waits for the process to exit.
    async fn exited(&mut self) -> anyhow::Result<ExitStatus> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.exit = Some(status);
                return Ok(status);
            }
            anyhow::ensure!(Instant::now() < deadline, "no exit within {DEADLINE:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.exit.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if !self.exit.is_some_and(|s| s.success()) {
            if let Ok(output) = self.output.lock() {
                eprintln!("--- output of the process under test ---\n{output}");
            }
        }
    }
}

/// Polls `check` until it holds; fails after `DEADLINE`.
async fn until<F, Fut>(what: &str, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + DEADLINE;
    while !check().await {
        anyhow::ensure!(Instant::now() < deadline, "{what}: not within {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

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

const LOAD_CLIENTS: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_and_exits_zero() -> anyhow::Result<()> {
    let databases = Databases::create().await?;
    let mut env = databases.env()?;
    for (key, value) in [
        ("TASKFORGE__HTTP__BIND", "127.0.0.1:0"),
        ("TASKFORGE__HTTP__MIGRATE_ON_START", "false"),
        ("TASKFORGE__AUTH__BCRYPT_COST", "10"),
        (
            "TASKFORGE__AUTH__RATE_LIMITS__LOGIN_PER_IP__LIMIT",
            "100000",
        ),
        (
            "TASKFORGE__AUTH__RATE_LIMITS__LOGIN_FAILURES__LIMIT",
            "100000",
        ),
    ] {
        env.push((key.into(), value.into()));
    }
    let mut server = Process::spawn(env!("CARGO_BIN_EXE_taskforge-server"), env)?;
    let base = server
        .line("the address it listens on", |l| {
            l.strip_prefix("TaskForge is listening on ")
                .map(str::to_owned)
        })
        .await?;

    // Every request on a connection of its own: after the listener closes, new requests are
    // refused at connect, and any other failure is a dropped in-flight request.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(DEADLINE)
        .build()?;
    until("the server answers /healthz", || async {
        matches!(client.get(format!("{base}/healthz")).send().await, Ok(r) if r.status() == 200)
    })
    .await?;
    let credentials =
        serde_json::json!({ "email": "drain@example.com", "password": "correct horse" });
    let reg = client
        .post(format!("{base}/api/auth/register"))
        .json(&serde_json::json!({ "email": "drain@example.com", "password": "correct horse", "firstName": "D", "lastName": "T" }))
        .send()
        .await?;
    anyhow::ensure!(reg.status() == 201, "register: {}", reg.status());

    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for _ in 0..LOAD_CLIENTS {
        let (client, stop, served, url, body) = (
            client.clone(),
            stop.clone(),
            served.clone(),
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
                if outcome == Outcome::Status(200) {
                    served.fetch_add(1, Ordering::Relaxed);
                }
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
    // Signal once every client has been served at least twice over: the load is steady.
    until("the load is being served", || async {
        served.load(Ordering::Relaxed) >= 2 * LOAD_CLIENTS
    })
    .await?;
    let killed_at = Instant::now();
    server.terminate()?;
    let exit = server.exited().await;
    stop.store(true, Ordering::Relaxed);
    let mut outcomes = Vec::new();
    for task in load {
        outcomes.extend(task.await?);
    }
    let exit = exit?;

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
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_stops_on_sigterm_and_exits_zero() -> anyhow::Result<()> {
    let databases = Databases::create().await?;
    let mut env = databases.env()?;
    env.push(("TASKFORGE__AUTH__BCRYPT_COST".into(), "4".into()));
    let mut worker = Process::spawn(env!("CARGO_BIN_EXE_taskforge-worker"), env)?;
    worker
        .line("the relay's start", |l| {
            l.contains("relay running").then_some(())
        })
        .await?;
    worker.terminate()?;
    let exit = worker.exited().await?;
    assert!(exit.success(), "exit status {exit:?}");
    Ok(())
}
