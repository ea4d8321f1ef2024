//! The port contract suites against the in-memory fakes.

use taskforge_adapter_memory::{
    contract, InMemoryAccessCache, InMemoryAttachmentBytes, InMemoryCommentDocuments,
    InMemoryLiveFeed, InMemoryMailQueue, InMemoryNotifications, InMemoryPresence,
    InMemoryProfileDocuments, InMemoryRateLimiter, InMemoryRelational, InMemorySessions,
    InMemoryTaskCache, InMemoryTaskDocuments, InMemoryTaskLists, InMemoryUnreadCounter,
};

#[tokio::test]
async fn fake_user_repository_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::user_repository(&db, &db).await;
}

#[tokio::test]
async fn fake_outbox_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::outbox(&db, &db).await;
}

#[tokio::test]
async fn fake_profile_documents_meet_the_contract() {
    contract::profile_documents(&InMemoryProfileDocuments::default()).await;
}

#[tokio::test]
async fn fake_task_documents_meet_the_contract() {
    contract::task_documents(&InMemoryTaskDocuments::default()).await;
}

#[tokio::test]
async fn fake_task_cache_meets_the_contract() {
    contract::task_cache(&InMemoryTaskCache::default()).await;
}

#[tokio::test]
async fn fake_comment_repository_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::comment_repository(&db, &db, &db, &db).await;
}

#[tokio::test]
async fn fake_comment_documents_meet_the_contract() {
    contract::comment_documents(&InMemoryCommentDocuments::default()).await;
}

#[tokio::test]
async fn fake_attachment_bytes_meet_the_contract() {
    contract::attachment_bytes(&InMemoryAttachmentBytes::default()).await;
}

#[tokio::test]
async fn fake_audit_log_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::audit_log(&db, &db).await;
}

#[tokio::test]
async fn fake_task_lists_meet_the_contract() {
    contract::task_lists(&InMemoryTaskLists::default()).await;
}

#[tokio::test]
async fn fake_access_cache_meets_the_contract() {
    contract::access_cache(&InMemoryAccessCache::default()).await;
}

#[tokio::test]
async fn fake_sessions_meet_the_contract() {
    contract::sessions(
        &InMemorySessions::default(),
        &InMemoryRateLimiter::default(),
    )
    .await;
}

#[tokio::test]
async fn fake_rate_limiter_meets_the_contract() {
    contract::rate_limiter(&InMemoryRateLimiter::default()).await;
}

#[tokio::test]
async fn fake_team_repository_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::team_repository(&db, &db).await;
}

#[tokio::test]
async fn fake_task_repository_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::task_repository(&db, &db, &db).await;
}

#[tokio::test]
async fn fake_idempotency_store_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::idempotency(&db, &db).await;
}

#[tokio::test]
async fn fake_mail_queue_meets_the_contract() {
    let db = InMemoryRelational::default();
    let clock = contract::mail_clock();
    let queue = InMemoryMailQueue::new(db.clone(), clock.clone());
    contract::mail_jobs(&db, &queue, &queue, &clock).await;
}

#[tokio::test]
async fn fake_notifications_meet_the_contract() {
    contract::notification_store(&InMemoryNotifications::default()).await;
}

#[tokio::test]
async fn fake_unread_counter_meets_the_contract() {
    contract::unread_counter(&InMemoryUnreadCounter::default()).await;
}

#[tokio::test]
async fn fake_live_feed_meets_the_contract() {
    contract::live_feed(&InMemoryLiveFeed::default()).await;
}

#[tokio::test]
async fn fake_presence_meets_the_contract() {
    contract::presence(&InMemoryPresence::default()).await;
}

#[tokio::test]
async fn fake_audience_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::audience(&db, &db, &db).await;
}

#[tokio::test]
async fn fake_reminders_meet_the_contract() {
    let db = InMemoryRelational::default();
    contract::reminders(&db, &db, &db, &db).await;
}

#[tokio::test]
async fn fake_dashboards_meet_the_contract() {
    let db = InMemoryRelational::default();
    contract::dashboard_reader(&db, &db, &db, &db).await;
}

#[tokio::test]
async fn fake_search_meets_the_contract() {
    let db = InMemoryRelational::default();
    contract::search_index(&db, &db, &db, &db, &db).await;
}
