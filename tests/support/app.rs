//! `TestApp`: one isolated TaskForge instance and a client for it.

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use taskforge_adapter_mongo::{
    GridFsAttachments, MongoCommentDocuments, MongoProfileDocuments, MongoStore, MongoTaskDocuments,
};
use taskforge_adapter_redis::{RedisAccessCache, RedisStore, RedisTaskCache, RedisTaskLists};
use taskforge_adapter_sql::{provisioning, AuditChain, PgStore};
use taskforge_app_http::relay::Relay;
use taskforge_app_http::settings::Settings;
use taskforge_app_http::testing::RunningApp;
use taskforge_app_http::wiring;
use taskforge_domain::cache::Lookup;
use taskforge_domain::ids::{TeamId, UserId};
use taskforge_domain::tasks::{Task, TaskCache};
use taskforge_domain::teams::{AccessCache, AccessState};
use tokio::sync::OnceCell;

/// Test databases are named `tft_{unix seconds}_{random}`.
const TEST_DATABASES: &str = "tft_";

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether a test database (PostgreSQL or MongoDB) was made by a run over two hours ago.
fn left_behind(name: &str) -> bool {
    let born = name[TEST_DATABASES.len()..]
        .split('_')
        .next()
        .and_then(|t| t.parse::<u64>().ok());
    born.is_some_and(|t| t < unix_now().saturating_sub(2 * 3600))
}

/// The migrated template every test database is cloned from. The first test of a run also drops
/// the databases that runs older than two hours left behind, in both stores.
async fn template(settings: &Settings) -> anyhow::Result<String> {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    let admin_url = settings.database.url.expose_secret();
    TEMPLATE
        .get_or_try_init(|| async {
            for name in provisioning::databases_with_prefix(admin_url, TEST_DATABASES).await? {
                if left_behind(&name) {
                    provisioning::drop_database(admin_url, &name).await?;
                }
            }
            // Best effort, and patient: listing databases is slow on a FerretDB that holds
            // hundreds of them, and a test must not fail for want of housekeeping.
            let mut patient = settings.mongo.clone();
            patient.timeout_ms = 60_000;
            let mongo = MongoStore::connect(&patient).await?;
            match mongo.databases_with_prefix(TEST_DATABASES).await {
                Ok(names) => {
                    for name in names.into_iter().filter(|n| left_behind(n)) {
                        mongo.drop_database(&name).await?;
                    }
                }
                Err(e) => eprintln!("left-behind MongoDB test databases not dropped: {e}"),
            }
            provisioning::ensure_template(admin_url).await
        })
        .await
        .cloned()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    pub database: String,
    pub admin_url: String,
    pub running: RunningApp,
}

/// A registered, logged-in user.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub password: String,
    pub token: String,
}

/// A team with an admin, a member and a guest, one task of the team, and a user outside it.
pub struct Crew {
    pub admin: TestUser,
    pub member: TestUser,
    pub guest: TestUser,
    pub outsider: TestUser,
    pub team: String,
    pub task: String,
}

/// A response, its body parsed as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The contract's error code, if this is an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Asserts an error reply: its status and the contract's code.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "{:?}",
            self.body
        );
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts an isolated app; `tweak` adjusts its settings first.
    pub async fn spawn_with(tweak: impl FnOnce(&mut Settings)) -> Self {
        match Self::try_spawn(tweak).await {
            Ok(app) => app,
            Err(e) => {
                panic!("test app failed to start (are the services up? `just services`): {e:#}")
            }
        }
    }

    async fn try_spawn(tweak: impl FnOnce(&mut Settings)) -> anyhow::Result<Self> {
        let mut settings = Settings::load()?;
        if std::env::var_os("TEST_LOG").is_some() {
            taskforge_app_http::telemetry::init_logging(&settings.log);
        }
        let admin_url = settings.database.url.expose_secret().to_owned();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let database = format!("{TEST_DATABASES}{}_{}", unix_now(), &suffix[..12]);
        provisioning::create_database(&admin_url, &database, Some(&template(&settings).await?))
            .await?;

        settings.database.url =
            SecretString::from(provisioning::with_database(&admin_url, &database)?);
        settings.database.pool_size = 4;
        settings.database.projection_pool_size = 2;
        settings.mongo.database = database.clone();
        settings.redis.key_prefix = format!("{database}:");
        settings.redis.pool_size = 16;
        settings.http.bind = "127.0.0.1:0".into();
        settings.http.workers = 1;
        settings.http.migrate_on_start = false;
        settings.http.cookie_secure = false;
        settings.auth.bcrypt_cost = 4;
        settings.worker.poll_interval_ms = 50;
        // One client address makes every test user: limits are tested where set on purpose.
        let limits = &mut settings.auth.rate_limits;
        for rule in [
            &mut limits.login_per_ip,
            &mut limits.register_per_ip,
            &mut limits.login_failures,
        ] {
            rule.limit = 100_000;
        }
        tweak(&mut settings);

        let running = RunningApp::spawn(settings.clone())?;
        let client = reqwest::Client::builder()
            .user_agent("taskforge-tests")
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        Ok(Self {
            base: format!("http://{}", running.addr),
            client,
            settings,
            database,
            admin_url,
            running,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Another instance of this app on the same stores (its own server and relay), as a load
    /// balancer has several; it runs while the answer is held. Answers its base URL.
    pub fn instance(&self) -> (String, RunningApp) {
        match RunningApp::spawn(self.settings.clone()) {
            Ok(running) => (format!("http://{}", running.addr), running),
            Err(e) => panic!("second instance: {e:#}"),
        }
    }

    /// The caller's notifications (the first page, newest first).
    pub async fn notifications(&self, user: &TestUser) -> Vec<Value> {
        let r = self.get("/api/notifications?limit=100", &user.token).await;
        assert_eq!(r.status, StatusCode::OK, "notifications: {:?}", r.body);
        r.body["items"].as_array().cloned().unwrap_or_default()
    }

    /// The caller's unread count.
    pub async fn unread_count(&self, user: &TestUser) -> u64 {
        let r = self
            .get("/api/notifications/unread-count", &user.token)
            .await;
        assert_eq!(r.status, StatusCode::OK, "unread count: {:?}", r.body);
        r.body["count"].as_u64().unwrap_or(u64::MAX)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::reply(req).await
    }

    /// Sends a prepared request and reads its reply.
    pub async fn reply(req: reqwest::RequestBuilder) -> Reply {
        let res = match req.send().await {
            Ok(r) => r,
            Err(e) => panic!("request failed: {e}"),
        };
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Option<Value>) -> Reply {
        self.call(Method::POST, path, Some(token), body).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str, body: Option<Value>) -> Reply {
        self.call(Method::DELETE, path, Some(token), body).await
    }

    /// Logs `user` in once more and returns the new session's token.
    pub async fn another_session(&self, user: &TestUser) -> String {
        let login = self.login(&user.email, &user.password).await;
        assert_eq!(login.status, StatusCode::OK, "login: {:?}", login.body);
        login.body["token"].as_str().unwrap_or_default().to_owned()
    }

    pub async fn register(&self, email: &str, password: &str) -> Reply {
        self.register_as(email, password, "Test", "User").await
    }

    async fn register_as(&self, email: &str, password: &str, first: &str, last: &str) -> Reply {
        let body =
            json!({ "email": email, "password": password, "firstName": first, "lastName": last });
        self.call(Method::POST, "/api/auth/register", None, Some(body))
            .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        let body = json!({ "email": email, "password": password });
        self.call(Method::POST, "/api/auth/login", None, Some(body))
            .await
    }

    /// Registers and logs in a fresh user.
    pub async fn user(&self) -> TestUser {
        self.person("Test", "User").await
    }

    /// Registers and logs in a fresh user with this name (mentions and avatars need distinct
    /// names).
    pub async fn person(&self, first: &str, last: &str) -> TestUser {
        let email = format!(
            "{}-{}@example.com",
            first.to_lowercase(),
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let password = "correct horse battery".to_owned();
        let reg = self.register_as(&email, &password, first, last).await;
        assert_eq!(reg.status, StatusCode::CREATED, "register: {:?}", reg.body);
        let login = self.login(&email, &password).await;
        assert_eq!(login.status, StatusCode::OK, "login: {:?}", login.body);
        TestUser {
            id: reg.body["user"]["userId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            email,
            password,
            token: login.body["token"].as_str().unwrap_or_default().to_owned(),
        }
    }

    /// Creates a team as `admin`; returns its id.
    pub async fn team(&self, admin: &TestUser) -> String {
        let r = self
            .post("/api/teams", &admin.token, Some(json!({ "name": "Team" })))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "create team: {:?}", r.body);
        r.body["teamId"].as_str().unwrap_or_default().to_owned()
    }

    /// Adds `user` to `team` with `role`, as `admin`.
    /// The actions of the team's audit rows of `entity_type`, newest first, as `user` reads
    /// them.
    pub async fn audit_actions(
        &self,
        team: &str,
        entity_type: &str,
        user: &TestUser,
    ) -> Vec<String> {
        let path = format!("/api/teams/{team}/audit?entityType={entity_type}&limit=100");
        let page = self.get(&path, &user.token).await;
        page.body["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|r| r["action"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn crew(&self) -> Crew {
        let (admin, member, guest, outsider) = (
            self.user().await,
            self.user().await,
            self.user().await,
            self.user().await,
        );
        let team = self.team(&admin).await;
        self.add_member(&admin, &team, &member, "member").await;
        self.add_member(&admin, &team, &guest, "guest").await;
        let task = self
            .task(&admin, &team, serde_json::json!({ "title": "shared" }))
            .await;
        let task = task["taskId"].as_str().unwrap_or_default().to_owned();
        Crew {
            admin,
            member,
            guest,
            outsider,
            team,
            task,
        }
    }

    pub async fn add_member(&self, admin: &TestUser, team: &str, user: &TestUser, role: &str) {
        let body = json!({ "email": user.email, "role": role });
        let r = self
            .post(
                &format!("/api/teams/{team}/members"),
                &admin.token,
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "add member: {:?}", r.body);
    }

    /// Creates a task in `team` as `user` with `fields` merged over a title; returns the task.
    pub async fn task(&self, user: &TestUser, team: &str, fields: Value) -> Value {
        let mut body = json!({ "teamId": team, "title": "A task" });
        if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), fields) {
            b.extend(extra);
        }
        let r = self.post("/api/tasks", &user.token, Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "create task: {:?}", r.body);
        r.body
    }

    /// A relay of this app's stores, for tests that drive projection by hand.
    pub async fn relay(&self) -> Relay {
        match wiring::wire(&self.settings).await {
            Ok(wired) => wired.relay,
            Err(e) => panic!("wiring a relay: {e:#}"),
        }
    }

    /// A reconciler of this app's stores.
    pub async fn reconciler(&self) -> taskforge_domain::tasks::Reconciler {
        match wiring::wire(&self.settings).await {
            Ok(wired) => wired.reconciler,
            Err(e) => panic!("wiring a reconciler: {e:#}"),
        }
    }

    /// This app's attachment service (its sweeper).
    pub async fn attachments(
        &self,
    ) -> std::sync::Arc<taskforge_domain::attachments::AttachmentService> {
        match wiring::wire(&self.settings).await {
            Ok(wired) => wired.state.attachments,
            Err(e) => panic!("wiring: {e:#}"),
        }
    }

    /// A reconciler of this app's comments.
    pub async fn comment_reconciler(&self) -> taskforge_domain::comments::CommentReconciler {
        match wiring::wire(&self.settings).await {
            Ok(wired) => wired.comment_reconciler,
            Err(e) => panic!("wiring a reconciler: {e:#}"),
        }
    }

    /// This app's MongoDB database.
    pub async fn mongo(&self) -> MongoStore {
        match MongoStore::connect(&self.settings.mongo).await {
            Ok(store) => store,
            Err(e) => panic!("mongo: {e:#}"),
        }
    }

    /// This app's Redis, under its key prefix.
    pub fn redis(&self) -> RedisStore {
        match RedisStore::new(&self.settings.redis) {
            Ok(store) => store,
            Err(e) => panic!("redis: {e:#}"),
        }
    }

    /// This app's notifications in MongoDB, read directly.
    pub async fn notification_store(&self) -> taskforge_adapter_mongo::MongoNotifications {
        taskforge_adapter_mongo::MongoNotifications::new(self.mongo().await)
    }

    /// This app's live channels (Redis pub/sub).
    pub fn live_feed(&self) -> taskforge_adapter_redis::RedisLiveFeed {
        match taskforge_adapter_redis::RedisLiveFeed::new(self.redis(), &self.settings.redis) {
            Ok(feed) => feed,
            Err(e) => panic!("redis: {e:#}"),
        }
    }

    /// This app's profile documents in MongoDB, read directly.
    pub async fn profile_documents(&self) -> MongoProfileDocuments {
        MongoProfileDocuments::new(self.mongo().await)
    }

    /// This app's task documents in MongoDB, read directly.
    pub async fn attachment_bytes(&self) -> GridFsAttachments {
        GridFsAttachments::new(self.mongo().await)
    }

    pub async fn comment_documents(&self) -> MongoCommentDocuments {
        MongoCommentDocuments::new(self.mongo().await)
    }

    pub async fn task_documents(&self) -> MongoTaskDocuments {
        MongoTaskDocuments::new(self.mongo().await)
    }

    /// This app's task cache in Redis, read directly.
    pub fn task_cache(&self) -> RedisTaskCache {
        RedisTaskCache::new(self.redis(), self.settings.cache.task_times())
    }

    pub fn task_lists(&self) -> RedisTaskLists {
        RedisTaskLists::new(self.redis(), self.settings.cache.list_ttl())
    }

    /// Makes `task` the task cache's entry, as a reader's fill would (a forged entry, for
    /// tests of what reads take from the cache).
    pub async fn plant_cached_task(&self, task: &Task) {
        let cache = self.task_cache();
        let planted = async {
            cache.forget(&[task.task_id]).await?;
            match cache.get(task.task_id).await? {
                Lookup::Miss(Some(token)) => cache.fill(task.task_id, &token, task).await,
                other => panic!("no lease after a drop: {other:?}"),
            }
        };
        if let Err(e) = planted.await {
            panic!("redis: {e}");
        }
    }

    /// Makes `state` `user`'s entries of `team` in the access cache, as a reader's fill would.
    pub async fn plant_cached_access(&self, team: TeamId, user: UserId, state: &AccessState) {
        let cache = self.access_cache();
        let planted = async {
            cache.forget(team, user).await?;
            match cache.get(team, user).await? {
                Lookup::Miss(Some(token)) => cache.fill(team, user, &token, state).await,
                other => panic!("no lease after a drop: {other:?}"),
            }
        };
        if let Err(e) = planted.await {
            panic!("redis: {e}");
        }
    }

    /// This app's team access cache, read directly.
    pub fn access_cache(&self) -> RedisAccessCache {
        RedisAccessCache::new(self.redis(), self.settings.cache.access_times())
    }

    pub fn sql(&self) -> PgStore {
        match PgStore::new(&self.settings.database) {
            Ok(store) => store,
            Err(e) => panic!("postgres: {e:#}"),
        }
    }

    /// Runs `sql` in this app's PostgreSQL database as `psql` would, behind the service's back
    /// (tampering tests); answers what it printed.
    pub fn psql(&self, sql: &str) -> String {
        let out = std::process::Command::new("psql")
            .arg(self.settings.database.url.expose_secret())
            .args(["-v", "ON_ERROR_STOP=1", "-qAtc", sql])
            .output()
            .unwrap_or_else(|e| panic!("psql: {e}"));
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn audit_chain(&self) -> AuditChain {
        AuditChain::new(self.sql())
    }
}
