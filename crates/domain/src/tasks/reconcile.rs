//! Reconcile: compares PostgreSQL's tasks with MongoDB's documents and Redis's cache entries,
//! repairs what drifted, and reports what it found. PostgreSQL holds every field of a task, so
//! every document can be restored from it.

use super::model::Task;
use super::ports::TaskRepository;
use super::service::TASKS;
use crate::ids::TaskId;
use crate::write_path::{Cache, DocumentStore};
use crate::{Error, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

const BATCH: i64 = 500;

/// What one reconcile run found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    pub tasks_checked: usize,
    /// Documents missing from MongoDB, restored from PostgreSQL.
    pub documents_restored: usize,
    /// Documents older than PostgreSQL's version, brought forward.
    pub documents_updated: usize,
    /// Documents of tasks PostgreSQL no longer has, deleted.
    pub orphans_deleted: usize,
    /// Cache entries at another version than PostgreSQL's, dropped.
    pub cache_entries_dropped: usize,
}

impl ReconcileReport {
    /// Whether the stores disagreed anywhere.
    pub fn drift(&self) -> usize {
        self.documents_restored
            + self.documents_updated
            + self.orphans_deleted
            + self.cache_entries_dropped
    }
}

pub struct Reconciler {
    tasks: Arc<dyn TaskRepository>,
    documents: Arc<dyn DocumentStore>,
    cache: Arc<dyn Cache>,
}

impl Reconciler {
    pub fn new(
        tasks: Arc<dyn TaskRepository>,
        documents: Arc<dyn DocumentStore>,
        cache: Arc<dyn Cache>,
    ) -> Self {
        Self {
            tasks,
            documents,
            cache,
        }
    }

    pub async fn run(&self) -> Result<ReconcileReport, Error> {
        let mut report = ReconcileReport::default();
        let mut known = HashSet::new();
        let mut after = None;
        loop {
            let batch = self.tasks.scan(after, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.task_id);
            for task in &batch {
                known.insert(task.task_id.as_uuid());
                self.check(task, &mut report).await?;
            }
        }
        for id in self.documents.ids(TASKS.name).await? {
            // A task created since the scan started is not an orphan: ask PostgreSQL again.
            if !known.contains(&id) && self.tasks.get(TaskId::from_uuid(id)).await?.is_none() {
                self.documents.delete(TASKS.name, id).await?;
                let _ = self.cache.drop_key(&TASKS.cache.key(id)).await;
                report.orphans_deleted += 1;
            }
        }
        Ok(report)
    }

    async fn check(&self, task: &Task, report: &mut ReconcileReport) -> Result<(), StoreError> {
        report.tasks_checked += 1;
        let id = task.task_id.as_uuid();
        let stored = self.documents.get(TASKS.name, id).await?;
        if stored.as_ref().is_none_or(|d| d.version < task.version) {
            let body = serde_json::to_value(task).map_err(|e| StoreError::Internal(e.into()))?;
            self.documents
                .put_if_newer(TASKS.name, id, task.version, &body)
                .await?;
            if stored.is_some() {
                report.documents_updated += 1;
            } else {
                report.documents_restored += 1;
            }
        }
        let key = TASKS.cache.key(id);
        let cached_version = self
            .cache
            .get(&key)
            .await?
            .and_then(|c| c.get("version")?.as_i64());
        if cached_version.is_some_and(|v| v != task.version) {
            self.cache.drop_key(&key).await?;
            report.cache_entries_dropped += 1;
        }
        Ok(())
    }
}
