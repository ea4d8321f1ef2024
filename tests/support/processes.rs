//! Private Redis and FerretDB processes that failure tests may stop and restart without
//! disturbing any other test.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("no free port: {e}"),
    }
}

fn wait_for_port(port: u16, up: bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() != up {
        assert!(
            Instant::now() < deadline,
            "port {port} did not go {}",
            if up { "up" } else { "down" }
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A server process on a port of its own, stoppable and restartable on the same port.
pub struct Private {
    port: u16,
    command: Vec<String>,
    child: Option<Child>,
}

impl Private {
    fn launch(port: u16, command: Vec<String>) -> Self {
        let mut p = Self {
            port,
            command,
            child: None,
        };
        p.start();
        p
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn start(&mut self) {
        let (program, args) = self
            .command
            .split_first()
            .unwrap_or_else(|| panic!("empty command"));
        let child = Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {program}: {e}"));
        self.child = Some(child);
        wait_for_port(self.port, true);
    }

    /// Kills the process (no goodbye: as a crash or a network cut would).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        wait_for_port(self.port, false);
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A Redis of the test's own (no persistence: a restart loses every key, as DESIGN allows).
pub fn redis() -> Private {
    let port = free_port();
    let args = [
        "redis-server",
        "--bind",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--save",
        "",
        "--appendonly",
        "no",
    ];
    Private::launch(port, args.iter().map(ToString::to_string).collect())
}

pub fn redis_url(p: &Private) -> String {
    format!("redis://127.0.0.1:{}", p.port())
}

/// A FerretDB of the test's own, on SQLite in a fresh directory, so its data survives restarts.
pub fn ferretdb() -> Private {
    let bin = std::env::var_os("TASKFORGE_FERRETDB_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.local/bin/ferretdb")
        });
    let dir = std::env::temp_dir().join(format!(
        "taskforge-ferret-{}",
        uuid::Uuid::new_v4().simple()
    ));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("creating {}: {e}", dir.display());
    }
    let port = free_port();
    let args = vec![
        bin.display().to_string(),
        "--handler=sqlite".into(),
        format!("--sqlite-url=file:{}/", dir.display()),
        format!("--listen-addr=127.0.0.1:{port}"),
        "--debug-addr=-".into(),
        "--state-dir=-".into(),
        "--telemetry=disable".into(),
        "--log-level=error".into(),
    ];
    Private::launch(port, args)
}

pub fn mongo_uri(p: &Private) -> String {
    format!("mongodb://127.0.0.1:{}/?directConnection=true", p.port())
}
