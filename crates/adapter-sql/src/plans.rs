//! The plan PostgreSQL chooses for a statement, as `EXPLAIN (FORMAT JSON)` shows it: tests hold
//! the list and search shapes to their indexes with it.

use crate::pool::{map_err, PgStore, Query};
use diesel::sql_types::Json;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use taskforge_domain::StoreError;

/// What precedes a statement to explain it.
pub(crate) const EXPLAIN: &str = "EXPLAIN (FORMAT JSON) ";

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = Json, column_name = "QUERY PLAN")]
    plan: serde_json::Value,
}

/// The plan of the statement `explained` builds (it starts with `EXPLAIN`).
pub(crate) async fn plan(
    store: &PgStore,
    explained: impl Fn() -> Query,
) -> Result<serde_json::Value, StoreError> {
    let row: PlanRow = store
        .run(async |conn| explained().get_result(conn).await.map_err(map_err))
        .await?;
    Ok(row.plan)
}
