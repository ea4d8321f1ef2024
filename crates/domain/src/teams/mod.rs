//! Teams, memberships and per-team role permissions, and the one question every team-scoped
//! route asks: may this user do this to this team's things?

pub mod access;
pub mod model;
pub mod ports;
pub mod service;
pub mod standing;

pub use access::{Access, Requirement};
pub use model::{
    default_permissions, MemberView, Permission, PermissionMap, Role, Team, TeamDescription,
    TeamName, TeamView,
};
pub use ports::{TeamErasure, TeamRepository};
pub use service::{TeamPatch, TeamService};
pub use standing::{AccessCache, AccessProjection, AccessState, DropCachedAccess, Standing};
