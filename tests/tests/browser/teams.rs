//! Signing up, creating a team and inviting a member, in the browser.

use crate::driver::{Driver, Must};
use taskforge_tests::TestApp;

#[tokio::test]
async fn signing_up_creating_a_team_and_inviting_a_member() {
    let app = TestApp::spawn().await;
    let grace = app.person("Grace", "Hopper").await;
    let driver = Driver::start().await;
    let b = driver.browser(&app).await;

    b.open("/teams").await;
    b.until_path("a page without a session asks to sign in", |p| {
        p.starts_with("/login?next=")
    })
    .await;
    b.screenshot("sign-in", None).await;

    b.open("/signup").await;
    b.fill("#first_name", "Ada").await;
    b.fill("#last_name", "Lovelace").await;
    let email = format!("ada-{}@example.com", uuid::Uuid::new_v4().simple());
    b.fill("#email", &email).await;
    b.fill("#password", "short").await;
    b.eval(
        "document.querySelector('#password').removeAttribute('minlength')",
        vec![],
    )
    .await;
    b.click("form[action='/signup'] button[type=submit]").await;
    b.until_text(".notice.error", "a refused password is explained", |t| {
        t.contains("not valid") && t.contains("password")
    })
    .await;
    b.fill("#password", "correct horse battery").await;
    b.click("form[action='/signup'] button[type=submit]").await;
    b.until_path("signed up and in", |p| p == "/teams").await;

    b.fill("#team-name", "Analytical Engine").await;
    b.click("form[data-api='POST /api/teams'] button[type=submit]")
        .await;
    b.until_path("the new team's board", |p| p.ends_with("/board"))
        .await;
    let board = b.path().await;
    let team = board
        .trim_start_matches("/teams/")
        .trim_end_matches("/board")
        .to_owned();
    b.until_text("h1", "the board is the team's", |t| {
        t == "Analytical Engine"
    })
    .await;

    b.open(&format!("/teams/{team}")).await;
    b.fill("#invite-email", "nobody-here@example.com").await;
    b.click("form[data-api$='/members'] button[type=submit]")
        .await;
    b.until_text(
        "form[data-api$='/members'] .notice.error",
        "an unknown email is explained in words",
        |t| t.contains("No TaskForge account uses this email address"),
    )
    .await;
    b.fill("#invite-email", &grace.email).await;
    b.click("form[data-api$='/members'] button[type=submit]")
        .await;
    b.until_text("table", "the invited member is listed", |t| {
        t.contains(&grace.email) && t.contains("Grace Hopper")
    })
    .await;
    b.screenshot("team", None).await;

    let delete_for_members = "form[data-api$='/permissions/member'] input[value='task.delete']";
    b.click(delete_for_members).await;
    b.mark().await;
    b.click("form[data-api$='/permissions/member'] button[type=submit]")
        .await;
    b.until_reloaded("the permissions are saved").await;
    b.until_js(
        &format!("return document.querySelector(\"{delete_for_members}\").checked"),
        "the member role keeps task.delete after the reload",
    )
    .await;

    b.click(&format!(
        "form[data-api^='DELETE'][data-api$='/members/{}'] button[type=submit]",
        grace.id
    ))
    .await;
    b.confirm().await;
    b.until_text("table", "a removed member leaves the list", |t| {
        !t.contains(&grace.email) && t.contains("Leave team")
    })
    .await;

    b.open(&format!("/teams/{team}/audit")).await;
    b.until_text("#chain", "the audit chain is verified", |t| {
        t.contains("Chain verified")
    })
    .await;
    b.until_text("table", "the audit log lists the invitation", |t| {
        t.contains("membership") && t.contains("Ada Lovelace")
    })
    .await;

    b.open("/profile").await;
    b.find("#p-theme option[value='dark']")
        .await
        .click()
        .await
        .must("dark");
    b.fill("#p-tz", "Europe/Paris").await;
    b.eval(
        "document.querySelector('#p-quiet-start').value = '22:00';
         document.querySelector('#p-quiet-end').value = '07:00';",
        vec![],
    )
    .await;
    b.mark().await;
    b.click("form[data-api='PATCH /api/users/me'] button[type=submit]")
        .await;
    b.until_reloaded("the profile is saved").await;
    b.until_js(
        "return document.documentElement.dataset.theme === 'dark'",
        "the chosen theme applies",
    )
    .await;
    b.until_js(
        "return document.querySelector('#p-tz').value === 'Europe/Paris' && document.querySelector('#p-quiet-start').value === '22:00'",
        "time zone and quiet hours are kept",
    )
    .await;
    b.open(&format!("/teams/{team}/audit")).await;
    b.until_text("table", "times are shown in the chosen zone", |t| {
        t.contains(" CET") || t.contains(" CEST")
    })
    .await;

    b.click("form[action='/logout'] button").await;
    b.until_path("signed out", |p| p.starts_with("/login"))
        .await;
    b.open("/teams").await;
    b.until_path("the session is gone", |p| p.starts_with("/login"))
        .await;
    b.close().await;
}
