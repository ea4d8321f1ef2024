//! Attachments over HTTP: bytes streamed into GridFS and back, checked in GridFS itself (and by
//! pymongo, a client written by others), metadata in the task.

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use taskforge_domain::attachments::AttachmentBytes;
use taskforge_domain::ids::AttachmentId;
use taskforge_tests::{eventually, TestApp, TestUser};

const BOUNDARY: &str = "taskforge-test-boundary";

/// A multipart body of `parts`: (field name, file name, content type, bytes).
fn multipart(parts: &[(&str, &str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, file, kind, bytes) in parts {
        body.extend(format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\nContent-Type: {kind}\r\n\r\n"
        ).as_bytes());
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_body(
    app: &TestApp,
    user: &TestUser,
    task: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/tasks/{task}/attachments")))
        .bearer_auth(&user.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"));
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn upload(
    app: &TestApp,
    user: &TestUser,
    task: &str,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    post_body(
        app,
        user,
        task,
        multipart(&[("file", name, "text/plain", bytes)]),
    )
    .await
}

async fn download(
    app: &TestApp,
    user: &TestUser,
    id: &str,
    range: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .get(app.url(&format!("/api/attachments/{id}")))
        .bearer_auth(&user.token);
    if let Some(r) = range {
        req = req.header("range", r);
    }
    req.send().await.unwrap_or_else(|e| panic!("download: {e}"))
}

fn attachment_id(body: &Value) -> AttachmentId {
    match body["attachmentId"].as_str().map(str::parse) {
        Some(Ok(id)) => id,
        _ => panic!("no attachment id in {body}"),
    }
}

/// Pseudo-random bytes (a fixed xorshift), so a mix-up of any two bytes shows.
fn bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[tokio::test]
async fn five_mib_round_trip_byte_for_byte_with_safe_headers_and_ranges() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let data = bytes(5 * 1024 * 1024);
    let (status, body) = upload(
        &app,
        &t.member,
        &t.task,
        "../../etc/Quarterly report été.txt",
        &data,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = attachment_id(&body);
    assert_eq!(
        body["name"], "Quarterly report été.txt",
        "no path in the name"
    );
    assert_eq!(body["size"], data.len());
    assert_eq!(body["mimetype"], "text/plain");
    assert_eq!(body["uploadedBy"], t.member.id.as_str());
    assert_eq!(body["url"], format!("/api/attachments/{id}"));
    let task = app
        .get(&format!("/api/tasks/{}", t.task), &t.guest.token)
        .await;
    assert_eq!(task.body["attachments"][0]["attachmentId"], id.to_string());
    assert_eq!(task.body["version"], 2, "attaching is a change of the task");

    let response = download(&app, &t.guest, &id.to_string(), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "text/plain");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("content-length"), data.len().to_string());
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"Quarterly report _t_.txt\"; \
         filename*=UTF-8''Quarterly%20report%20%C3%A9t%C3%A9.txt"
    );
    let got = response.bytes().await.unwrap_or_default();
    assert!(
        got == data,
        "the bytes came back as sent ({} of {})",
        got.len(),
        data.len()
    );

    let part = download(&app, &t.member, &id.to_string(), Some("bytes=1000-1999")).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    let range = part
        .headers()
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(
        range.as_deref(),
        Some(format!("bytes 1000-1999/{}", data.len()).as_str())
    );
    assert_eq!(part.bytes().await.unwrap_or_default(), data[1000..2000]);
    let tail = download(&app, &t.member, &id.to_string(), Some("bytes=-10")).await;
    assert_eq!(
        tail.bytes().await.unwrap_or_default(),
        data[data.len() - 10..]
    );
    let past = download(&app, &t.member, &id.to_string(), Some("bytes=99999999-")).await;
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // pymongo's gridfs module reads the same bytes from GridFS.
    let script = "import gridfs, hashlib, pymongo, sys\n\
        db = pymongo.MongoClient(sys.argv[1])[sys.argv[2]]\n\
        print(hashlib.sha256(gridfs.GridFSBucket(db, 'attachments').open_download_stream(sys.argv[3]).read()).hexdigest())";
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            &mongo_uri(&app),
            &app.settings.mongo.database,
            &id.to_string(),
        ])
        .output()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    assert!(
        out.status.success(),
        "pymongo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let digest = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(digest, sha256_hex(&data), "pymongo read the bytes back");
}

fn mongo_uri(app: &TestApp) -> String {
    secrecy::ExposeSecret::expose_secret(&app.settings.mongo.uri).to_owned()
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

#[tokio::test]
async fn too_large_and_malformed_uploads_are_refused_and_leave_nothing() {
    let app = TestApp::spawn_with(|s| s.http.attachment_limit_bytes = 64 * 1024).await;
    let t = app.crew().await;
    let store = app.attachment_bytes().await;
    let before = store
        .stored_before(chrono::Utc::now() + chrono::TimeDelta::hours(1))
        .await
        .map(|ids| ids.len())
        .unwrap_or_default();
    let (status, body) = upload(&app, &t.member, &t.task, "big.bin", &bytes(200 * 1024)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    let two = multipart(&[
        ("file", "a.txt", "text/plain", b"a"),
        ("file", "b.txt", "text/plain", b"b"),
    ]);
    let (status, _) = post_body(&app, &t.member, &t.task, two).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "one file field only");
    let other = multipart(&[("upload", "a.txt", "text/plain", b"a")]);
    let (status, _) = post_body(&app, &t.member, &t.task, other).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A field's headers that never end: the parser's buffer (64 KiB) bounds them.
    let mut endless = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nX-Pad: "
    )
    .into_bytes();
    endless.extend(vec![b'a'; 512 * 1024]);
    let (status, _) = post_body(&app, &t.member, &t.task, endless).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "headers are bounded");
    let json_body = app
        .post(
            &format!("/api/tasks/{}/attachments", t.task),
            &t.member.token,
            Some(json!({})),
        )
        .await;
    json_body.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");

    let after = store
        .stored_before(chrono::Utc::now() + chrono::TimeDelta::hours(1))
        .await
        .map(|ids| ids.len())
        .unwrap_or_default();
    assert_eq!(after, before, "nothing left in GridFS");
    let task = app
        .get(&format!("/api/tasks/{}", t.task), &t.admin.token)
        .await;
    assert_eq!(task.body["attachments"], json!([]));
    assert_eq!(task.body["version"], 1, "nothing half-written");
}

#[tokio::test]
async fn who_may_upload_read_and_delete() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let (status, _) = upload(&app, &t.guest, &t.task, "g.txt", b"guest").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "guests may comment but not upload"
    );
    let (status, _) = upload(&app, &t.outsider, &t.task, "o.txt", b"outsider").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, body) = upload(&app, &t.admin, &t.task, "a.txt", b"admin's").await;
    let id = attachment_id(&body).to_string();
    assert_eq!(
        download(&app, &t.outsider, &id, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&app, &t.guest, &id, None).await.status(),
        StatusCode::OK
    );

    let path = format!("/api/attachments/{id}");
    app.delete(&path, &t.outsider.token, None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.delete(&path, &t.member.token, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let (_, mine) = upload(&app, &t.member, &t.task, "m.txt", b"member's").await;
    let mine_id = attachment_id(&mine);
    let deleted = app
        .delete(
            &format!("/api/attachments/{mine_id}"),
            &t.member.token,
            None,
        )
        .await;
    assert_eq!(
        deleted.status,
        StatusCode::NO_CONTENT,
        "uploaders delete their own"
    );
    let removed = app.delete(&path, &t.admin.token, None).await;
    assert_eq!(
        removed.status,
        StatusCode::NO_CONTENT,
        "task.delete removes anyone's"
    );
    assert_eq!(
        download(&app, &t.admin, &id, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let store = app.attachment_bytes().await;
    let gone = eventually(Duration::from_secs(5), || async {
        matches!(store.read(mine_id, 0, 1).await, Ok(None))
    });
    assert!(gone.await, "the bytes left GridFS");
    let actions = app.audit_actions(&t.team, "attachment", &t.admin).await;
    assert_eq!(
        actions,
        vec!["delete", "delete", "create", "create"],
        "one audit row per change"
    );
}

#[tokio::test]
async fn deleting_a_task_or_team_takes_its_files_and_the_sweeper_takes_orphans() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let store = app.attachment_bytes().await;
    let (_, on_task) = upload(&app, &t.admin, &t.task, "t.txt", b"task's").await;
    let on_task = attachment_id(&on_task);
    let other = app
        .task(&t.admin, &t.team, json!({ "title": "second" }))
        .await;
    let other = other["taskId"].as_str().unwrap_or_default().to_owned();
    let (_, on_team) = upload(&app, &t.admin, &other, "u.txt", b"team's").await;
    let on_team = attachment_id(&on_team);

    let removed = app
        .delete(&format!("/api/tasks/{}", t.task), &t.admin.token, None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let gone = eventually(Duration::from_secs(5), || async {
        matches!(store.read(on_task, 0, 1).await, Ok(None))
    });
    assert!(gone.await, "a deleted task's files leave GridFS");
    assert!(
        matches!(store.read(on_team, 0, 1).await, Ok(Some(_))),
        "others stay"
    );

    // Bytes whose change never committed: stored, then the commit failed.
    let orphan = taskforge_domain::attachments::Attachment {
        attachment_id: AttachmentId::new(),
        task_id: other.parse().unwrap_or_default(),
        team_id: t.team.parse().unwrap_or_default(),
        name: "lost.txt".into(),
        size: 0,
        mimetype: "text/plain".into(),
        uploaded_at: chrono::Utc::now(),
        uploaded_by: t.admin.id.parse().unwrap_or_default(),
    };
    let chunks = futures::stream::iter(vec![Ok(b"lost".to_vec())]);
    let stored = store.store(&orphan, Box::pin(chunks), 1024).await;
    assert!(matches!(stored, Ok(4)), "{stored:?}");
    let sweeper = app.attachments().await;
    let swept = sweeper
        .sweep(Duration::ZERO)
        .await
        .unwrap_or_else(|e| panic!("sweep: {e}"));
    assert_eq!(swept, 1, "only the orphan");
    assert!(matches!(
        store.read(orphan.attachment_id, 0, 1).await,
        Ok(None)
    ));
    assert!(
        matches!(store.read(on_team, 0, 1).await, Ok(Some(_))),
        "held files stay"
    );

    let removed = app
        .delete(&format!("/api/teams/{}", t.team), &t.admin.token, None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let gone = eventually(Duration::from_secs(5), || async {
        matches!(store.read(on_team, 0, 1).await, Ok(None))
    });
    assert!(gone.await, "a deleted team's files leave GridFS");
}

#[tokio::test]
async fn a_files_name_finds_its_task() {
    let app = TestApp::spawn().await;
    let t = app.crew().await;
    let (status, _) = upload(&app, &t.member, &t.task, "quarterly-blueprint.pdf", b"%PDF").await;
    assert_eq!(status, StatusCode::CREATED);
    let found = app.get("/api/search?q=blueprint", &t.admin.token).await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    assert_eq!(found.body["items"][0]["taskId"], t.task.as_str());
    assert_eq!(found.body["items"][0]["type"], "task");
}
