//! `SearchIndex` on the relational fake: every word matched (the last as a prefix), scored by
//! how many of a text's words match.

use super::InMemoryRelational;
use crate::fakes::lock;
use async_trait::async_trait;
use taskforge_domain::ids::UserId;
use taskforge_domain::search::{
    SearchHit, SearchIndex, SearchKind, SearchQuery, MARK_END, MARK_START,
};
use taskforge_domain::StoreError;

/// How many words of `text` the query's words match; 0 unless each query word matches one.
fn matches(text: &str, words: &[String]) -> usize {
    let last = words.len().saturating_sub(1);
    let hit = |w: &str, i: usize| {
        let w = w.to_lowercase();
        if i == last {
            w.starts_with(&words[i])
        } else {
            w == words[i]
        }
    };
    let tokens: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let each = (0..words.len()).all(|i| tokens.iter().any(|t| hit(t, i)));
    if !each {
        return 0;
    }
    tokens
        .iter()
        .filter(|t| (0..words.len()).any(|i| hit(t, i)))
        .count()
}

/// `text` with each matching word between the marks.
fn marked(text: &str, words: &[String]) -> String {
    let last = words.len().saturating_sub(1);
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let lower = word.to_lowercase();
        let hit = words.iter().enumerate().any(|(i, w)| {
            if i == last {
                lower.starts_with(w)
            } else {
                lower == *w
            }
        });
        if hit && !word.is_empty() {
            out.push(MARK_START);
            out.push_str(word);
            out.push(MARK_END);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[async_trait]
impl SearchIndex for InMemoryRelational {
    async fn search(
        &self,
        user: UserId,
        query: &SearchQuery,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let db = lock(&self.0);
        let words = query.text.words();
        if words.is_empty() {
            return Ok(vec![]);
        }
        let visible = |team| db.may_read_tasks(user, team) && query.team.is_none_or(|t| t == team);
        let mut hits = Vec::new();
        if query.kinds.contains(&SearchKind::Task) {
            for t in db.tasks.values().filter(|t| visible(t.team_id)) {
                let names: Vec<&str> = t
                    .attachments
                    .iter()
                    .filter_map(|a| a["name"].as_str())
                    .collect();
                let text = format!(
                    "{} {} {} {}",
                    t.title.as_str(),
                    t.description.as_str(),
                    t.tags.as_slice().join(" "),
                    names.join(" ")
                );
                let n = matches(&text, words);
                if n > 0 {
                    hits.push(SearchHit {
                        kind: SearchKind::Task,
                        id: t.task_id.as_uuid(),
                        task_id: t.task_id,
                        team_id: t.team_id,
                        title: t.title.as_str().to_owned(),
                        snippet: marked(&text, words),
                        score: n as f32,
                        created: t.metadata.created,
                    });
                }
            }
        }
        if query.kinds.contains(&SearchKind::Comment) {
            for c in db.comments.values().filter(|c| visible(c.team_id)) {
                let n = matches(c.content.as_str(), words);
                let title = db
                    .tasks
                    .get(&c.task_id)
                    .map(|t| t.title.as_str().to_owned());
                if let (true, Some(title)) = (n > 0, title) {
                    hits.push(SearchHit {
                        kind: SearchKind::Comment,
                        id: c.comment_id.as_uuid(),
                        task_id: c.task_id,
                        team_id: c.team_id,
                        title,
                        snippet: marked(c.content.as_str(), words),
                        score: n as f32,
                        created: c.created,
                    });
                }
            }
        }
        let key = |h: &SearchHit| (h.score, h.created, h.id);
        hits.retain(|h| {
            query.after.is_none_or(|a| {
                key(h).partial_cmp(&(a.score, a.created, a.id)) == Some(std::cmp::Ordering::Less)
            })
        });
        hits.sort_by(|a, b| {
            key(b)
                .partial_cmp(&key(a))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        hits.truncate(query.limit);
        Ok(hits)
    }
}
