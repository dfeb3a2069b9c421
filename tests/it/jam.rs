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

/// Readiness takes the writer path: while SQLite's one writer is held (by
/// start-up work, or anything stuck), the server is not ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_says_no_while_the_writer_is_held() {
    let t = TestApp::new(Backend::Sqlite).await;
    let ready = || async {
        t.send(Request::get("/readyz").body(Body::empty()).unwrap())
            .await
            .status
    };
    assert_eq!(ready().await, StatusCode::OK);
    let held = t.app.db.write().await.unwrap();
    assert_eq!(ready().await, StatusCode::SERVICE_UNAVAILABLE);
    drop(held);
    assert_eq!(ready().await, StatusCode::OK);
}

on_both_databases!(dropped_requests_never_jam_the_database);
