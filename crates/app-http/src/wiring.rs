//! Builds the adapters from settings and wires them into the use-case services.

use crate::hasher::BcryptHasher;
use crate::mailer;
use crate::relay::Relay;
use crate::runtime::TokioRuntime;
use crate::settings::Settings;
use crate::state::{AppState, Stores};
use crate::telemetry::metrics_handle;
use std::sync::Arc;
use std::time::Duration;
use taskforge_adapter_mongo::{
    GridFsAttachments, MongoCommentDocuments, MongoNotifications, MongoProfileDocuments,
    MongoStore, MongoTaskDocuments,
};
use taskforge_adapter_redis::{
    RedisAccessCache, RedisLiveFeed, RedisPresence, RedisRateLimiter, RedisSessionStore,
    RedisStore, RedisTaskCache, RedisTaskLists, RedisUnreadCounter,
};
use taskforge_adapter_sql::{
    AuditChain, PgAuditLog, PgCommentRepository, PgDashboards, PgIdempotency, PgMailQueue,
    PgOutbox, PgReminders, PgSearch, PgStore, PgTaskRepository, PgTeamRepository, PgUserRepository,
};
use taskforge_domain::attachments::{
    AttachmentProjection, AttachmentService, TaskAttachments, TeamAttachments,
};
use taskforge_domain::audit::AuditService;
use taskforge_domain::clock::SystemClock;
use taskforge_domain::comments::{
    CommentProjection, CommentReconciler, CommentService, TaskComments, TeamComments,
};
use taskforge_domain::dashboards::DashboardService;
use taskforge_domain::identity::effects::{RevokeSessions, SessionEffects};
use taskforge_domain::identity::{AuthService, ProfileProjection, ProfileService};
use taskforge_domain::notifications::{
    Delivery, Eraser, Fanout, LiveTeams, NotificationService, Reminders, TaskNotifications,
    TeamNotifications,
};
use taskforge_domain::search::SearchService;
use taskforge_domain::tasks::{Reconciler, TaskCaches, TaskErasure, TaskProjection, TaskService};
use taskforge_domain::teams::{AccessProjection, TeamService};
use taskforge_domain::write_path::{Outbox, Projector, WritePath};

/// Everything the binaries run: the HTTP state, the relay, the reconcilers, and the outbox for
/// its operator commands.
pub struct Wired {
    pub state: AppState,
    pub relay: Relay,
    pub reconciler: Reconciler,
    pub comment_reconciler: CommentReconciler,
    pub outbox: Arc<dyn Outbox>,
}

pub async fn wire(settings: &Settings) -> anyhow::Result<Wired> {
    let stores = Stores {
        sql: PgStore::new(&settings.database)?
            .with_outbox_lease(settings.worker.projection().lease),
        mongo: MongoStore::connect(&settings.mongo).await?,
        redis: RedisStore::new(&settings.redis)?,
    };
    // The shared Redis connection's driver runs on the runtime that opens it: open it here,
    // on the main runtime, rather than on whichever HTTP worker calls first (a busy worker
    // would hold every other worker's Redis calls back).
    if let Err(e) = stores.redis.ping().await {
        tracing::warn!(error = %e, "Redis not reachable at start-up");
    }
    let projection_sql = PgStore::for_projection(&settings.database)?;
    let users = Arc::new(PgUserRepository::new(stores.sql.clone()));
    let outbox = Arc::new(PgOutbox::new(projection_sql.clone()));
    let profile_documents = Arc::new(MongoProfileDocuments::new(stores.mongo.clone()));
    let sessions = Arc::new(RedisSessionStore::new(stores.redis.clone()));
    let task_documents = Arc::new(MongoTaskDocuments::new(stores.mongo.clone()));
    let comment_documents = Arc::new(MongoCommentDocuments::new(stores.mongo.clone()));
    // MongoDB down at start-up stops nothing; the next start creates them.
    if let Err(e) = task_documents.ensure_indexes().await {
        tracing::warn!(error = %e, "MongoDB indexes of tasks not created");
    }
    if let Err(e) = comment_documents.ensure_indexes().await {
        tracing::warn!(error = %e, "MongoDB indexes of comments not created");
    }
    let notification_store = Arc::new(MongoNotifications::new(stores.mongo.clone()));
    if let Err(e) = notification_store.ensure_indexes().await {
        tracing::warn!(error = %e, "MongoDB indexes of notifications not created");
    }
    let task_cache = Arc::new(RedisTaskCache::new(
        stores.redis.clone(),
        settings.cache.task_times(),
    ));
    let team_rows = Arc::new(PgTeamRepository::new(stores.sql.clone()));
    let unread = Arc::new(RedisUnreadCounter::new(
        stores.redis.clone(),
        settings.notifications.counter_ttl(),
    ));
    let feed = Arc::new(RedisLiveFeed::new(stores.redis.clone(), &settings.redis)?);
    // Delivery queues mail (`MailQueue`); the relay's mailer sends it (`MailJobs`).
    let mail_queue = Arc::new(PgMailQueue::new(stores.sql.clone(), Arc::new(SystemClock)));
    let delivery = Delivery {
        store: notification_store.clone(),
        counter: unread.clone(),
        feed: feed.clone(),
        mail: mail_queue.clone(),
        clock: Arc::new(SystemClock),
    };
    let eraser = Eraser {
        store: notification_store.clone(),
        counter: unread.clone(),
    };
    // Every effect kind and how it is applied; a feature adds its own here.
    let projector = Projector::default().on::<RevokeSessions>(SessionEffects(sessions.clone()));
    let projector = ProfileProjection::register(projector, profile_documents);
    let task_lists = Arc::new(RedisTaskLists::new(
        stores.redis.clone(),
        settings.cache.list_ttl(),
    ));
    let projector = TaskProjection::register(
        projector,
        task_documents.clone(),
        task_cache.clone(),
        task_lists.clone(),
    );
    let access_cache = Arc::new(RedisAccessCache::new(
        stores.redis.clone(),
        settings.cache.access_times(),
    ));
    let projector = AccessProjection::register(projector, access_cache.clone());
    let projector = CommentProjection::register(projector, comment_documents.clone());
    let attachment_bytes = Arc::new(GridFsAttachments::new(stores.mongo.clone()));
    let projector = AttachmentProjection::register(projector, attachment_bytes.clone());
    let projector = Fanout {
        delivery: delivery.clone(),
        audience: team_rows.clone(),
    }
    .register(projector);
    let projector = eraser.clone().register(projector);
    let write_path = WritePath::new(
        outbox,
        Arc::new(projector),
        Arc::new(TokioRuntime),
        settings.worker.projection(),
    );

    let auth = AuthService::new(
        users.clone(),
        sessions,
        Arc::new(RedisRateLimiter::new(stores.redis.clone())),
        Arc::new(BcryptHasher::new(settings.auth.bcrypt_cost)),
        Arc::new(SystemClock),
        write_path.clone(),
        settings.auth.policy(),
    )
    .await?;
    let profiles = ProfileService::new(users.clone(), write_path.clone());
    let teams = Arc::new(TeamService::new(
        team_rows.clone(),
        users.clone(),
        Arc::new(SystemClock),
        write_path.clone(),
        vec![
            Arc::new(TaskErasure),
            Arc::new(TeamComments),
            Arc::new(TeamAttachments),
            Arc::new(TeamNotifications),
        ],
        access_cache,
    ));
    let task_rows = Arc::new(PgTaskRepository::new(stores.sql.clone()));
    let reconciler = Reconciler::new(task_rows.clone(), task_documents, task_cache.clone());
    let tasks = TaskService::new(
        task_rows.clone(),
        Arc::new(PgIdempotency::new(stores.sql.clone())),
        teams.clone(),
        TaskCaches {
            tasks: task_cache,
            lists: task_lists,
        },
        vec![
            Arc::new(TaskComments),
            Arc::new(TaskAttachments),
            Arc::new(TaskNotifications),
        ],
        write_path.clone(),
        Arc::new(SystemClock),
    );
    let attachments = Arc::new(AttachmentService::new(
        task_rows.clone(),
        attachment_bytes,
        teams.clone(),
        write_path.clone(),
        Arc::new(SystemClock),
        settings.http.attachment_limit_bytes,
    ));
    let comment_rows = Arc::new(PgCommentRepository::new(stores.sql.clone()));
    let comment_reconciler = CommentReconciler::new(comment_rows.clone(), comment_documents);
    let comments = CommentService::new(
        comment_rows,
        task_rows.clone(),
        teams.clone(),
        write_path.clone(),
        Arc::new(SystemClock),
    );

    let mail = mailer::service(&settings.mail, mail_queue, Arc::new(SystemClock))?;

    let outbox = write_path.outbox().clone();
    let relay = Relay {
        write_path,
        chain: AuditChain::new(stores.sql.clone()),
        outbox: PgOutbox::new(projection_sql),
        idempotency: PgIdempotency::new(stores.sql.clone()),
        dashboards: PgDashboards::new(stores.sql.clone()),
        attachments: attachments.clone(),
        mail: Arc::new(mail),
        mail_every: Duration::from_millis(settings.mail.poll_interval_ms),
        notifications: eraser,
        reminders: Reminders {
            reminders: Arc::new(PgReminders::new(stores.sql.clone())),
            tasks: task_rows.clone(),
            audience: team_rows.clone(),
            delivery,
        },
        settings: settings.worker.clone(),
        retention: settings.notifications.retention(),
    };
    let state = AppState {
        auth,
        profiles,
        teams: teams.clone(),
        tasks,
        comments,
        attachments,
        audit: AuditService::new(Arc::new(PgAuditLog::new(stores.sql.clone()))),
        search: SearchService::new(Arc::new(PgSearch::new(stores.sql.clone())), teams.clone()),
        dashboards: DashboardService::new(
            Arc::new(PgDashboards::new(stores.sql.clone())),
            teams.clone(),
            users.clone(),
            Arc::new(SystemClock),
        ),
        unsubscribe: mailer::unsubscribe_key(&settings.mail)?,
        notifications: NotificationService::new(notification_store, unread, feed.clone()),
        live: LiveTeams::new(
            teams.clone(),
            task_rows.clone(),
            feed,
            Arc::new(RedisPresence::new(stores.redis.clone())),
            settings.notifications.presence_ttl(),
        ),
        live_settings: settings.notifications.clone(),
        stores,
        http: settings.http.clone(),
        session_max_age: Duration::from_secs(settings.auth.absolute_timeout_secs),
        metrics: metrics_handle()?,
    };
    Ok(Wired {
        state,
        relay,
        reconciler,
        comment_reconciler,
        outbox,
    })
}
