//! The fakes on their own: the port contract suites, and the identity, task and team use cases
//! and the open projection driven through them.

mod contracts;
mod effects;
mod identity;
mod mail;
mod tasks;
