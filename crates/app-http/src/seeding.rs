//! `taskforge-admin seed`: the seeder wired to PostgreSQL and MongoDB, and its command line.

use crate::hasher::BcryptHasher;
use crate::settings::Settings;
use std::sync::Arc;
use taskforge_adapter_mongo::{MongoBulkDocuments, MongoStore};
use taskforge_adapter_sql::{PgBulkRows, PgStore};
use taskforge_domain::identity::ports::PasswordHasher;
use taskforge_domain::identity::Password;
use taskforge_domain::seed::{Plan, Progress, SeedReport, Seeder};

/// Every seeded account's password.
pub const SEED_PASSWORD: &str = "seed-password";

/// A bulk batch writes a thousand rows or documents (and their index entries) in one call:
/// its timeout is this, or the configured one if longer.
const BULK_TIMEOUT_MS: u64 = 60_000;

/// `seed`'s flags, each optional.
pub fn parse_plan(flags: &[&str]) -> anyhow::Result<Plan> {
    let (mut users, mut teams, mut tasks, mut comments) = (5000, 200, 100_000, 200_000);
    for pair in flags.chunks(2) {
        let [flag, value] = pair else {
            anyhow::bail!("{} needs a number", pair[0]);
        };
        let n: usize = value
            .parse()
            .map_err(|_| anyhow::anyhow!("{flag} {value}: not a number"))?;
        match *flag {
            "--users" => users = n,
            "--teams" => teams = n,
            "--tasks" => tasks = n,
            "--comments" => comments = n,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Plan::new(users, teams, tasks, comments)
        .map_err(|e| anyhow::anyhow!("--{}: {}", e.field, e.message))
}

/// Seeds `plan` into the configured stores; every account's password is [`SEED_PASSWORD`].
pub async fn seed(
    settings: &Settings,
    plan: Plan,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> anyhow::Result<SeedReport> {
    let mut sql = settings.database.clone();
    sql.timeout_ms = sql.timeout_ms.max(BULK_TIMEOUT_MS);
    let mut mongo = settings.mongo.clone();
    mongo.timeout_ms = mongo.timeout_ms.max(BULK_TIMEOUT_MS);
    let seeder = Seeder::new(
        Arc::new(PgBulkRows::new(PgStore::new(&sql)?)),
        Arc::new(MongoBulkDocuments::new(MongoStore::connect(&mongo).await?)),
    );
    let password = Password::parse("password", SEED_PASSWORD.into())
        .map_err(|e| anyhow::anyhow!("seed password: {}", e.message))?;
    let hash = BcryptHasher::new(settings.auth.bcrypt_cost)
        .hash(&password)
        .await?;
    Ok(seeder.run(plan, &hash, progress).await?)
}
