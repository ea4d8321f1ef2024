//! The outermost layer of every request: a request id (span, log line and `X-Request-Id`),
//! where the request comes from, security headers, metrics, and the net that turns a panicking
//! handler into a 500.

use crate::error::ApiError;
use crate::forwarded::{origin, RequestOrigin};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use futures::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

/// What responses to a request, error responses included, need to know about it.
#[derive(Debug, Clone)]
pub struct RequestScope {
    pub id: String,
    /// Whether the client spoke TLS (to us, or to a trusted proxy): HSTS is sent then.
    pub https: bool,
}

tokio::task_local! {
    static REQUEST: RequestScope;
}

/// The request being handled, if any.
pub fn current_request() -> Option<RequestScope> {
    REQUEST.try_with(Clone::clone).ok()
}

/// The id of the request being handled, if any.
pub fn current_request_id() -> Option<String> {
    current_request().map(|r| r.id)
}

const CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The security headers every response carries, error responses included. Responses are not
/// stored by caches unless their handler says otherwise: most carry personal data or credentials.
pub fn secure_headers(headers: &mut HeaderMap, request: Option<&RequestScope>) {
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    };
    if let Some(request) = request {
        set(HeaderName::from_static("x-request-id"), &request.id);
        if request.https {
            set(
                header::STRICT_TRANSPORT_SECURITY,
                "max-age=31536000; includeSubDomains",
            );
        }
    }
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The metrics label of a method: the standard ones by name, every other one as `other`, so
/// that invented methods cannot make new series.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("other")
}

/// Reads where the request comes from, believing forwarded headers from trusted proxies only.
fn read_origin(req: &ServiceRequest) -> RequestOrigin {
    let proxies = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.http.trusted_proxies.as_slice())
        .unwrap_or_default();
    origin(
        proxies,
        req.headers(),
        req.peer_addr().map(|a| a.ip()),
        req.app_config().secure(),
    )
}

pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let from = read_origin(&req);
    let scope = RequestScope {
        id: Uuid::new_v4().to_string(),
        https: from.https,
    };
    req.extensions_mut().insert(from);
    let span = tracing::info_span!("request", request_id = %scope.id, method, path = %req.path());

    let outcome = REQUEST
        .scope(
            scope.clone(),
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
        ("method", method.to_owned()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    span.in_scope(|| tracing::info!(status, elapsed_ms = elapsed.as_millis() as u64, "served"));

    match outcome {
        Ok(Ok(res)) => {
            let mut res = res.map_into_boxed_body();
            secure_headers(res.headers_mut(), Some(&scope));
            Ok(res)
        }
        Ok(Err(e)) => Err(e),
        // The request is gone with the unwound handler, so the error answers for it; made in
        // the request's scope, it carries the same headers as any other response.
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            span.in_scope(|| tracing::error!(panic = %what, "handler panicked"));
            Err(REQUEST.sync_scope(scope, ApiError::internal).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        for invented in ["M123", "FOO", "get"] {
            let label = Method::from_bytes(invented.as_bytes()).map(|m| method_label(&m));
            assert_eq!(label.ok(), Some("other"), "{invented}");
        }
    }

    #[test]
    fn every_response_is_kept_from_caches_unless_its_handler_says_otherwise() {
        let mut headers = HeaderMap::new();
        secure_headers(&mut headers, None);
        assert_eq!(
            headers.get(header::CACHE_CONTROL),
            Some(&HeaderValue::from_static("no-store"))
        );
        let mut cached = HeaderMap::new();
        cached.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=60"),
        );
        secure_headers(&mut cached, None);
        assert_eq!(
            cached.get(header::CACHE_CONTROL),
            Some(&HeaderValue::from_static("max-age=60"))
        );
    }
}
