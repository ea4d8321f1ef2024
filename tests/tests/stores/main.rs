//! The stores underneath: the port contract suites on the real adapters, store failures on
//! private Redis and FerretDB processes, and the write path under faults and a slow MongoDB.

mod contracts;
mod failures;
mod write_path;
