//! The in-process server the black-box tests drive over real HTTP (feature `test-support`).
//! Each app runs in its own thread with its own actix system, exactly as `serve` would run it,
//! plus `GET /__test/panic`, a handler that panics.

use crate::server::start;
use crate::settings::Settings;
use actix_web::dev::ServerHandle;
use actix_web::web;
use std::net::SocketAddr;
use std::sync::mpsc;

pub struct RunningApp {
    pub addr: SocketAddr,
    /// Set when `http.metrics_bind` serves `/metrics` apart.
    pub metrics_addr: Option<SocketAddr>,
    handle: ServerHandle,
}

fn test_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/__test/panic",
        web::get().to(|| async {
            if std::hint::black_box(true) {
                panic!("a handler panicked on purpose");
            }
            "unreachable"
        }),
    );
}

impl RunningApp {
    /// Starts the server (and, if `worker.embedded`, its relay) on a thread of its own.
    pub fn spawn(settings: Settings) -> anyhow::Result<Self> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            system.block_on(async move {
                match start(&settings, test_routes).await {
                    Ok(started) => {
                        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
                        let relay = settings
                            .worker
                            .embedded
                            .then(|| actix_web::rt::spawn(started.relay.run(stop_rx)));
                        let addrs = (started.addr, started.metrics_addr);
                        let _ = tx.send(Ok((addrs, started.server.handle())));
                        let _ = started.server.await;
                        let _ = stop_tx.send(true);
                        if let Some(relay) = relay {
                            let _ = relay.await;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        });
        let ((addr, metrics_addr), handle) = rx.recv()??;
        Ok(Self {
            addr,
            metrics_addr,
            handle,
        })
    }

    /// Stops the server; `graceful` lets in-flight requests finish first.
    pub async fn stop(&self, graceful: bool) {
        self.handle.stop(graceful).await;
    }
}

/// Many tests share one process: an app whose test is over stops, with its relay and pools,
/// instead of polling the stores and holding their connections until the process ends.
impl Drop for RunningApp {
    fn drop(&mut self) {
        // Sends the command at once; its completion is not awaited.
        drop(self.handle.stop(false));
    }
}
