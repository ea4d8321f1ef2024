//! Headless Chromium driven over WebDriver: one chromedriver per test on a free loopback port,
//! one browser session per person, waits bounded by a deadline, screenshots kept under
//! target/ui-screenshots/.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use taskforge_tests::{TestApp, TestUser};
use tokio::sync::Semaphore;

/// How long a page may take to show what a test waits for.
pub const WAIT: Duration = Duration::from_secs(10);

/// Chromium is heavy on a small machine: a few tests drive it at a time.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// Unwraps what a test cannot go on without, saying what failed.
pub trait Must<T> {
    fn must(self, what: &str) -> T;
}

impl<T, E: std::fmt::Display> Must<T> for Result<T, E> {
    #[track_caller]
    fn must(self, what: &str) -> T {
        match self {
            Ok(v) => v,
            Err(e) => panic!("{what}: {e}"),
        }
    }
}

impl<T> Must<T> for Option<T> {
    #[track_caller]
    fn must(self, what: &str) -> T {
        match self {
            Some(v) => v,
            None => panic!("{what}: nothing there"),
        }
    }
}

/// A program found on `PATH`.
fn on_path(names: &[&str]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("{names:?} not found on PATH: run `bash deploy/local/services.sh up`")
        })
}

/// A chromedriver of this test, stopped when dropped.
pub struct Driver {
    child: Child,
    url: String,
    _permit: tokio::sync::SemaphorePermit<'static>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub async fn start() -> Self {
        let permit = BROWSERS.acquire().await.must("browser slot");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .must("free port")
            .port();
        let child = Command::new(on_path(&["chromedriver"]))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .must("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let up = taskforge_tests::eventually(WAIT, || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        })
        .await;
        assert!(up, "chromedriver did not listen on {port}");
        Self {
            child,
            url,
            _permit: permit,
        }
    }

    /// A browser signed in as each of `users`, in order.
    pub async fn signed_in<const N: usize>(
        &self,
        app: &TestApp,
        users: [&TestUser; N],
    ) -> [Browser; N] {
        let mut browsers = Vec::with_capacity(N);
        for user in users {
            let b = self.browser(app).await;
            b.sign_in(user).await;
            browsers.push(b);
        }
        match browsers.try_into() {
            Ok(all) => all,
            Err(_) => unreachable!("one browser per user"),
        }
    }

    /// A new browser (its own profile and cookies).
    pub async fn browser(&self, app: &TestApp) -> Browser {
        let chromium = on_path(&["chromium", "chromium-browser", "google-chrome"]);
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--lang=en-US"],
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .must("WebDriver session");
        Browser {
            client,
            base: app.base.clone(),
        }
    }
}

pub struct Browser {
    pub client: Client,
    pub base: String,
}

impl Browser {
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .must(path);
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.must("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// The element, once it is on the page.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .must(css)
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.must(css);
        field.send_keys(text).await.must(css);
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.must(css);
    }

    /// Types `keys` into the element, finding it again when a live refresh of the page
    /// replaced it in between.
    pub async fn press(&self, css: &str, keys: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match self.find(css).await.send_keys(keys).await {
                Ok(()) => return,
                Err(e) => assert!(tokio::time::Instant::now() < deadline, "{css}: {e}"),
            }
        }
    }

    /// Accepts the confirmation the page asks for, once it is open.
    pub async fn confirm(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while let Err(e) = self.client.accept_alert().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no confirmation: {e}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs a script in the page and answers its value.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.must(script)
    }

    pub async fn eval_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute_async(script, args).await.must(script)
    }

    /// The visible text of the first element matching `css`, or "" when there is none.
    pub async fn text(&self, css: &str) -> String {
        let script =
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';";
        self.eval(script, vec![json!(css)])
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until `check` holds of the text of `css`, failing the test after [`WAIT`].
    pub async fn until_text(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let text = self.text(css).await;
            if check(&text) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: `{css}` still reads {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `script` answers `true` in the page.
    pub async fn until_js(&self, script: &str, what: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while self.eval(script, vec![]).await != Value::Bool(true) {
            assert!(tokio::time::Instant::now() < deadline, "{what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Marks the current document, so that [`Browser::until_reloaded`] can tell a new one.
    pub async fn mark(&self) {
        self.eval("document.documentElement.dataset.stale = '1'", vec![])
            .await;
    }

    /// Waits until the page marked by [`Browser::mark`] has been replaced and has loaded.
    pub async fn until_reloaded(&self, what: &str) {
        self.until_js(
            "return !document.documentElement.dataset.stale && document.readyState === 'complete'",
            what,
        )
        .await;
    }

    /// Waits until a navigation lands on `path` (its path part).
    pub async fn until_path(&self, what: &str, check: impl Fn(&str) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let path = self.path().await;
            if check(&path) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: still at {path}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn sign_in(&self, user: &TestUser) {
        self.open("/login").await;
        self.fill("#email", &user.email).await;
        self.fill("#password", &user.password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.until_path("signed in", |p| p.starts_with("/teams"))
            .await;
    }

    /// Saves a screenshot as target/ui-screenshots/{name}.png, of the top of the page or, with
    /// `at`, around that element.
    pub async fn screenshot(&self, name: &str, at: Option<&str>) {
        let script = "const e = arguments[0] && document.querySelector(arguments[0]);
                      if (e) e.scrollIntoView({block: 'center'}); else window.scrollTo(0, 0);";
        self.eval(script, vec![json!(at)]).await;
        let png = self.client.screenshot().await.must("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ui-screenshots");
        std::fs::create_dir_all(&dir).must("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).must("screenshot file");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
