//! Revoking sessions: the security effect of identity changes, applied before the response.

use super::ports::SessionStore;
use crate::ids::{SessionId, UserId};
use crate::write_path::{Apply, EffectId, EffectKind};
use crate::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Ends a user's sessions that were opened before the change, all of them or all but `keep`.
/// Sessions opened later survive a repeat, so applying it again changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevokeSessions {
    pub user_id: UserId,
    pub keep: Option<SessionId>,
    pub opened_before: DateTime<Utc>,
}

impl EffectKind for RevokeSessions {
    const KIND: &'static str = "revoke_sessions";
}

/// Applies [`RevokeSessions`] to the session store.
pub struct SessionEffects(pub Arc<dyn SessionStore>);

#[async_trait]
impl Apply<RevokeSessions> for SessionEffects {
    async fn apply(&self, e: RevokeSessions, _: EffectId) -> Result<(), StoreError> {
        self.0
            .revoke_all(e.user_id, e.keep, Some(e.opened_before))
            .await
    }
}
