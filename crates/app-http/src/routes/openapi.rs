//! The OpenAPI 3.1 document of every route, generated from the handlers' annotations, and the
//! browsable docs (Swagger UI, its files built into the binary: no CDN).

use super::{
    attachments, audit, auth, comments, dashboards, mail, notifications, ops, search, tasks, teams,
    users,
};
use actix_web::http::header;
use actix_web::{get, web, HttpResponse, Resource};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "TaskForge",
        description = "The REST API of TaskForge, a team task manager on PostgreSQL, MongoDB \
            and Redis. Every 4xx and 5xx answers `{\"error\": {\"code\", \"message\", \
            \"details\"?}}`."
    ),
    paths(ops::healthz::handle, ops::readyz::handle, ops::metrics::handle),
    nest(
        (path = "/api", api = Documents),
        (path = "/api", api = auth::Paths),
        (path = "/api", api = users::Paths),
        (path = "/api", api = teams::Paths),
        (path = "/api", api = tasks::Paths),
        (path = "/api", api = comments::Paths),
        (path = "/api", api = attachments::Paths),
        (path = "/api", api = audit::Paths),
        (path = "/api", api = mail::Paths),
        (path = "/api", api = notifications::Paths),
        (path = "/api", api = dashboards::Paths),
        (path = "/api", api = search::Paths),
    ),
    modifiers(&Sessions)
)]
pub struct ApiDoc;

#[derive(OpenApi)]
#[openapi(paths(document))]
struct Documents;

/// How callers authenticate: a bearer token (or `X-Session-Id`), or the `tf_session` cookie.
struct Sessions;

impl Modify for Sessions {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("tf_session"))),
        );
    }
}

/// This document.
#[utoipa::path(
    operation_id = "openapi_document",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API"))
)]
#[get("/openapi.json")]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// The browsable docs at `/api/docs/`, reading `/api/openapi.json`.
pub fn browser() -> SwaggerUi {
    SwaggerUi::new("/api/docs/{_:.*}").config(Config::new(["/api/openapi.json"]))
}

/// `/api/docs` itself leads to the docs' page. (The pages are not operations of the document.)
pub fn browser_entry() -> Resource {
    web::resource("/api/docs").get(|| async {
        HttpResponse::PermanentRedirect()
            .insert_header((header::LOCATION, "/api/docs/"))
            .finish()
    })
}
