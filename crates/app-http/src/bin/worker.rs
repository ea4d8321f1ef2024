//! `taskforge-worker`: the outbox relay and audit sequencer on their own; run as many as you
//! like beside the servers. SIGTERM or SIGINT lets the current pass finish, then exits.

use taskforge_app_http::settings::Settings;
use taskforge_app_http::{server, telemetry, wiring};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("taskforge-worker: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init_logging(&settings.log);
    // Listening from the start: a signal during start-up still ends the worker cleanly.
    let signal = tokio::spawn(server::shutdown_signal());
    let relay = match wiring::wire(&settings).await {
        Ok(wired) => wired.relay,
        Err(e) => {
            eprintln!("taskforge-worker: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(relay.run(stop_rx));
    tracing::info!("relay running");
    let _ = signal.await;
    let _ = stop_tx.send(true);
    let _ = task.await;
    std::process::ExitCode::SUCCESS
}
