//! The plan PostgreSQL chooses for a statement: as JSON (tests hold the list and search shapes
//! to their indexes with it) or run, as text (`taskforge-admin explain` prints it).

use crate::pool::{map_err, PgStore, Query};
use diesel::sql_types::{Json, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use taskforge_domain::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explain {
    /// The chosen plan, as JSON, without running the statement.
    Plan,
    /// The statement run, its plan with times and buffers, as text.
    Analyze,
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Json, column_name = "QUERY PLAN")]
    plan: serde_json::Value,
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The plan of the statement `statement` builds after the head it is given.
pub(crate) async fn explain(
    store: &PgStore,
    how: Explain,
    statement: impl Fn(&str) -> Query,
) -> Result<String, StoreError> {
    match how {
        Explain::Plan => {
            let row: JsonRow = store
                .run(async |conn| {
                    statement("EXPLAIN (FORMAT JSON) ")
                        .get_result(conn)
                        .await
                        .map_err(map_err)
                })
                .await?;
            Ok(row.plan.to_string())
        }
        Explain::Analyze => {
            let rows: Vec<TextRow> = store
                .run(async |conn| {
                    statement("EXPLAIN (ANALYZE, BUFFERS) ")
                        .load(conn)
                        .await
                        .map_err(map_err)
                })
                .await?;
            Ok(rows
                .into_iter()
                .map(|r| r.line)
                .collect::<Vec<_>>()
                .join("\n"))
        }
    }
}
