//! The connection pool, the one timeout every call runs under, and the mapping of diesel's
//! errors onto the domain's `StoreError`.

use crate::config::SqlConfig;
use diesel::connection::InstrumentationEvent;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolableConnection, RecyclingMethod,
};
use diesel_async::{
    AnsiTransactionManager, AsyncConnection, AsyncPgConnection, SimpleAsyncConnection,
    TransactionManager,
};
use secrecy::ExposeSecret;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use taskforge_domain::StoreError;

pub type Conn = Object<AsyncPgConnection>;

/// A statement built at run time, with its binds.
pub(crate) type Query =
    diesel::query_builder::BoxedSqlQuery<'static, diesel::pg::Pg, diesel::query_builder::SqlQuery>;

/// A bounded pool of PostgreSQL connections. Taking one costs no round trip: the pool only
/// drops connections it already knows are closed, and [`PgStore::run`] replaces one that
/// PostgreSQL closed unnoticed (a restart, `pg_terminate_backend`).
#[derive(Clone)]
pub struct PgStore {
    pool: Pool<AsyncPgConnection>,
    timeout: Duration,
    outbox_lease: Duration,
}

/// How long a commit leases the outbox rows it writes to its own request, unless set.
const OUTBOX_LEASE: Duration = Duration::from_secs(30);

impl PgStore {
    /// The pool requests commit on.
    pub fn new(config: &SqlConfig) -> anyhow::Result<Self> {
        Self::with_size(config, config.pool_size)
    }

    /// The pool outbox rows are applied on.
    pub fn for_projection(config: &SqlConfig) -> anyhow::Result<Self> {
        Self::with_size(config, config.projection_pool_size)
    }

    fn with_size(config: &SqlConfig, size: usize) -> anyhow::Result<Self> {
        let mut setup = ManagerConfig::<AsyncPgConnection>::default();
        setup.recycling_method = RecyclingMethod::Fast;
        // Each statement reads a page or a few rows: starting parallel workers costs more than
        // they save, and concurrent requests would each take cores the others need.
        let limits = format!(
            "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION}'; \
             SET max_parallel_workers_per_gather = 0",
            config.timeout_ms
        );
        setup.custom_setup =
            Box::new(move |url| Box::pin(establish(url.to_owned(), limits.clone())));
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
            config.url.expose_secret(),
            setup,
        );
        let pool = Pool::builder(manager).max_size(size).build()?;
        Ok(Self {
            pool,
            timeout: Duration::from_millis(config.timeout_ms),
            outbox_lease: OUTBOX_LEASE,
        })
    }

    /// Sets how long a commit leases its outbox rows to its own request (the write path's
    /// claim lease): if the request's process dies, a relay takes them when it ends.
    pub fn with_outbox_lease(mut self, lease: Duration) -> Self {
        self.outbox_lease = lease;
        self
    }

    pub(crate) fn outbox_lease(&self) -> Duration {
        self.outbox_lease
    }
}

/// PostgreSQL ends a transaction left idle this long: one abandoned mid-way (its caller timed
/// out) releases its row locks within seconds instead of idling in the pool. Longer than any
/// MongoDB or Redis call a transaction makes between two statements (the outbox's effects).
const IDLE_IN_TRANSACTION: &str = "4s";

/// Opens a connection with the session limits PostgreSQL enforces itself and its settings.
async fn establish(url: String, limits: String) -> diesel::ConnectionResult<AsyncPgConnection> {
    let mut conn = AsyncPgConnection::establish(&url).await?;
    conn.batch_execute(&limits)
        .await
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

impl PgStore {
    /// Runs `work` on a pooled connection under the store timeout.
    ///
    /// A connection PostgreSQL closed while it sat in the pool fails the first statement sent on
    /// it, which the server never ran. So when the connection is lost before any statement of
    /// `work` was answered, the pool's idle connections are dropped and `work` runs once more on
    /// a new one. Lost later, it is
    /// reported and never replayed: a statement that was answered (a COMMIT among them) may
    /// have taken effect.
    ///
    /// `work` owns what it captures (`async move`, cloning what it borrowed): rustc cannot yet
    /// prove a caller's future `Send` when such a closure holds a reference across an await.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: AsyncFn(&mut AsyncPgConnection) -> Result<T, StoreError>,
    {
        let attempts = async {
            match self.attempt(&work).await {
                Err(Failure::Unanswered(_)) => {
                    // What closed that idle connection (a restart, a failover, terminated
                    // backends) most likely closed its idle siblings too: the retry opens a
                    // fresh one rather than take the next dead one.
                    self.pool.retain(|_, _| false);
                    self.attempt(&work).await
                }
                first => first,
            }
            .map_err(Failure::into_error)
        };
        within(self.timeout, attempts).await
    }

    async fn attempt<T>(
        &self,
        work: &impl AsyncFn(&mut AsyncPgConnection) -> Result<T, StoreError>,
    ) -> Result<T, Failure> {
        let mut conn: Conn = self
            .pool
            .get()
            .await
            .map_err(|e| Failure::Other(StoreError::unavailable("postgres", e)))?;
        let answered = Arc::new(AtomicBool::new(false));
        let seen = answered.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::FinishQuery { error: None, .. } = event {
                seen.store(true, Ordering::Relaxed);
            }
        });
        let result = work(&mut conn).await;
        result.map_err(|e| {
            // A backend terminated while its connection sat idle may answer the next statement
            // with its parting error (57P01) rather than a closed socket: the connection is
            // closed either way, and the statement never ran.
            if !answered.load(Ordering::Relaxed) && (is_lost(&e) || conn.is_broken()) {
                Failure::Unanswered(e)
            } else {
                Failure::Other(e)
            }
        })
    }

    /// Runs `work` in one transaction, committed if it succeeds and rolled back if it fails, as
    /// [`run`](Self::run) does. (Not diesel's `transaction`: it wants a callback whose future is
    /// provably `Send`, which one awaiting a generic `AsyncFn` is not.)
    pub(crate) async fn transaction<T>(
        &self,
        work: impl AsyncFn(&mut AsyncPgConnection) -> Result<T, TxError>,
    ) -> Result<T, StoreError> {
        self.run(async move |conn| {
            AnsiTransactionManager::begin_transaction(conn)
                .await
                .map_err(map_err)?;
            match work(conn).await {
                Ok(value) => {
                    AnsiTransactionManager::commit_transaction(conn)
                        .await
                        .map_err(map_err)?;
                    Ok(value)
                }
                Err(TxError(e)) => {
                    // A rollback that fails leaves the connection broken, and the pool drops it.
                    let _ = AnsiTransactionManager::rollback_transaction(conn).await;
                    Err(e)
                }
            }
        })
        .await
    }

    /// `SELECT 1`, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        use diesel_async::RunQueryDsl;
        self.run(async |conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .await
                .map_err(map_err)?;
            Ok(())
        })
        .await
    }
}

pub(crate) async fn within<T>(
    limit: Duration,
    fut: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    tokio::time::timeout(limit, fut)
        .await
        .unwrap_or_else(|_| Err(StoreError::unavailable("postgres", "timed out")))
}

/// Why one attempt of [`PgStore::run`] failed.
enum Failure {
    /// The connection was lost before any statement was answered.
    Unanswered(StoreError),
    Other(StoreError),
}

impl Failure {
    fn into_error(self) -> StoreError {
        match self {
            Failure::Unanswered(e) | Failure::Other(e) => e,
        }
    }
}

/// The connection to PostgreSQL closed or broke.
#[derive(Debug)]
struct ConnectionLost(DieselError);

impl std::fmt::Display for ConnectionLost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection lost")
    }
}

impl std::error::Error for ConnectionLost {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

fn is_lost(e: &StoreError) -> bool {
    matches!(e, StoreError::Unavailable { cause, .. } if cause.is::<ConnectionLost>())
}

/// Maps a diesel error: constraint violations are conflicts, a lost connection means the store
/// is unavailable, anything else is internal.
pub fn map_err(e: DieselError) -> StoreError {
    match e {
        DieselError::NotFound => StoreError::NotFound,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            StoreError::Conflict(info.constraint_name().unwrap_or("unique").to_owned())
        }
        // The parent row went meanwhile (a team deleted while a member is added).
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            StoreError::NotFound
        }
        // diesel-async reports a closed or broken connection as a command it could not send.
        lost @ DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => StoreError::unavailable("postgres", ConnectionLost(lost)),
        other => StoreError::Internal(other.into()),
    }
}

/// Lets transaction closures return `StoreError` while diesel's own errors convert into it.
#[derive(Debug)]
pub(crate) struct TxError(pub StoreError);

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError(map_err(e))
    }
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError(e)
    }
}

/// `now() + after` on PostgreSQL's clock: times that claims compare with `now()` (leases,
/// backoffs) never depend on the clock of the instance that wrote them.
pub(crate) fn later<ST: diesel::sql_types::SqlType + diesel::expression::TypedExpressionType>(
    after: std::time::Duration,
) -> diesel::expression::SqlLiteral<ST> {
    let ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
    diesel::dsl::sql(&format!("now() + interval '{ms} milliseconds'"))
}
