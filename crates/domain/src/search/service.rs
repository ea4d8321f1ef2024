//! The search use case.

use super::model::{highlighted, SearchCursor, SearchHit, SearchQuery};
use super::ports::SearchIndex;
use crate::ids::UserId;
use crate::teams::{Permission, Requirement, TeamService};
use crate::Error;
use std::sync::Arc;

pub struct SearchService {
    index: Arc<dyn SearchIndex>,
    teams: Arc<TeamService>,
}

impl SearchService {
    pub fn new(index: Arc<dyn SearchIndex>, teams: Arc<TeamService>) -> Self {
        Self { index, teams }
    }

    /// A page of results and the cursor of the next. A team named in the query must be one the
    /// caller may read tasks of (404 for outsiders, 403 without `task.read`).
    pub async fn search(
        &self,
        caller: UserId,
        query: SearchQuery,
    ) -> Result<(Vec<SearchHit>, Option<SearchCursor>), Error> {
        if let Some(team) = query.team {
            let read = Requirement::Permission(Permission::TaskRead);
            self.teams.authorize(caller, team, read).await?;
        }
        if query.text.words().is_empty() || query.kinds.is_empty() {
            return Ok((vec![], None));
        }
        let limit = query.limit;
        let probe = SearchQuery {
            limit: limit + 1,
            ..query
        };
        let mut hits = self.index.search(caller, &probe).await?;
        let next = (hits.len() > limit).then(|| {
            hits.truncate(limit);
            hits.last().map(SearchHit::cursor)
        });
        for hit in &mut hits {
            hit.snippet = highlighted(&hit.snippet);
        }
        Ok((hits, next.flatten()))
    }
}
