//! The connection pool, the one timeout every call runs under, and the mapping of diesel's
//! errors onto the domain's `StoreError`.

use crate::config::SqlConfig;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use secrecy::ExposeSecret;
use std::future::Future;
use std::time::Duration;
use taskforge_domain::StoreError;

pub type Conn = Object<AsyncPgConnection>;

/// A bounded pool of PostgreSQL connections. Connections are verified when taken from the pool,
/// so one that PostgreSQL closed (a restart, `pg_terminate_backend`) is replaced, not used.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool<AsyncPgConnection>,
    timeout: Duration,
}

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
        let limits = format!(
            "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION}'",
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
        })
    }
}

/// PostgreSQL ends a transaction left idle this long: one abandoned mid-way (its caller timed
/// out) releases its row locks within seconds instead of idling in the pool. Longer than any
/// MongoDB or Redis call a transaction makes between two statements (the outbox's effects).
const IDLE_IN_TRANSACTION: &str = "4s";

/// Opens a connection with the session limits PostgreSQL enforces itself.
async fn establish(url: String, limits: String) -> diesel::ConnectionResult<AsyncPgConnection> {
    let mut conn = AsyncPgConnection::establish(&url).await?;
    conn.batch_execute(&limits)
        .await
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

impl PgStore {
    /// Runs `work` on a pooled connection under the store timeout.
    pub async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, StoreError>,
    {
        let attempt = async {
            let mut conn: Conn = self
                .pool
                .get()
                .await
                .map_err(|e| StoreError::unavailable("postgres", e))?;
            work(&mut conn).await
        };
        within(self.timeout, attempt).await
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
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
            StoreError::unavailable("postgres", "connection closed")
        }
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
