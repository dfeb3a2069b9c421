//! Backups of a SQLite database taken while it is written to are whole, and
//! restore to the same database, table for table.

use crate::helpers::{local, Backend, TestApp};
use axum::http::StatusCode;
use bridgeway::app::health;
use bridgeway::app::App;
use bridgeway::store::{Db, Pool};
use serde_json::json;
use sqlx::Connection;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

fn file_of(t: &TestApp) -> PathBuf {
    match t.app.db.pool() {
        Pool::Sqlite { file, .. } => file.clone(),
        Pool::Postgres(_) => unreachable!("SQLite only"),
    }
}

async fn contact_ids(db: &Db) -> BTreeSet<String> {
    let mut tx = db.read().await.unwrap();
    crate::fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar::<_, String>("SELECT id FROM contacts")
    )
    .unwrap()
    .into_iter()
    .collect()
}

/// Every table of `a` and `b` holds the same rows (compared both ways in SQL).
async fn differing_tables(a: &Path, b: &Path) -> Vec<String> {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", a.display()))
        .await
        .unwrap();
    sqlx::query("ATTACH DATABASE $1 AS other")
        .bind(b.display().to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() > 20, "every table: {tables:?}");
    let mut differing = Vec::new();
    for table in tables {
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM (SELECT * FROM main.\"{table}\" EXCEPT SELECT * FROM \
             other.\"{table}\")) + (SELECT COUNT(*) FROM (SELECT * FROM other.\"{table}\" EXCEPT \
             SELECT * FROM main.\"{table}\"))"
        );
        let differences: i64 = sqlx::query_scalar(&sql).fetch_one(&mut conn).await.unwrap();
        if differences > 0 {
            differing.push(table);
        }
    }
    differing
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_write_load_is_whole_and_restores_table_for_table() {
    let t = TestApp::new(Backend::Sqlite).await;
    let (_, officer, opened) = t.one_referral().await;
    let contacts = format!(
        "/api/v1/cases/{}/contacts",
        opened["case_id"].as_str().unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let under_load = dir.path().join("under-load.db");

    // Writers post contacts until the backup is taken; the backup starts
    // once some have been acknowledged, and those must all be in it.
    let acknowledged = Mutex::new(BTreeSet::new());
    let done = AtomicBool::new(false);
    let writer = |n: i64| {
        let (t, officer, contacts, acknowledged, done) =
            (&t, &officer, &contacts, &acknowledged, &done);
        async move {
            let mut i = 0;
            while !done.load(Ordering::SeqCst) {
                i += 1;
                let at = local(-(n * 1_000 + i)).format("%Y-%m-%dT%H:%M").to_string();
                let body = json!({"kind": "phone", "occurred_at": at, "note": "Under load"});
                let res = t.post(contacts, officer, body).await;
                assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
                let id = res.json()["id"].as_str().unwrap().to_owned();
                acknowledged.lock().unwrap().insert(id);
            }
        }
    };
    let backup = async {
        while acknowledged.lock().unwrap().len() < 40 {
            tokio::task::yield_now().await;
        }
        let before = acknowledged.lock().unwrap().clone();
        t.app.db.backup_to(&under_load).await.unwrap();
        // Let the writers go on a little while the copy is checked.
        while acknowledged.lock().unwrap().len() < before.len() + 20 {
            tokio::task::yield_now().await;
        }
        done.store(true, Ordering::SeqCst);
        before
    };
    let ((), (), (), before) = tokio::join!(writer(1), writer(2), writer(3), backup);

    let copy = Db::connect(&format!("sqlite://{}", under_load.display()))
        .await
        .unwrap();
    let in_copy = contact_ids(&copy).await;
    assert!(
        before.is_subset(&in_copy),
        "every write acknowledged before the backup began is in it"
    );
    let app = App::new(copy, (*t.app.settings).clone(), (*t.app.keys).clone());
    let checked = health::check(&app).await.unwrap();
    assert!(checked.problems().is_empty(), "{checked:?}");
    app.db.close().await;
    assert!(
        t.app.db.backup_to(&under_load).await.is_err(),
        "a backup never overwrites a file"
    );

    // With the writers stopped, a backup restored elsewhere is the live
    // database table for table.
    let quiet = dir.path().join("quiet.db");
    t.app.db.backup_to(&quiet).await.unwrap();
    let restored = dir.path().join("restored.db");
    let (settings, keys) = ((*t.app.settings).clone(), (*t.app.keys).clone());
    bridgeway::store::backup::restore_sqlite(&quiet, &restored, |copy| async move {
        let checked = health::check(&App::new(copy, settings, keys)).await?;
        anyhow::ensure!(checked.problems().is_empty(), "{checked:?}");
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(
        differing_tables(&file_of(&t), &restored).await,
        Vec::<String>::new()
    );
    assert!(!dir.path().join("restored.db.partial").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_backup_is_not_restored() {
    let t = TestApp::new(Backend::Sqlite).await;
    t.one_referral().await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    t.app.db.backup_to(&backup).await.unwrap();
    // An audit event edited in the copy (its triggers dropped first).
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", backup.display()))
        .await
        .unwrap();
    for sql in [
        "DROP TRIGGER audit_events_no_update",
        "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 2",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    let target = dir.path().join("live.db");
    std::fs::write(&target, b"the database in place").unwrap();
    let (settings, keys) = ((*t.app.settings).clone(), (*t.app.keys).clone());
    let refused = bridgeway::store::backup::restore_sqlite(&backup, &target, |copy| async move {
        let checked = health::check(&App::new(copy, settings, keys)).await?;
        anyhow::ensure!(
            checked.problems().is_empty(),
            "{}",
            checked.problems().join("; ")
        );
        Ok(())
    })
    .await
    .unwrap_err();
    assert!(
        format!("{refused:#}").contains("audit trail broken"),
        "{refused:#}"
    );
    assert_eq!(
        std::fs::read(&target).unwrap(),
        b"the database in place",
        "nothing was replaced"
    );
    assert!(
        !dir.path().join("live.db.partial").exists(),
        "the copy was cleared away"
    );
}
