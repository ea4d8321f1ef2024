//! Projecting committed changes: at once for the request that made them (within a budget), and
//! by relay passes for whatever is left. Rows of one lane (an entity, or a scope whose barrier
//! is in the batch) are applied one after the other; lanes run side by side.

use super::effect::EffectId;
use super::outbox::{ClaimedRow, Lease, Outbox, Outcome, Pick};
use super::runtime::Runtime;
use super::{Committed, Leased, Projector, Receipt, RelayReport};
use crate::StoreError;
use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How the write path projects.
#[derive(Debug, Clone, Copy)]
pub struct ProjectionPolicy {
    /// How long a claim holds its rows; longer than applying a row can take.
    pub lease: Duration,
    /// The most one effect may take.
    pub effect_timeout: Duration,
    /// The most a request waits for its own projection; the rest is finished in the
    /// background, and by the relay if this process dies.
    pub budget: Duration,
    /// Failed attempts (other than the store being unavailable) before a row is dead.
    pub max_attempts: i32,
    /// Lanes applied at once.
    pub lanes: usize,
}

impl Default for ProjectionPolicy {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            effect_timeout: Duration::from_secs(5),
            budget: Duration::from_millis(250),
            max_attempts: 10,
            lanes: 32,
        }
    }
}

/// Backoff of a failed row: 0.5 s, 1 s, then every 2 s, so that the stores agree again within
/// seconds of an outage's end (a failing store costs one fast-failing call per row and pass:
/// MongoDB's breaker answers at once).
pub fn backoff(attempts: i32) -> Duration {
    Duration::from_millis(250u64 << attempts.clamp(1, 3)).min(Duration::from_secs(2))
}

#[derive(Clone)]
pub struct WritePath(Arc<Inner>);

struct Inner {
    outbox: Arc<dyn Outbox>,
    projector: Arc<Projector>,
    runtime: Arc<dyn Runtime>,
    policy: ProjectionPolicy,
}

impl WritePath {
    pub fn new(
        outbox: Arc<dyn Outbox>,
        projector: Arc<Projector>,
        runtime: Arc<dyn Runtime>,
        policy: ProjectionPolicy,
    ) -> Self {
        Self(Arc::new(Inner {
            outbox,
            projector,
            runtime,
            policy,
        }))
    }

    pub fn outbox(&self) -> &Arc<dyn Outbox> {
        &self.0.outbox
    }

    /// Commits a change (what a repository method returns) and projects it. A failed commit
    /// changed nothing. After the commit, urgent effects (security) must be applied before the
    /// response: if they could not be, the answer is `Unavailable` (the change is committed
    /// and the relay retries them). The rest is awaited at most the projection budget.
    pub async fn commit<C: Committed>(
        &self,
        commit: impl Future<Output = Result<C, StoreError>>,
    ) -> Result<C, StoreError> {
        let committed = commit.await?;
        self.project(committed.receipt()).await?;
        Ok(committed)
    }

    /// Projects a change's rows right after its commit (the rows its commit leased are held
    /// only so long).
    async fn project(&self, receipt: &Receipt) -> Result<(), StoreError> {
        if !receipt.urgent.is_empty() {
            let outcomes = self
                .0
                .project(&receipt.urgent, receipt.leased_among(&receipt.urgent))
                .await?;
            let applied = outcomes
                .iter()
                .filter(|(id, o)| receipt.urgent.contains(id) && *o == Outcome::Applied)
                .count();
            if applied < receipt.urgent.len() {
                return Err(StoreError::unavailable(
                    "redis",
                    "a security effect could not be applied; the relay retries it",
                ));
            }
        }
        if receipt.rows.is_empty() {
            return Ok(());
        }
        let inner = self.0.clone();
        let rows = receipt.rows.clone();
        let leased = receipt.leased_among(&rows);
        let work = Box::pin(async move {
            if let Err(e) = inner.project(&rows, leased).await {
                tracing::warn!(error = %e, outbox_ids = ?rows, "fast path deferred to the relay");
            }
        });
        self.0
            .runtime
            .run_detached(self.0.policy.budget, work)
            .await;
        Ok(())
    }

    /// One relay pass over at most `limit` due rows.
    pub async fn relay_once(&self, limit: i64) -> Result<RelayReport, StoreError> {
        let outcomes = self.0.run(Pick::Due { limit }).await?;
        let mut report = RelayReport::default();
        for (_, outcome) in &outcomes {
            match outcome {
                Outcome::Applied => report.applied += 1,
                Outcome::Retry { .. } => report.failed += 1,
                Outcome::Dead { .. } => report.dead += 1,
                Outcome::Released => {}
            }
        }
        Ok(report)
    }
}

impl Inner {
    /// Applies and settles a request's rows `ids`: first those its commit leased, then the
    /// others, claimed with the older pending rows of their aggregates.
    async fn project(
        &self,
        ids: &[i64],
        leased: Vec<Leased>,
    ) -> Result<Vec<(i64, Outcome)>, StoreError> {
        let mut outcomes = Vec::with_capacity(ids.len());
        for Leased { lease, rows } in leased {
            outcomes.extend(self.apply(&lease, rows).await?);
        }
        let rest: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| outcomes.iter().all(|(done, _)| done != id))
            .collect();
        if !rest.is_empty() {
            outcomes.extend(self.run(Pick::Rows(&rest)).await?);
        }
        Ok(outcomes)
    }

    /// Claims, applies and settles the rows `pick` names.
    async fn run(&self, pick: Pick<'_>) -> Result<Vec<(i64, Outcome)>, StoreError> {
        let lease = Lease {
            owner: Uuid::new_v4(),
            length: self.policy.lease,
        };
        let rows = self.outbox.claim(pick, &lease).await?;
        self.apply(&lease, rows).await
    }

    /// Applies rows held under `lease`, lane by lane, and settles them.
    async fn apply(
        &self,
        lease: &Lease,
        rows: Vec<ClaimedRow>,
    ) -> Result<Vec<(i64, Outcome)>, StoreError> {
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let outcomes: Vec<(i64, Outcome)> = futures::stream::iter(lanes(rows))
            .map(|lane| self.apply_lane(lane))
            .buffer_unordered(self.policy.lanes.max(1))
            .flat_map(futures::stream::iter)
            .collect()
            .await;
        self.outbox.settle(lease, &outcomes).await?;
        Ok(outcomes)
    }

    /// Applies a lane in order; after a row that will be retried, the rest of the lane waits.
    /// An effect that a later one of the lane supersedes (an older version of the same
    /// document) is skipped: the lane ends in the same state with fewer calls.
    async fn apply_lane(&self, lane: Vec<ClaimedRow>) -> Vec<(i64, Outcome)> {
        let superseded = self.superseded(&lane);
        let mut outcomes = Vec::with_capacity(lane.len());
        let mut blocked = false;
        for (at, row) in lane.iter().enumerate() {
            let outcome = if blocked {
                Outcome::Released
            } else {
                self.apply_row(row, |index| superseded.contains(&(at, index)))
                    .await
            };
            blocked |= matches!(outcome, Outcome::Retry { .. } | Outcome::Released);
            outcomes.push((row.id, outcome));
        }
        outcomes
    }

    /// The (row, effect) positions of a lane whose target a later effect sets again.
    fn superseded(&self, lane: &[ClaimedRow]) -> HashSet<(usize, usize)> {
        let mut later = HashSet::new();
        let mut superseded = HashSet::new();
        for (at, row) in lane.iter().enumerate().rev() {
            for (index, effect) in row.effects.iter().enumerate().rev() {
                if let Some(target) = self.projector.target(effect) {
                    if !later.insert(target) {
                        superseded.insert((at, index));
                    }
                }
            }
        }
        superseded
    }

    async fn apply_row(&self, row: &ClaimedRow, skip: impl Fn(usize) -> bool) -> Outcome {
        for (index, effect) in row.effects.iter().enumerate() {
            if skip(index) {
                continue;
            }
            let id = EffectId { row: row.id, index };
            let applied = self
                .runtime
                .time_limit(
                    self.policy.effect_timeout,
                    Box::pin(self.projector.apply(effect, id)),
                )
                .await;
            if let Err(e) = applied {
                return self.failed(row, &effect.kind, e);
            }
        }
        Outcome::Applied
    }

    fn failed(&self, row: &ClaimedRow, kind: &str, e: StoreError) -> Outcome {
        let attempts = row.attempts + 1;
        let error = format!("{kind}: {}", crate::error::chain(&e));
        let dead = match e {
            StoreError::Rejected(_) => true,
            // An outage says nothing about the row: it waits for the store, however long.
            StoreError::Unavailable { .. } => false,
            _ => attempts >= self.policy.max_attempts,
        };
        if dead {
            tracing::error!(
                outbox_id = row.id,
                aggregate = %row.aggregate,
                attempts,
                %error,
                "outbox row is a dead letter: it no longer blocks its aggregate; \
                 `taskforge-admin outbox retry` queues it again"
            );
            Outcome::Dead { error }
        } else {
            tracing::warn!(outbox_id = row.id, attempts, %error, "outbox row failed; will retry");
            Outcome::Retry {
                after: backoff(attempts),
                error,
            }
        }
    }
}

/// Splits claimed rows (in id order) into lanes: each entity's rows, or every row of a scope
/// when the batch holds a barrier of that scope.
fn lanes(rows: Vec<ClaimedRow>) -> Vec<Vec<ClaimedRow>> {
    let barriers: HashSet<String> = rows
        .iter()
        .filter(|r| r.barrier)
        .map(|r| r.scope.clone())
        .collect();
    let mut order: Vec<String> = Vec::new();
    let mut by_lane: HashMap<String, Vec<ClaimedRow>> = HashMap::new();
    for row in rows {
        let lane = if barriers.contains(&row.scope) {
            format!("scope {}", row.scope)
        } else {
            row.aggregate.clone()
        };
        by_lane
            .entry(lane.clone())
            .or_insert_with(|| {
                order.push(lane);
                Vec::new()
            })
            .push(row);
    }
    order
        .into_iter()
        .filter_map(|lane| by_lane.remove(&lane))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, aggregate: &str, scope: &str, barrier: bool) -> ClaimedRow {
        ClaimedRow {
            id,
            aggregate: aggregate.into(),
            scope: scope.into(),
            barrier,
            effects: vec![],
            attempts: 0,
        }
    }

    fn ids(lanes: &[Vec<ClaimedRow>]) -> Vec<Vec<i64>> {
        lanes
            .iter()
            .map(|l| l.iter().map(|r| r.id).collect())
            .collect()
    }

    #[test]
    fn entities_get_lanes_of_their_own_and_keep_their_order() {
        let rows = vec![
            row(1, "task:a", "team:t", false),
            row(2, "task:b", "team:t", false),
            row(3, "task:a", "team:t", false),
        ];
        assert_eq!(ids(&lanes(rows)), vec![vec![1, 3], vec![2]]);
    }

    #[test]
    fn a_barrier_puts_its_whole_scope_in_one_lane() {
        let rows = vec![
            row(1, "task:a", "team:t", false),
            row(2, "team:t", "team:t", true),
            row(3, "task:c", "team:u", false),
        ];
        assert_eq!(ids(&lanes(rows)), vec![vec![1, 2], vec![3]]);
    }

    #[test]
    fn backoff_grows_to_two_seconds() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(9), Duration::from_secs(2));
    }
}
