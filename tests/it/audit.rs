//! The audit trail is append-only and a changed, removed or inserted event is caught.

use crate::helpers::{referral, Backend, TestApp};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::domain::users::Role;
use bridgeway::store::audit::{verify, Verification};
use bridgeway::{exec, fetch};
use serde_json::json;
use tower::ServiceExt;

async fn some_history(t: &TestApp) {
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let opened = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await
        .json();
    for _ in 0..3 {
        t.get(
            &format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap()),
            &officer,
        )
        .await;
    }
}

async fn verification(t: &TestApp) -> Verification {
    let mut tx = t.app.db.read().await.unwrap();
    verify(&mut tx).await.unwrap()
}

async fn seq_of_nth_event(t: &TestApp, n: i64) -> i64 {
    let mut tx = t.app.db.read().await.unwrap();
    fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT seq FROM audit_events ORDER BY seq LIMIT 1 OFFSET $1").bind(n)
    )
    .unwrap()
}

/// What someone with direct database access would have to do first.
async fn drop_guards(t: &TestApp) {
    let mut tx = t.app.db.write().await.unwrap();
    let statements: &[&str] = match tx.dialect() {
        bridgeway::store::Dialect::Sqlite => &[
            "DROP TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_delete",
        ],
        bridgeway::store::Dialect::Postgres => {
            &["DROP TRIGGER audit_events_no_change ON audit_events"]
        }
    };
    for sql in statements {
        exec!(&mut tx, sqlx::query(sql)).unwrap();
    }
    tx.commit().await.unwrap();
}

async fn the_trail_verifies_and_refuses_changes(backend: Backend) {
    let t = TestApp::new(backend).await;
    some_history(&t).await;
    let events = t.count("audit_events").await;
    assert!(events >= 8, "{events}");
    assert_eq!(
        verification(&t).await,
        Verification::Intact {
            events: events as u64
        }
    );

    let mut tx = t.app.db.write().await.unwrap();
    let update = exec!(
        &mut tx,
        sqlx::query("UPDATE audit_events SET reason = 'nothing to see'")
    );
    assert!(update.unwrap_err().to_string().contains("append-only"));
    drop(tx);
    let mut tx = t.app.db.write().await.unwrap();
    let delete = exec!(&mut tx, sqlx::query("DELETE FROM audit_events"));
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

async fn a_changed_event_is_caught(backend: Backend) {
    let t = TestApp::new(backend).await;
    some_history(&t).await;
    drop_guards(&t).await;
    let target = seq_of_nth_event(&t, 4).await;
    let mut tx = t.app.db.write().await.unwrap();
    exec!(
        &mut tx,
        sqlx::query("UPDATE audit_events SET actor_role = 'admin' WHERE seq = $1").bind(target)
    )
    .unwrap();
    tx.commit().await.unwrap();
    match verification(&t).await {
        Verification::Broken {
            seq,
            events_checked,
            ..
        } => assert_eq!((seq, events_checked), (target, 4)),
        other => panic!("tampering not caught: {other:?}"),
    }
}

async fn a_removed_event_is_caught(backend: Backend) {
    let t = TestApp::new(backend).await;
    some_history(&t).await;
    drop_guards(&t).await;
    let removed = seq_of_nth_event(&t, 2).await;
    let next = seq_of_nth_event(&t, 3).await;
    let mut tx = t.app.db.write().await.unwrap();
    exec!(
        &mut tx,
        sqlx::query("DELETE FROM audit_events WHERE seq = $1").bind(removed)
    )
    .unwrap();
    tx.commit().await.unwrap();
    match verification(&t).await {
        Verification::Broken { seq, .. } => {
            assert_eq!(seq, next, "caught at the event after the gap")
        }
        other => panic!("removal not caught: {other:?}"),
    }
}

async fn concurrent_appends_keep_one_chain(backend: Backend) {
    let t = TestApp::new(backend).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let router = t.router();
            let auth = format!("Bearer {}", officer.token);
            tokio::spawn(async move {
                let req = Request::get("/api/v1/cases")
                    .header(header::AUTHORIZATION, auth)
                    .body(Body::empty())
                    .unwrap();
                router.oneshot(req).await.unwrap().status()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    let events = t.count("audit_events").await as u64;
    assert_eq!(verification(&t).await, Verification::Intact { events });
}

on_both_databases!(
    the_trail_verifies_and_refuses_changes,
    a_changed_event_is_caught,
    a_removed_event_is_caught,
    concurrent_appends_keep_one_chain,
);
