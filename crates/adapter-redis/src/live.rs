//! `RedisLiveFeed`: live channels over Redis pub/sub. Messages are published on the shared
//! connection; each instance holds one subscriber connection, subscribed to every live channel
//! by pattern, and hands each message to the local streams of its channel. When that
//! connection is lost every local stream ends, so clients reconnect and catch up from the
//! durable store rather than silently miss what was published meanwhile.

use crate::config::RedisConfig;
use crate::store::RedisStore;
use async_trait::async_trait;
use deadpool_redis::redis::{self, Client};
use futures::stream::BoxStream;
use futures::StreamExt;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use taskforge_domain::notifications::{Channel, LiveFeed};
use taskforge_domain::StoreError;
use tokio::sync::{broadcast, oneshot};

/// Messages a slow stream may fall behind by before it is ended (and its client catches up).
const BACKLOG: usize = 256;

#[derive(Clone)]
pub struct RedisLiveFeed {
    store: RedisStore,
    client: Client,
    timeout: Duration,
    hub: Arc<Mutex<Hub>>,
}

/// The local streams by channel name, while the subscriber connection is up.
#[derive(Default)]
struct Hub {
    channels: HashMap<String, broadcast::Sender<String>>,
    connected: bool,
}

impl RedisLiveFeed {
    pub fn new(store: RedisStore, config: &RedisConfig) -> anyhow::Result<Self> {
        Ok(Self {
            store,
            client: Client::open(config.url.expose_secret())?,
            timeout: Duration::from_millis(config.timeout_ms),
            hub: Arc::default(),
        })
    }

    fn hub(&self) -> MutexGuard<'_, Hub> {
        self.hub.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens the subscriber connection unless it is up; answers once it is subscribed.
    async fn connect(&self) -> Result<(), StoreError> {
        if self.hub().connected {
            return Ok(());
        }
        let unavailable = |e: redis::RedisError| StoreError::unavailable("redis", e);
        let open = async {
            let mut pubsub = self.client.get_async_pubsub().await.map_err(unavailable)?;
            pubsub
                .psubscribe(self.store.keys().channels())
                .await
                .map_err(unavailable)?;
            Ok::<_, StoreError>(pubsub)
        };
        let pubsub = tokio::time::timeout(self.timeout, open)
            .await
            .map_err(|_| StoreError::unavailable("redis", "timed out"))??;
        let (ready, started) = oneshot::channel();
        let hub = self.hub.clone();
        tokio::spawn(async move {
            {
                let mut hub = hub.lock().unwrap_or_else(|e| e.into_inner());
                if hub.connected {
                    // Another caller connected first: this connection is not needed.
                    let _ = ready.send(());
                    return;
                }
                hub.connected = true;
            }
            let _ = ready.send(());
            let mut messages = pubsub.into_on_message();
            while let Some(message) = messages.next().await {
                let Ok(payload) = message.get_payload::<String>() else {
                    continue;
                };
                let mut hub = hub.lock().unwrap_or_else(|e| e.into_inner());
                let name = message.get_channel_name();
                if let Some(sender) = hub.channels.get(name) {
                    if sender.send(payload).is_err() {
                        hub.channels.remove(name);
                    }
                }
            }
            tracing::warn!("Redis subscriber connection lost; live streams end");
            let mut hub = hub.lock().unwrap_or_else(|e| e.into_inner());
            hub.connected = false;
            hub.channels.clear();
        });
        started
            .await
            .map_err(|_| StoreError::unavailable("redis", "subscriber did not start"))
    }
}

#[async_trait]
impl LiveFeed for RedisLiveFeed {
    async fn publish(&self, channel: Channel, message: String) -> Result<(), StoreError> {
        let name = self.store.keys().channel(channel);
        let publish = redis::cmd("PUBLISH").arg(name).arg(message).clone();
        self.store.call::<i64>(&publish).await.map(drop)
    }

    async fn subscribe(&self, channel: Channel) -> Result<BoxStream<'static, String>, StoreError> {
        self.connect().await?;
        let name = self.store.keys().channel(channel);
        let receiver = {
            let mut hub = self.hub();
            if !hub.connected {
                return Err(StoreError::unavailable(
                    "redis",
                    "subscriber connection lost",
                ));
            }
            hub.channels.retain(|_, sender| sender.receiver_count() > 0);
            hub.channels
                .entry(name)
                .or_insert_with(|| broadcast::channel(BACKLOG).0)
                .subscribe()
        };
        // A receiver that lags behind or whose connection is gone ends the stream.
        let messages = futures::stream::unfold(receiver, |mut receiver| async move {
            let message = receiver.recv().await.ok()?;
            Some((message, receiver))
        });
        Ok(messages.boxed())
    }
}
