//! The fakes on their own: the port contract suites, and the identity use cases driven through
//! them.

mod contracts;
mod identity;
