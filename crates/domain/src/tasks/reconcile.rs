//! Reconcile: compares PostgreSQL's tasks with MongoDB's documents and Redis's cache entries,
//! repairs what drifted, and reports what it found. PostgreSQL holds every field of a task, so
//! every document can be restored from it.

use super::model::Task;
use super::ports::TaskRepository;
use super::projection::{TaskCache, TaskDocuments};
use crate::cache::Lookup;
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
    /// Cache entries behind PostgreSQL's version (a drop still pending or dead), dropped.
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
    documents: Arc<dyn TaskDocuments>,
    cache: Arc<dyn TaskCache>,
}

impl Reconciler {
    pub fn new(
        tasks: Arc<dyn TaskRepository>,
        documents: Arc<dyn TaskDocuments>,
        cache: Arc<dyn TaskCache>,
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
                known.insert(task.task_id);
                self.check(task, &mut report).await?;
            }
        }
        for id in self.documents.ids().await? {
            // A task created since the scan started is not an orphan: ask PostgreSQL again.
            if !known.contains(&id) && self.tasks.get(id).await?.is_none() {
                self.documents.delete(id).await?;
                let _ = self.cache.forget(&[id]).await;
                report.orphans_deleted += 1;
            }
        }
        Ok(report)
    }

    async fn check(&self, task: &Task, report: &mut ReconcileReport) -> Result<(), StoreError> {
        report.tasks_checked += 1;
        let id = task.task_id;
        let stored = self.documents.get(id).await?;
        if stored.as_ref().is_none_or(|d| d.version < task.version) {
            self.documents.put(task).await?;
            if stored.is_some() {
                report.documents_updated += 1;
            } else {
                report.documents_restored += 1;
            }
        }
        // A miss takes a fill lease that goes unused: readers fill again once it lapses.
        let cached = self.cache.get(id).await?;
        if matches!(cached, Lookup::Hit(c) if c.version < task.version) {
            self.cache.forget(&[id]).await?;
            report.cache_entries_dropped += 1;
        }
        Ok(())
    }
}
