//! The MongoDB client, the timeout and breaker every call goes through, and error mapping.

use crate::breaker::Breaker;
use crate::config::MongoConfig;
use crate::fields::{corrupt, id};
use futures::TryStreamExt;
use mongodb::bson::{self, doc, Document};
use mongodb::error::{Error as MongoError, ErrorKind, GridFsErrorKind, WriteFailure};
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Database, IndexModel};
use secrecy::ExposeSecret;
use serde::Serialize;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;
use taskforge_domain::StoreError;

const STORE: &str = "mongo";

#[derive(Clone)]
pub struct MongoStore {
    client: Client,
    db: Database,
    timeout: Duration,
    breaker: Arc<Breaker>,
}

impl MongoStore {
    /// Parses the URI and builds the client; the driver connects lazily, so a server that is
    /// down now does not stop start-up.
    pub async fn connect(config: &MongoConfig) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(config.timeout_ms);
        let mut options = ClientOptions::parse(config.uri.expose_secret()).await?;
        options.server_selection_timeout = Some(timeout);
        options.connect_timeout = Some(timeout);
        // Notice a restarted server within half a second (the driver's default is 10 s).
        options.heartbeat_freq = Some(Duration::from_millis(500));
        options.app_name = Some("taskforge".into());
        options.max_pool_size = Some(config.pool_size);
        let client = Client::with_options(options)?;
        Ok(Self {
            db: client.database(&config.database),
            client,
            timeout,
            breaker: Arc::default(),
        })
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Names of the server's databases that start with `prefix` (provisioning and clean-up).
    pub async fn databases_with_prefix(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let names = self.call(self.client.list_database_names()).await?;
        Ok(names
            .into_iter()
            .filter(|n| n.starts_with(prefix))
            .collect())
    }

    /// Drops a whole database of the server.
    pub async fn drop_database(&self, name: &str) -> Result<(), StoreError> {
        self.call(self.client.database(name).drop()).await
    }

    /// Runs one read or write of a GridFS stream under the timeout and the circuit breaker.
    pub(crate) async fn io<T>(
        &self,
        op: impl IntoFuture<Output = std::io::Result<T>>,
    ) -> Result<T, StoreError> {
        if !self.breaker.allows() {
            return Err(StoreError::unavailable(STORE, "circuit open"));
        }
        let outcome = match tokio::time::timeout(self.timeout, op.into_future()).await {
            Ok(result) => result.map_err(|e| StoreError::unavailable(STORE, e)),
            Err(_) => Err(StoreError::unavailable(STORE, "timed out")),
        };
        match &outcome {
            Err(_) => self.breaker.failed(),
            Ok(_) => self.breaker.succeeded(),
        }
        outcome
    }

    /// Runs one driver call under the timeout and the circuit breaker.
    pub async fn call<T>(
        &self,
        op: impl IntoFuture<Output = Result<T, MongoError>>,
    ) -> Result<T, StoreError> {
        self.call_raw(op).await?.map_err(map_err)
    }

    /// Runs one driver call under the timeout and the circuit breaker, and hands back the
    /// driver's own error of a call that reached the server, for a caller that reads it.
    pub(crate) async fn call_raw<T>(
        &self,
        op: impl IntoFuture<Output = Result<T, MongoError>>,
    ) -> Result<Result<T, MongoError>, StoreError> {
        if !self.breaker.allows() {
            return Err(StoreError::unavailable(STORE, "circuit open"));
        }
        let Ok(result) = tokio::time::timeout(self.timeout, op.into_future()).await else {
            self.breaker.failed();
            return Err(StoreError::unavailable(STORE, "timed out"));
        };
        match result {
            Err(e) => match map_err(e.clone()) {
                unavailable @ StoreError::Unavailable { .. } => {
                    self.breaker.failed();
                    Err(unavailable)
                }
                _ => {
                    self.breaker.succeeded();
                    Ok(Err(e))
                }
            },
            ok => {
                self.breaker.succeeded();
                Ok(ok)
            }
        }
    }

    /// Stores `document` (whose `_id` is `id`) at `version` in `collection`, unless a newer
    /// version is stored: an upsert guarded by the version, which the duplicate key of the
    /// stored `_id` refuses when that one is newer. Versions start at 1.
    pub async fn put_versioned<T: Serialize>(
        &self,
        collection: &str,
        id: String,
        version: i64,
        document: &T,
    ) -> Result<(), StoreError> {
        let replacement = bson::serialize_to_document(document)
            .map_err(|e| StoreError::Rejected(format!("not storable as BSON: {e}")))?;
        let collection = self.db.collection::<Document>(collection);
        // A first version is almost always new: an insert, which the `_id` index alone checks.
        // (FerretDB runs the guarded upsert's filter as a scan of the collection.) One already
        // stored, a retry or a repair, takes the guarded replace.
        if version == 1 {
            match self.call(collection.insert_one(&replacement)).await {
                Err(StoreError::Conflict(_)) => {}
                inserted => return inserted.map(drop),
            }
        }
        let guard = doc! { "_id": id, "version": { "$lte": version } };
        let replace = collection.replace_one(guard, replacement).upsert(true);
        match self.call(replace).await {
            // The guard missed because a newer document is stored: nothing to do.
            Err(StoreError::Conflict(_)) => Ok(()),
            other => other.map(drop),
        }
    }

    /// The ids (`_id`, a UUID string) of the documents of `collection` that `filter` matches.
    pub(crate) async fn ids<T: std::str::FromStr<Err = uuid::Error>>(
        &self,
        collection: &str,
        filter: Document,
    ) -> Result<Vec<T>, StoreError> {
        let collection = self.db.collection::<Document>(collection);
        let find = collection.find(filter).projection(doc! { "_id": 1 });
        let cursor = self.call(find).await?;
        let docs: Vec<Document> = self.call(cursor.try_collect()).await?;
        docs.iter()
            .map(|d| {
                let raw = d.get_str("_id").map_err(|e| corrupt("_id", e))?;
                id::<T>("_id", raw)
            })
            .collect()
    }

    /// Creates the named indexes of `collection` that do not exist yet, one command each:
    /// FerretDB v1.24 drops the connection when one `createIndexes` names two or more indexes
    /// that already exist (every restart would).
    pub(crate) async fn ensure_indexes(
        &self,
        collection: &str,
        indexes: &[(Document, &str)],
    ) -> Result<(), StoreError> {
        let collection = self.db.collection::<Document>(collection);
        for (keys, name) in indexes {
            let options = IndexOptions::builder().name((*name).to_owned()).build();
            let model = IndexModel::builder()
                .keys(keys.clone())
                .options(options)
                .build();
            self.call(collection.create_index(model)).await?;
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.call(self.db.run_command(doc! { "ping": 1 }))
            .await
            .map(drop)
    }
}

/// The duplicate-key code, which a version-guarded upsert answers when a newer document exists.
const DUPLICATE_KEY: i32 = 11000;

/// Write error codes that mean the document itself is refused: BadValue, FailedToParse,
/// TypeMismatch, DollarPrefixedFieldName, InvalidIdField, InvalidDBRef, DocumentValidationFailure,
/// BSONObjectTooLarge, KeyTooLong.
const REFUSED_VALUES: [i32; 9] = [2, 9, 14, 52, 53, 55, 121, 10334, 17280];

pub(crate) fn map_err(e: MongoError) -> StoreError {
    match e.kind.as_ref() {
        ErrorKind::GridFs(GridFsErrorKind::FileNotFound { .. }) => StoreError::NotFound,
        ErrorKind::Write(WriteFailure::WriteError(w)) if w.code == DUPLICATE_KEY => {
            StoreError::Conflict("duplicate key".into())
        }
        ErrorKind::ServerSelection { .. }
        | ErrorKind::Io(_)
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::DnsResolve { .. } => StoreError::unavailable(STORE, e),
        // The server refused this write's document (too large, a field name it cannot hold,
        // a value of the wrong kind): the same write will be refused again.
        ErrorKind::Write(WriteFailure::WriteError(w)) if REFUSED_VALUES.contains(&w.code) => {
            StoreError::Rejected(e.to_string())
        }
        ErrorKind::BsonSerialization(_) | ErrorKind::InvalidArgument { .. } => {
            StoreError::Rejected(e.to_string())
        }
        _ => StoreError::Internal(e.into()),
    }
}
