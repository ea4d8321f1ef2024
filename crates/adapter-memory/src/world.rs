//! Every use-case service wired on the fakes, as the server wires them on the real stores: for
//! the domain's use-case tests and demo mode.

use crate::{
    FakeHasher, InMemoryAccessCache, InMemoryCommentDocuments, InMemoryLiveFeed, InMemoryMailQueue,
    InMemoryNotifications, InMemoryProfileDocuments, InMemoryRateLimiter, InMemoryRelational,
    InMemorySessions, InMemoryTaskCache, InMemoryTaskDocuments, InMemoryTaskLists,
    InMemoryUnreadCounter, InlineRuntime, ManualClock,
};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use taskforge_domain::comments::{CommentProjection, CommentService, TaskComments, TeamComments};
use taskforge_domain::identity::effects::{RevokeSessions, SessionEffects};
use taskforge_domain::identity::ports::RateRule;
use taskforge_domain::identity::{
    AuthPolicy, AuthService, ProfileProjection, ProfileService, RateRules,
};
use taskforge_domain::notifications::{
    Delivery, Eraser, Fanout, TaskNotifications, TeamNotifications,
};
use taskforge_domain::tasks::{Reconciler, TaskCaches, TaskErasure, TaskProjection, TaskService};
use taskforge_domain::teams::{AccessProjection, TeamService};
use taskforge_domain::write_path::{ProjectionPolicy, Projector, WritePath};
use taskforge_domain::Error;

/// Sessions end after this long without activity.
pub const IDLE: Duration = Duration::from_secs(600);
/// No session outlives this.
pub const ABSOLUTE: Duration = Duration::from_secs(3600);

pub struct FakeWorld {
    pub db: InMemoryRelational,
    pub profile_docs: Arc<InMemoryProfileDocuments>,
    pub task_docs: Arc<InMemoryTaskDocuments>,
    pub task_cache: Arc<InMemoryTaskCache>,
    pub task_lists: Arc<InMemoryTaskLists>,
    pub access_cache: Arc<InMemoryAccessCache>,
    pub sessions: Arc<InMemorySessions>,
    pub clock: Arc<ManualClock>,
    pub write_path: WritePath,
    pub auth: AuthService,
    pub profiles: ProfileService,
    pub teams: Arc<TeamService>,
    pub tasks: TaskService,
    pub comment_docs: Arc<InMemoryCommentDocuments>,
    pub comments: CommentService,
    pub notifications: Arc<InMemoryNotifications>,
    pub reconciler: Reconciler,
}

impl FakeWorld {
    pub async fn new() -> Result<Self, Error> {
        let db = InMemoryRelational::default();
        let profile_docs = Arc::new(InMemoryProfileDocuments::default());
        let task_docs = Arc::new(InMemoryTaskDocuments::default());
        let task_cache = Arc::new(InMemoryTaskCache::default());
        let task_lists = Arc::new(InMemoryTaskLists::default());
        let comment_docs = Arc::new(InMemoryCommentDocuments::default());
        let access_cache = Arc::new(InMemoryAccessCache::default());
        let sessions = Arc::new(InMemorySessions::default());
        let clock = ManualClock::new(Utc::now());
        let projector = Projector::default().on::<RevokeSessions>(SessionEffects(sessions.clone()));
        let projector = ProfileProjection::register(projector, profile_docs.clone());
        let projector = TaskProjection::register(
            projector,
            task_docs.clone(),
            task_cache.clone(),
            task_lists.clone(),
        );
        let projector = AccessProjection::register(projector, access_cache.clone());
        let projector = CommentProjection::register(projector, comment_docs.clone());
        let notifications = Arc::new(InMemoryNotifications::default());
        let unread = Arc::new(InMemoryUnreadCounter::default());
        let delivery = Delivery {
            store: notifications.clone(),
            counter: unread.clone(),
            feed: Arc::new(InMemoryLiveFeed::default()),
            mail: Arc::new(InMemoryMailQueue::new(db.clone(), clock.clone())),
            clock: clock.clone(),
        };
        let projector = Fanout {
            delivery,
            audience: Arc::new(db.clone()),
        }
        .register(projector);
        let projector = Eraser {
            store: notifications.clone(),
            counter: unread,
        }
        .register(projector);
        let write_path = WritePath::new(
            Arc::new(db.clone()),
            Arc::new(projector),
            Arc::new(InlineRuntime),
            ProjectionPolicy::default(),
        );
        let generous = RateRule {
            limit: 1000,
            window: Duration::from_secs(60),
        };
        let policy = AuthPolicy {
            idle_timeout: IDLE,
            absolute_timeout: ABSOLUTE,
            touch_interval: Duration::from_secs(60),
            rates: RateRules {
                login_ip: generous,
                login_failures: generous,
                register_ip: generous,
                api: generous,
            },
        };
        let auth = AuthService::new(
            Arc::new(db.clone()),
            sessions.clone(),
            Arc::new(InMemoryRateLimiter::default()),
            Arc::new(FakeHasher),
            clock.clone(),
            write_path.clone(),
            policy,
        )
        .await?;
        let profiles = ProfileService::new(Arc::new(db.clone()), write_path.clone());
        let teams = Arc::new(TeamService::new(
            Arc::new(db.clone()),
            Arc::new(db.clone()),
            clock.clone(),
            write_path.clone(),
            vec![
                Arc::new(TaskErasure),
                Arc::new(TeamComments),
                Arc::new(TeamNotifications),
            ],
            access_cache.clone(),
        ));
        let tasks = TaskService::new(
            Arc::new(db.clone()),
            Arc::new(db.clone()),
            teams.clone(),
            TaskCaches {
                tasks: task_cache.clone(),
                lists: task_lists.clone(),
            },
            vec![Arc::new(TaskComments), Arc::new(TaskNotifications)],
            write_path.clone(),
            clock.clone(),
        );
        let comments = CommentService::new(
            Arc::new(db.clone()),
            Arc::new(db.clone()),
            teams.clone(),
            write_path.clone(),
            clock.clone(),
        );
        let reconciler =
            Reconciler::new(Arc::new(db.clone()), task_docs.clone(), task_cache.clone());
        Ok(Self {
            db,
            profile_docs,
            task_docs,
            task_cache,
            task_lists,
            access_cache,
            sessions,
            clock,
            write_path,
            auth,
            profiles,
            teams,
            tasks,
            comment_docs,
            comments,
            notifications,
            reconciler,
        })
    }
}
