//! The `Outbox` contract: a commit leases to its request the rows nothing older blocks, claims
//! lease such rows later, per entity and, for a scope's barrier, per scope; settled rows end as
//! applied, due later, or dead letters.

use super::*;
use taskforge_domain::write_path::{ClaimedRow, Lease, Outcome, Pick};

fn lease_for(length: Duration) -> Lease {
    Lease {
        owner: Uuid::new_v4(),
        length,
    }
}

fn lease() -> Lease {
    lease_for(Duration::from_secs(60))
}

fn ids(rows: &[ClaimedRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

/// Commits changes through a user's profile updates (any repository method commits any
/// change), each with one effect.
struct Committer<'a> {
    users: &'a dyn UserRepository,
    profile: Profile,
}

impl Committer<'_> {
    /// The committed row, and the lease its commit took on it if nothing older blocked it.
    async fn commit(&mut self, aggregate: Aggregate) -> (i64, Option<Lease>) {
        let user = &mut self.profile.user;
        user.profile_version += 1;
        let effects = vec![effect(user.id.as_uuid(), user.profile_version)];
        let change = change_of(aggregate, user.id, AuditAction::Update, effects.clone());
        let expected = user.profile_version - 1;
        let update = self.users.update_profile(&self.profile, expected, change);
        let receipt = must(update.await, "commit");
        let id = receipt.rows[0];
        let leased = receipt.leased.first().map(|leased| {
            assert_eq!(
                ids(&leased.rows),
                vec![id],
                "a commit leases the rows it wrote"
            );
            assert_eq!(
                (&leased.rows[0].effects, leased.rows[0].attempts),
                (&effects, 0),
                "effects as committed"
            );
            leased.lease
        });
        (id, leased)
    }
}

async fn claim(outbox: &dyn Outbox, pick: Pick<'_>, lease: &Lease) -> Vec<ClaimedRow> {
    must(outbox.claim(pick, lease).await, "claim")
}

/// A relay pass that settles every row it took but `keep` as released; returns the ids of
/// `ours` it took.
async fn relay(outbox: &dyn Outbox, ours: &[i64]) -> (Lease, Vec<i64>) {
    let held = lease();
    let rows = claim(outbox, Pick::Due { limit: 1000 }, &held).await;
    let others: Vec<(i64, Outcome)> = ids(&rows)
        .into_iter()
        .filter(|id| !ours.contains(id))
        .map(|id| (id, Outcome::Released))
        .collect();
    must(outbox.settle(&held, &others).await, "release others");
    let taken = ids(&rows)
        .into_iter()
        .filter(|id| ours.contains(id))
        .collect();
    (held, taken)
}

/// Needs the `UserRepository` of the same store to commit changes.
pub async fn outbox(users: &dyn UserRepository, outbox: &dyn Outbox) {
    let profile = new_profile(&unique_email());
    let user = profile.user.clone();
    let hash = PasswordHash::from_stored("h".into());
    let create = users.create(
        &profile,
        &hash,
        change(user.id, AuditAction::Create, vec![]),
    );
    must(create.await, "create");
    let scope = Scope::Account(user.id);
    let entity = || Aggregate::entity(scope, "contract", Uuid::now_v7());
    let mut rows = Committer { users, profile };
    let (a, b) = (entity(), entity());
    let (a1, first) = rows.commit(a).await;
    let Some(first) = first else {
        panic!("nothing older blocks a1: its commit leases it");
    };
    let (a2, blocked) = rows.commit(a).await;
    assert!(
        blocked.is_none(),
        "a2 waits for a1, so its commit leases nothing"
    );
    let (b1, b_lease) = rows.commit(b).await;
    let Some(b_lease) = b_lease else {
        panic!("another entity's row is leased at commit");
    };
    let ours = [a1, a2, b1];

    assert!(
        relay(outbox, &ours).await.1.is_empty(),
        "rows leased at commit are their requests'; a2 waits for its entity's leased row"
    );
    assert!(
        claim(outbox, Pick::Rows(&[b1]), &lease()).await.is_empty(),
        "nor does a fast path take another's leased row"
    );
    must(
        outbox.settle(&b_lease, &[(b1, Outcome::Applied)]).await,
        "settle",
    );
    assert!(
        relay(outbox, &ours).await.1.is_empty(),
        "applied rows are done"
    );

    must(
        outbox.settle(&lease(), &[(a1, Outcome::Applied)]).await,
        "a stranger settles",
    );
    assert!(
        claim(outbox, Pick::Rows(&[a2]), &lease()).await.is_empty(),
        "only the lease holder settles a row: a1 is still held, so a2 waits"
    );

    let retry = Outcome::Retry {
        after: Duration::from_secs(3600),
        error: "down".into(),
    };
    must(outbox.settle(&first, &[(a1, retry)]).await, "retry later");
    assert!(
        relay(outbox, &ours).await.1.is_empty(),
        "a row waiting out its backoff holds its entity back from the relay"
    );
    let again = lease();
    let owed = claim(outbox, Pick::Rows(&[a2]), &again).await;
    assert_eq!(
        ids(&owed),
        vec![a1, a2],
        "a fast path takes what its entity owes, in order"
    );
    assert_eq!(owed[0].attempts, 1);

    let dead = Outcome::Dead {
        error: "refused".into(),
    };
    must(
        outbox
            .settle(&again, &[(a1, dead), (a2, Outcome::Released)])
            .await,
        "dead",
    );
    let (held, taken) = relay(outbox, &ours).await;
    assert_eq!(taken, vec![a2], "a dead letter blocks nothing");
    must(
        outbox.settle(&held, &[(a2, Outcome::Applied)]).await,
        "settle",
    );
    let letters = must(outbox.dead_letters(1000).await, "dead letters");
    let letter = letters.iter().find(|l| l.id == a1);
    assert_eq!(
        letter.map(|l| (l.attempts, l.last_error.as_deref())),
        Some((2, Some("refused")))
    );
    assert!(must(outbox.dead_count().await, "dead count") >= 1);
    assert!(must(outbox.requeue(a1).await, "requeue"));
    assert!(
        !must(outbox.requeue(a1).await, "requeue again"),
        "no longer dead"
    );
    let (held, taken) = relay(outbox, &ours).await;
    assert_eq!(taken, vec![a1], "a requeued row is due at once");
    must(
        outbox.settle(&held, &[(a1, Outcome::Applied)]).await,
        "settle",
    );

    let (c1, c_lease) = rows.commit(entity()).await;
    let Some(c_lease) = c_lease else {
        panic!("c1 is leased at commit");
    };
    must(
        outbox.settle(&c_lease, &[(c1, Outcome::Released)]).await,
        "release",
    );
    let gone = lease_for(Duration::ZERO);
    assert_eq!(
        ids(&claim(outbox, Pick::Rows(&[c1]), &gone).await),
        vec![c1]
    );
    let (taker, taken) = relay(outbox, &[c1]).await;
    assert_eq!(taken, vec![c1], "an expired lease frees its rows");
    must(
        outbox.settle(&gone, &[(c1, Outcome::Applied)]).await,
        "late",
    );
    must(
        outbox.settle(&taker, &[(c1, Outcome::Released)]).await,
        "release",
    );
    let last = lease();
    assert_eq!(
        ids(&claim(outbox, Pick::Rows(&[c1]), &last).await),
        vec![c1],
        "the expired holder's outcome was ignored"
    );
    must(
        outbox.settle(&last, &[(c1, Outcome::Applied)]).await,
        "settle",
    );

    let (d1, holder) = rows.commit(entity()).await;
    let Some(holder) = holder else {
        panic!("d1 is leased at commit");
    };
    let (barrier, waits) = rows.commit(Aggregate::whole(scope)).await;
    assert!(
        waits.is_none(),
        "a barrier waits for the pending rows of its scope"
    );
    let (e1, waits) = rows.commit(entity()).await;
    assert!(
        waits.is_none(),
        "a row waits for a pending barrier of its scope"
    );
    let scoped = [d1, barrier, e1];
    assert!(
        relay(outbox, &scoped).await.1.is_empty(),
        "a barrier waits for every older row of its scope, and later rows wait for it"
    );
    must(
        outbox.settle(&holder, &[(d1, Outcome::Applied)]).await,
        "settle",
    );
    let (held, taken) = relay(outbox, &scoped).await;
    assert_eq!(
        taken,
        vec![barrier, e1],
        "then they go, in order, in one claim"
    );
    let done = [(barrier, Outcome::Applied), (e1, Outcome::Applied)];
    must(outbox.settle(&held, &done).await, "settle");
    assert!(
        !must(outbox.requeue(barrier).await, "requeue applied"),
        "only dead letters are requeued"
    );
}
