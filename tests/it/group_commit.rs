//! SQLite's writer commits the writes of many requests in one transaction
//! (`store::writer`): one flush to disk for a batch of them, each write in a
//! savepoint of its own.

use crate::helpers::{Backend, TestApp};
use crate::{exec, fetch};
use bridgeway::store::audit::{verify, Verification};
use std::sync::atomic::Ordering;

async fn counter_exists(t: &TestApp, name: &str) -> bool {
    let mut tx = t.app.db.read().await.unwrap();
    let found: Option<i64> = fetch!(
        &mut tx,
        fetch_optional,
        sqlx::query_scalar("SELECT value FROM counters WHERE name = $1").bind(name)
    )
    .unwrap();
    found.is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_waiting_for_the_writer_commit_together_and_a_failed_one_is_undone_alone() {
    let t = TestApp::new(Backend::Sqlite).await;
    let counts = t.app.db.write_counts().unwrap();
    let mut held = t.app.db.write().await.unwrap();
    exec!(
        &mut held,
        sqlx::query("INSERT INTO counters (name, value) VALUES ('held', 0)")
    )
    .unwrap();
    let (asked, committed) = (
        counts.turns_asked.load(Ordering::SeqCst),
        counts.batches_committed.load(Ordering::SeqCst),
    );
    let events_before = match verify(&mut t.app.db.read().await.unwrap()).await.unwrap() {
        Verification::Intact { events } => events,
        broken => panic!("{broken:?}"),
    };
    held.audit(t.audit_event("held".into()));
    let writes: Vec<_> = (0..10)
        .map(|i| {
            let db = t.app.db.clone();
            let audited = t.audit_event(format!("write {i}"));
            tokio::spawn(async move {
                let mut tx = db.write().await.unwrap();
                tx.audit(audited);
                exec!(
                    &mut tx,
                    sqlx::query("INSERT INTO counters (name, value) VALUES ($1, 0)")
                        .bind(format!("write {i}"))
                )
                .unwrap();
                if i == 4 {
                    // This one fails after writing: its work alone is undone.
                    drop(tx);
                    return false;
                }
                tx.commit().await.unwrap();
                true
            })
        })
        .collect();
    // Every write has asked for the writer, which `held` still holds.
    while counts.turns_asked.load(Ordering::SeqCst) < asked + 10 {
        tokio::task::yield_now().await;
    }
    held.commit().await.unwrap();
    for (i, w) in writes.into_iter().enumerate() {
        let committed = w.await.unwrap();
        assert_eq!(committed, i != 4);
    }
    assert_eq!(
        counts.batches_committed.load(Ordering::SeqCst),
        committed + 1,
        "eleven writes, one commit"
    );
    assert!(counter_exists(&t, "held").await);
    for i in 0..10 {
        assert_eq!(counter_exists(&t, &format!("write {i}")).await, i != 4);
    }
    // Their audit events chain in one batch (only the first read the head).
    assert_eq!(
        verify(&mut t.app.db.read().await.unwrap()).await.unwrap(),
        Verification::Intact {
            events: events_before + 10
        }
    );
}
