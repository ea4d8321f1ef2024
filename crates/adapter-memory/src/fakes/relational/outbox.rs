//! `Outbox` on the relational fake: the same claim rules as PostgreSQL's, in memory.

use super::{InMemoryRelational, Relational};
use crate::fakes::lock;

use async_trait::async_trait;
use chrono::Utc;
use std::collections::HashSet;
use std::time::Instant;
use taskforge_domain::write_path::{
    claimable, Candidate, ClaimedRow, DeadLetter, Lease, Outbox, Outcome, Pick,
};
use taskforge_domain::StoreError;

impl Relational {
    /// Whether an older pending row outside `batch` blocks row `id`.
    fn blocked_outside(&self, id: i64, batch: &HashSet<i64>) -> bool {
        let Some(row) = self.outbox.get(&id) else {
            return true;
        };
        self.outbox.range(..id).any(|(other_id, other)| {
            other.pending()
                && !batch.contains(other_id)
                && (other.aggregate == row.aggregate
                    || (other.scope == row.scope && (other.barrier || row.barrier)))
        })
    }
}

#[async_trait]
impl Outbox for InMemoryRelational {
    async fn claim(&self, pick: Pick<'_>, lease: &Lease) -> Result<Vec<ClaimedRow>, StoreError> {
        let mut db = lock(&self.0);
        let now = Instant::now();
        let free = |row: &super::OutboxRow| {
            row.pending() && row.lease.is_none_or(|(_, until)| until < now)
        };
        let batch: Vec<i64> = match pick {
            Pick::Due { limit } => db
                .outbox
                .iter()
                .filter(|(_, row)| free(row) && row.due.is_none_or(|at| at <= now))
                .map(|(id, _)| *id)
                .take(usize::try_from(limit).unwrap_or(0))
                .collect(),
            Pick::Rows(ids) => {
                let aggregates: HashSet<&String> = ids
                    .iter()
                    .filter_map(|id| db.outbox.get(id))
                    .map(|row| &row.aggregate)
                    .collect();
                let upto = ids.iter().copied().max().unwrap_or(0);
                db.outbox
                    .range(..=upto)
                    .filter(|(_, row)| free(row) && aggregates.contains(&row.aggregate))
                    .map(|(id, _)| *id)
                    .collect()
            }
        };
        let in_batch: HashSet<i64> = batch.iter().copied().collect();
        let candidates: Vec<(i64, bool)> = batch
            .iter()
            .filter(|id| db.outbox.contains_key(id))
            .map(|id| (*id, db.blocked_outside(*id, &in_batch)))
            .collect();
        let keep = claimable(candidates.iter().flat_map(|(id, blocked_outside)| {
            db.outbox.get(id).map(|row| Candidate {
                aggregate: &row.aggregate,
                scope: &row.scope,
                barrier: row.barrier,
                blocked_outside: *blocked_outside,
            })
        }));
        let mut claimed = Vec::new();
        for ((id, _), keep) in candidates.into_iter().zip(keep) {
            let Some(row) = db.outbox.get_mut(&id).filter(|_| keep) else {
                continue;
            };
            row.lease = Some((lease.owner, now + lease.length));
            claimed.push(ClaimedRow {
                id,
                aggregate: row.aggregate.clone(),
                scope: row.scope.clone(),
                barrier: row.barrier,
                effects: row.effects.clone(),
                attempts: row.attempts,
            });
        }
        Ok(claimed)
    }

    async fn settle(&self, lease: &Lease, outcomes: &[(i64, Outcome)]) -> Result<(), StoreError> {
        let mut db = lock(&self.0);
        for (id, outcome) in outcomes {
            let Some(row) = db.outbox.get_mut(id) else {
                continue;
            };
            if row.lease.is_none_or(|(owner, _)| owner != lease.owner) {
                continue;
            }
            row.lease = None;
            match outcome {
                Outcome::Applied => row.applied = true,
                Outcome::Released => {}
                Outcome::Retry { after, error } => {
                    row.attempts += 1;
                    row.last_error = Some(error.clone());
                    row.due = Some(Instant::now() + *after);
                }
                Outcome::Dead { error } => {
                    row.attempts += 1;
                    row.last_error = Some(error.clone());
                    row.dead_at = Some(Utc::now());
                }
            }
        }
        Ok(())
    }

    async fn pending_count(&self) -> Result<i64, StoreError> {
        Ok(lock(&self.0)
            .outbox
            .values()
            .filter(|r| r.pending())
            .count() as i64)
    }

    async fn dead_letters(&self, limit: i64) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(lock(&self.0)
            .outbox
            .iter()
            .filter_map(|(id, row)| {
                Some(DeadLetter {
                    id: *id,
                    aggregate: row.aggregate.clone(),
                    attempts: row.attempts,
                    last_error: row.last_error.clone(),
                    created_at: row.created_at,
                    dead_at: row.dead_at?,
                })
            })
            .take(usize::try_from(limit).unwrap_or(0))
            .collect())
    }

    async fn dead_count(&self) -> Result<i64, StoreError> {
        Ok(lock(&self.0)
            .outbox
            .values()
            .filter(|r| r.dead_at.is_some())
            .count() as i64)
    }

    async fn requeue(&self, id: i64) -> Result<bool, StoreError> {
        let mut db = lock(&self.0);
        let Some(row) = db.outbox.get(&id) else {
            return Ok(false);
        };
        let scope = row.scope.clone();
        let superseded = db
            .outbox
            .range(id + 1..)
            .any(|(_, b)| b.scope == scope && b.barrier && b.applied);
        let Some(row) = db.outbox.get_mut(&id) else {
            return Ok(false);
        };
        if row.dead_at.is_none() || superseded {
            return Ok(false);
        }
        row.dead_at = None;
        row.attempts = 0;
        row.last_error = None;
        row.due = None;
        Ok(true)
    }
}
