//! The `AuditLog` contract: a scope's rows, newest first, filtered and paged; an untouched
//! chain verifies whole.

use super::*;
use taskforge_domain::audit::{AuditFilter, AuditLog, AuditRecord, ChainCheck};

fn actions(rows: &[AuditRecord]) -> Vec<AuditAction> {
    rows.iter().map(|r| r.action).collect()
}

/// Needs the `UserRepository` of the same store to commit changes into an account's scope.
pub async fn audit_log(users: &dyn UserRepository, log: &dyn AuditLog) {
    let people = registered(users, 2).await;
    let (user, other) = (people[0].id, people[1].id);
    let scope = Scope::Account(user);
    let commit = |entity_type, action, actor| {
        let aggregate = Aggregate::entity(scope, "contract", Uuid::now_v7());
        let draft = audit(entity_type, Uuid::now_v7(), action, actor);
        users.record_login(user, Utc::now(), Change::new(aggregate, draft, vec![]))
    };
    must(
        commit(AuditEntityType::User, AuditAction::Login, Some(user)).await,
        "login",
    );
    must(
        commit(AuditEntityType::Comment, AuditAction::Update, Some(other)).await,
        "comment",
    );
    must(
        commit(AuditEntityType::Task, AuditAction::Delete, None).await,
        "task",
    );

    let all = must(
        log.page(scope, &AuditFilter::default(), None, 10).await,
        "page",
    );
    assert_eq!(
        actions(&all),
        vec![
            AuditAction::Delete,
            AuditAction::Update,
            AuditAction::Login,
            AuditAction::Create
        ],
        "the scope's rows (its account's creation first of all), newest first"
    );
    let by = |filter: AuditFilter| async move {
        actions(&must(log.page(scope, &filter, None, 10).await, "filtered"))
    };
    let comments = AuditFilter {
        entity_type: Some(AuditEntityType::Comment),
        ..AuditFilter::default()
    };
    assert_eq!(by(comments).await, vec![AuditAction::Update]);
    let logins = AuditFilter {
        action: Some(AuditAction::Login),
        ..AuditFilter::default()
    };
    assert_eq!(by(logins).await, vec![AuditAction::Login]);
    let theirs = AuditFilter {
        actor: Some(other),
        ..AuditFilter::default()
    };
    assert_eq!(by(theirs).await, vec![AuditAction::Update]);
    let window = AuditFilter {
        from: Some(all[2].at),
        to: Some(all[0].at),
        ..AuditFilter::default()
    };
    assert_eq!(
        by(window.clone()).await,
        vec![AuditAction::Update, AuditAction::Login],
        "from is inclusive, to exclusive"
    );

    let first = must(
        log.page(scope, &AuditFilter::default(), None, 2).await,
        "page 1",
    );
    let after = first[1].cursor();
    let rest = must(
        log.page(scope, &AuditFilter::default(), Some(&after), 10)
            .await,
        "page 2",
    );
    assert_eq!(actions(&rest), actions(&all[2..]), "the next page goes on");
    let elsewhere = must(
        log.page(Scope::Account(other), &AuditFilter::default(), None, 10)
            .await,
        "another scope",
    );
    assert_eq!(
        actions(&elsewhere),
        vec![AuditAction::Create],
        "only the scope's rows"
    );

    assert_eq!(
        must(log.verify(scope).await, "verify"),
        ChainCheck {
            ok: true,
            checked: 4,
            first_bad: None
        }
    );
}
