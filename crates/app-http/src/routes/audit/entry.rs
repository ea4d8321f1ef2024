use serde::Serialize;
use taskforge_domain::audit::AuditRecord;

/// An audit row as the API shows it (the team's log and a task's activity).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    log_id: String,
    entity_type: &'static str,
    entity_id: String,
    action: &'static str,
    actor_id: Option<String>,
    at: chrono::DateTime<chrono::Utc>,
    previous_state: Option<serde_json::Value>,
    new_state: Option<serde_json::Value>,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl From<AuditRecord> for AuditEntry {
    fn from(r: AuditRecord) -> Self {
        Self {
            log_id: r.id.to_string(),
            entity_type: r.entity_type.as_str(),
            entity_id: r.entity_id.to_string(),
            action: r.action.as_str(),
            actor_id: r.actor_id.map(|a| a.to_string()),
            at: r.at,
            previous_state: r.previous_state,
            new_state: r.new_state,
            ip: r.ip,
            user_agent: r.user_agent,
        }
    }
}
