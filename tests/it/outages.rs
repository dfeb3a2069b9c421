//! When the database cannot serve (unreachable, its disk full), requests
//! are answered 503 "try again", never 500; readiness says so; and service
//! comes back by itself once the cause is mended.

use crate::helpers::{local, Backend, TestApp};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::store::Pool;
use serde_json::json;

fn contact(minutes_ago: i64) -> serde_json::Value {
    let at = local(-minutes_ago).format("%Y-%m-%dT%H:%M").to_string();
    json!({"kind": "phone", "occurred_at": at, "note": "Checked in by phone"})
}

async fn ready(t: &TestApp) -> StatusCode {
    // A readiness answer stands for a second: ask after it has passed.
    t.advance(chrono::Duration::seconds(2));
    t.send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
        .status
}

async fn an_unreachable_database_is_answered_503(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, _) = t.one_referral().await;
    let cookie = t.session("officer").await;
    t.app.db.close().await;

    let res = t.get("/api/v1/cases", &officer).await;
    assert_eq!(
        res.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        res.text()
    );
    assert_eq!(res.json()["code"], "unavailable");
    assert!(res.headers.contains_key(header::RETRY_AFTER));
    let page = t.page("/caseload", &cookie).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().contains("cannot be reached"), "{}", page.text());
    assert_eq!(ready(&t).await, StatusCode::SERVICE_UNAVAILABLE);
}

/// Caps the SQLite file and the reads' file beside it at the pages they
/// hold now (or lifts the caps), as a full disk would: the next write that
/// needs a page fails with `SQLITE_FULL`, the error a full disk gives.
async fn cap_sqlite_file(t: &TestApp, full: bool) {
    let Pool::Sqlite { writer, .. } = t.app.db.pool() else {
        unreachable!("SQLite only")
    };
    let mut conn = writer.pool().acquire().await.unwrap();
    for schema in ["main", "reads"] {
        let pages: i64 = sqlx::query_scalar(&format!("PRAGMA {schema}.page_count"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let cap = if full { pages } else { i64::from(u32::MAX) };
        sqlx::query(&format!("PRAGMA {schema}.max_page_count = {cap}"))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_and_heals_by_itself() {
    let t = TestApp::new(Backend::Sqlite).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let contacts = format!("{case}/contacts");
    let before = t.count("contacts").await;

    cap_sqlite_file(&t, true).await;
    let mut refused = None;
    for i in 0..500 {
        let res = t.post(&contacts, &officer, contact(i + 1)).await;
        if res.status != StatusCode::CREATED {
            refused = Some(res);
            break;
        }
    }
    let refused = refused.expect("the capped file filled up");
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.text()
    );
    assert_eq!(refused.json()["code"], "unavailable");
    assert!(refused.json()["message"]
        .as_str()
        .unwrap()
        .contains("disk is full"));
    let saved = t.count("contacts").await;
    // Reads that need an audit event are refused the same way, not with 500
    // (once the pages the reads' file had free are used).
    let mut view = t.get(&case, &officer).await;
    for _ in 0..500 {
        if view.status != StatusCode::OK {
            break;
        }
        view = t.get(&case, &officer).await;
    }
    assert_eq!(
        view.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        view.text()
    );

    // Room again: the very next write goes through, and readiness follows.
    cap_sqlite_file(&t, false).await;
    let res = t.post(&contacts, &officer, contact(1_000)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(t.get(&case, &officer).await.status, StatusCode::OK);
    assert_eq!(t.count("contacts").await, saved + 1, "nothing half-written");
    assert!(saved > before);
    t.app.db.chain_staged_audit().await.unwrap();
    let mut tx = t.app.db.read().await.unwrap();
    let report = bridgeway::store::audit::verify(&mut tx).await.unwrap();
    assert!(
        matches!(report, bridgeway::store::audit::Verification::Intact { .. }),
        "the audit chain is whole: {report:?}"
    );
}

/// Free space below the settings' thresholds: a warning for administrators
/// first, then readiness fails. (The disk is as full as the thresholds make
/// it: no test fills the machine's disk.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filling_disk_warns_administrators_then_fails_readiness() {
    let everything = u64::MAX / (1024 * 1024);
    for (not_ready_below_mb, ready_now, says) in [
        (0, StatusCode::OK, "MiB free. Free space or add disk"),
        (
            everything - 1,
            StatusCode::SERVICE_UNAVAILABLE,
            "disk is full",
        ),
    ] {
        let t = TestApp::with_settings(Backend::Sqlite, |s| {
            s.disk.warn_below_mb = everything;
            s.disk.not_ready_below_mb = not_ready_below_mb;
        })
        .await;
        let page = admin_page(&t).await;
        assert!(page.contains(says), "{page}");
        assert_eq!(ready(&t).await, ready_now);
    }
    let page = admin_page(&TestApp::new(Backend::Sqlite).await).await;
    assert!(
        !page.contains("Disk space"),
        "no warning with room to spare"
    );
}

on_both_databases!(an_unreachable_database_is_answered_503);

/// The administrators' landing page.
async fn admin_page(t: &TestApp) -> String {
    let admin = bridgeway::domain::access::users::Role::Admin;
    t.user("admin", admin, None, None).await;
    let cookie = t.session("admin").await;
    t.page("/admin/access-review", &cookie).await.text()
}
