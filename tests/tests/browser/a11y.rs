//! Accessibility: axe-core (from the npm registry, fetched by deploy/local/services.sh and
//! injected by WebDriver, no CDN) finds no serious or critical violation on the main pages,
//! in the light and the dark theme; and the main pages fit a phone's width.

use crate::driver::{Browser, Driver, Must};
use crate::people::pair;
use serde_json::{json, Value};
use taskforge_tests::TestApp;

fn axe_source() -> String {
    let path = std::env::var("TASKFORGE_AXE_JS").unwrap_or_else(|_| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let found = std::fs::read_dir(root.join(".local"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("axe.min.js"))
            .find(|p| p.is_file());
        found
            .unwrap_or_else(|| panic!("axe-core missing: run `bash deploy/local/services.sh up`"))
            .to_string_lossy()
            .into_owned()
    });
    std::fs::read_to_string(&path).must(&path)
}

/// The serious and critical violations axe finds on the page, as `rule: targets`.
async fn violations(b: &Browser, axe: &str) -> Vec<String> {
    b.eval(axe, vec![]).await;
    let found = b
        .eval_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));",
            vec![],
        )
        .await;
    let Value::Array(found) = found else {
        panic!("axe failed: {found}");
    };
    found
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let targets: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| n["target"].to_string())
                .collect();
            format!("{}: {}", v["id"], targets.join(", "))
        })
        .collect()
}

#[tokio::test]
async fn main_pages_have_no_serious_accessibility_violation() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    let axe = axe_source();
    let driver = Driver::start().await;
    let b = driver.browser(&app).await;
    let mut problems = Vec::new();
    for path in ["/login", "/signup"] {
        b.open(path).await;
        b.screenshot(&format!("page{}", path.replace('/', "-")), None)
            .await;
        problems.extend(
            violations(&b, &axe)
                .await
                .into_iter()
                .map(|v| format!("{path} {v}")),
        );
    }
    b.sign_in(&p.ada).await;
    for theme in ["light", "dark"] {
        let r = app
            .patch(
                "/api/users/me",
                &p.ada.token,
                json!({ "preferences": { "theme": theme } }),
            )
            .await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{:?}", r.body);
        for (name, path) in [
            ("teams", "/teams".to_owned()),
            ("members", format!("/teams/{}", p.team)),
            ("board", format!("/teams/{}/board", p.team)),
            ("task", format!("/tasks/{}", p.task)),
            ("dashboard", format!("/teams/{}/dashboard", p.team)),
            ("my-dashboard", "/dashboard".to_owned()),
            ("audit", format!("/teams/{}/audit", p.team)),
            ("list", "/tasks".to_owned()),
            ("notifications", "/notifications".to_owned()),
            ("profile", "/profile".to_owned()),
        ] {
            b.open(&path).await;
            b.screenshot(&format!("page-{theme}-{name}"), None).await;
            let html_theme = b
                .eval("return document.documentElement.dataset.theme", vec![])
                .await;
            assert_eq!(html_theme, json!(theme), "the theme applies to {path}");
            problems.extend(
                violations(&b, &axe)
                    .await
                    .into_iter()
                    .map(|v| format!("{theme} {path} {v}")),
            );
        }
    }
    b.open(&format!("/teams/{}/board", p.team)).await;
    b.screenshot("board-dark", None).await;

    b.client.set_window_size(390, 844).await.must("phone width");
    for path in [
        "/tasks".to_owned(),
        format!("/tasks/{}", p.task),
        format!("/teams/{}", p.team),
        format!("/teams/{}/dashboard", p.team),
        format!("/teams/{}/board", p.team),
    ] {
        b.open(&path).await;
        let fits = b
            .eval(
                "return document.documentElement.scrollWidth <= window.innerWidth",
                vec![],
            )
            .await;
        let wide = b.eval("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 10)", vec![]).await;
        assert_eq!(fits, json!(true), "{path} fits a phone's width: {wide}");
    }
    b.screenshot("board-phone", None).await;
    b.close().await;
    assert!(problems.is_empty(), "axe-core:\n{}", problems.join("\n"));
}
