//! Bulk seeding for scale tests: realistic generated users, teams, tasks and comments written
//! straight into each store through bulk ports, not through the write path (no audit or outbox
//! rows; see ADR 26).

mod generate;
mod ports;
mod service;
mod shapes;
mod words;

pub use ports::{BulkDocuments, BulkRows, SeededTeam};
pub use service::{Plan, Progress, SeedReport, Seeder};
pub use shapes::{list_shapes, search_shapes};
pub use words::{COMMON_WORD, RARE_WORD};
