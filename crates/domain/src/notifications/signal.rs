//! What live channels carry: the messages are JSON, so any instance can read what another
//! published.

use super::activity::TeamActivity;
use super::model::Notification;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// A message on a team's channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub enum TeamSignal {
    Change(TeamActivity),
    Presence { view: String, viewers: Vec<UserId> },
}

impl TeamSignal {
    pub fn to_message(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A message this version cannot read is skipped, not fatal.
    pub fn from_message(message: &str) -> Option<Self> {
        serde_json::from_str(message).ok()
    }
}

impl Notification {
    pub fn to_message(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_message(message: &str) -> Option<Self> {
        serde_json::from_str(message).ok()
    }
}
