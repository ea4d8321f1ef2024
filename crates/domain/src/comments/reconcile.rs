//! Reconciling comments: PostgreSQL's rows against MongoDB's documents. Every field of a comment
//! is in its row, so every document can be restored from it.

use super::model::Comment;
use super::ports::{CommentDocuments, CommentRepository};
use crate::{Error, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

const BATCH: i64 = 500;

/// What one run found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentReconcileReport {
    pub comments_checked: usize,
    /// Documents missing from MongoDB, restored from PostgreSQL.
    pub documents_restored: usize,
    /// Documents older than PostgreSQL's version, brought forward.
    pub documents_updated: usize,
    /// Documents of comments PostgreSQL no longer has, deleted.
    pub orphans_deleted: usize,
}

impl CommentReconcileReport {
    /// How many places the stores disagreed in.
    pub fn drift(&self) -> usize {
        self.documents_restored + self.documents_updated + self.orphans_deleted
    }
}

pub struct CommentReconciler {
    rows: Arc<dyn CommentRepository>,
    documents: Arc<dyn CommentDocuments>,
}

impl CommentReconciler {
    pub fn new(rows: Arc<dyn CommentRepository>, documents: Arc<dyn CommentDocuments>) -> Self {
        Self { rows, documents }
    }

    pub async fn run(&self) -> Result<CommentReconcileReport, Error> {
        let mut report = CommentReconcileReport::default();
        let mut known = HashSet::new();
        let mut after = None;
        loop {
            let batch = self.rows.scan(after, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.comment_id);
            for comment in &batch {
                known.insert(comment.comment_id);
                self.check(comment, &mut report).await?;
            }
        }
        for id in self.documents.ids().await? {
            // A comment made since the scan started is not an orphan: ask PostgreSQL again.
            if !known.contains(&id) && self.rows.get(id).await?.is_none() {
                self.documents.delete(id).await?;
                report.orphans_deleted += 1;
            }
        }
        Ok(report)
    }

    async fn check(
        &self,
        comment: &Comment,
        report: &mut CommentReconcileReport,
    ) -> Result<(), StoreError> {
        report.comments_checked += 1;
        let stored = self.documents.get(comment.comment_id).await?;
        if stored.as_ref().is_none_or(|d| d.version < comment.version) {
            self.documents.put(comment).await?;
            if stored.is_some() {
                report.documents_updated += 1;
            } else {
                report.documents_restored += 1;
            }
        }
        Ok(())
    }
}
