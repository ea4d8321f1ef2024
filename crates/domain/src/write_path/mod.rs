//! The write path of DESIGN.md: every change commits once in PostgreSQL with one audit row and
//! its outbox rows; the rows' effects are then projected onto MongoDB and Redis, at once by the
//! request (within a budget) and, for whatever is left, by the relay. Applying a row twice
//! changes nothing.
//!
//! A feature declares what its change writes as a [`Change`]; the relational part stays in the
//! feature's own repository method, which commits the change in the same transaction. Effects
//! are open: a feature declares its own kinds and registers them with the [`Projector`].

mod aggregate;
mod audit;
mod effect;
mod idempotency;
mod outbox;
mod projection;
mod projector;
mod runtime;

pub use aggregate::{Aggregate, Scope};
pub use audit::{Actor, AuditAction, AuditDraft, AuditEntityType};
pub use effect::{EffectId, EffectKind, StoredEffect};
pub use idempotency::{Claim, IdempotencyCompletion, IdempotencyKey, IdempotencyStore};
pub use outbox::{
    claimable, Candidate, ClaimedRow, DeadLetter, Lease, Outbox, Outcome, Pick, URGENT_FIRST,
};
pub use projection::{backoff, ProjectionPolicy, WritePath};
pub use projector::{Apply, Projector};
pub use runtime::Runtime;

/// One outbox row a change commits: effects of one aggregate.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub aggregate: Aggregate,
    pub effects: Vec<StoredEffect>,
    /// Applied before the response (security effects such as revoking sessions).
    pub urgent: bool,
}

/// Everything one state change writes besides its relational rows: its audit row, in the
/// chain of its aggregate's scope, and its outbox rows.
#[derive(Debug, Clone)]
pub struct Change {
    aggregate: Aggregate,
    pub audit: AuditDraft,
    pub entries: Vec<OutboxEntry>,
    /// The response to record under the request's idempotency key, if it had one.
    pub idempotency: Option<IdempotencyCompletion>,
}

impl Change {
    /// A change of `aggregate`: its audit row goes to the aggregate's scope, its effects (if
    /// any) to one outbox row.
    pub fn new(aggregate: Aggregate, audit: AuditDraft, effects: Vec<StoredEffect>) -> Self {
        let entries = if effects.is_empty() {
            vec![]
        } else {
            vec![OutboxEntry {
                aggregate,
                effects,
                urgent: false,
            }]
        };
        Self {
            aggregate,
            audit,
            entries,
            idempotency: None,
        }
    }

    /// Adds effects on entity `kind`/`id` of the same scope that must be applied before the
    /// response. They get an outbox row of their own, committed first, so they never wait
    /// behind the change's other rows.
    pub fn with_urgent(
        self,
        kind: &'static str,
        id: uuid::Uuid,
        effects: Vec<StoredEffect>,
    ) -> Self {
        self.with_row(kind, id, effects, true)
    }

    /// Adds effects on entity `kind`/`id` of the same scope in an outbox row of their own, so
    /// they never wait behind the change's other rows (nor those behind them). The request
    /// applies them within its budget like every row.
    pub fn with_entity(
        self,
        kind: &'static str,
        id: uuid::Uuid,
        effects: Vec<StoredEffect>,
    ) -> Self {
        self.with_row(kind, id, effects, false)
    }

    /// Appends `effects` to the change's own row, after its own effects.
    pub fn then(self, effects: Vec<StoredEffect>) -> Self {
        self.into_own_row(effects, |row, effects| row.extend(effects))
    }

    /// Puts `effects` at the head of the change's own row, before its own effects.
    pub fn lead(self, effects: Vec<StoredEffect>) -> Self {
        self.into_own_row(effects, |row, effects| {
            row.splice(0..0, effects);
        })
    }

    fn into_own_row(
        mut self,
        effects: Vec<StoredEffect>,
        place: impl FnOnce(&mut Vec<StoredEffect>, Vec<StoredEffect>),
    ) -> Self {
        if effects.is_empty() {
            return self;
        }
        let own = self
            .entries
            .iter_mut()
            .find(|e| e.aggregate == self.aggregate && !e.urgent);
        match own {
            Some(row) => place(&mut row.effects, effects),
            None => self.entries.push(OutboxEntry {
                aggregate: self.aggregate,
                effects,
                urgent: false,
            }),
        }
        self
    }

    fn with_row(
        mut self,
        kind: &'static str,
        id: uuid::Uuid,
        effects: Vec<StoredEffect>,
        urgent: bool,
    ) -> Self {
        self.entries.insert(
            0,
            OutboxEntry {
                aggregate: Aggregate::entity(self.scope(), kind, id),
                effects,
                urgent,
            },
        );
        self
    }

    /// The scope whose audit chain records the change.
    pub fn scope(&self) -> Scope {
        self.aggregate.scope()
    }
}

/// The outbox rows a committed change left behind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Receipt {
    pub rows: Vec<i64>,
    pub urgent: Vec<i64>,
    /// Those of `rows` and `urgent` the commit itself leased to this request, because nothing
    /// older blocked them: the request applies them without claiming them first.
    pub leased: Vec<Leased>,
}

/// Rows a commit leased, as a claim would have.
#[derive(Debug, Clone, PartialEq)]
pub struct Leased {
    pub lease: Lease,
    pub rows: Vec<ClaimedRow>,
}

impl Receipt {
    /// Records the outbox row `id` a commit wrote for `entry`; `lease` when the commit leased it
    /// to the request (nothing older blocked it).
    pub fn record(&mut self, id: i64, entry: &OutboxEntry, lease: Option<Lease>) {
        if entry.urgent {
            self.urgent.push(id);
        } else {
            self.rows.push(id);
        }
        let Some(lease) = lease else { return };
        let row = ClaimedRow {
            id,
            aggregate: entry.aggregate.key(),
            scope: entry.aggregate.scope().to_string(),
            barrier: entry.aggregate.is_barrier(),
            effects: entry.effects.clone(),
            attempts: 0,
        };
        match self.leased.iter_mut().find(|l| l.lease == lease) {
            Some(leased) => leased.rows.push(row),
            None => self.leased.push(Leased {
                lease,
                rows: vec![row],
            }),
        }
    }

    /// Adds the rows of a change committed together with this one.
    pub fn append(&mut self, other: Receipt) {
        self.rows.extend(other.rows);
        self.urgent.extend(other.urgent);
        self.leased.extend(other.leased);
    }

    /// The leased rows among `ids`, by lease.
    fn leased_among(&self, ids: &[i64]) -> Vec<Leased> {
        self.leased
            .iter()
            .map(|l| Leased {
                lease: l.lease,
                rows: l
                    .rows
                    .iter()
                    .filter(|r| ids.contains(&r.id))
                    .cloned()
                    .collect(),
            })
            .filter(|l| !l.rows.is_empty())
            .collect()
    }
}

/// What a repository's commit answers: the receipt of its outbox rows, with what the commit
/// read or wrote, if the caller needs it.
pub trait Committed {
    fn receipt(&self) -> &Receipt;
}

impl Committed for Receipt {
    fn receipt(&self) -> &Receipt {
        self
    }
}

impl<T> Committed for (T, Receipt) {
    fn receipt(&self) -> &Receipt {
        &self.1
    }
}

/// What one pass over pending outbox rows did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelayReport {
    pub applied: usize,
    pub failed: usize,
    pub dead: usize,
}
