use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{get, web, HttpRequest, HttpResponse};
use futures::StreamExt;
use taskforge_domain::ids::AttachmentId;

/// What a `Range` header asks of a file of `size` bytes: one `bytes=` range is served; several,
/// or one of another unit, are answered with the whole file, as RFC 9110 allows.
#[derive(Debug, PartialEq)]
enum Asked {
    Whole,
    Part { from: u64, to: u64 },
    Unsatisfiable,
}

fn asked(range: Option<&str>, size: u64) -> Asked {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Asked::Whole;
    };
    if spec.contains(',') {
        return Asked::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Asked::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let part = match (first.parse::<u64>(), last.parse::<u64>()) {
        (Ok(from), Ok(to)) if from <= to => (from, to.min(size.saturating_sub(1))),
        (Ok(from), Err(_)) if last.is_empty() => (from, size.saturating_sub(1)),
        (Err(_), Ok(suffix)) if first.is_empty() && suffix > 0 => {
            (size.saturating_sub(suffix), size.saturating_sub(1))
        }
        _ => return Asked::Whole,
    };
    if size == 0 || part.0 >= size {
        Asked::Unsatisfiable
    } else {
        Asked::Part {
            from: part.0,
            to: part.1,
        }
    }
}

/// `Content-Disposition` for `name`: always an attachment, an ASCII `filename` without quotes,
/// backslashes or control characters, and the exact name in RFC 6266's `filename*`.
fn disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The file's bytes, for members of its task's team (404 to anyone else), never shown inline;
/// one `Range` is served (206).
#[utoipa::path(
    operation_id = "attachments_download",
    tag = "attachments",
    responses(
        (status = 200, description = "The bytes, with Content-Type and Content-Disposition: attachment"),
        (status = 206, description = "The range asked for"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 416, description = "RANGE_NOT_SATISFIABLE: the range starts past the end"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[get("/attachments/{attachmentId}")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let id = AttachmentId::from_uuid(path.into_inner());
    let attachment = state.attachments.get(caller.auth.user_id, id).await?;
    let size = attachment.size;
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    let (status, from, len) = match asked(range, size) {
        Asked::Whole => (StatusCode::OK, 0, size),
        Asked::Part { from, to } => (StatusCode::PARTIAL_CONTENT, from, to - from + 1),
        Asked::Unsatisfiable => {
            return Ok(HttpResponse::RangeNotSatisfiable()
                .insert_header((header::CONTENT_RANGE, format!("bytes */{size}")))
                .json(serde_json::json!({ "error": {
                    "code": "RANGE_NOT_SATISFIABLE",
                    "message": format!("the file has {size} bytes"),
                }})))
        }
    };
    let bytes = state.attachments.read(id, from, len).await?;
    let body = bytes.map(|chunk| {
        chunk
            .map(web::Bytes::from)
            .map_err(|e| actix_web::Error::from(ApiError::from(taskforge_domain::Error::from(e))))
    });
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CONTENT_TYPE, attachment.mimetype.as_str()))
        .insert_header((header::CONTENT_DISPOSITION, disposition(&attachment.name)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .no_chunking(len);
    if status == StatusCode::PARTIAL_CONTENT {
        response.insert_header((
            header::CONTENT_RANGE,
            format!("bytes {from}-{}/{size}", from + len - 1),
        ));
    }
    Ok(response.streaming(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_byte_range_is_served_and_others_are_whole_or_refused() {
        assert_eq!(asked(None, 10), Asked::Whole);
        assert_eq!(asked(Some("bytes=2-4"), 10), Asked::Part { from: 2, to: 4 });
        assert_eq!(asked(Some("bytes=7-"), 10), Asked::Part { from: 7, to: 9 });
        assert_eq!(asked(Some("bytes=-3"), 10), Asked::Part { from: 7, to: 9 });
        assert_eq!(
            asked(Some("bytes=5-99"), 10),
            Asked::Part { from: 5, to: 9 }
        );
        assert_eq!(asked(Some("bytes=10-"), 10), Asked::Unsatisfiable);
        assert_eq!(asked(Some("bytes=1-2,4-5"), 10), Asked::Whole);
        assert_eq!(asked(Some("items=1-2"), 10), Asked::Whole);
        assert_eq!(asked(Some("bytes=4-2"), 10), Asked::Whole);
    }

    #[test]
    fn dispositions_carry_no_header_breaking_or_path_characters() {
        assert_eq!(
            disposition("report \"final\".pdf"),
            "attachment; filename=\"report _final_.pdf\"; filename*=UTF-8''report%20%22final%22.pdf"
        );
        assert_eq!(
            disposition("été.txt"),
            "attachment; filename=\"_t_.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt"
        );
    }
}
