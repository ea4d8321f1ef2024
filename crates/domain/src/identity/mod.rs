//! Identity: accounts, credentials, sessions, profiles and the rate limits that guard them.

pub mod auth;
pub mod effects;
pub mod model;
pub mod ports;
pub mod profile;
pub mod projection;
pub mod state;
pub mod throttle;
pub mod values;

pub use auth::{AuthPolicy, AuthService, Authenticated, LoginOutcome, RateRules, RegisterInput};
pub use model::{
    Frequency, NotificationPreferences, Preferences, Profile, ProfileDetails, ProfilePatch,
    Session, Theme, User,
};
pub use profile::ProfileService;
pub use projection::{ProfileDocuments, ProfileProjection, VersionedProfile};
pub use state::ProfileState;
pub use values::{
    Bio, Email, Password, PasswordHash, PersonName, PictureUrl, QuietHours, SessionToken, TimeZone,
    TokenHash,
};
