//! `MongoBulkDocuments`: a seed's documents, in the document types the projections write,
//! many per `insert_many`.

use crate::comments::{CommentDocument, COLLECTION as COMMENTS};
use crate::profiles::{ProfileDocument, COLLECTION as PROFILES};
use crate::store::MongoStore;
use crate::tasks::{TaskDocument, COLLECTION as TASKS};
use async_trait::async_trait;
use serde::Serialize;
use taskforge_domain::comments::Comment;
use taskforge_domain::identity::VersionedProfile;
use taskforge_domain::seed::BulkDocuments;
use taskforge_domain::tasks::Task;
use taskforge_domain::StoreError;

pub struct MongoBulkDocuments {
    store: MongoStore,
}

impl MongoBulkDocuments {
    pub fn new(store: MongoStore) -> Self {
        Self { store }
    }

    async fn insert<T: Serialize + Send + Sync>(
        &self,
        collection: &str,
        documents: Vec<T>,
    ) -> Result<(), StoreError> {
        if documents.is_empty() {
            return Ok(());
        }
        let collection = self.store.database().collection::<T>(collection);
        self.store
            .call(collection.insert_many(documents).ordered(false))
            .await
            .map(drop)
    }
}

#[async_trait]
impl BulkDocuments for MongoBulkDocuments {
    async fn profiles(&self, profiles: &[VersionedProfile]) -> Result<(), StoreError> {
        let documents = profiles.iter().map(ProfileDocument::from).collect();
        self.insert::<ProfileDocument>(PROFILES, documents).await
    }

    async fn tasks(&self, tasks: &[Task]) -> Result<(), StoreError> {
        let documents = tasks.iter().map(TaskDocument::from).collect();
        self.insert::<TaskDocument>(TASKS, documents).await
    }

    async fn comments(&self, comments: &[Comment]) -> Result<(), StoreError> {
        let documents = comments.iter().map(CommentDocument::from).collect();
        self.insert::<CommentDocument>(COMMENTS, documents).await
    }
}
