//! Dashboards: charts drawn as SVG on the server, readable without JavaScript.

use crate::driver::Driver;
use crate::people::pair;
use reqwest::StatusCode;
use serde_json::json;
use taskforge_tests::TestApp;

#[tokio::test]
async fn dashboards_show_their_charts_as_server_drawn_svg() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    for (title, status) in [("Punch cards", "done"), ("Mill", "in_progress")] {
        app.task(
            &p.ada,
            &p.team,
            json!({ "title": title, "status": status, "assigneeId": p.grace.id, "priority": "high" }),
        )
        .await;
    }

    let html = app
        .client
        .get(app.url(&format!("/teams/{}/dashboard", p.team)))
        .header("cookie", format!("tf_session={}", p.ada.token))
        .send()
        .await
        .unwrap_or_else(|e| panic!("dashboard: {e}"));
    assert_eq!(html.status(), StatusCode::OK);
    let html = html.text().await.unwrap_or_default();
    for title in [
        "Tasks by status",
        "Tasks by priority",
        "Tasks created and completed per day, last 30 days",
        "Open and done tasks per assignee",
    ] {
        assert!(
            html.contains(&format!("<title>{title}</title>")),
            "{title} is drawn"
        );
    }
    assert!(html.contains("Grace Hopper"), "workload names the assignee");
    assert!(html.contains("1 done") && html.contains("1 open"), "{html}");

    let driver = Driver::start().await;
    let b = driver.browser(&app).await;
    b.sign_in(&p.grace).await;
    b.open(&format!("/teams/{}/dashboard", p.team)).await;
    let charts = b
        .eval(
            "return document.querySelectorAll('.charts svg').length",
            vec![],
        )
        .await;
    assert_eq!(charts, json!(4));
    b.screenshot("dashboard", None).await;
    b.open("/dashboard").await;
    b.until_text("h1", "the personal dashboard", |t| t == "My dashboard")
        .await;
    b.until_text(".charts", "Grace's own tasks are counted", |t| {
        t.contains("1 open") && t.contains("1 done")
    })
    .await;
    b.close().await;
}
