use super::{parse_time, task_response, typed};
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::state::AppState;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use taskforge_domain::tasks::{
    CustomFields, Description, NewTask, Priority, Status, Tags, TaskTitle,
};
use taskforge_domain::validation::rejected;
use taskforge_domain::write_path::IdempotencyKey;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    team_id: uuid::Uuid,
    title: String,
    #[serde(default)]
    description: String,
    status: Option<String>,
    priority: Option<String>,
    assignee_id: Option<uuid::Uuid>,
    due_date: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    custom_fields: Option<serde_json::Value>,
}

impl Body {
    fn try_into_domain(self) -> Result<NewTask, ApiError> {
        let title = TaskTitle::parse("title", &self.title);
        let description = Description::parse("description", self.description);
        let status = self
            .status
            .map_or(Ok(Status::default()), |s| Status::parse("status", &s));
        let priority = self
            .priority
            .map_or(Ok(Priority::default()), |p| Priority::parse("priority", &p));
        let due = self.due_date.map(|d| parse_time("dueDate", &d)).transpose();
        let tags = Tags::parse("tags", self.tags);
        let fields = self.custom_fields.map_or(Ok(CustomFields::default()), |f| {
            CustomFields::parse("customFields", f)
        });
        match (title, description, status, priority, due, tags, fields) {
            (
                Ok(title),
                Ok(description),
                Ok(status),
                Ok(priority),
                Ok(due_date),
                Ok(tags),
                Ok(custom_fields),
            ) => Ok(NewTask {
                team: taskforge_domain::ids::TeamId::from_uuid(self.team_id),
                title,
                description,
                status,
                priority,
                assignee: self
                    .assignee_id
                    .map(taskforge_domain::ids::UserId::from_uuid),
                due_date,
                tags,
                custom_fields,
            }),
            (a, b, c, d, e, f, g) => Err(rejected([
                a.err(),
                b.err(),
                c.err(),
                d.err(),
                e.err(),
                f.err(),
                g.err(),
            ])
            .into()),
        }
    }
}

#[post("/tasks")]
pub async fn handle(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    body: web::Json<serde_json::Value>,
) -> ApiResult<HttpResponse> {
    let key = req
        .headers()
        .get("idempotency-key")
        .map(|v| {
            let raw = v.to_str().unwrap_or("\u{0}");
            IdempotencyKey::new(caller.auth.user_id, raw, &body)
                .map_err(|e| ApiError::validation(vec![e]))
        })
        .transpose()?;
    let new = typed::<Body>(&body)?.try_into_domain()?;
    let task = state
        .tasks
        .create(caller.auth.user_id, new, &caller.actor, key.as_ref())
        .await?;
    let mut created = HttpResponse::Created();
    created.insert_header(("Location", format!("/api/tasks/{}", task.task_id)));
    Ok(task_response(created, &task))
}
