//! The board: a task added, its card dragged to another column and moved again from the
//! keyboard; search as you type and the quick filters.

use crate::driver::{Driver, Must};
use crate::people::{pair, task_field};
use fantoccini::key::Key;
use serde_json::json;
use taskforge_tests::{eventually, TestApp};

/// Drags the card onto the column as a browser does: dragstart, dragover, drop, dragend.
const DRAG: &str = r#"
const [id, status] = arguments;
const card = document.querySelector(`li.task[data-id="${id}"]`);
const target = document.querySelector(`.column[data-status="${status}"] .cards`);
const data = new DataTransfer();
const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data}));
fire(card, 'dragstart');
fire(target, 'dragover');
fire(target, 'drop');
fire(card, 'dragend');
"#;

#[tokio::test]
async fn a_new_card_moves_across_the_board_by_drag_and_by_keyboard() {
    let app = TestApp::spawn().await;
    let p = pair(&app).await;
    for (title, status, priority, who) in [
        ("Punch the Bernoulli cards", "backlog", "low", &p.ada),
        ("Draw the mill", "todo", "high", &p.grace),
        ("Oil the store", "in_progress", "urgent", &p.grace),
        ("Write note G", "done", "medium", &p.ada),
    ] {
        let body = json!({ "title": title, "status": status, "priority": priority,
                           "assigneeId": who.id, "tags": ["engine"] });
        app.task(&p.ada, &p.team, body).await;
    }
    let driver = Driver::start().await;
    let b = driver.browser(&app).await;
    b.sign_in(&p.ada).await;
    b.open(&format!("/teams/{}/board", p.team)).await;
    b.fill("#new-title", "Build the mill").await;
    b.find("#new-priority option[value='urgent']")
        .await
        .click()
        .await
        .must("priority");
    b.click("form.newtask button[type=submit]").await;
    b.until_text(
        ".column[data-status='todo']",
        "the new task is on the board",
        |t| t.contains("Build the mill"),
    )
    .await;
    let task = b
        .eval(
            "return [...document.querySelectorAll('li.task')].find(li => li.textContent.includes('Build the mill')).dataset.id",
            vec![],
        )
        .await;
    let task = task.as_str().must("new task id").to_owned();
    assert_eq!(task_field(&app, &p.ada, &task, "priority").await, "urgent");
    let card = format!("li.task[data-id='{task}']");

    b.eval(DRAG, vec![json!(task), json!("in_progress")]).await;
    let moved = eventually(crate::driver::WAIT, || async {
        task_field(&app, &p.ada, &task, "status").await == "in_progress"
    })
    .await;
    assert!(moved, "the dragged card's task is in progress");
    b.find(&format!(".column[data-status='in_progress'] {card}"))
        .await;
    b.until_text("#announce", "the move is announced", |t| {
        t.contains("In progress")
    })
    .await;
    b.screenshot("board", None).await;

    b.press(
        &format!("{card} a"),
        &format!("{}{}{}", Key::Alt, Key::Right, Key::Null),
    )
    .await;
    let moved = eventually(crate::driver::WAIT, || async {
        task_field(&app, &p.ada, &task, "status").await == "in_review"
    })
    .await;
    assert!(moved, "Alt + Right moves the card one column on");
    let focus = format!(
        "return document.activeElement.closest('.column[data-status=\"in_review\"] li.task')?.dataset.id === '{}'",
        task
    );
    b.until_js(&focus, "focus stays on the moved card").await;

    b.open(&format!("/teams/{}/board", p.team)).await;
    b.find(&format!(".column[data-status='in_review'] {card}"))
        .await;

    b.find("#board-search")
        .await
        .send_keys("analy")
        .await
        .must("search");
    b.until_text(
        "#search-results",
        "search as you type finds the task",
        |t| t.contains("Analyse the engine"),
    )
    .await;
    b.open(&format!("/teams/{}/board?priority=urgent", p.team))
        .await;
    b.until_text("#board", "the priority filter leaves the card out", |t| {
        !t.contains("Analyse the engine")
    })
    .await;
    b.open(&format!("/teams/{}/board?priority=medium&q=engine", p.team))
        .await;
    b.find(&format!("li.task[data-id='{}']", p.task)).await;
    b.close().await;
}
