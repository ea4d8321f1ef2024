//! What every handler shares: the use-case services and the stores' health probes.

use crate::settings::{HttpSettings, NotificationSettings};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::Duration;
use taskforge_adapter_mongo::MongoStore;
use taskforge_adapter_redis::RedisStore;
use taskforge_adapter_sql::PgStore;
use taskforge_domain::attachments::AttachmentService;
use taskforge_domain::audit::AuditService;
use taskforge_domain::comments::CommentService;
use taskforge_domain::dashboards::DashboardService;
use taskforge_domain::identity::{AuthService, ProfileService};
use taskforge_domain::mail::UnsubscribeKey;
use taskforge_domain::notifications::{LiveTeams, NotificationService};
use taskforge_domain::search::SearchService;
use taskforge_domain::tasks::TaskService;
use taskforge_domain::teams::TeamService;

pub struct AppState {
    pub auth: AuthService,
    pub profiles: ProfileService,
    pub teams: Arc<TeamService>,
    pub tasks: TaskService,
    pub comments: CommentService,
    pub attachments: Arc<AttachmentService>,
    pub audit: AuditService,
    pub dashboards: DashboardService,
    pub search: SearchService,
    /// Checks the token of unsubscribe links.
    pub unsubscribe: UnsubscribeKey,
    pub notifications: NotificationService,
    pub live: LiveTeams,
    pub live_settings: NotificationSettings,
    pub stores: Stores,
    pub http: HttpSettings,
    pub session_max_age: Duration,
    pub metrics: PrometheusHandle,
}

/// The three stores, for readiness checks.
#[derive(Clone)]
pub struct Stores {
    pub sql: PgStore,
    pub mongo: MongoStore,
    pub redis: RedisStore,
}
