//! The team's audit log over HTTP, and verifying its chain after tampering in PostgreSQL.

use reqwest::StatusCode;
use serde_json::{json, Value};
use taskforge_app_http::chains;
use taskforge_tests::{TestApp, TestUser};

fn field<'a>(items: &'a Value, name: &str) -> Vec<&'a str> {
    items["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i[name].as_str()).collect())
        .unwrap_or_default()
}

/// A team with an admin, a member, two tasks and an update: five audit rows.
async fn busy_team(app: &TestApp) -> (TestUser, TestUser, String) {
    let (admin, member) = (app.user().await, app.user().await);
    let team = app.team(&admin).await;
    app.add_member(&admin, &team, &member, "member").await;
    let task = app.task(&member, &team, json!({ "title": "one" })).await;
    app.task(&admin, &team, json!({ "title": "two" })).await;
    let id = task["taskId"].as_str().unwrap_or_default();
    let patched = app
        .patch(
            &format!("/api/tasks/{id}"),
            &member.token,
            json!({ "status": "done" }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    (admin, member, team)
}

#[tokio::test]
async fn the_audit_log_pages_and_filters_for_those_who_may_read_it() {
    let app = TestApp::spawn().await;
    let (admin, member, team) = busy_team(&app).await;
    let path = format!("/api/teams/{team}/audit");
    let all = app.get(&format!("{path}?limit=100"), &admin.token).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(
        field(&all.body, "entityType"),
        vec!["task", "task", "task", "membership", "team"],
        "newest first: the update, two creates, the member's addition, the team's creation"
    );
    assert_eq!(field(&all.body, "action")[0], "status_change");
    assert!(all.body["nextCursor"].is_null());
    let row = &all.body["items"][0];
    for key in [
        "logId",
        "entityId",
        "actorId",
        "at",
        "previousState",
        "newState",
        "ip",
        "userAgent",
    ] {
        assert!(row.get(key).is_some(), "{key} in {row}");
    }

    let tasks = app
        .get(
            &format!("{path}?entityType=task&action=create"),
            &admin.token,
        )
        .await;
    assert_eq!(field(&tasks.body, "action"), vec!["create", "create"]);
    let by_member = app
        .get(&format!("{path}?actorId={}", member.id), &admin.token)
        .await;
    assert_eq!(
        field(&by_member.body, "action"),
        vec!["status_change", "create"]
    );
    let times = field(&all.body, "at");
    let window = app
        .get(
            &format!("{path}?from={}&to={}", times[3], times[0]),
            &admin.token,
        )
        .await;
    assert_eq!(
        field(&window.body, "entityType"),
        vec!["task", "task", "membership"],
        "from inclusive, to exclusive"
    );

    let mut seen = Vec::new();
    let mut next = format!("{path}?limit=2");
    loop {
        let page = app.get(&next, &admin.token).await;
        assert_eq!(page.status, StatusCode::OK);
        seen.extend(field(&page.body, "logId").into_iter().map(str::to_owned));
        match page.body["nextCursor"].as_str() {
            Some(cursor) => next = format!("{path}?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let every: Vec<String> = field(&all.body, "logId")
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(seen, every, "pages of two walk the whole log once");

    app.get(&path, &member.token)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.get(&format!("{path}/verify"), &member.token)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let outsider = app.user().await;
    app.get(&path, &outsider.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.get(&format!("{path}/verify"), &outsider.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn bad_audit_filters_are_refused_each_by_name() {
    let app = TestApp::spawn().await;
    let admin = app.user().await;
    let team = app.team(&admin).await;
    let bad = app
        .get(
            &format!(
                "/api/teams/{team}/audit?entityType=invoice&action=burn&actorId=7&from=yesterday\
                 &to=2026-13-01T00:00:00Z&limit=0&cursor=zz"
            ),
            &admin.token,
        )
        .await;
    bad.assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    let mut fields: Vec<&str> = bad.body["error"]["details"]
        .as_array()
        .map(|d| d.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    fields.sort_unstable();
    assert_eq!(
        fields,
        vec![
            "action",
            "actorId",
            "cursor",
            "entityType",
            "from",
            "limit",
            "to"
        ]
    );
    app.get(&format!("/api/teams/{team}/audit?sort=up"), &admin.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    app.get("/api/teams/not-a-team/audit", &admin.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}

/// The id of the row at chain position `seq` of `team`'s chain.
fn row_at(app: &TestApp, team: &str, seq: i64) -> String {
    app.psql(&format!(
        "SELECT id FROM audit_log WHERE scope = 'team:{team}' AND seq = {seq}"
    ))
}

/// What the verify route and the admin command answer for `team`: (ok, checked, first bad).
async fn verified(app: &TestApp, admin: &TestUser, team: &str) -> (bool, i64, Option<String>) {
    let reply = app
        .get(&format!("/api/teams/{team}/audit/verify"), &admin.token)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let by_route = (
        reply.body["ok"].as_bool().unwrap_or_default(),
        reply.body["checked"].as_i64().unwrap_or(-1),
        reply.body["firstBadLogId"].as_str().map(str::to_owned),
    );
    let team_id = team.parse().unwrap_or_else(|e| panic!("team id: {e}"));
    let by_shell = match chains::verify(&app.settings, Some(team_id)).await {
        Ok(checks) => checks,
        Err(e) => panic!("audit-verify: {e:#}"),
    };
    let [(_, check)] = by_shell.as_slice() else {
        panic!("one chain: {by_shell:?}");
    };
    assert_eq!(
        (
            check.ok,
            check.checked as i64,
            check.first_bad.map(|b| b.to_string())
        ),
        by_route,
        "the admin command answers as the route does"
    );
    by_route
}

#[tokio::test]
async fn verify_names_the_first_row_edited_deleted_or_inserted_behind_its_back() {
    let app = TestApp::spawn().await;
    let (edited, deleted, inserted) = (
        busy_team(&app).await,
        busy_team(&app).await,
        busy_team(&app).await,
    );
    for (admin, _, team) in [&edited, &deleted, &inserted] {
        assert_eq!(verified(&app, admin, team).await, (true, 5, None));
    }

    let (admin, _, team) = &edited;
    let second = row_at(&app, team, 2);
    app.psql(&format!(
        "UPDATE audit_log SET new_state = '{{\"role\": \"admin\"}}' WHERE id = '{second}'"
    ));
    assert_eq!(verified(&app, admin, team).await, (false, 1, Some(second)));

    let (admin, _, team) = &deleted;
    let third = row_at(&app, team, 3);
    app.psql(&format!(
        "DELETE FROM audit_log WHERE id = '{}'",
        row_at(&app, team, 2)
    ));
    assert_eq!(
        verified(&app, admin, team).await,
        (false, 1, Some(third)),
        "the row after the gap no longer links"
    );

    let (admin, _, team) = &inserted;
    let forged = uuid::Uuid::now_v7();
    app.psql(&format!(
        "INSERT INTO audit_log (id, scope, entity_type, entity_id, action, at, seq, prev_hash, hash) \
         SELECT '{forged}', scope, 'task', entity_id, 'delete', now(), 6, hash, sha256('forged') \
         FROM audit_log WHERE id = '{}'",
        row_at(&app, team, 5)
    ));
    assert_eq!(
        verified(&app, admin, team).await,
        (false, 5, Some(forged.to_string())),
        "a row the sequencer never linked"
    );
}
