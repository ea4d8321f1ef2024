//! Teams, members and permissions over HTTP, and the one authorization mechanism behind them.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use taskforge_tests::{eventually, TestApp, TestUser};

#[tokio::test]
async fn a_new_team_has_its_creator_as_admin_and_the_default_permissions() {
    let app = TestApp::spawn().await;
    let ada = app.user().await;
    let r = app
        .post(
            "/api/teams",
            &ada.token,
            Some(json!({ "name": "  Engines ", "description": "Analytical" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let team = r.body["teamId"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/teams/{team}").as_str())
    );
    assert_eq!(
        (r.body["name"].as_str(), r.body["description"].as_str()),
        (Some("Engines"), Some("Analytical"))
    );
    assert_eq!(
        (r.body["createdBy"].as_str(), r.body["myRole"].as_str()),
        (Some(ada.id.as_str()), Some("admin"))
    );

    let list = app.get("/api/teams", &ada.token).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list.body["items"][0]["myRole"], "admin");
    assert_eq!(
        app.get(&format!("/api/teams/{team}"), &ada.token)
            .await
            .body["name"],
        "Engines"
    );

    let perms = app
        .get(&format!("/api/teams/{team}/permissions"), &ada.token)
        .await;
    assert_eq!(perms.body["guest"], json!(["task.read", "comment.create"]));
    assert_eq!(
        perms.body["member"],
        json!([
            "task.read",
            "task.create",
            "task.update",
            "task.assign",
            "comment.create",
            "attachment.upload"
        ])
    );
    assert_eq!(perms.body["admin"].as_array().map(Vec::len), Some(11));

    let members = app
        .get(&format!("/api/teams/{team}/members"), &ada.token)
        .await;
    assert_eq!(members.body["items"][0]["email"], ada.email.as_str());
    assert_eq!(members.body["items"][0]["role"], "admin");

    for bad in [
        json!({ "name": "" }),
        json!({ "name": "x".repeat(101) }),
        json!({ "name": "a", "owner": "me" }),
        json!({}),
    ] {
        app.post("/api/teams", &ada.token, Some(bad))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    }
}

#[tokio::test]
async fn members_are_added_by_email_once() {
    let app = TestApp::spawn().await;
    let (ada, grace) = (app.user().await, app.user().await);
    let team = app.team(&ada).await;
    let path = format!("/api/teams/{team}/members");
    let r = app
        .post(
            &path,
            &ada.token,
            Some(json!({ "email": grace.email.to_uppercase(), "role": "member" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        (r.body["userId"].as_str(), r.body["role"].as_str()),
        (Some(grace.id.as_str()), Some("member"))
    );
    assert!(r.body["joinedAt"].is_string() && r.body["firstName"].is_string());

    app.post(
        &path,
        &ada.token,
        Some(json!({ "email": grace.email, "role": "guest" })),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "CONFLICT");
    app.post(
        &path,
        &ada.token,
        Some(json!({ "email": "nobody@example.com", "role": "member" })),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.post(
        &path,
        &ada.token,
        Some(json!({ "email": "nobody@example.com", "role": "owner" })),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    assert_eq!(
        app.get(&format!("/api/teams/{team}"), &grace.token)
            .await
            .body["myRole"],
        "member"
    );
}

#[tokio::test]
async fn the_last_admin_can_neither_be_demoted_nor_leave() {
    let app = TestApp::spawn().await;
    let (ada, grace) = (app.user().await, app.user().await);
    let team = app.team(&ada).await;
    app.add_member(&ada, &team, &grace, "member").await;
    let me = format!("/api/teams/{team}/members/{}", ada.id);
    app.patch(&me, &ada.token, json!({ "role": "member" }))
        .await
        .assert_error(StatusCode::CONFLICT, "CONFLICT");
    app.delete(&me, &ada.token, None)
        .await
        .assert_error(StatusCode::CONFLICT, "CONFLICT");
    let gone = app
        .delete(
            "/api/users/me",
            &ada.token,
            Some(json!({ "password": ada.password })),
        )
        .await;
    gone.assert_error(StatusCode::CONFLICT, "CONFLICT");

    let grace_path = format!("/api/teams/{team}/members/{}", grace.id);
    let promoted = app
        .patch(&grace_path, &ada.token, json!({ "role": "admin" }))
        .await;
    assert_eq!(
        (promoted.status, promoted.body["role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );
    assert_eq!(
        app.delete(&me, &ada.token, None).await.status,
        StatusCode::NO_CONTENT,
        "now Ada may leave"
    );
    app.get(&format!("/api/teams/{team}"), &ada.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.patch(
        &format!("/api/teams/{team}/members/{}", ada.id),
        &grace.token,
        json!({ "role": "guest" }),
    )
    .await
    .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn members_may_leave_but_not_remove_others() {
    let app = TestApp::spawn().await;
    let (ada, grace, alan) = (app.user().await, app.user().await, app.user().await);
    let team = app.team(&ada).await;
    app.add_member(&ada, &team, &grace, "member").await;
    app.add_member(&ada, &team, &alan, "guest").await;
    let alan_path = format!("/api/teams/{team}/members/{}", alan.id);
    app.delete(&alan_path, &grace.token, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    assert_eq!(
        app.delete(&alan_path, &alan.token, None).await.status,
        StatusCode::NO_CONTENT
    );
    app.get(&format!("/api/teams/{team}"), &alan.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn permissions_are_replaced_per_role_and_admins_keep_management() {
    let app = TestApp::spawn().await;
    let (ada, grace) = (app.user().await, app.user().await);
    let team = app.team(&ada).await;
    app.add_member(&ada, &team, &grace, "member").await;
    let put = |role: &str| format!("/api/teams/{team}/permissions/{role}");
    let r = app
        .call(
            Method::PUT,
            &put("admin"),
            Some(&ada.token),
            Some(json!({ "permissions": ["task.read"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        r.body["admin"],
        json!(["task.read", "team.manage", "member.manage"]),
        "admins keep management"
    );
    assert_eq!(
        r.body["guest"],
        json!(["task.read", "comment.create"]),
        "the whole map is answered"
    );

    let r = app
        .call(
            Method::PUT,
            &put("member"),
            Some(&ada.token),
            Some(json!({ "permissions": ["task.read", "audit.read"] })),
        )
        .await;
    assert_eq!(r.body["member"], json!(["task.read", "audit.read"]));
    assert_eq!(
        app.get(&format!("/api/teams/{team}/permissions"), &grace.token)
            .await
            .body,
        r.body
    );

    for (path, body) in [
        (put("member"), json!({ "permissions": ["task.fly"] })),
        (put("owner"), json!({ "permissions": [] })),
        (put("member"), json!({ "perms": [] })),
    ] {
        app.call(Method::PUT, &path, Some(&ada.token), Some(body))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
    }
    let r = app
        .call(
            Method::PUT,
            &put("guest"),
            Some(&grace.token),
            Some(json!({ "permissions": [] })),
        )
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
}

#[tokio::test]
async fn a_demoted_admin_loses_rights_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let (ada, grace) = (app.user().await, app.user().await);
    let team = app.team(&ada).await;
    app.add_member(&ada, &team, &grace, "admin").await;
    let rename = |name: &str| json!({ "name": name });
    assert_eq!(
        app.patch(
            &format!("/api/teams/{team}"),
            &grace.token,
            rename("by grace")
        )
        .await
        .status,
        StatusCode::OK
    );
    let r = app
        .patch(
            &format!("/api/teams/{team}/members/{}", grace.id),
            &ada.token,
            json!({ "role": "guest" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.patch(&format!("/api/teams/{team}"), &grace.token, rename("again"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    // And a permission change reaches every member of the role at once.
    let put = format!("/api/teams/{team}/permissions/guest");
    app.call(
        Method::PUT,
        &put,
        Some(&ada.token),
        Some(json!({ "permissions": ["task.read", "team.manage"] })),
    )
    .await;
    assert_eq!(
        app.patch(
            &format!("/api/teams/{team}"),
            &grace.token,
            rename("allowed")
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn concurrent_demotions_of_the_last_two_admins_leave_one() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let (ada, grace) = (app.user().await, app.user().await);
        let team = app.team(&ada).await;
        app.add_member(&ada, &team, &grace, "admin").await;
        let app = &app;
        let demote = |by: &TestUser, whom: &TestUser| {
            let path = format!("/api/teams/{team}/members/{}", whom.id);
            let token = by.token.clone();
            async move { app.patch(&path, &token, json!({ "role": "member" })).await }
        };
        let (a, b) = tokio::join!(demote(&ada, &grace), demote(&grace, &ada));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert!(
            statuses == [200, 403] || statuses == [200, 409],
            "one demotion wins: {statuses:?}"
        );
        let members = app
            .get(&format!("/api/teams/{team}/members"), &ada.token)
            .await;
        let admins = members.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["role"] == "admin")
            .count();
        assert_eq!(admins, 1, "{:?}", members.body);
    }
}

#[tokio::test]
async fn deleting_a_team_removes_it_and_everything_in_it_but_keeps_its_audit_rows() {
    let app = TestApp::spawn().await;
    let (ada, grace) = (app.user().await, app.user().await);
    let team = app.team(&ada).await;
    app.add_member(&ada, &team, &grace, "member").await;
    app.delete(&format!("/api/teams/{team}"), &grace.token, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    assert_eq!(
        app.delete(&format!("/api/teams/{team}"), &ada.token, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    for user in [&ada, &grace] {
        app.get(&format!("/api/teams/{team}"), &user.token)
            .await
            .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
        app.get(&format!("/api/teams/{team}/members"), &user.token)
            .await
            .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
        assert_eq!(
            app.get("/api/teams", &user.token).await.body["items"],
            json!([])
        );
    }
    app.get(&format!("/api/users/{}", grace.id), &ada.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    // create team, add member, delete team: three rows in the team's chain, intact.
    let chain = app.audit_chain();
    let scope = format!("team:{team}");
    let kept = eventually(Duration::from_secs(10), || async {
        matches!(chain.verify(&scope).await, Ok(c) if c.ok && c.checked == 3)
    })
    .await;
    assert!(kept, "{:?}", chain.verify(&scope).await);
    let gone = app
        .delete(
            "/api/users/me",
            &ada.token,
            Some(json!({ "password": ada.password })),
        )
        .await;
    assert_eq!(
        gone.status,
        StatusCode::NO_CONTENT,
        "no team left to hold Ada back"
    );
}

#[tokio::test]
async fn every_team_change_leaves_exactly_one_audit_row() {
    let app = TestApp::spawn().await;
    let (ada, grace) = (app.user().await, app.user().await);
    let team = app.team(&ada).await; // 1
    app.add_member(&ada, &team, &grace, "member").await; // 2
    app.patch(
        &format!("/api/teams/{team}"),
        &ada.token,
        json!({ "description": "d" }),
    )
    .await; // 3
    app.patch(
        &format!("/api/teams/{team}/members/{}", grace.id),
        &ada.token,
        json!({ "role": "guest" }),
    )
    .await; // 4
    app.call(
        Method::PUT,
        &format!("/api/teams/{team}/permissions/guest"),
        Some(&ada.token),
        Some(json!({ "permissions": [] })),
    )
    .await; // 5
    app.delete(
        &format!("/api/teams/{team}/members/{}", grace.id),
        &grace.token,
        None,
    )
    .await; // 6
    app.patch(
        &format!("/api/teams/{team}/members/{}", ada.id),
        &ada.token,
        json!({ "role": "member" }),
    )
    .await; // refused: none
    let chain = app.audit_chain();
    let scope = format!("team:{team}");
    let six = eventually(Duration::from_secs(10), || async {
        matches!(chain.verify(&scope).await, Ok(c) if c.ok && c.checked == 6)
    })
    .await;
    assert!(six, "{:?}", chain.verify(&scope).await);
}

#[tokio::test]
async fn public_profiles_are_visible_to_teammates_only() {
    let app = TestApp::spawn().await;
    let (ada, grace, alan) = (app.user().await, app.user().await, app.user().await);
    let team = app.team(&ada).await;
    app.add_member(&ada, &team, &grace, "guest").await;
    app.patch("/api/users/me", &grace.token, json!({ "bio": "Navy" }))
        .await;
    let r = app
        .get(&format!("/api/users/{}", grace.id), &ada.token)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let keys: Vec<&String> = r
        .body
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        ["bio", "firstName", "lastName", "profilePicture", "userId"],
        "no email, no preferences"
    );
    assert_eq!(r.body["bio"], "Navy");
    assert_eq!(
        app.get(&format!("/api/users/{}", ada.id), &ada.token)
            .await
            .status,
        StatusCode::OK,
        "oneself"
    );
    app.get(&format!("/api/users/{}", grace.id), &alan.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let nobody = uuid::Uuid::new_v4();
    app.get(&format!("/api/users/{nobody}"), &ada.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.get("/api/users/not-a-uuid", &ada.token)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "VALIDATION_FAILED");
}

/// One route of the matrix: method, path (with `{team}` and `{target}`), body.
struct Route(Method, &'static str, Option<Value>);

/// Every team-scoped route, run as admin, member, guest and outsider. Routes that change who is
/// in the team act on a fresh target member, so each run starts from the same team.
#[tokio::test]
async fn role_matrix_of_team_routes() {
    let app = TestApp::spawn().await;
    let routes = [
        (
            Route(Method::GET, "/api/teams/{team}", None),
            [200, 200, 200, 404],
        ),
        (
            Route(
                Method::PATCH,
                "/api/teams/{team}",
                Some(json!({ "description": "x" })),
            ),
            [200, 403, 403, 404],
        ),
        (
            Route(Method::GET, "/api/teams/{team}/members", None),
            [200, 200, 200, 404],
        ),
        (
            Route(
                Method::POST,
                "/api/teams/{team}/members",
                Some(json!({ "email": "{newcomer}", "role": "guest" })),
            ),
            [201, 403, 403, 404],
        ),
        (
            Route(
                Method::PATCH,
                "/api/teams/{team}/members/{target}",
                Some(json!({ "role": "guest" })),
            ),
            [200, 403, 403, 404],
        ),
        (
            Route(Method::DELETE, "/api/teams/{team}/members/{target}", None),
            [204, 403, 403, 404],
        ),
        (
            Route(Method::GET, "/api/teams/{team}/permissions", None),
            [200, 200, 200, 404],
        ),
        (
            Route(
                Method::PUT,
                "/api/teams/{team}/permissions/guest",
                Some(json!({ "permissions": ["task.read"] })),
            ),
            [200, 403, 403, 404],
        ),
        (
            Route(Method::GET, "/api/users/{target}", None),
            [200, 200, 200, 404],
        ),
        (
            Route(Method::DELETE, "/api/teams/{team}", None),
            [204, 403, 403, 404],
        ),
    ];
    let roles = ["admin", "member", "guest", "outsider"];
    for (Route(method, path, body), expected) in &routes {
        for (role, want) in roles.iter().zip(expected) {
            let owner = app.user().await;
            let team = app.team(&owner).await;
            let caller = app.user().await;
            if *role == "admin" || *role == "member" || *role == "guest" {
                app.add_member(&owner, &team, &caller, role).await;
            }
            let target = app.user().await;
            app.add_member(&owner, &team, &target, "member").await;
            let newcomer = app.user().await;
            let path = path
                .replace("{team}", &team)
                .replace("{target}", &target.id);
            let body = body.as_ref().map(|b| {
                serde_json::from_str(&b.to_string().replace("{newcomer}", &newcomer.email))
                    .unwrap_or(Value::Null)
            });
            let r = app
                .call(method.clone(), &path, Some(&caller.token), body)
                .await;
            assert_eq!(
                r.status.as_u16(),
                *want,
                "{method} {path} as {role}: {:?}",
                r.body
            );
        }
    }
}

#[tokio::test]
async fn a_deleted_account_leaves_every_team() {
    let app = TestApp::spawn().await;
    let (ada, grace) = (app.user().await, app.user().await);
    let team = app.team(&ada).await;
    app.add_member(&ada, &team, &grace, "member").await;
    let gone = app
        .delete(
            "/api/users/me",
            &grace.token,
            Some(json!({ "password": grace.password })),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let members = app
        .get(&format!("/api/teams/{team}/members"), &ada.token)
        .await;
    let ids: Vec<&str> = members.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["userId"].as_str())
        .collect();
    assert_eq!(
        ids,
        [ada.id.as_str()],
        "the membership went with the account"
    );
}

/// Team checks take the caller's role and the team's permissions from Redis: what is cached
/// there is what a check answers, and every membership change drops it before answering.
#[tokio::test]
async fn team_access_is_read_from_redis_and_dropped_by_every_change() {
    use taskforge_domain::cache::Lookup;
    use taskforge_domain::ids::{TeamId, UserId};
    use taskforge_domain::teams::{AccessCache, AccessState, Role};
    let app = TestApp::spawn().await;
    let (ada, grace, eve) = (app.user().await, app.user().await, app.user().await);
    let team_path = {
        let team = app.team(&ada).await;
        app.add_member(&ada, &team, &grace, "guest").await;
        format!("/api/teams/{team}")
    };
    let (Ok(team), Ok(ada_id), Ok(grace_id), Ok(eve_id)) = (
        team_path["/api/teams/".len()..].parse::<TeamId>(),
        ada.id.parse::<UserId>(),
        grace.id.parse::<UserId>(),
        eve.id.parse::<UserId>(),
    ) else {
        panic!("ids");
    };
    assert_eq!(
        app.get(&team_path, &grace.token).await.status,
        StatusCode::OK
    );
    let cache = app.access_cache();
    let Ok(Lookup::Hit(cached)) = cache.get(team, grace_id).await else {
        panic!("the check filled grace's entries");
    };
    assert_eq!(cached.role, Some(Role::Guest));

    // What Redis says is what the check answers: an entry forged for an outsider who was never
    // checked makes her an admin.
    let forged = AccessState {
        role: Some(Role::Admin),
        permissions: cached.permissions,
    };
    app.plant_cached_access(team, eve_id, &forged).await;
    let renamed = app
        .patch(&team_path, &eve.token, json!({ "name": "by the cache" }))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);

    // A change drops the entry before it answers; the next check reads PostgreSQL.
    app.add_member(&ada, &team_path["/api/teams/".len()..], &eve, "guest")
        .await;
    app.patch(&team_path, &eve.token, json!({ "name": "again" }))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let removed = app
        .delete(
            &format!("{team_path}/members/{}", grace.id),
            &ada.token,
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);
    app.get(&team_path, &grace.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");

    let deleted = app.delete(&team_path, &ada.token, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    app.get(&team_path, &ada.token)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    assert!(
        matches!(cache.get(team, ada_id).await, Ok(Lookup::Miss(_))),
        "a deleted team leaves no entry behind"
    );
}
