//! Reconcile: compares PostgreSQL's tasks with MongoDB's documents and Redis's cache entries,
//! repairs what drifted, and reports what it found.

use super::ports::{TaskCore, TaskRepository};
use crate::write_path::{Cache, CacheKey, Collection, DocumentStore, Outbox};
use crate::{Error, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

const BATCH: i64 = 500;

/// What one reconcile run found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    pub tasks_checked: usize,
    /// Documents missing from MongoDB, restored from the outbox.
    pub documents_restored: usize,
    /// Documents older than PostgreSQL's version, brought forward from the outbox.
    pub documents_updated: usize,
    /// Documents of tasks PostgreSQL no longer has, deleted.
    pub orphans_deleted: usize,
    /// Cache entries at another version than PostgreSQL's, dropped.
    pub cache_entries_dropped: usize,
    /// Tasks whose committed document is neither in MongoDB nor in a retained outbox row.
    pub unrecoverable: Vec<String>,
}

impl ReconcileReport {
    /// Whether the stores disagreed anywhere.
    pub fn drift(&self) -> usize {
        self.documents_restored
            + self.documents_updated
            + self.orphans_deleted
            + self.cache_entries_dropped
            + self.unrecoverable.len()
    }
}

pub struct Reconciler {
    tasks: Arc<dyn TaskRepository>,
    documents: Arc<dyn DocumentStore>,
    cache: Arc<dyn Cache>,
    outbox: Arc<dyn Outbox>,
}

impl Reconciler {
    pub fn new(
        tasks: Arc<dyn TaskRepository>,
        documents: Arc<dyn DocumentStore>,
        cache: Arc<dyn Cache>,
        outbox: Arc<dyn Outbox>,
    ) -> Self {
        Self {
            tasks,
            documents,
            cache,
            outbox,
        }
    }

    pub async fn run(&self) -> Result<ReconcileReport, Error> {
        let mut report = ReconcileReport::default();
        let mut known = HashSet::new();
        let mut after = None;
        loop {
            let batch = self.tasks.scan(after, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id);
            for core in &batch {
                known.insert(core.id.as_uuid());
                self.check(core, &mut report).await?;
            }
        }
        for id in self.documents.ids(Collection::Tasks).await? {
            // A task created since the scan started is not an orphan: ask PostgreSQL again.
            let task = crate::ids::TaskId::from_uuid(id);
            if !known.contains(&id) && self.tasks.core(task).await?.is_none() {
                self.documents.delete(Collection::Tasks, id).await?;
                let _ = self.cache.drop_key(CacheKey::Task(task)).await;
                report.orphans_deleted += 1;
            }
        }
        Ok(report)
    }

    async fn check(&self, core: &TaskCore, report: &mut ReconcileReport) -> Result<(), StoreError> {
        report.tasks_checked += 1;
        let id = core.id.as_uuid();
        let stored = self.documents.get(Collection::Tasks, id).await?;
        if stored.as_ref().is_none_or(|d| d.version < core.version) {
            match self.outbox.latest_document(Collection::Tasks, id).await? {
                Some((_, doc)) if doc.version >= core.version => {
                    self.documents
                        .put_if_newer(Collection::Tasks, id, doc.version, &doc.body)
                        .await?;
                    if stored.is_some() {
                        report.documents_updated += 1;
                    } else {
                        report.documents_restored += 1;
                    }
                }
                _ => report.unrecoverable.push(core.id.to_string()),
            }
        }
        let key = CacheKey::Task(core.id);
        let cached_version = self
            .cache
            .get(key)
            .await?
            .and_then(|c| c.get("version")?.as_i64());
        if cached_version.is_some_and(|v| v != core.version) {
            self.cache.drop_key(key).await?;
            report.cache_entries_dropped += 1;
        }
        Ok(())
    }
}
