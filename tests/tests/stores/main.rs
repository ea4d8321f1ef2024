//! The stores underneath: the port contract suites on the real adapters, store failures on
//! private Redis and FerretDB processes, the write path under faults and a slow MongoDB, bulk
//! seeding, and the list queries' plans.

mod contracts;
mod failures;
mod plans;
mod seed;
mod tallies;
mod write_path;
