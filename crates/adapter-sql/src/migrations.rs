//! The embedded migrations of `migrations/`, run by the `migrate` command (and at server start
//! when configured), never as a side effect of building a pool.

use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Applies every pending migration and returns the names of those it applied.
pub async fn run_pending(url: &str) -> anyhow::Result<Vec<String>> {
    with_harness(url, |conn| {
        Ok(conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!(e))?
            .iter()
            .map(ToString::to_string)
            .collect())
    })
    .await
}

/// Reverts every applied migration (used by the up→down→up check).
pub async fn revert_all(url: &str) -> anyhow::Result<usize> {
    with_harness(url, |conn| {
        Ok(conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!(e))?
            .len())
    })
    .await
}

/// The names of the embedded migrations.
pub fn names() -> anyhow::Result<Vec<String>> {
    Ok(MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map_err(|e| anyhow::anyhow!(e))?
        .iter()
        .map(|m| m.name().to_string())
        .collect())
}

/// diesel_migrations is synchronous: it runs on a blocking thread through the async connection
/// wrapper, which must not be driven from an actix worker's single-threaded runtime.
async fn with_harness<T: Send + 'static>(
    url: &str,
    work: impl FnOnce(&mut AsyncConnectionWrapper<AsyncPgConnection>) -> anyhow::Result<T>
        + Send
        + 'static,
) -> anyhow::Result<T> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
        work(&mut conn)
    })
    .await?
}
