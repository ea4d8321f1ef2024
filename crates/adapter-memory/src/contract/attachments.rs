//! The `AttachmentBytes` contract.

use super::*;
use futures::{StreamExt, TryStreamExt};
use taskforge_domain::attachments::{Attachment, AttachmentBytes, Chunks, UploadError};
use taskforge_domain::ids::{AttachmentId, TaskId};

fn attachment(task: TaskId, team: TeamId) -> Attachment {
    Attachment {
        attachment_id: AttachmentId::new(),
        task_id: task,
        team_id: team,
        name: "notes.txt".into(),
        size: 0,
        mimetype: "text/plain".into(),
        uploaded_at: Utc::now().trunc_subsecs(3),
        uploaded_by: UserId::new(),
    }
}

fn chunks(data: &[u8], size: usize) -> Chunks<'static> {
    let parts: Vec<Result<Vec<u8>, UploadError>> =
        data.chunks(size).map(|c| Ok(c.to_vec())).collect();
    futures::stream::iter(parts).boxed()
}

async fn read(
    store: &dyn AttachmentBytes,
    id: AttachmentId,
    from: u64,
    len: u64,
) -> Option<Vec<u8>> {
    let bytes = must(store.read(id, from, len).await, "read")?;
    let parts: Vec<Vec<u8>> = must(bytes.try_collect().await, "read stream");
    Some(parts.concat())
}

/// `AttachmentBytes`: files come back byte for byte, in whole or in part; an upload over the
/// limit or broken off stores nothing; deletes are idempotent and go by task and team.
pub async fn attachment_bytes(store: &dyn AttachmentBytes) {
    let (team, other) = (TeamId::new(), TeamId::new());
    let (task, elsewhere) = (TaskId::new(), TaskId::new());
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let a = attachment(task, team);
    assert_eq!(
        must_upload(store.store(&a, chunks(&data, 70_000), 1 << 20).await),
        300_000
    );
    assert_eq!(
        read(store, a.attachment_id, 0, u64::MAX).await,
        Some(data.clone())
    );
    assert_eq!(
        read(store, a.attachment_id, 100_000, 5).await,
        Some(data[100_000..100_005].to_vec()),
        "a range"
    );
    assert_eq!(read(store, AttachmentId::new(), 0, 10).await, None);

    let big = attachment(task, team);
    let refused = store.store(&big, chunks(&data, 1_000), 10_000).await;
    assert!(
        matches!(refused, Err(UploadError::TooLarge { limit: 10_000 })),
        "{refused:?}"
    );
    assert_eq!(
        read(store, big.attachment_id, 0, 10).await,
        None,
        "nothing left behind"
    );
    let broken = attachment(task, team);
    let failing = futures::stream::iter(vec![
        Ok(vec![1u8; 10]),
        Err(UploadError::Body("the client went away".into())),
    ])
    .boxed();
    assert!(store.store(&broken, failing, 1 << 20).await.is_err());
    assert_eq!(
        read(store, broken.attachment_id, 0, 10).await,
        None,
        "nothing left behind"
    );

    let later = Utc::now() + chrono::TimeDelta::seconds(5);
    let stored = must(store.stored_before(later).await, "stored before");
    assert!(stored.contains(&a.attachment_id));
    let earlier = Utc::now() - chrono::TimeDelta::hours(1);
    assert!(!must(store.stored_before(earlier).await, "stored before").contains(&a.attachment_id));

    let b = attachment(elsewhere, team);
    let c = attachment(TaskId::new(), other);
    for f in [&b, &c] {
        must_upload(store.store(f, chunks(b"x", 1), 10).await);
    }
    must(store.delete_task(task).await, "delete task's");
    assert_eq!(read(store, a.attachment_id, 0, 1).await, None);
    assert!(
        read(store, b.attachment_id, 0, 1).await.is_some(),
        "other tasks' stay"
    );
    must(store.delete_team(team).await, "delete team's");
    assert_eq!(read(store, b.attachment_id, 0, 1).await, None);
    assert!(
        read(store, c.attachment_id, 0, 1).await.is_some(),
        "other teams' stay"
    );
    must(store.delete(c.attachment_id).await, "delete");
    must(store.delete(c.attachment_id).await, "delete again");
    assert_eq!(read(store, c.attachment_id, 0, 1).await, None);
}

fn must_upload(r: Result<u64, UploadError>) -> u64 {
    match r {
        Ok(n) => n,
        Err(e) => panic!("upload: {e}"),
    }
}
