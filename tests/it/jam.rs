//! A request dropped mid-transaction (its client disconnected) never leaves
//! a database connection inside a transaction: SQLite's one writer stays
//! free for the next request.

use crate::helpers::{local, Backend, TestApp};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};
use tower::ServiceExt;

/// Polls `fut` up to `times` times, then drops it, as the server drops a
/// handler's future when the client goes away. Whether the future was
/// between `BEGIN` and its first query, mid-query or mid-commit depends on
/// how far the database got meanwhile: over many tries, all of them.
fn poll_then_drop<F: Future>(fut: F, times: usize) {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..times {
        if fut.as_mut().poll(&mut cx).is_ready() {
            return;
        }
        std::thread::yield_now();
    }
}

async fn dropped_requests_never_jam_the_database(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    t.activate(opened["case_id"].as_str().unwrap(), &officer)
        .await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let bearer = format!("Bearer {}", officer.token);
    let contact =
        json!({"kind": "phone", "occurred_at": local(-5).format("%Y-%m-%dT%H:%M").to_string()})
            .to_string();
    for i in 0..1500 {
        // An audited read (it writes its audit event) and a write.
        let read = Request::get(&case)
            .header(header::AUTHORIZATION, &bearer)
            .body(Body::empty())
            .unwrap();
        poll_then_drop(t.router().oneshot(read), 1 + i % 9);
        let write = Request::post(format!("{case}/contacts"))
            .header(header::AUTHORIZATION, &bearer)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(contact.clone()))
            .unwrap();
        poll_then_drop(t.router().oneshot(write), 1 + i % 13);
        poll_then_drop(t.app.db.write(), 1 + i % 5);
        poll_then_drop(t.app.db.read(), 1 + i % 3);
    }
    let res = t
        .post(
            &format!("{case}/contacts"),
            &officer,
            serde_json::from_str(&contact).unwrap(),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CREATED,
        "the writer is free: {}",
        res.text()
    );
    assert_eq!(t.get(&case, &officer).await.status, StatusCode::OK);
}

/// Whether SQLite's write lock is free, seen from a connection of the
/// test's own: it takes the lock (and gives it back) or is refused at once.
async fn write_lock_is_free(probe: &mut sqlx::SqliteConnection) -> bool {
    use sqlx::Executor as _;
    match probe.execute("BEGIN IMMEDIATE").await {
        Ok(_) => {
            probe.execute("ROLLBACK").await.unwrap();
            true
        }
        Err(sqlx::Error::Database(e)) if e.message().contains("locked") => false,
        Err(e) => panic!("the probe failed: {e}"),
    }
}

/// The moment of the jam, made to happen rather than waited for: a write
/// is dropped once SQLite holds its `BEGIN IMMEDIATE` but before the
/// request holds the transaction. Every time, the next write must begin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_dropped_just_after_begin_leaves_the_writer_free() {
    use sqlx::ConnectOptions as _;
    use std::str::FromStr as _;
    let t = TestApp::new(Backend::Sqlite).await;
    let url = t.sqlite_url().unwrap();
    let mut probe = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
        .unwrap()
        .busy_timeout(std::time::Duration::ZERO)
        .connect()
        .await
        .unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    let mut dropped_inside = 0;
    for _ in 0..50 {
        {
            let mut begin = pin!(t.app.db.write());
            // Poll until SQLite holds the lock for it, or until it
            // completes first; the block's end drops it either way.
            loop {
                if begin.as_mut().poll(&mut cx).is_ready() {
                    break;
                }
                if !write_lock_is_free(&mut probe).await {
                    dropped_inside += 1;
                    break;
                }
            }
        }
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), t.app.db.write())
            .await
            .expect("the writer is free again within five seconds")
            .expect("a write begins");
        next.commit().await.unwrap();
    }
    assert!(
        dropped_inside > 0,
        "some writes were dropped inside their BEGIN"
    );
}

/// Readiness takes the writer path: while SQLite's one writer is held (by
/// start-up work, or anything stuck), the server is not ready. A flood of
/// probes (they need no sign-in) runs one check, not one each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_says_no_while_the_writer_is_held_and_checks_once_at_a_time() {
    let t = TestApp::new(Backend::Sqlite).await;
    let probe = || {
        let router = t.router();
        tokio::spawn(async move {
            let res = router
                .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        })
    };
    let held = t.app.db.write().await.unwrap();
    let flood: Vec<_> = (0..20).map(|_| probe()).collect();
    let mut answers = Vec::new();
    for p in flood {
        answers.push(p.await.unwrap());
    }
    assert!(answers
        .iter()
        .all(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE));
    let checked = answers
        .iter()
        .filter(|(_, b)| b.contains("cannot take a write now"))
        .count();
    assert_eq!(checked, 1, "one check for twenty probes: {answers:?}");
    drop(held);
    assert_eq!(
        probe().await.unwrap().0,
        StatusCode::SERVICE_UNAVAILABLE,
        "the failed check's answer stands for a second"
    );
    t.advance(chrono::Duration::seconds(2));
    assert_eq!(probe().await.unwrap().0, StatusCode::OK);
}

on_both_databases!(dropped_requests_never_jam_the_database);
