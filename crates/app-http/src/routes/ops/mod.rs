//! Operations: liveness, readiness and metrics. None needs authentication.

pub mod healthz;
pub mod metrics;
pub mod readyz;
