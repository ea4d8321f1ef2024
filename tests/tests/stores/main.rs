//! The stores underneath: the port contract suites on the real adapters, store failures on
//! private Redis and FerretDB processes, and the fault suite
//! (`cargo test -p taskforge-tests --test stores fault_suite -- --nocapture` prints its counts).

mod contracts;
mod failures;
mod fault_suite;
mod write_path;
