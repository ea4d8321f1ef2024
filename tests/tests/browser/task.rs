//! The task page: tags, custom fields and the assignee saved, an attachment uploaded with
//! progress and downloaded, the task deleted; and a conflicting edit from two browsers that shows
//! the other person's change instead of overwriting it.

use crate::driver::{Driver, Must};
use crate::people::{pair, task_field};
use serde_json::json;
use taskforge_tests::TestApp;

#[tokio::test]
async fn fields_save_an_attachment_goes_up_and_down_and_the_task_is_deleted() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    let driver = Driver::start().await;
    let b = driver.browser(&app).await;
    b.sign_in(&p.ada).await;
    b.open(&format!("/tasks/{}", p.task)).await;

    b.fill("#f-custom", "{\"estimate\": 3").await;
    b.click("#task-form button[type=submit]").await;
    b.until_text("#task-form > .notice.error", "bad JSON is explained", |t| {
        t.contains("Custom fields must be valid JSON")
    })
    .await;
    b.fill("#f-custom", "{\"estimate\": 3}").await;
    b.fill("#f-tags", "analysis, note g").await;
    b.find("#f-assignee option:nth-child(3)")
        .await
        .click()
        .await
        .must("assignee");
    b.mark().await;
    b.click("#task-form button[type=submit]").await;
    b.until_reloaded("the fields are saved").await;
    let task = app
        .get(&format!("/api/tasks/{}", p.task), &p.ada.token)
        .await;
    assert_eq!(task.body["customFields"], json!({ "estimate": 3 }));
    assert_eq!(task.body["tags"], json!(["analysis", "note g"]));
    assert!(
        [p.ada.id.as_str(), p.grace.id.as_str()]
            .contains(&task.body["assigneeId"].as_str().unwrap_or_default()),
        "assigned to a member picked from the list: {:?}",
        task.body
    );

    let name = format!("notes-{}.txt", uuid::Uuid::new_v4().simple());
    let path = std::env::temp_dir().join(&name);
    let content = "Bernoulli numbers, note G.\n".repeat(2000);
    std::fs::write(&path, &content).must("temp file");
    b.find("#file")
        .await
        .send_keys(&path.to_string_lossy())
        .await
        .must("choose file");
    b.click("#upload button[type=submit]").await;
    b.until_text("#files", "the upload is listed", |t| t.contains(&name))
        .await;
    let _ = std::fs::remove_file(&path);
    let progress = b
        .eval(
            "return document.querySelector('#upload-progress').value",
            vec![],
        )
        .await;
    assert_eq!(progress, json!(100), "the progress bar reached the end");

    let downloaded = b
        .eval_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('#files a').href).then(r => r.text()).then(done, e => done('failed: ' + e));",
            vec![],
        )
        .await;
    assert_eq!(
        downloaded,
        json!(content),
        "the download gives the bytes back"
    );

    b.click("#delete-task button").await;
    b.confirm().await;
    b.until_path("back to the board", |path| path.ends_with("/board"))
        .await;
    let gone = app
        .get(&format!("/api/tasks/{}", p.task), &p.ada.token)
        .await;
    assert_eq!(gone.status, reqwest::StatusCode::NOT_FOUND);
    b.close().await;
}

#[tokio::test]
async fn a_conflicting_edit_shows_the_other_persons_change() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    let driver = Driver::start().await;
    let [ada, grace] = driver.signed_in(&app, [&p.ada, &p.grace]).await;
    let page = format!("/tasks/{}", p.task);
    ada.open(&page).await;
    grace.open(&page).await;
    grace.find("#f-title").await;

    grace.fill("#f-title", "Title by Grace").await;
    ada.fill("#f-title", "Title by Ada").await;
    ada.click("#task-form button[type=submit]").await;
    ada.until_text("h1", "Ada's save went through", |t| t == "Title by Ada")
        .await;
    grace
        .until_text("#task-live", "Grace is told while she edits", |t| {
            t.contains("Ada Lovelace changed this task")
        })
        .await;

    grace.click("#task-form button[type=submit]").await;
    grace
        .until_text("#conflict-fields", "Grace sees Ada's version", |t| {
            t.contains("Title by Ada")
        })
        .await;
    assert_eq!(
        task_field(&app, &p.ada, &p.task, "title").await,
        "Title by Ada",
        "the stale edit did not overwrite"
    );
    grace.screenshot("conflict", Some("#conflict")).await;

    grace.click("#conflict-mine").await;
    grace
        .until_text("h1", "Grace chose to keep hers", |t| t == "Title by Grace")
        .await;
    assert_eq!(
        task_field(&app, &p.ada, &p.task, "title").await,
        "Title by Grace"
    );
    ada.close().await;
    grace.close().await;
}
