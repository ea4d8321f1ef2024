//! The contract's error body, and the one place where domain errors and actix's extractor
//! errors become status codes.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::json;
use std::fmt;
use taskforge_domain::validation::FieldError;
use taskforge_domain::Error as DomainError;

use crate::middleware::request::{
    current_request, current_request_id, secure_headers, RequestScope,
};

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<Vec<FieldError>>,
    retry_after: Option<u64>,
    /// Captured when the error is made, inside the request's scope.
    request: Option<RequestScope>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a [FieldError]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
            request: current_request(),
        }
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        Self {
            details: Some(details),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "VALIDATION_FAILED",
                "the request is not valid",
            )
        }
    }

    pub fn bad_input(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    /// A 400 for input that does not deserialize; the offending value is left out.
    pub fn malformed(field: &str, cause: &dyn fmt::Display) -> Self {
        Self::bad_input(field, without_value(&cause.to_string()))
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "authentication required",
        )
    }

    pub fn forbidden(message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "not found")
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal error",
        )
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The fields a 400 refuses, with why.
    pub fn details(&self) -> &[FieldError] {
        self.details.as_deref().unwrap_or_default()
    }

    /// The JSON body of an error with this status, for responses built outside `ResponseError`.
    pub fn body(&self) -> serde_json::Value {
        json!(Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                details: self.details.as_deref(),
                request_id: self.request.as_ref().map(|r| r.id.clone()),
            }
        })
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        let mut response = response.json(self.body());
        secure_headers(response.headers_mut(), self.request.as_ref());
        response
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(details) => Self::validation(details),
            DomainError::Unauthenticated => Self::unauthenticated(),
            DomainError::InvalidCredentials => Self::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "invalid email or password",
            ),
            DomainError::Forbidden => Self::forbidden("you may not do this"),
            DomainError::TooLarge { limit } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the file is larger than {limit} bytes"),
            ),
            DomainError::NotFound => Self::not_found(),
            DomainError::Conflict(m) => Self::new(StatusCode::CONFLICT, "CONFLICT", m),
            DomainError::PreconditionFailed => Self::new(
                StatusCode::PRECONDITION_FAILED,
                "PRECONDITION_FAILED",
                "the resource has changed",
            ),
            DomainError::IdempotencyKeyReused => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was used with a different request",
            ),
            DomainError::RateLimited { retry_after } => Self {
                retry_after: Some(retry_after.as_secs_f64().ceil().max(1.0) as u64),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMITED",
                    "too many requests",
                )
            },
            DomainError::Unavailable { store, cause } => {
                tracing::warn!(
                    store,
                    request_id = current_request_id().as_deref(),
                    cause = taskforge_domain::error::chain(&*cause),
                    "store unavailable"
                );
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "UNAVAILABLE",
                    "a backing service is unavailable; try again shortly",
                )
            }
            DomainError::Internal(cause) => {
                tracing::error!(
                    request_id = current_request_id().as_deref(),
                    error = ?cause,
                    "internal error"
                );
                Self::internal()
            }
        }
    }
}

/// Malformed JSON, wrong types and unknown fields are 400; oversize bodies 413; a body that is
/// not JSON 415.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "the request body is too large",
            )
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send application/json",
        ),
        JsonPayloadError::Deserialize(e) => ApiError::malformed("body", e),
        other => ApiError::bad_input("body", other.to_string()),
    };
    api.into()
}

pub fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::malformed("path", &err).into()
}

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::malformed("query", &err).into()
}

/// A deserializer's complaint without the value it complains about: serde writes
/// `invalid type: string "hunter2", expected u32`, and a 400 must not echo what was sent.
fn without_value(message: &str) -> String {
    let Some((head, expected)) = message.rsplit_once(", expected ") else {
        return message.to_owned();
    };
    for prefix in ["invalid type: ", "invalid value: ", "unknown variant "] {
        if let Some(rest) = head.strip_prefix(prefix) {
            let kind = rest.split(['"', '`']).next().unwrap_or_default().trim();
            let prefix = prefix.trim_end();
            return if kind.is_empty() {
                format!("{prefix}, expected {expected}")
            } else {
                format!("{prefix} {kind}, expected {expected}")
            };
        }
    }
    message.to_owned()
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::without_value;

    #[test]
    fn deserializer_messages_lose_the_submitted_value() {
        for (raw, want) in [
            (
                r#"invalid type: string "secret, expected x", expected u32 at line 1 column 9"#,
                "invalid type: string, expected u32 at line 1 column 9",
            ),
            (
                "invalid value: integer `-4`, expected u8",
                "invalid value: integer, expected u8",
            ),
            (
                "unknown variant `hunter2`, expected one of `a`, `b`",
                "unknown variant, expected one of `a`, `b`",
            ),
            (
                "unknown field `role`, expected one of `email`",
                "unknown field `role`, expected one of `email`",
            ),
            ("missing field `email`", "missing field `email`"),
        ] {
            assert_eq!(without_value(raw), want);
        }
    }
}
