//! A TCP proxy in front of a store, for slow-store and outage tests: it adds a delay to every
//! request a client sends, or refuses connections while down.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Knobs {
    delay_ms: AtomicU64,
    down: AtomicBool,
}

/// A running proxy; it stops with the test's runtime.
pub struct Proxy {
    pub port: u16,
    knobs: Arc<Knobs>,
}

impl Proxy {
    /// Forwards 127.0.0.1:`port` (its own) to 127.0.0.1:`upstream`.
    pub async fn start(upstream: u16) -> Self {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("proxy bind: {e}"),
        };
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let knobs = Arc::new(Knobs {
            delay_ms: AtomicU64::new(0),
            down: AtomicBool::new(false),
        });
        let shared = knobs.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if shared.down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                tokio::spawn(relay(client, upstream, shared.clone()));
            }
        });
        Self { port, knobs }
    }

    /// Every request a client sends from now on waits `delay` before it reaches the store.
    pub fn set_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.knobs.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// While down, new connections are refused and open ones are cut at their next request.
    pub fn set_down(&self, down: bool) {
        self.knobs.down.store(down, Ordering::SeqCst);
    }
}

async fn relay(mut client: TcpStream, upstream: u16, knobs: Arc<Knobs>) {
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
        return;
    };
    let (mut client_read, mut client_write) = client.split();
    let (mut server_read, mut server_write) = server.split();
    let requests = async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let delay = knobs.delay_ms.load(Ordering::SeqCst);
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            if knobs.down.load(Ordering::SeqCst) || server_write.write_all(&buf[..n]).await.is_err()
            {
                return;
            }
        }
    };
    let replies = tokio::io::copy(&mut server_read, &mut client_write);
    tokio::select! {
        _ = requests => {}
        _ = replies => {}
    }
}
