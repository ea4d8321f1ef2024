//! What a search asks and finds.

use crate::ids::{TaskId, TeamId};
use crate::paging;
use crate::validation::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where an index marks a match in a snippet: characters no stored text holds (they are
/// control characters, which every text field refuses).
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// What was typed: 1 to 200 characters, searched as its words (letters and digits), all of
/// them, the last one as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    words: Vec<String>,
}

impl SearchText {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let length = raw.chars().count();
        if !(1..=200).contains(&length) {
            return Err(FieldError::new(field, "must be 1 to 200 characters"));
        }
        let words = raw
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        Ok(Self { words })
    }

    /// The words, lowercased; none when the text had only punctuation.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The text as a PostgreSQL `tsquery` (`'a' & 'b':*`); `None` without words. Words are
    /// letters and digits only, so quoting them is enough.
    pub fn to_tsquery(&self) -> Option<String> {
        let last = self.words.len().checked_sub(1)?;
        let terms: Vec<String> = self
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == last {
                    format!("'{w}':*")
                } else {
                    format!("'{w}'")
                }
            })
            .collect();
        Some(terms.join(" & "))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Task,
    Comment,
}

impl SearchKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::Comment => "comment",
        }
    }

    /// `types=task,comment`: each known, at least one.
    pub fn parse_list(field: &str, raw: &str) -> Result<Vec<Self>, FieldError> {
        let mut kinds = Vec::new();
        for name in raw.split(',').map(str::trim) {
            let kind = [Self::Task, Self::Comment]
                .into_iter()
                .find(|k| k.as_str() == name)
                .ok_or_else(|| FieldError::new(field, "each type must be task or comment"))?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        Ok(kinds)
    }
}

/// Where a page of results ended: results are ordered by score, then newest, then id.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SearchCursor {
    pub score: f32,
    pub created: DateTime<Utc>,
    pub id: Uuid,
}

impl SearchCursor {
    pub fn encode(&self) -> String {
        paging::encode(self)
    }

    pub fn decode(raw: &str) -> Result<Self, FieldError> {
        paging::decode("cursor", raw)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub text: SearchText,
    pub team: Option<TeamId>,
    pub kinds: Vec<SearchKind>,
    pub after: Option<SearchCursor>,
    pub limit: usize,
}

/// One result. `snippet` is plain text with each match between [`MARK_START`] and
/// [`MARK_END`] as the index answers it, HTML (escaped, matches in `<mark>`) as the service
/// answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: Uuid,
    pub task_id: TaskId,
    pub team_id: TeamId,
    pub title: String,
    pub snippet: String,
    pub score: f32,
    pub created: DateTime<Utc>,
}

impl SearchHit {
    pub fn cursor(&self) -> SearchCursor {
        SearchCursor {
            score: self.score,
            created: self.created,
            id: self.id,
        }
    }
}

/// A snippet as HTML: the text escaped, each marked match in `<mark>`.
pub fn highlighted(snippet: &str) -> String {
    let mut html = String::with_capacity(snippet.len() + 16);
    for c in snippet.chars() {
        match c {
            MARK_START => html.push_str("<mark>"),
            MARK_END => html.push_str("</mark>"),
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_a_query_with_the_last_as_a_prefix() -> Result<(), FieldError> {
        let text = SearchText::parse("q", "Launch, the ROCK")?;
        assert_eq!(text.words(), ["launch", "the", "rock"]);
        assert_eq!(
            text.to_tsquery().as_deref(),
            Some("'launch' & 'the' & 'rock':*")
        );
        assert_eq!(
            SearchText::parse("q", "'); --")?.to_tsquery().as_deref(),
            None
        );
        assert!(SearchText::parse("q", "").is_err());
        assert!(SearchText::parse("q", &"x".repeat(201)).is_err());
        Ok(())
    }

    #[test]
    fn snippets_are_escaped_and_matches_marked() {
        let raw = format!("a <b>{MARK_START}rocket{MARK_END}</b> & \"more\"");
        assert_eq!(
            highlighted(&raw),
            "a &lt;b&gt;<mark>rocket</mark>&lt;/b&gt; &amp; &quot;more&quot;"
        );
    }

    #[test]
    fn types_are_task_or_comment() -> Result<(), FieldError> {
        assert_eq!(
            SearchKind::parse_list("types", "comment,task,comment")?,
            vec![SearchKind::Comment, SearchKind::Task]
        );
        assert!(SearchKind::parse_list("types", "task,file").is_err());
        Ok(())
    }
}
