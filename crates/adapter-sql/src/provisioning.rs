//! Database provisioning for operators and test harnesses: create a database (optionally from a
//! template), keep a migrated template per migration set, drop databases.

use crate::migrations;
use crate::pool::map_err;
use diesel::sql_types::{BigInt, Bool, Integer, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use taskforge_domain::StoreError;

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> anyhow::Result<String> {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base
        .find("://")
        .ok_or_else(|| anyhow::anyhow!("not a postgres URL"))?
        + 3;
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{database}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

fn quoted(name: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        !name.is_empty()
            && name.len() < 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "unsafe database name {name:?}"
    );
    Ok(format!("\"{name}\""))
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A name for the template that holds exactly the embedded migrations.
pub fn template_name() -> anyhow::Result<String> {
    let digest = Sha256::digest(migrations::names()?.join(",").as_bytes());
    Ok(format!("taskforge_tpl_{}", &hex::encode(digest)[..12]))
}

/// Makes sure a migrated template database exists (created once, by whichever caller gets the
/// advisory lock first) and returns its name. `admin_url` points at any existing database.
pub async fn ensure_template(admin_url: &str) -> anyhow::Result<String> {
    let template = template_name()?;
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    diesel::sql_query("SELECT pg_advisory_lock(727274)")
        .execute(&mut conn)
        .await?;
    let outcome = create_template(&mut conn, admin_url, &template).await;
    diesel::sql_query("SELECT pg_advisory_unlock(727274)")
        .execute(&mut conn)
        .await?;
    outcome.map(|()| template)
}

async fn create_template(
    conn: &mut AsyncPgConnection,
    admin_url: &str,
    template: &str,
) -> anyhow::Result<()> {
    let found: Found =
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(template)
            .get_result(conn)
            .await?;
    if found.n > 0 {
        return Ok(());
    }
    let building = format!("{template}_build");
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {}", quoted(&building)?))
        .execute(conn)
        .await?;
    diesel::sql_query(format!(
        "CREATE DATABASE {} ENCODING 'UTF8'",
        quoted(&building)?
    ))
    .execute(conn)
    .await?;
    migrations::run_pending(&with_database(admin_url, &building)?).await?;
    diesel::sql_query(format!(
        "ALTER DATABASE {} RENAME TO {}",
        quoted(&building)?,
        quoted(template)?
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Creates `name` as a copy of `template` (or empty, without one).
pub async fn create_database(
    admin_url: &str,
    name: &str,
    template: Option<&str>,
) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {} TEMPLATE {}", quoted(name)?, quoted(t)?),
        None => format!("CREATE DATABASE {} ENCODING 'UTF8'", quoted(name)?),
    };
    diesel::sql_query(sql).execute(&mut conn).await?;
    Ok(())
}

/// Drops `name`, ending its connections.
pub async fn drop_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    diesel::sql_query(format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        quoted(name)?
    ))
    .execute(&mut conn)
    .await?;
    Ok(())
}

/// Names of the databases that start with `prefix`.
pub async fn databases_with_prefix(admin_url: &str, prefix: &str) -> anyhow::Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        datname: String,
    }
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let names: Vec<Name> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind::<Text, _>(prefix)
            .load(&mut conn)
            .await?;
    Ok(names.into_iter().map(|n| n.datname).collect())
}

/// Ends every connection to `database` (what a PostgreSQL restart or an operator's
/// `pg_terminate_backend` does); returns how many it ended.
pub async fn terminate_connections(admin_url: &str, database: &str) -> anyhow::Result<i64> {
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let ended: Found = diesel::sql_query(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind::<Text, _>(database)
    .get_result(&mut conn)
    .await?;
    Ok(ended.n)
}

/// The id of the PostgreSQL backend process that serves `conn`.
pub async fn backend_pid(conn: &mut AsyncPgConnection) -> Result<i32, StoreError> {
    #[derive(QueryableByName)]
    struct Backend {
        #[diesel(sql_type = Integer)]
        pid: i32,
    }
    let backend: Backend = diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result(conn)
        .await
        .map_err(map_err)?;
    Ok(backend.pid)
}

/// Ends PostgreSQL's backend process `pid`, waiting (at most 10 s) until it is gone; whether it
/// ended.
pub async fn terminate_backend(admin_url: &str, pid: i32) -> anyhow::Result<bool> {
    #[derive(QueryableByName)]
    struct Ended {
        #[diesel(sql_type = Bool)]
        ended: bool,
    }
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let done: Ended = diesel::sql_query("SELECT pg_terminate_backend($1, 10000) AS ended")
        .bind::<Integer, _>(pid)
        .get_result(&mut conn)
        .await?;
    Ok(done.ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_database_name() -> anyhow::Result<()> {
        assert_eq!(
            with_database("postgres://u:p@h:5432/a", "b")?,
            "postgres://u:p@h:5432/b"
        );
        assert_eq!(
            with_database("postgres://u:p@h/a?sslmode=disable", "b")?,
            "postgres://u:p@h/b?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "b")?, "postgres://h/b");
        Ok(())
    }
}
