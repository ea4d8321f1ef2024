//! Full-text search over the caller's teams: task titles, descriptions, tags and file names,
//! and comment text, ranked, with a highlighted snippet, the last word matched as a prefix
//! (search as you type).

pub mod model;
pub mod ports;
pub mod service;

pub use model::{
    SearchCursor, SearchHit, SearchKind, SearchQuery, SearchText, MARK_END, MARK_START,
};
pub use ports::SearchIndex;
pub use service::SearchService;
