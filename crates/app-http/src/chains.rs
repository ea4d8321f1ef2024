//! Verifying audit chains from the shell (`taskforge-admin audit-verify`).

use crate::settings::Settings;
use taskforge_adapter_sql::{AuditChain, PgStore};
use taskforge_domain::audit::ChainCheck;
use taskforge_domain::ids::TeamId;
use taskforge_domain::write_path::Scope;

/// Chains the rows committed since the sequencer's last pass, then walks the team's chain, or
/// every scope's, from its first link.
pub async fn verify(
    settings: &Settings,
    team: Option<TeamId>,
) -> anyhow::Result<Vec<(String, ChainCheck)>> {
    let chain = AuditChain::new(PgStore::new(&settings.database)?);
    while chain.sequence().await? > 0 {}
    let scopes = match team {
        Some(team) => vec![Scope::Team(team).to_string()],
        None => chain.scopes().await?,
    };
    let mut checks = Vec::with_capacity(scopes.len());
    for scope in scopes {
        let check = chain.verify(&scope).await?;
        checks.push((scope, check));
    }
    Ok(checks)
}
