//! Two people on the same team: presence, a mention that rings the other's bell, and a
//! change that shows on the other's board, all without reloading.

use crate::driver::{Driver, Must};
use crate::people::pair;
use fantoccini::key::Key;
use std::time::Instant;
use taskforge_tests::TestApp;

#[tokio::test]
async fn a_mention_rings_the_bell_and_changes_show_on_the_other_board_live() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    let driver = Driver::start().await;
    let [ada, grace] = driver.signed_in(&app, [&p.ada, &p.grace]).await;
    let board = format!("/teams/{}/board", p.team);

    grace.open(&board).await;
    grace
        .until_text("#unread", "no notification yet", |t| t == "0")
        .await;
    ada.open(&board).await;
    grace
        .until_text("#presence", "Grace sees Ada on the board", |t| {
            t.contains("AL")
        })
        .await;
    ada.until_text("#presence", "Ada sees Grace on the board", |t| {
        t.contains("GH")
    })
    .await;

    ada.open(&format!("/tasks/{}", p.task)).await;
    let comment = ada.find("#comment").await;
    comment
        .send_keys("Please check this, @gra")
        .await
        .must("type");
    ada.until_text("#mention-list", "the mention is offered", |t| {
        t.contains("Grace Hopper")
    })
    .await;
    comment
        .send_keys(&format!("{}thanks", Key::Enter))
        .await
        .must("choose");
    let typed = ada
        .eval("return document.querySelector('#comment').value", vec![])
        .await;
    assert_eq!(
        typed,
        serde_json::json!("Please check this, @Grace Hopper thanks")
    );
    ada.click("#comment-form button[type=submit]").await;
    ada.until_text("#comments", "the comment is listed", |t| {
        t.contains("@Grace Hopper thanks")
    })
    .await;
    grace
        .until_text("#unread", "Grace's bell rings without a reload", |t| {
            t == "1"
        })
        .await;

    ada.fill("#f-title", "Analyse the difference engine").await;
    let saved = Instant::now();
    ada.click("#task-form button[type=submit]").await;
    grace
        .until_text(
            ".column[data-status='todo']",
            "Ada's change shows on Grace's board",
            |t| t.contains("Analyse the difference engine"),
        )
        .await;
    eprintln!(
        "live board update seen {} ms after the save was clicked",
        saved.elapsed().as_millis()
    );
    ada.screenshot("task", Some("#comments")).await;

    grace.open("/notifications").await;
    grace
        .until_text(
            "#notification-list",
            "the mention is listed in words",
            |t| t.contains("You were mentioned on"),
        )
        .await;
    grace.screenshot("notifications", None).await;
    grace
        .click("#notification-list form[data-api$='/read'] button")
        .await;
    grace
        .until_text("#unread", "marking it read clears the bell", |t| t == "0")
        .await;
    ada.close().await;
    grace.close().await;
}
