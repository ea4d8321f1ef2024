use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_multipart::{Multipart, MultipartError};
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpResponse};
use futures::{StreamExt, TryStreamExt};
use taskforge_domain::attachments::{Upload, UploadError};
use taskforge_domain::ids::TaskId;

/// Chunks in flight between the request body and GridFS: the most of a file held in memory.
const IN_FLIGHT: usize = 4;

fn refused(e: MultipartError) -> ApiError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send multipart/form-data with one field `file`",
        ),
        other => ApiError::bad_input("file", other.to_string()),
    }
}

/// Stores the one field `file` of a multipart body as the task's attachment (needs
/// `attachment.upload`). The body streams to GridFS; over the size limit it answers 413 and
/// leaves nothing stored.
#[utoipa::path(
    operation_id = "attachments_upload",
    tag = "attachments",
    request_body(content_type = "multipart/form-data", description = "One field, `file`"),
    responses(
        (status = 201, description = "Created: the attachment's metadata"),
        (status = 400, description = "VALIDATION_FAILED: the input is refused, with details"),
        (status = 401, description = "UNAUTHENTICATED: no live session"),
        (status = 403, description = "FORBIDDEN: a member without the permission (or a cross-site cookie request)"),
        (status = 404, description = "NOT_FOUND: absent, or outside the caller's teams"),
        (status = 413, description = "PAYLOAD_TOO_LARGE"),
        (status = 415, description = "UNSUPPORTED_MEDIA_TYPE: the body is not multipart/form-data"),
        (status = 503, description = "UNAVAILABLE: a store is down")
    ),
    security(("bearer" = []))
)]
#[post("/tasks/{taskId}/attachments")]
pub async fn handle(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    let mut field = form
        .try_next()
        .await
        .map_err(refused)?
        .ok_or_else(|| ApiError::bad_input("file", "is required"))?;
    if field.name() != Some("file") {
        return Err(ApiError::bad_input(
            "file",
            "is the only field an upload has",
        ));
    }
    let name = field
        .content_disposition()
        .and_then(|d| d.get_filename())
        .unwrap_or("file")
        .to_owned();
    let media_type = field.content_type().map(ToString::to_string);
    // The body is read here, on the request's worker, and handed over through a bounded
    // channel: GridFS takes chunks as they come, and a second field fails the upload.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, UploadError>>(IN_FLIGHT);
    let reader = async move {
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map(|bytes| bytes.to_vec())
                .map_err(|e| UploadError::Body(e.to_string()));
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                return;
            }
        }
        drop(field);
        if !matches!(form.try_next().await, Ok(None)) {
            let more = UploadError::Body("is the only field an upload has".into());
            let _ = tx.send(Err(more)).await;
        }
    };
    let chunks = async_stream(&mut rx);
    let upload = Upload {
        name: &name,
        media_type: media_type.as_deref(),
        chunks,
    };
    let task = TaskId::from_uuid(path.into_inner());
    let (stored, ()) = futures::join!(
        state
            .attachments
            .upload(caller.auth.user_id, task, upload, &caller.actor),
        reader
    );
    let attachment = stored?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/attachments/{}", attachment.attachment_id),
        ))
        .json(attachment.to_json()))
}

/// The chunks the reader hands over, as the stream the upload takes.
fn async_stream(
    rx: &mut tokio::sync::mpsc::Receiver<Result<Vec<u8>, UploadError>>,
) -> taskforge_domain::attachments::Chunks<'_> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx)).boxed()
}
