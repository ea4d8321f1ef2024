//! The HTTP server: the app (middleware, extractor limits, routes) and its lifecycle.

use crate::error::{json_error, path_error, query_error, ApiError, ApiResult};
use crate::middleware::admit::{self, MetricsListener};
use crate::middleware::request;
use crate::relay::Relay;
use crate::settings::Settings;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use std::net::SocketAddr;
use std::time::Duration;

/// Extra routes mounted beside the API (tests use it; the server passes `|_| {}`).
pub type ExtraRoutes = fn(&mut web::ServiceConfig);

/// An unknown address: a page in words for a browser, the contract's error body otherwise.
async fn not_found(req: actix_web::HttpRequest) -> ApiResult<HttpResponse> {
    match crate::web::not_found_page(&req) {
        Some(page) => Ok(page),
        None => Err(ApiError::not_found()),
    }
}

/// A bound server, not yet awaited.
pub struct Started {
    pub server: Server,
    pub addr: SocketAddr,
    /// Where `/metrics` is served when `http.metrics_bind` gives it an address of its own.
    pub metrics_addr: Option<SocketAddr>,
    /// The relay, not started.
    pub relay: Relay,
}

/// Binds the server; the caller awaits (or stops) it.
pub async fn start(settings: &Settings, extra: ExtraRoutes) -> anyhow::Result<Started> {
    let crate::wiring::Wired { state, relay, .. } = crate::wiring::wire(settings).await?;
    let state = web::Data::new(state);
    let json_limit = settings.http.json_limit_bytes;
    let metrics_listener = settings
        .http
        .metrics_bind
        .as_deref()
        .map(|bind| {
            std::net::TcpListener::bind(bind)
                .map_err(|e| anyhow::anyhow!("cannot listen on http.metrics_bind = {bind}: {e}"))
        })
        .transpose()?;
    let metrics_addr = metrics_listener
        .as_ref()
        .map(std::net::TcpListener::local_addr)
        .transpose()?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(MetricsListener(metrics_addr))
            .app_data(
                web::JsonConfig::default()
                    .limit(json_limit)
                    .error_handler(json_error),
            )
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .wrap(from_fn(admit::layer))
            .wrap(from_fn(request::layer))
            .configure(crate::routes::configure)
            .configure(extra)
            // Last: the pages' scope is matched by every path, so nothing after it is reached.
            .configure(crate::web::configure)
            .default_service(web::to(not_found))
    })
    .workers(settings.http.workers)
    .shutdown_timeout(settings.http.shutdown_timeout_secs)
    .disable_signals()
    .bind(&settings.http.bind)
    .map_err(|e| anyhow::anyhow!("cannot listen on http.bind = {}: {e}", settings.http.bind))?;
    let addr = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("http.bind {} gave no address", settings.http.bind))?;
    let server = match metrics_listener {
        Some(listener) => server.listen(listener)?,
        None => server,
    };
    Ok(Started {
        server: server.run(),
        addr,
        metrics_addr,
        relay,
    })
}

/// Runs until SIGTERM or SIGINT, then stops accepting, drains in-flight requests (up to
/// `http.shutdown_timeout_secs`) and stops the embedded relay.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    if settings.http.migrate_on_start {
        let applied = taskforge_adapter_sql::migrations::run_pending(
            secrecy::ExposeSecret::expose_secret(&settings.database.url),
        )
        .await?;
        tracing::info!(?applied, "migrations applied");
    }
    // Listening from the start: a signal during start-up still ends the server cleanly.
    let signal = actix_web::rt::spawn(shutdown_signal());
    let Started {
        server,
        addr,
        metrics_addr,
        relay,
    } = start(&settings, |_| {}).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let relay_task = settings
        .worker
        .embedded
        .then(|| actix_web::rt::spawn(relay.run(stop_rx)));
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        let _ = signal.await;
        tracing::info!("shutting down: draining in-flight requests");
        handle.stop(true).await;
    });
    println!("TaskForge is listening on http://{addr}");
    tracing::info!(%addr, ?metrics_addr, "listening");
    server.await?;
    let _ = stop_tx.send(true);
    if let Some(task) = relay_task {
        let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
