//! The outermost layer of every request: a request id (span, log line and `X-Request-Id`),
//! security headers, metrics, and the net that turns a panicking handler into a 500.

use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use futures::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

const CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The security headers every response carries, error responses included.
pub fn secure_headers(headers: &mut HeaderMap, request_id: Option<&str>, https: bool) {
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    if let Some(id) = request_id {
        set(HeaderName::from_static("x-request-id"), id);
    }
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    if https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
}

pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let request_id = Uuid::new_v4().to_string();
    let started = Instant::now();
    let method = req.method().to_string();
    let https = req.connection_info().scheme() == "https";
    let span =
        tracing::info_span!("request", request_id = %request_id, %method, path = %req.path());

    let outcome = REQUEST_ID
        .scope(
            request_id.clone(),
            AssertUnwindSafe(next.call(req)).catch_unwind(),
        )
        .instrument(span.clone())
        .await;

    let (status, route) = match &outcome {
        Ok(Ok(res)) => (
            res.status().as_u16(),
            res.request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".into()),
        ),
        Ok(Err(e)) => (
            e.as_response_error().status_code().as_u16(),
            "unmatched".into(),
        ),
        Err(_) => (500, "unmatched".into()),
    };
    let elapsed = started.elapsed();
    let labels = [
        ("method", method),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    span.in_scope(|| tracing::info!(status, elapsed_ms = elapsed.as_millis() as u64, "served"));

    match outcome {
        Ok(Ok(res)) => {
            let mut res = res.map_into_boxed_body();
            secure_headers(res.headers_mut(), Some(&request_id), https);
            Ok(res)
        }
        Ok(Err(e)) => Err(e),
        // The request is gone with the unwound handler, so the error answers for it.
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            span.in_scope(|| tracing::error!(panic = %what, "handler panicked"));
            Err(REQUEST_ID.sync_scope(request_id, ApiError::internal).into())
        }
    }
}
