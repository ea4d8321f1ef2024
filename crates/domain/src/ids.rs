//! Identifier newtypes. Every id is a UUID (v7 for new ones: time-ordered and index-friendly).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A registered user.
    UserId
);
uuid_id!(
    /// One login session (not the token: the token is never stored).
    SessionId
);
uuid_id!(
    /// One audit log row.
    AuditId
);
uuid_id!(
    /// A team.
    TeamId
);
uuid_id!(
    /// A task.
    TaskId
);
uuid_id!(
    /// A comment on a task.
    CommentId
);
uuid_id!(
    /// A file attached to a task.
    AttachmentId
);
uuid_id!(
    /// One notification of one user.
    NotificationId
);
