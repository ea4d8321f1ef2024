//! The outbox port: rows are claimed with a lease that is committed at once, applied with no
//! transaction open, then settled. A relay that dies leaves leases that expire.

use super::effect::StoredEffect;
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::time::Duration;
use uuid::Uuid;

/// An urgent row is the committing request's to apply first: relays leave it alone this long
/// after its commit, so the two never race for it (a request that found its security effect
/// leased elsewhere could not tell whether it was applied). If the request dies, a relay
/// takes it then.
pub const URGENT_FIRST: Duration = Duration::from_secs(2);

/// Which rows a claim takes.
#[derive(Debug, Clone, Copy)]
pub enum Pick<'a> {
    /// A relay pass: the oldest due rows, at most `limit`.
    Due { limit: i64 },
    /// A request's fast path: these rows and the older pending rows of their aggregates,
    /// whether due or not (a request retries what its entity still owes).
    Rows(&'a [i64]),
}

/// A claim's lease: rows it holds are skipped by every other claim until it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub owner: Uuid,
    pub length: Duration,
}

/// A row held under a lease. Nothing older blocks it: no pending row of its aggregate, and no
/// pending barrier of its scope (or, for a barrier, no pending row of its scope at all), except
/// rows of the same claim, which come before it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedRow {
    pub id: i64,
    pub aggregate: String,
    pub scope: String,
    pub barrier: bool,
    pub effects: Vec<StoredEffect>,
    /// Failed attempts so far.
    pub attempts: i32,
}

/// What became of a claimed row.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Applied,
    /// Not tried (an older row of its lane failed); free for the next claim.
    Released,
    /// Failed; due again after `after`.
    Retry {
        after: Duration,
        error: String,
    },
    /// Can never succeed: it no longer blocks anything and waits for an operator.
    Dead {
        error: String,
    },
}

/// A row that became a dead letter.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub id: i64,
    pub aggregate: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub dead_at: DateTime<Utc>,
}

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Leases the rows `pick` names that nothing older blocks, in id order.
    async fn claim(&self, pick: Pick<'_>, lease: &Lease) -> Result<Vec<ClaimedRow>, StoreError>;
    /// Records outcomes of rows held under `lease`; a row whose lease was lost meanwhile (it
    /// expired and another claim took the row) is left to its new holder.
    async fn settle(&self, lease: &Lease, outcomes: &[(i64, Outcome)]) -> Result<(), StoreError>;
    /// Rows neither applied nor dead.
    async fn pending_count(&self) -> Result<i64, StoreError>;
    /// Dead letters, oldest first.
    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError>;
    async fn dead_count(&self) -> Result<i64, StoreError>;
    /// Queues a dead letter again; false when `id` is not one, or when a later change of its
    /// whole scope (a team's deletion) has been applied since, which it must not undo.
    async fn requeue(&self, id: i64) -> Result<bool, StoreError>;
}

/// A claim candidate as the ordering rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub aggregate: &'a str,
    pub scope: &'a str,
    pub barrier: bool,
    /// Whether an older pending row outside the batch blocks it.
    pub blocked_outside: bool,
}

/// Which candidates of a batch (in id order) a claim may take: those blocked neither by a row
/// outside the batch nor by an older candidate that is itself blocked (of its entity, a barrier
/// of its scope, or, for a barrier, any row of its scope). Every outbox adapter claims by it.
pub fn claimable<'a>(candidates: impl IntoIterator<Item = Candidate<'a>>) -> Vec<bool> {
    let (mut aggregates, mut scopes, mut barriers) =
        (HashSet::new(), HashSet::new(), HashSet::new());
    candidates
        .into_iter()
        .map(|c| {
            let blocked = c.blocked_outside
                || aggregates.contains(c.aggregate)
                || barriers.contains(c.scope)
                || (c.barrier && scopes.contains(c.scope));
            if blocked {
                aggregates.insert(c.aggregate);
                scopes.insert(c.scope);
                if c.barrier {
                    barriers.insert(c.scope);
                }
            }
            !blocked
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(rows: &[(&str, &str, bool, bool)]) -> Vec<bool> {
        claimable(
            rows.iter()
                .map(|&(aggregate, scope, barrier, blocked_outside)| Candidate {
                    aggregate,
                    scope,
                    barrier,
                    blocked_outside,
                }),
        )
    }

    #[test]
    fn a_blocked_row_blocks_the_rest_of_its_entity_only() {
        let rows = [
            ("task:a", "team:t", false, true),
            ("task:b", "team:t", false, false),
            ("task:a", "team:t", false, false),
        ];
        assert_eq!(taken(&rows), vec![false, true, false]);
    }

    #[test]
    fn a_blocked_barrier_blocks_its_scope_and_a_barrier_waits_for_its_scope() {
        let rows = [
            ("team:t", "team:t", true, true),
            ("task:b", "team:t", false, false),
            ("task:c", "team:u", false, true),
            ("team:u", "team:u", true, false),
            ("task:d", "team:v", false, false),
        ];
        assert_eq!(taken(&rows), vec![false, false, false, false, true]);
    }
}
