//! Port contract suites: one function per port, run against the fakes (this crate's tests) and
//! against the real adapters (`tests/tests/contracts.rs`), so the fakes cannot drift from the
//! stores they stand for. Each suite makes its own ids and emails, so it can run on shared
//! stores in parallel with anything else.

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{SubsecRound, Utc};
use taskforge_domain::identity::ports::{
    RateBucket, RateDecision, RateLimiter, RateRule, SessionStore, UserRepository,
};
use taskforge_domain::identity::{Email, PasswordHash, PersonName, Session, SessionToken, User};
use taskforge_domain::ids::{SessionId, UserId};
use taskforge_domain::tasks::TaskRepository;
use taskforge_domain::teams::TeamRepository;
use taskforge_domain::write_path::IdempotencyStore;
use taskforge_domain::write_path::{
    Actor, AuditAction, AuditDraft, AuditEntityType, AuditScope, Cache, CacheKey, Change,
    Collection, DocumentStore, Effect, EffectApplier, Outbox, VersionedDocument,
};
use taskforge_domain::StoreError;
use uuid::Uuid;

fn must<T, E: Debug>(result: Result<T, E>, what: &str) -> T {
    match result {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e:?}"),
    }
}

fn new_user(email: &str) -> User {
    User {
        id: UserId::new(),
        email: must(Email::parse("email", email), "email"),
        first_name: PersonName::from_stored("Ada".into()),
        last_name: PersonName::from_stored("Lovelace".into()),
        // Stores keep microseconds.
        created_at: Utc::now().trunc_subsecs(6),
        last_login: None,
        profile_version: 1,
    }
}

fn change(user: UserId, action: AuditAction, effects: Vec<Effect>) -> Change {
    Change {
        audit: AuditDraft {
            scope: AuditScope::Account(user),
            entity_type: AuditEntityType::User,
            entity_id: user.as_uuid(),
            action,
            actor: Actor {
                user_id: Some(user),
                ..Actor::default()
            },
            previous_state: None,
            new_state: None,
        },
        aggregate: format!("user:{user}"),
        effects,
        idempotency: None,
    }
}

fn put(id: Uuid, version: i64) -> Effect {
    Effect::PutDocument {
        collection: Collection::Profiles,
        id,
        version,
        body: serde_json::json!({ "bio": format!("v{version}") }),
    }
}

fn unique_email() -> String {
    format!("contract-{}@Example.com", Uuid::new_v4().simple())
}

/// `UserRepository` together with the outbox its changes commit into.
pub async fn user_repository(users: &dyn UserRepository, outbox: &dyn Outbox) {
    let email = unique_email();
    let user = new_user(&email);
    let hash = PasswordHash::from_stored("hash-1".into());
    let receipt = must(
        users
            .create(
                &user,
                &hash,
                change(
                    user.id,
                    AuditAction::Create,
                    vec![put(user.id.as_uuid(), 1)],
                ),
            )
            .await,
        "create",
    );
    assert!(
        receipt.outbox_id.is_some(),
        "a change with effects leaves an outbox row"
    );

    let (found, found_hash) = must(users.by_email(&user.email).await, "by_email").expect_found();
    assert_eq!(found, user);
    assert_eq!(found_hash, hash);
    assert_eq!(
        must(users.by_id(user.id).await, "by_id").map(|(u, _)| u),
        Some(user.clone())
    );
    assert!(must(users.by_id(UserId::new()).await, "by_id unknown").is_none());

    let twin = new_user(&email.to_uppercase());
    let dup = users
        .create(&twin, &hash, change(twin.id, AuditAction::Create, vec![]))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(_))),
        "emails are unique case-insensitively: {dup:?}"
    );

    let login = must(
        users
            .record_login(
                user.id,
                user.created_at,
                change(user.id, AuditAction::Login, vec![]),
            )
            .await,
        "login",
    );
    assert_eq!(
        login.outbox_id, None,
        "a change without effects leaves no outbox row"
    );
    let after_login = must(users.by_id(user.id).await, "by_id").expect_found().0;
    assert_eq!(after_login.last_login, Some(user.created_at));

    let names = (
        &PersonName::from_stored("Grace".into()),
        &PersonName::from_stored("Hopper".into()),
    );
    let stale = users
        .update_profile(
            user.id,
            7,
            names,
            change(
                user.id,
                AuditAction::Update,
                vec![put(user.id.as_uuid(), 8)],
            ),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::StaleVersion)), "{stale:?}");
    must(
        users
            .update_profile(
                user.id,
                1,
                names,
                change(
                    user.id,
                    AuditAction::Update,
                    vec![put(user.id.as_uuid(), 2)],
                ),
            )
            .await,
        "update_profile",
    );
    let updated = must(users.by_id(user.id).await, "by_id").expect_found().0;
    assert_eq!(
        (updated.first_name.as_str(), updated.profile_version),
        ("Grace", 2)
    );
    let latest = must(
        outbox
            .latest_document(Collection::Profiles, user.id.as_uuid())
            .await,
        "latest_document",
    );
    assert_eq!(
        latest.map(|(_, d)| d.version),
        Some(2),
        "the newest committed document is found in the outbox"
    );

    let new_hash = PasswordHash::from_stored("hash-2".into());
    must(
        users
            .set_password(
                user.id,
                &new_hash,
                change(user.id, AuditAction::Update, vec![]),
            )
            .await,
        "set_password",
    );
    assert_eq!(
        must(users.by_id(user.id).await, "by_id").expect_found().1,
        new_hash
    );

    must(
        users
            .delete(user.id, change(user.id, AuditAction::Delete, vec![]))
            .await,
        "delete",
    );
    assert!(must(users.by_id(user.id).await, "by_id").is_none());
    let again = users
        .delete(user.id, change(user.id, AuditAction::Delete, vec![]))
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
}

/// Records what it applies; fails while told to.
#[derive(Default)]
pub struct RecordingApplier {
    pub applied: Mutex<Vec<Effect>>,
    pub failing: Mutex<bool>,
}

#[async_trait]
impl EffectApplier for RecordingApplier {
    async fn apply(&self, effects: &[Effect]) -> Result<(), StoreError> {
        if *self.failing.lock().unwrap_or_else(|p| p.into_inner()) {
            return Err(StoreError::unavailable("mongo", "down (test)"));
        }
        self.applied
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(effects);
        Ok(())
    }
}

impl RecordingApplier {
    fn versions_of(&self, id: Uuid) -> Vec<i64> {
        self.applied
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter_map(|e| match e {
                Effect::PutDocument { id: i, version, .. } if *i == id => Some(*version),
                _ => None,
            })
            .collect()
    }
}

/// `Outbox`: rows apply once each and in commit order per aggregate. A relay pass applies due
/// rows and leaves failed rows (and what follows them in their aggregate) to their backoff;
/// naming rows (a request's fast path) applies them together with the older pending rows of
/// their aggregates. Needs the
/// `UserRepository` of the same store to commit changes.
pub async fn outbox(users: &dyn UserRepository, outbox: &dyn Outbox) {
    let hash = PasswordHash::from_stored("h".into());
    let applier = RecordingApplier::default();
    let set_failing = |on: bool| *applier.failing.lock().unwrap_or_else(|p| p.into_inner()) = on;

    let failing = new_user(&unique_email());
    set_failing(true);
    let row = must(
        users
            .create(
                &failing,
                &hash,
                change(
                    failing.id,
                    AuditAction::Create,
                    vec![put(failing.id.as_uuid(), 1)],
                ),
            )
            .await,
        "create",
    );
    let row: Vec<i64> = row.outbox_id.into_iter().collect();
    let report = must(
        outbox.apply_pending(Some(&row), 10, &applier).await,
        "apply failing",
    );
    assert_eq!(
        (report.applied, report.failed),
        (0, 1),
        "a failing row is reported, not applied"
    );
    set_failing(false);
    let report = must(
        outbox.apply_pending(None, 10, &applier).await,
        "relay at once",
    );
    assert_eq!(
        report.applied, 0,
        "the relay leaves a failed row to its backoff"
    );

    let user = new_user(&unique_email());
    let id = user.id.as_uuid();
    let names = (&user.first_name, &user.last_name);
    let first = must(
        users
            .create(
                &user,
                &hash,
                change(user.id, AuditAction::Create, vec![put(id, 1)]),
            )
            .await,
        "create",
    );
    let second = must(
        users
            .update_profile(
                user.id,
                1,
                names,
                change(user.id, AuditAction::Update, vec![put(id, 2)]),
            )
            .await,
        "update",
    );
    let third = must(
        users
            .update_profile(
                user.id,
                2,
                names,
                change(user.id, AuditAction::Update, vec![put(id, 3)]),
            )
            .await,
        "update",
    );
    let report = must(outbox.apply_pending(None, 10, &applier).await, "relay");
    assert_eq!(
        report.applied, 3,
        "a relay pass applies an aggregate's due rows"
    );
    assert_eq!(applier.versions_of(id), vec![1, 2, 3], "in commit order");
    let all: Vec<i64> = [first.outbox_id, second.outbox_id, third.outbox_id]
        .into_iter()
        .flatten()
        .collect();
    let report = must(
        outbox.apply_pending(Some(&all), 10, &applier).await,
        "apply again",
    );
    assert_eq!(report.applied, 0, "applied rows are not applied again");

    let late = new_user(&unique_email());
    let lid = late.id.as_uuid();
    let names = (&late.first_name, &late.last_name);
    must(
        users
            .create(
                &late,
                &hash,
                change(late.id, AuditAction::Create, vec![put(lid, 1)]),
            )
            .await,
        "create",
    );
    let newest = must(
        users
            .update_profile(
                late.id,
                1,
                names,
                change(late.id, AuditAction::Update, vec![put(lid, 2)]),
            )
            .await,
        "update",
    );
    let named: Vec<i64> = newest.outbox_id.into_iter().collect();
    let report = must(
        outbox.apply_pending(Some(&named), 10, &applier).await,
        "fast path",
    );
    assert_eq!(
        report.applied, 2,
        "a fast path applies what its aggregate still owed first"
    );
    assert_eq!(applier.versions_of(lid), vec![1, 2]);
}

/// `DocumentStore`: versions only move forward; deletes are idempotent.
pub async fn documents(store: &dyn DocumentStore) {
    let id = Uuid::now_v7();
    let c = Collection::Profiles;
    let body =
        |v: i64| serde_json::json!({ "bio": format!("v{v}"), "preferences": { "theme": "dark" } });
    assert_eq!(must(store.get(c, id).await, "get absent"), None);
    must(store.put_if_newer(c, id, 2, &body(2)).await, "put v2");
    must(store.put_if_newer(c, id, 2, &body(2)).await, "put v2 again");
    must(store.put_if_newer(c, id, 1, &body(1)).await, "put older v1");
    let expect = |v: i64| {
        Some(VersionedDocument {
            version: v,
            body: body(v),
        })
    };
    assert_eq!(
        must(store.get(c, id).await, "get"),
        expect(2),
        "an older version never overwrites"
    );
    must(store.put_if_newer(c, id, 3, &body(3)).await, "put v3");
    assert_eq!(must(store.get(c, id).await, "get"), expect(3));
    must(store.delete(c, id).await, "delete");
    must(store.delete(c, id).await, "delete again");
    assert_eq!(must(store.get(c, id).await, "get deleted"), None);

    let (team, other) = (
        taskforge_domain::ids::TeamId::new(),
        taskforge_domain::ids::TeamId::new(),
    );
    let of = |t: taskforge_domain::ids::TeamId| serde_json::json!({ "teamId": t.to_string(), "title": "t" });
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    for (i, id) in ids.iter().enumerate() {
        let owner = if i < 2 { team } else { other };
        must(
            store
                .put_if_newer(Collection::Tasks, *id, 1, &of(owner))
                .await,
            "put task",
        );
    }
    let mut of_team = must(store.team_ids(Collection::Tasks, team).await, "team ids");
    of_team.sort();
    let mut expected = ids[..2].to_vec();
    expected.sort();
    assert_eq!(of_team, expected, "the team's documents, no other");
    must(
        store.delete_team(Collection::Tasks, team).await,
        "delete team",
    );
    assert_eq!(
        must(store.get(Collection::Tasks, ids[0]).await, "get"),
        None
    );
    assert_eq!(
        must(store.get(Collection::Tasks, ids[1]).await, "get"),
        None
    );
    assert!(
        must(store.get(Collection::Tasks, ids[2]).await, "get other").is_some(),
        "other teams' documents stay"
    );
}

/// `Cache`: put, get, drop.
pub async fn cache(cache: &dyn Cache) {
    let key = CacheKey::UserProfile(UserId::new());
    let value = serde_json::json!({ "version": 3, "body": { "bio": "hi" } });
    assert_eq!(must(cache.get(key).await, "get absent"), None);
    must(cache.put(key, &value).await, "put");
    assert_eq!(must(cache.get(key).await, "get"), Some(value.clone()));
    let absent = CacheKey::UserProfile(UserId::new());
    let many = must(cache.get_many(&[absent, key]).await, "get_many");
    assert_eq!(many, vec![None, Some(value)], "in the order asked");
    assert_eq!(must(cache.get_many(&[]).await, "get_many none"), vec![]);
    must(cache.drop_key(key).await, "drop");
    must(cache.drop_key(key).await, "drop again");
    assert_eq!(must(cache.get(key).await, "get dropped"), None);
}

fn session(user: UserId) -> Session {
    let now = Utc::now().trunc_subsecs(0);
    Session {
        id: SessionId::new(),
        user_id: user,
        created_at: now,
        last_seen_at: now,
        expires_at: now + chrono::TimeDelta::hours(1),
        user_agent: Some("contract".into()),
        ip: Some("127.0.0.1".into()),
    }
}

/// `SessionStore`: sessions by token hash, listed and revoked per user.
pub async fn sessions(store: &dyn SessionStore) {
    let ttl = Duration::from_secs(600);
    let user = UserId::new();
    let (ta, tb, tc) = (
        SessionToken::generate().hash(),
        SessionToken::generate().hash(),
        SessionToken::generate().hash(),
    );
    let (a, b, c) = (session(user), session(user), session(user));
    for (t, s) in [(&ta, &a), (&tb, &b), (&tc, &c)] {
        must(store.create(t, s, ttl).await, "create");
    }
    assert_eq!(must(store.find(&ta).await, "find"), Some(a.clone()));
    assert_eq!(
        must(
            store.find(&SessionToken::generate().hash()).await,
            "find unknown"
        ),
        None
    );

    let mut touched = a.clone();
    touched.last_seen_at += chrono::TimeDelta::seconds(30);
    must(store.touch(&ta, &touched, ttl).await, "touch");
    assert_eq!(must(store.find(&ta).await, "find touched"), Some(touched));

    let mut listed: Vec<SessionId> = must(store.list(user).await, "list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    listed.sort();
    let mut expected = vec![a.id, b.id, c.id];
    expected.sort();
    assert_eq!(listed, expected);

    assert!(must(store.revoke(user, b.id).await, "revoke"));
    assert!(
        !must(store.revoke(user, b.id).await, "revoke again"),
        "a revoked session is gone"
    );
    assert!(
        !must(store.revoke(UserId::new(), a.id).await, "revoke other's"),
        "only the owner's sessions"
    );
    assert_eq!(must(store.find(&tb).await, "find revoked"), None);
    must(store.touch(&tb, &b, ttl).await, "touch revoked");
    assert_eq!(
        must(store.find(&tb).await, "find after touch"),
        None,
        "a touch never revives a session"
    );

    must(store.revoke_all(user, Some(a.id)).await, "revoke_all keep");
    assert_eq!(must(store.find(&tc).await, "find c"), None);
    assert!(must(store.find(&ta).await, "find kept").is_some());
    must(store.revoke_all(user, None).await, "revoke_all");
    assert_eq!(must(store.list(user).await, "list after"), vec![]);
}

/// `RateLimiter`: a fixed window of `limit` hits per bucket; failures hold a bucket back once
/// past the free ones, until cleared.
pub async fn rate_limiter(limiter: &dyn RateLimiter) {
    let rule = RateRule {
        limit: 3,
        window: Duration::from_secs(60),
    };
    let bucket = RateBucket::Api(UserId::new());
    for i in 0..3 {
        assert_eq!(
            must(limiter.hit(&bucket, rule).await, "hit"),
            RateDecision::Allowed,
            "hit {i}"
        );
    }
    match must(limiter.hit(&bucket, rule).await, "hit over") {
        RateDecision::Limited { retry_after } => {
            assert!(
                retry_after > Duration::ZERO && retry_after <= rule.window,
                "{retry_after:?}"
            )
        }
        RateDecision::Allowed => panic!("the fourth hit in the window must be limited"),
    }
    let other = RateBucket::Api(UserId::new());
    assert_eq!(
        must(limiter.hit(&other, rule).await, "other"),
        RateDecision::Allowed,
        "buckets are independent"
    );

    let failures = |client: &str| RateBucket::LoginFailures {
        account: must(
            Email::parse("email", &format!("{}@example.com", Uuid::new_v4())),
            "email",
        ),
        client: client.to_owned(),
    };
    let (guessed, elsewhere) = (failures("203.0.113.9"), failures("198.51.100.1"));
    for _ in 0..rule.limit {
        must(limiter.fail(&guessed, rule).await, "free failure");
    }
    assert_eq!(
        must(limiter.held(&guessed).await, "held"),
        None,
        "the free failures hold nothing back"
    );
    must(
        limiter.fail(&guessed, rule).await,
        "failure past the free ones",
    );
    let hold = must(limiter.held(&guessed).await, "held after");
    assert!(
        hold.is_some_and(|h| h > Duration::ZERO && h <= Duration::from_secs(1)),
        "the first hold is a second: {hold:?}"
    );
    assert_eq!(must(limiter.held(&elsewhere).await, "other"), None);
    must(limiter.clear(&guessed).await, "clear");
    assert_eq!(must(limiter.held(&guessed).await, "cleared"), None);
}

trait ExpectFound<T> {
    fn expect_found(self) -> T;
}

impl<T> ExpectFound<T> for Option<T> {
    fn expect_found(self) -> T {
        match self {
            Some(v) => v,
            None => panic!("expected a row"),
        }
    }
}

fn team_change(team: taskforge_domain::ids::TeamId, action: AuditAction) -> Change {
    Change {
        audit: AuditDraft {
            scope: AuditScope::Team(team),
            entity_type: AuditEntityType::Team,
            entity_id: team.as_uuid(),
            action,
            actor: Actor::default(),
            previous_state: None,
            new_state: None,
        },
        aggregate: format!("team:{team}"),
        effects: vec![],
        idempotency: None,
    }
}

/// `TeamRepository`, with the `UserRepository` of the same store for its members.
pub async fn team_repository(teams: &dyn TeamRepository, users: &dyn UserRepository) {
    use taskforge_domain::teams::{
        default_permissions, Permission, Role, Team, TeamDescription, TeamName,
    };
    let hash = PasswordHash::from_stored("h".into());
    let mut people = Vec::new();
    for _ in 0..3 {
        let u = new_user(&unique_email());
        must(
            users
                .create(&u, &hash, change(u.id, AuditAction::Create, vec![]))
                .await,
            "create user",
        );
        people.push(u);
    }
    let (admin, member, outsider) = (&people[0], &people[1], &people[2]);
    let team = Team {
        id: taskforge_domain::ids::TeamId::new(),
        name: must(TeamName::parse("name", "Contract team"), "name"),
        description: TeamDescription::default(),
        created_by: admin.id,
        created_at: Utc::now().trunc_subsecs(6),
    };
    let c = |a| team_change(team.id, a);
    must(
        teams
            .create(
                &team,
                admin.id,
                &default_permissions(),
                c(AuditAction::Create),
            )
            .await,
        "create team",
    );
    assert_eq!(must(teams.get(team.id).await, "get"), Some(team.clone()));
    let access = must(teams.access(team.id, admin.id).await, "access");
    assert_eq!(
        access,
        Some((Role::Admin, Permission::defaults(Role::Admin)))
    );
    assert_eq!(
        must(teams.access(team.id, outsider.id).await, "outsider"),
        None
    );

    must(
        teams
            .add_member(
                team.id,
                member.id,
                Role::Guest,
                team.created_at,
                c(AuditAction::Create),
            )
            .await,
        "add",
    );
    let again = teams
        .add_member(
            team.id,
            member.id,
            Role::Member,
            team.created_at,
            c(AuditAction::Create),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(must(teams.members(team.id).await, "members").len(), 2);
    assert!(must(teams.share_a_team(admin.id, member.id).await, "share"));
    assert!(!must(
        teams.share_a_team(admin.id, outsider.id).await,
        "share outsider"
    ));
    let views = must(teams.for_user(member.id).await, "for_user");
    assert_eq!(
        views
            .iter()
            .map(|v| (v.team.id, v.my_role))
            .collect::<Vec<_>>(),
        vec![(team.id, Role::Guest)]
    );

    let demote = teams
        .set_role(team.id, admin.id, Role::Member, c(AuditAction::RoleChange))
        .await;
    assert!(
        matches!(demote, Err(StoreError::Conflict(_))),
        "the last admin stays: {demote:?}"
    );
    let leave = teams
        .remove_member(team.id, admin.id, c(AuditAction::Delete))
        .await;
    assert!(
        matches!(leave, Err(StoreError::Conflict(_))),
        "the last admin cannot leave: {leave:?}"
    );
    let gone = users
        .delete(admin.id, change(admin.id, AuditAction::Delete, vec![]))
        .await;
    assert!(
        matches!(gone, Err(StoreError::Conflict(_))),
        "nor delete their account: {gone:?}"
    );
    let stranger = teams
        .set_role(
            team.id,
            outsider.id,
            Role::Admin,
            c(AuditAction::RoleChange),
        )
        .await;
    assert!(
        matches!(stranger, Err(StoreError::NotFound)),
        "{stranger:?}"
    );

    must(
        teams
            .set_role(team.id, member.id, Role::Admin, c(AuditAction::RoleChange))
            .await,
        "promote",
    );
    must(
        teams
            .set_role(team.id, admin.id, Role::Member, c(AuditAction::RoleChange))
            .await,
        "demote",
    );
    assert_eq!(
        must(teams.member(team.id, admin.id).await, "member").map(|m| m.role),
        Some(Role::Member)
    );

    let only_read: std::collections::BTreeSet<Permission> =
        [Permission::TaskRead].into_iter().collect();
    must(
        teams
            .set_permissions(team.id, Role::Member, &only_read, c(AuditAction::Update))
            .await,
        "set perms",
    );
    assert_eq!(
        must(teams.access(team.id, admin.id).await, "access"),
        Some((Role::Member, only_read.clone()))
    );
    assert_eq!(
        must(teams.permissions(team.id).await, "perms").get(&Role::Member),
        Some(&only_read)
    );

    let mut renamed = team.clone();
    renamed.name = must(TeamName::parse("name", "Renamed"), "name");
    must(
        teams.update(&renamed, c(AuditAction::Update)).await,
        "update",
    );
    assert_eq!(
        must(teams.get(team.id).await, "get").map(|t| t.name),
        Some(renamed.name)
    );

    must(
        teams
            .remove_member(team.id, admin.id, c(AuditAction::Delete))
            .await,
        "leave",
    );
    assert_eq!(
        must(
            teams.access(team.id, admin.id).await,
            "access after leaving"
        ),
        None
    );
    must(
        teams.delete(team.id, c(AuditAction::Delete)).await,
        "delete",
    );
    assert_eq!(must(teams.get(team.id).await, "get deleted"), None);
    assert!(
        must(teams.for_user(member.id).await, "for_user").is_empty(),
        "memberships go with the team"
    );
    assert!(
        must(teams.permissions(team.id).await, "perms").is_empty(),
        "permissions go with the team"
    );
    let late = teams
        .add_member(
            team.id,
            outsider.id,
            Role::Member,
            team.created_at,
            c(AuditAction::Create),
        )
        .await;
    assert!(matches!(late, Err(StoreError::NotFound)), "{late:?}");
}

/// `TaskRepository`, with the team and user repositories of the same store around it.
pub async fn task_repository(
    tasks: &dyn TaskRepository,
    teams: &dyn TeamRepository,
    users: &dyn UserRepository,
) {
    use taskforge_domain::ids::{TaskId, TeamId};
    use taskforge_domain::tasks::query::Cursor;
    use taskforge_domain::tasks::*;
    use taskforge_domain::teams::{default_permissions, Role, Team, TeamDescription, TeamName};

    let hash = PasswordHash::from_stored("h".into());
    let mut people = Vec::new();
    for _ in 0..3 {
        let u = new_user(&unique_email());
        must(
            users
                .create(&u, &hash, change(u.id, AuditAction::Create, vec![]))
                .await,
            "user",
        );
        people.push(u);
    }
    let (owner, guest, outsider) = (&people[0], &people[1], &people[2]);
    let now = Utc::now().trunc_subsecs(6);
    let mut team_ids = Vec::new();
    for name in ["Alpha", "Beta"] {
        let team = Team {
            id: TeamId::new(),
            name: must(TeamName::parse("name", name), "name"),
            description: TeamDescription::default(),
            created_by: owner.id,
            created_at: now,
        };
        must(
            teams
                .create(
                    &team,
                    owner.id,
                    &default_permissions(),
                    team_change(team.id, AuditAction::Create),
                )
                .await,
            "team",
        );
        team_ids.push(team.id);
    }
    let (alpha, beta) = (team_ids[0], team_ids[1]);
    must(
        teams
            .add_member(
                alpha,
                guest.id,
                Role::Guest,
                now,
                team_change(alpha, AuditAction::Create),
            )
            .await,
        "guest",
    );

    let make =
        |i: i64, team: TeamId, title: &str, status: Status, priority: Priority, tags: &[&str]| {
            Task {
                task_id: TaskId::new(),
                team_id: team,
                title: must(TaskTitle::parse("title", title), "title"),
                description: must(
                    Description::parse("d", format!("description number{i}")),
                    "description",
                ),
                status,
                priority,
                assignee_id: (i % 2 == 0).then_some(owner.id),
                creator_id: owner.id,
                due_date: (i != 3).then(|| now + chrono::TimeDelta::days(i)),
                tags: must(
                    Tags::parse("tags", tags.iter().map(ToString::to_string).collect()),
                    "tags",
                ),
                custom_fields: CustomFields::default(),
                attachments: vec![],
                version: 1,
                metadata: taskforge_domain::tasks::model::TaskMetadata {
                    created: now + chrono::TimeDelta::seconds(i),
                    updated: now + chrono::TimeDelta::seconds(10 - i),
                },
            }
        };
    let specs = [
        (
            0,
            alpha,
            "Write the parser",
            Status::Todo,
            Priority::High,
            vec!["rust", "parser"],
        ),
        (
            1,
            alpha,
            "Review engine design",
            Status::InReview,
            Priority::Urgent,
            vec!["design"],
        ),
        (
            2,
            alpha,
            "Fix the parser crash",
            Status::Done,
            Priority::Low,
            vec!["rust", "bug"],
        ),
        (
            3,
            alpha,
            "Plan the release",
            Status::Backlog,
            Priority::Medium,
            vec![],
        ),
        (
            4,
            beta,
            "Beta launch",
            Status::Todo,
            Priority::High,
            vec!["rust"],
        ),
    ];
    let mut made = Vec::new();
    for (i, team, title, status, priority, tags) in specs {
        let task = make(i, team, title, status, priority, &tags);
        let task_change = |t: &Task, a| Change {
            audit: AuditDraft {
                scope: AuditScope::Team(t.team_id),
                entity_type: AuditEntityType::Task,
                entity_id: t.task_id.as_uuid(),
                action: a,
                actor: Actor::default(),
                previous_state: None,
                new_state: None,
            },
            aggregate: format!("team:{}", t.team_id),
            effects: vec![],
            idempotency: None,
        };
        must(
            tasks
                .create(&task, task_change(&task, AuditAction::Create))
                .await,
            "create task",
        );
        made.push((task, task_change));
    }
    let ids: Vec<TaskId> = made.iter().map(|(t, _)| t.task_id).collect();
    let (first, change_of) = (&made[0].0, made[0].1);

    assert_eq!(
        must(tasks.core(first.task_id).await, "core"),
        Some(TaskCore {
            id: first.task_id,
            team_id: alpha,
            version: 1
        })
    );
    let mut stranger = first.clone();
    stranger.task_id = TaskId::new();
    stranger.assignee_id = Some(outsider.id);
    let refused = tasks
        .create(&stranger, change_of(&stranger, AuditAction::Create))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "an outsider cannot be assigned: {refused:?}"
    );

    let mut next = first.clone();
    next.version = 2;
    next.status = Status::InProgress;
    let stale = tasks
        .update(&next, 5, change_of(&next, AuditAction::StatusChange))
        .await;
    assert!(matches!(stale, Err(StoreError::StaleVersion)), "{stale:?}");
    must(
        tasks
            .update(&next, 1, change_of(&next, AuditAction::StatusChange))
            .await,
        "update",
    );
    assert_eq!(
        must(tasks.core(first.task_id).await, "core").map(|c| c.version),
        Some(2)
    );

    let list = |q: TaskQuery| async move {
        must(
            tasks.list(owner.id, &TaskQuery { limit: 100, ..q }).await,
            "list",
        )
        .into_iter()
        .map(|(c, _)| c.id)
        .collect::<Vec<TaskId>>()
    };
    let of = |which: &[usize]| which.iter().map(|&i| ids[i]).collect::<Vec<_>>();
    assert_eq!(
        list(TaskQuery::default()).await,
        of(&[4, 3, 2, 1, 0]),
        "newest first by default"
    );
    assert_eq!(
        list(TaskQuery {
            team: Some(beta),
            ..Default::default()
        })
        .await,
        of(&[4])
    );
    assert_eq!(
        list(TaskQuery {
            statuses: vec![Status::InProgress, Status::Done],
            ..Default::default()
        })
        .await,
        of(&[2, 0])
    );
    assert_eq!(
        list(TaskQuery {
            priorities: vec![Priority::High],
            ..Default::default()
        })
        .await,
        of(&[4, 0])
    );
    assert_eq!(
        list(TaskQuery {
            assignee: Some(owner.id),
            ..Default::default()
        })
        .await,
        of(&[4, 2, 0])
    );
    assert_eq!(
        list(TaskQuery {
            tags: vec!["rust".into(), "bug".into()],
            ..Default::default()
        })
        .await,
        of(&[2])
    );
    let cut = now + chrono::TimeDelta::hours(36);
    assert_eq!(
        list(TaskQuery {
            due_before: Some(cut),
            ..Default::default()
        })
        .await,
        of(&[1, 0])
    );
    assert_eq!(
        list(TaskQuery {
            due_after: Some(cut),
            ..Default::default()
        })
        .await,
        of(&[4, 2])
    );
    assert_eq!(
        list(TaskQuery {
            text: Some("parser".into()),
            ..Default::default()
        })
        .await,
        of(&[2, 0])
    );
    assert_eq!(
        list(TaskQuery {
            text: Some("number3".into()),
            ..Default::default()
        })
        .await,
        of(&[3]),
        "descriptions are searched"
    );
    assert_eq!(
        list(TaskQuery {
            text: Some("design".into()),
            ..Default::default()
        })
        .await,
        of(&[1]),
        "so are tags"
    );
    let sorted = |field, descending| TaskQuery {
        sort: TaskSort { field, descending },
        ..Default::default()
    };
    assert_eq!(
        list(sorted(SortField::Due, false)).await,
        of(&[0, 1, 2, 4, 3]),
        "no due date sorts last"
    );
    assert_eq!(
        list(sorted(SortField::Due, true)).await,
        of(&[4, 2, 1, 0, 3]),
        "either way"
    );
    assert_eq!(
        list(sorted(SortField::Priority, true)).await[0],
        ids[1],
        "urgent first"
    );
    assert_eq!(
        list(sorted(SortField::Updated, true)).await[0],
        ids[0],
        "the updated one"
    );

    for sort in [
        sorted(SortField::Created, true),
        sorted(SortField::Due, false),
        sorted(SortField::Priority, false),
    ] {
        let mut seen = Vec::new();
        let mut after: Option<Cursor> = None;
        loop {
            let page = must(
                tasks
                    .list(
                        owner.id,
                        &TaskQuery {
                            limit: 2,
                            after: after.clone(),
                            ..sort.clone()
                        },
                    )
                    .await,
                "page",
            );
            if page.is_empty() {
                break;
            }
            after = page.last().map(|(_, c)| c.clone());
            seen.extend(page.into_iter().map(|(c, _)| c.id));
        }
        assert_eq!(
            seen,
            list(sort.clone()).await,
            "pages of 2 walk the whole list once: {:?}",
            sort.sort
        );
    }
    let guest_sees = must(
        tasks
            .list(
                guest.id,
                &TaskQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await,
        "guest",
    )
    .len();
    assert_eq!(guest_sees, 4, "a guest reads their team's tasks only");
    assert!(must(
        tasks
            .list(
                outsider.id,
                &TaskQuery {
                    limit: 100,
                    ..Default::default()
                }
            )
            .await,
        "outsider"
    )
    .is_empty());

    let history = must(tasks.history(first.task_id, None, 10).await, "history");
    assert_eq!(
        history.iter().map(|h| h.action).collect::<Vec<_>>(),
        vec![AuditAction::StatusChange, AuditAction::Create]
    );
    let older = must(
        tasks.history(first.task_id, Some(history[0].id), 10).await,
        "older",
    );
    assert_eq!(
        older.iter().map(|h| h.action).collect::<Vec<_>>(),
        vec![AuditAction::Create]
    );

    let scanned = must(tasks.scan(None, 1000).await, "scan");
    assert!(ids.iter().all(|id| scanned.iter().any(|c| c.id == *id)));
    must(
        tasks
            .delete(first.task_id, change_of(first, AuditAction::Delete))
            .await,
        "delete",
    );
    assert_eq!(must(tasks.core(first.task_id).await, "core"), None);
    let again = tasks
        .delete(first.task_id, change_of(first, AuditAction::Delete))
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    must(
        teams
            .delete(beta, team_change(beta, AuditAction::Delete))
            .await,
        "delete team",
    );
    assert_eq!(
        must(tasks.core(ids[4]).await, "core"),
        None,
        "a team's tasks go with it"
    );
}

/// `IdempotencyStore`: a key is fresh once, in flight until a change records its response, then
/// replayed; another request under the same key is a mismatch; a released key is fresh again.
/// Needs the `UserRepository` of the same store to commit the recording change.
pub async fn idempotency(store: &dyn IdempotencyStore, users: &dyn UserRepository) {
    use taskforge_domain::write_path::{Claim, IdempotencyKey};
    let user = new_user(&unique_email());
    let body = serde_json::json!({ "title": "t", "teamId": "x" });
    let key = must(IdempotencyKey::new(user.id, "key-1", &body), "key");
    assert_eq!(must(store.claim(&key).await, "claim"), Claim::Fresh);
    assert_eq!(must(store.claim(&key).await, "again"), Claim::InFlight);
    let other = must(
        IdempotencyKey::new(user.id, "key-1", &serde_json::json!({ "title": "u" })),
        "key",
    );
    assert_eq!(
        must(store.claim(&other).await, "other body"),
        Claim::Mismatch
    );

    let response = serde_json::json!({ "taskId": "t-1" });
    let mut done = change(user.id, AuditAction::Create, vec![]);
    done.idempotency = Some(key.completion(response.clone()));
    must(
        users
            .create(&user, &PasswordHash::from_stored("h".into()), done)
            .await,
        "commit",
    );
    assert_eq!(
        must(store.claim(&key).await, "after"),
        Claim::Replay(response)
    );
    must(store.release(&key).await, "release done");
    assert!(
        matches!(must(store.claim(&key).await, "still"), Claim::Replay(_)),
        "a recorded key is never released"
    );

    let failed = must(IdempotencyKey::new(user.id, "key-2", &body), "key");
    assert_eq!(must(store.claim(&failed).await, "claim"), Claim::Fresh);
    must(store.release(&failed).await, "release");
    assert_eq!(must(store.claim(&failed).await, "retry"), Claim::Fresh);
    let someone_else = must(IdempotencyKey::new(UserId::new(), "key-1", &body), "key");
    assert_eq!(
        must(store.claim(&someone_else).await, "per user"),
        Claim::Fresh
    );
}
