//! The OpenAPI document: every route the server has is in it, with its method, and answers a
//! status the document lists; the browsable docs come from the server itself.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use taskforge_tests::TestApp;

/// Every `#[get("..")]`-style route in the sources of `crates/app-http/src/routes`, as served:
/// under `/api`, but for the operations routes.
fn routes_in_source() -> BTreeSet<(String, String)> {
    fn walk(dir: &Path, found: &mut BTreeSet<(String, String)>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            let operations = path.parent().is_some_and(|p| p.ends_with("ops"));
            for line in source.lines().map(str::trim) {
                for method in ["get", "post", "put", "patch", "delete"] {
                    let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) else {
                        continue;
                    };
                    let route = rest.split('"').next().unwrap_or_default();
                    let served = if operations {
                        route.to_owned()
                    } else {
                        format!("/api{route}")
                    };
                    found.insert((method.to_uppercase(), served));
                }
            }
        }
    }
    let routes = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/app-http/src/routes");
    let mut found = BTreeSet::new();
    walk(&routes, &mut found);
    found
}

/// Every (method, path) of the document, with the statuses it lists.
fn documented(doc: &Value) -> Vec<(String, String, BTreeSet<u16>)> {
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let statuses = operation["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(code, _)| code.parse().ok())
                .collect();
            operations.push((method.to_uppercase(), path.clone(), statuses));
        }
    }
    operations
}

#[tokio::test]
async fn every_route_is_documented_and_answers_a_documented_status() {
    let app = TestApp::spawn().await;
    let reply = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.body;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let operations = documented(&doc);
    let in_doc: BTreeSet<(String, String)> = operations
        .iter()
        .map(|(m, p, _)| (m.clone(), p.clone()))
        .collect();
    let in_source = routes_in_source();
    assert_eq!(
        in_source.difference(&in_doc).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes the server has but the document lacks"
    );
    assert_eq!(
        in_doc.difference(&in_source).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented routes the server does not have"
    );
    let ids: BTreeSet<&str> = doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        .filter_map(|(_, op)| op["operationId"].as_str())
        .collect();
    assert_eq!(ids.len(), operations.len(), "one operationId per operation");

    // Each route answers, without a session or a body, a status its entry lists (401 for
    // those that need a session, 400 for a refused body): a route the server matched.
    for (method, path, statuses) in &operations {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    match segment {
                        "{role}" => "member".to_owned(),
                        _ => uuid::Uuid::now_v7().to_string(),
                    }
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        let answer = app.call(method.clone(), &concrete, None, None).await;
        assert!(
            statuses.contains(&answer.status.as_u16()),
            "{method} {concrete} answered {} ({:?}); documented: {statuses:?}",
            answer.status,
            answer.body
        );
    }
}

#[tokio::test]
async fn the_docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("docs: {e}"));
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("swagger"), "the Swagger UI page");
    assert!(
        !html.contains("https://"),
        "nothing loaded from elsewhere (no CDN)"
    );
    let config = app
        .client
        .get(app.url("/api/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("initializer: {e}"));
    let script = config.text().await.unwrap_or_default();
    assert!(script.contains("/api/openapi.json"), "{script}");
}
