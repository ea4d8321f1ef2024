//! The port contract suites against the real adapters, and the migrations' up→down→up check.

use secrecy::ExposeSecret;
use std::time::Duration;
use taskforge_adapter_memory::contract;
use taskforge_adapter_redis::{
    RedisPresence, RedisRateLimiter, RedisSessionStore, RedisStore, RedisUnreadCounter,
};
use taskforge_adapter_sql::PgStore;
use taskforge_adapter_sql::{
    migrations, provisioning, PgAuditLog, PgCommentRepository, PgDashboards, PgIdempotency,
    PgMailQueue, PgOutbox, PgReminders, PgSearch, PgTaskRepository, PgTeamRepository,
    PgUserRepository,
};
use taskforge_domain::cache::Lookup;
use taskforge_domain::ids::TaskId;
use taskforge_domain::tasks::TaskCache;
use taskforge_tests::{eventually, TestApp};

/// The stores of an isolated test app (its database, MongoDB database and key prefix), with no
/// relay of its own: the suites drive the outbox themselves.
async fn stores() -> TestApp {
    TestApp::spawn_with(|s| s.worker.embedded = false).await
}

fn must<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn postgres_user_repository_meets_the_contract() {
    let app = stores().await;
    let sql: PgStore = app.sql();
    contract::user_repository(&PgUserRepository::new(sql.clone()), &PgOutbox::new(sql)).await;
}

#[tokio::test]
async fn postgres_outbox_meets_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    contract::outbox(&PgUserRepository::new(sql.clone()), &PgOutbox::new(sql)).await;
}

#[tokio::test]
async fn mongo_profile_documents_meet_the_contract() {
    let app = stores().await;
    contract::profile_documents(&app.profile_documents().await).await;
}

#[tokio::test]
async fn mongo_task_documents_meet_the_contract() {
    let app = stores().await;
    contract::task_documents(&app.task_documents().await).await;
}

#[tokio::test]
async fn redis_task_cache_meets_the_contract() {
    let app = stores().await;
    contract::task_cache(&app.task_cache()).await;
}

#[tokio::test]
async fn postgres_comment_repository_meets_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    contract::comment_repository(
        &PgUserRepository::new(sql.clone()),
        &PgTeamRepository::new(sql.clone()),
        &PgTaskRepository::new(sql.clone()),
        &PgCommentRepository::new(sql),
    )
    .await;
}

#[tokio::test]
async fn gridfs_attachment_bytes_meet_the_contract() {
    let app = stores().await;
    contract::attachment_bytes(&app.attachment_bytes().await).await;
}

#[tokio::test]
async fn mongo_comment_documents_meet_the_contract() {
    let app = stores().await;
    contract::comment_documents(&app.comment_documents().await).await;
}

#[tokio::test]
async fn postgres_audit_log_meets_the_contract() {
    let app = stores().await;
    let users = PgUserRepository::new(app.sql());
    contract::audit_log(&users, &PgAuditLog::new(app.sql())).await;
}

#[tokio::test]
async fn redis_task_lists_meet_the_contract() {
    let app = stores().await;
    contract::task_lists(&app.task_lists()).await;
}

/// A reader that took a fill lease and never filled (it died, or found nothing) holds up other
/// readers' fills only until the lease lapses.
#[tokio::test]
async fn redis_fill_leases_lapse() {
    let app = TestApp::spawn_with(|s| {
        s.worker.embedded = false;
        s.cache.fill_lease_ms = 200;
    })
    .await;
    let (cache, id) = (app.task_cache(), TaskId::new());
    assert!(matches!(cache.get(id).await, Ok(Lookup::Miss(Some(_)))));
    assert!(matches!(cache.get(id).await, Ok(Lookup::Miss(None))));
    let lapsed = eventually(Duration::from_secs(5), || async {
        matches!(cache.get(id).await, Ok(Lookup::Miss(Some(_))))
    })
    .await;
    assert!(lapsed, "another reader takes the lease once it lapsed");
}

#[tokio::test]
async fn redis_access_cache_meets_the_contract() {
    let app = stores().await;
    contract::access_cache(&app.access_cache()).await;
}

#[tokio::test]
async fn redis_sessions_meet_the_contract() {
    let app = stores().await;
    let redis = must(RedisStore::new(&app.settings.redis));
    contract::sessions(
        &RedisSessionStore::new(redis.clone()),
        &RedisRateLimiter::new(redis),
    )
    .await;
}

#[tokio::test]
async fn redis_rate_limiter_meets_the_contract() {
    let app = stores().await;
    contract::rate_limiter(&RedisRateLimiter::new(must(RedisStore::new(
        &app.settings.redis,
    ))))
    .await;
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let app = stores().await;
    let name = format!("{}_updown", app.database);
    must(provisioning::create_database(&app.admin_url, &name, None).await);
    let url = must(provisioning::with_database(&app.admin_url, &name));
    let all = must(migrations::names());
    assert_eq!(must(migrations::run_pending(&url).await).len(), all.len());
    assert_eq!(must(migrations::revert_all(&url).await), all.len());
    assert_eq!(must(migrations::run_pending(&url).await).len(), all.len());
    assert!(
        must(migrations::run_pending(&url).await).is_empty(),
        "nothing left to apply"
    );
    must(provisioning::drop_database(&app.admin_url, &name).await);
    assert!(app
        .settings
        .database
        .url
        .expose_secret()
        .contains(&app.database));
}

#[tokio::test]
async fn postgres_team_repository_meets_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    contract::team_repository(
        &PgTeamRepository::new(sql.clone()),
        &PgUserRepository::new(sql),
    )
    .await;
}

#[tokio::test]
async fn postgres_task_repository_meets_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    contract::task_repository(
        &PgTaskRepository::new(sql.clone()),
        &PgTeamRepository::new(sql.clone()),
        &PgUserRepository::new(sql),
    )
    .await;
}

#[tokio::test]
async fn postgres_idempotency_store_meets_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    contract::idempotency(
        &PgIdempotency::new(sql.clone()),
        &PgUserRepository::new(sql),
    )
    .await;
}

#[tokio::test]
async fn postgres_mail_queue_meets_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    let clock = contract::mail_clock();
    let queue = PgMailQueue::new(sql.clone(), clock.clone());
    contract::mail_jobs(&PgUserRepository::new(sql), &queue, &queue, &clock).await;
}

#[tokio::test]
async fn mongo_notifications_meet_the_contract() {
    let app = stores().await;
    let notifications = app.notification_store().await;
    // Again, as every restart does (FerretDB v1.24 drops a connection asked for two existing
    // indexes at once).
    for _ in 0..2 {
        must(notifications.ensure_indexes().await);
    }
    contract::notification_store(&notifications).await;
}

#[tokio::test]
async fn redis_unread_counter_meets_the_contract() {
    let app = stores().await;
    let counter = RedisUnreadCounter::new(app.redis(), Duration::from_secs(60));
    contract::unread_counter(&counter).await;
}

#[tokio::test]
async fn redis_live_feed_meets_the_contract() {
    let app = stores().await;
    contract::live_feed(&app.live_feed()).await;
}

#[tokio::test]
async fn redis_presence_meets_the_contract() {
    let app = stores().await;
    contract::presence(&RedisPresence::new(app.redis())).await;
}

#[tokio::test]
async fn postgres_audience_meets_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    let teams = PgTeamRepository::new(sql.clone());
    contract::audience(&PgUserRepository::new(sql), &teams, &teams).await;
}

#[tokio::test]
async fn postgres_reminders_meet_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    contract::reminders(
        &PgUserRepository::new(sql.clone()),
        &PgTeamRepository::new(sql.clone()),
        &PgTaskRepository::new(sql.clone()),
        &PgReminders::new(sql),
    )
    .await;
}

#[tokio::test]
async fn postgres_dashboards_meet_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    contract::dashboard_reader(
        &PgUserRepository::new(sql.clone()),
        &PgTeamRepository::new(sql.clone()),
        &PgTaskRepository::new(sql.clone()),
        &PgDashboards::new(sql),
    )
    .await;
}

#[tokio::test]
async fn postgres_search_meets_the_contract() {
    let app = stores().await;
    let sql = app.sql();
    contract::search_index(
        &PgUserRepository::new(sql.clone()),
        &PgTeamRepository::new(sql.clone()),
        &PgTaskRepository::new(sql.clone()),
        &PgCommentRepository::new(sql.clone()),
        &PgSearch::new(sql),
    )
    .await;
}
