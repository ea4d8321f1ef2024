//! `taskforge-server`: the HTTP API (and, unless `worker.embedded` is false, the relay).

use taskforge_app_http::settings::Settings;
use taskforge_app_http::{server, telemetry};

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("taskforge-server: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init_logging(&settings.log);
    match server::serve(settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = ?e, "server failed");
            eprintln!("taskforge-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
