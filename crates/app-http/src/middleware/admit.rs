//! What a request must be to reach a route: on the listener that serves it (with
//! `http.metrics_bind`, `/metrics` is served there and nothing else is), and with a query string
//! free of control characters, whichever route reads it.

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use std::net::SocketAddr;
use taskforge_domain::validation::plain;

/// The address `/metrics` is served on, when it has one of its own.
#[derive(Debug, Clone, Copy)]
pub struct MetricsListener(pub Option<SocketAddr>);

const METRICS_PATH: &str = "/metrics";

fn on_its_listener(req: &ServiceRequest) -> Result<(), ApiError> {
    match req.app_data::<MetricsListener>().and_then(|m| m.0) {
        Some(metrics) => {
            let on_metrics = req.app_config().local_addr() == metrics;
            if on_metrics == (req.path() == METRICS_PATH) {
                Ok(())
            } else {
                Err(ApiError::not_found())
            }
        }
        None => Ok(()),
    }
}

/// Refuses a query string whose names or values, once decoded, hold control characters.
fn clean_query(raw: &str) -> Result<(), ApiError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(raw)
        .map_err(|e| ApiError::malformed("query", &e))?;
    for (name, value) in pairs.iter() {
        plain("query", name)
            .and_then(|()| plain(name, value))
            .map_err(|e| ApiError::validation(vec![e]))?;
    }
    Ok(())
}

pub async fn layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    on_its_listener(&req)?;
    clean_query(req.query_string())?;
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::clean_query;

    #[test]
    fn control_characters_in_the_query_are_refused_once_decoded() {
        for bad in ["q=%00", "q=a%0Ab", "%07=x", "q=%1B%5B2J"] {
            assert!(clean_query(bad).is_err(), "{bad}");
        }
        for good in [
            "",
            "q=hello+world",
            "q=%C3%A9t%C3%A9&limit=5",
            "tag=a&tag=b",
        ] {
            assert!(clean_query(good).is_ok(), "{good}");
        }
    }
}
