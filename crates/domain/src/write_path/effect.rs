//! What an outbox row asks the other stores to do. Every effect is idempotent: documents move
//! forward in version only, deletes and cache drops of absent keys are no-ops.

use crate::ids::{SessionId, TaskId, TeamId, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The MongoDB collections that changes project into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Profiles,
    Tasks,
}

impl Collection {
    pub fn name(&self) -> &'static str {
        match self {
            Collection::Profiles => "profiles",
            Collection::Tasks => "tasks",
        }
    }

    /// The cache entry that copies a document of this collection.
    pub fn cache_key(&self, id: Uuid) -> CacheKey {
        match self {
            Collection::Profiles => CacheKey::UserProfile(UserId::from_uuid(id)),
            Collection::Tasks => CacheKey::Task(TaskId::from_uuid(id)),
        }
    }
}

/// Redis cache entries that a change makes stale. Key names live in the Redis adapter's registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum CacheKey {
    UserProfile(UserId),
    Task(TaskId),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    /// Upsert the document unless the stored one is as new or newer.
    PutDocument {
        collection: Collection,
        id: Uuid,
        version: i64,
        body: serde_json::Value,
    },
    DeleteDocument {
        collection: Collection,
        id: Uuid,
    },
    /// Delete every document of a team (its `teamId` field) from a collection.
    DeleteTeamDocuments {
        collection: Collection,
        team_id: TeamId,
    },
    DropCache {
        key: CacheKey,
    },
    /// End a user's sessions, all of them or all but one.
    RevokeSessions {
        user_id: UserId,
        keep: Option<SessionId>,
    },
}
