//! Where a change belongs: the scope whose audit chain records it, and the entity whose outbox
//! rows are applied in commit order.

use crate::ids::{TeamId, UserId};
use std::fmt;
use uuid::Uuid;

/// A team, or one account: each has its own audit chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Account(UserId),
    Team(TeamId),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Account(id) => write!(f, "account:{id}"),
            Scope::Team(id) => write!(f, "team:{id}"),
        }
    }
}

/// The ordering key of a change's outbox rows. Rows of one entity are applied in commit order,
/// rows of different entities independently. A change of the whole scope (a team's deletion) is
/// a barrier: it waits for every older row of its scope, and every later row of the scope waits
/// for it, so nothing of a deleted team can reappear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aggregate {
    scope: Scope,
    entity: Option<(&'static str, Uuid)>,
}

impl Aggregate {
    /// One entity of `scope`, `kind` naming what it is (`task`, `profile`...).
    pub fn entity(scope: Scope, kind: &'static str, id: Uuid) -> Self {
        Self {
            scope,
            entity: Some((kind, id)),
        }
    }

    /// The whole scope: a barrier for every entity in it.
    pub fn whole(scope: Scope) -> Self {
        Self {
            scope,
            entity: None,
        }
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    pub fn is_barrier(&self) -> bool {
        self.entity.is_none()
    }

    /// The key rows of this aggregate share (`task:{id}`, or the scope's own key).
    pub fn key(&self) -> String {
        match self.entity {
            Some((kind, id)) => format!("{kind}:{id}"),
            None => self.scope.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_keyed_by_kind_and_id_and_barriers_by_scope() {
        let team = TeamId::new();
        let id = Uuid::now_v7();
        let task = Aggregate::entity(Scope::Team(team), "task", id);
        assert_eq!(task.key(), format!("task:{id}"));
        assert!(!task.is_barrier());
        let whole = Aggregate::whole(Scope::Team(team));
        assert_eq!(whole.key(), format!("team:{team}"));
        assert!(whole.is_barrier());
        assert_eq!(task.scope(), whole.scope());
    }
}
