//! The audit trail is append-only and a changed, removed or inserted event is caught.

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use crate::{exec, fetch};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::app::audit::integrity::{check_checkpoints, purge, write_checkpoint};
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use bridgeway::store::audit::{verify, NewEvent, Outcome, Verification};
use bridgeway::store::Pool;
use tower::ServiceExt;

async fn some_history(t: &TestApp) {
    let (_, officer, opened) = t.one_referral().await;
    for _ in 0..3 {
        t.get(
            &format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap()),
            &officer,
        )
        .await;
    }
}

async fn verification(t: &TestApp) -> Verification {
    t.app.db.chain_staged_audit().await.unwrap();
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

async fn checkpoints_catch_removed_newest_events_and_forgeries(backend: Backend) {
    let t = TestApp::new(backend).await;
    some_history(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.jsonl");
    let first = write_checkpoint(&t.app, &file)
        .await
        .unwrap()
        .expect("written");
    assert_eq!(first.events, t.count("audit_events").await);
    assert!(
        write_checkpoint(&t.app, &file).await.unwrap().is_none(),
        "nothing new, nothing written"
    );
    let report = check_checkpoints(&t.app, &file).await.unwrap();
    assert_eq!((report.held, report.problems.len()), (1, 0));

    // Someone with database access removes the newest events: the chain
    // alone still verifies, the checkpoint does not.
    drop_guards(&t).await;
    let mut tx = t.app.db.write().await.unwrap();
    exec!(
        &mut tx,
        sqlx::query("DELETE FROM audit_events WHERE seq >= $1").bind(first.seq - 1)
    )
    .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(
        verification(&t).await,
        Verification::Intact { .. }
    ));
    let report = check_checkpoints(&t.app, &file).await.unwrap();
    assert_eq!(report.held, 0);
    assert!(
        report.problems[0].contains(&format!("event #{} is gone", first.seq)),
        "{:?}",
        report.problems
    );

    // A checkpoint edited to match is caught by its signature.
    let forged = std::fs::read_to_string(&file)
        .unwrap()
        .replace(&format!("\"events\":{}", first.events), "\"events\":1");
    std::fs::write(&file, format!("{forged}not json\n")).unwrap();
    let report = check_checkpoints(&t.app, &file).await.unwrap();
    assert!(
        report.problems[0].contains("signature does not verify"),
        "{:?}",
        report.problems
    );
    assert!(
        report.problems[1].starts_with("line 2: not a checkpoint"),
        "{:?}",
        report.problems
    );
}

async fn events_past_retention_are_purged_and_the_chain_still_verifies(backend: Backend) {
    let t = TestApp::new(backend).await;
    let old_event = |age: i64, action: Action| {
        let t = &t;
        async move {
            let mut tx = t.app.db.write().await.unwrap();
            let event = NewEvent {
                at: t.app.now() - chrono::Duration::days(age),
                actor: None,
                source: Some("test".into()),
                action,
                object: None,
                outcome: Outcome::Success,
                reason: None,
            };
            tx.audit(event);
            tx.commit().await.unwrap();
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.jsonl");
    old_event(3000, Action::DemoGenerate).await;
    old_event(2900, Action::DemoGenerate).await;
    write_checkpoint(&t.app, &file).await.unwrap();
    let before_purge = seq_of_nth_event(&t, 1).await;
    old_event(2300, Action::KeysRotated).await;
    some_history(&t).await;
    write_checkpoint(&t.app, &file).await.unwrap();

    let purged = purge(&t.app)
        .await
        .unwrap()
        .expect("two events are past seven years");
    assert_eq!((purged.events, purged.through_seq), (2, before_purge));
    assert_eq!(t.audit_count(Action::DemoGenerate).await, 0);
    assert_eq!(
        t.audit_count(Action::KeysRotated).await,
        1,
        "kept: younger than the retention"
    );
    assert_eq!(t.audit_count(Action::AuditPurge).await, 1);
    match verification(&t).await {
        Verification::Intact { events } => assert_eq!(events as i64, t.count("audit_events").await),
        other => panic!("the chain should continue from the anchor: {other:?}"),
    }
    let report = check_checkpoints(&t.app, &file).await.unwrap();
    assert_eq!(
        (report.held, report.purged),
        (1, 1),
        "{:?}",
        report.problems
    );
    assert!(
        purge(&t.app).await.unwrap().is_none(),
        "nothing more is old enough"
    );

    // The database keeps six years whatever the settings say, and still
    // refuses to delete anything after the anchor.
    let mut tx = t.app.db.write().await.unwrap();
    let newest: i64 = fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT max(seq) FROM audit_events")
    )
    .unwrap();
    let anchor = exec!(
        &mut tx,
        sqlx::query("INSERT INTO audit_anchors (seq, hash, at, purged_at, events) SELECT seq, hash, at, at, 1 FROM audit_events WHERE seq = $1")
            .bind(newest)
    );
    assert!(anchor.unwrap_err().to_string().contains("six years old"));
    drop(tx);
    let mut tx = t.app.db.write().await.unwrap();
    let delete = exec!(
        &mut tx,
        sqlx::query("DELETE FROM audit_events WHERE seq = $1").bind(newest)
    );
    assert!(delete.unwrap_err().to_string().contains("append-only"));
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
    // Each list answered only once its event was kept (in batches, on either
    // database; on SQLite staged beside it, and chained here).
    t.app.db.chain_staged_audit().await.unwrap();
    let listed: i64 = crate::fetch!(
        &mut t.app.db.read().await.unwrap(),
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'case.list'")
    )
    .unwrap();
    assert_eq!(listed, 20);
    let events = t.count("audit_events").await as u64;
    assert_eq!(verification(&t).await, Verification::Intact { events });
}

/// Two servers on one database (each its own writer, on PostgreSQL each its
/// own appender): writes and audited reads from both at once, and the trail
/// is still one chain holding every event once.
async fn two_servers_on_one_database_keep_one_chain(backend: Backend) {
    let t = TestApp::new(backend).await;
    let servers = [t.app.db.clone(), t.another_server().await];
    let before = t.count("audit_events").await;
    let mut tasks = Vec::new();
    for (s, db) in servers.iter().enumerate() {
        for i in 0..25 {
            let (db, write, read) = (
                db.clone(),
                t.audit_event(format!("write {s}.{i}")),
                t.audit_event(format!("read {s}.{i}")),
            );
            tasks.push(tokio::spawn(async move {
                let mut tx = db.write().await.unwrap();
                exec!(
                    &mut tx,
                    sqlx::query("INSERT INTO counters (name, value) VALUES ($1, 0)")
                        .bind(format!("server {s}, write {i}"))
                )
                .unwrap();
                tx.audit(write);
                tx.commit().await.unwrap();
                let mut tx = db.read().await.unwrap();
                tx.audit(read);
                tx.commit().await.unwrap();
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    for server in &servers {
        server.chain_staged_audit().await.unwrap();
    }
    let mut tx = t.app.db.read().await.unwrap();
    let reasons: Vec<String> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT reason FROM audit_events WHERE source = 'test' ORDER BY reason")
    )
    .unwrap();
    let mut expected: Vec<String> = (0..2)
        .flat_map(|s| {
            (0..25).flat_map(move |i| [format!("read {s}.{i}"), format!("write {s}.{i}")])
        })
        .collect();
    expected.sort();
    assert_eq!(reasons, expected);
    assert_eq!(bridgeway::store::audit::staged(&mut tx).await.unwrap(), 0);
    let events = (before + 100) as u64;
    assert_eq!(verification(&t).await, Verification::Intact { events });
}

/// A server that stopped between staging events and chaining them (a
/// PostgreSQL write's, a SQLite read's) leaves them staged: the next start
/// chains them, once.
async fn events_staged_before_a_stop_are_chained_at_the_next_start(backend: Backend) {
    let t = TestApp::new(backend).await;
    let events = t.count("audit_events").await as u64;
    let staged_table = match backend {
        Backend::Sqlite => "reads.audit_staged",
        Backend::Postgres => "audit_staged",
    };
    let mut tx = t.app.db.write().await.unwrap();
    exec!(
        &mut tx,
        sqlx::query(&format!(
            "INSERT INTO {staged_table} (id, at, source, action, outcome, reason) VALUES ($1, \
             $2, 'test', 'demo.generate', 'success', 'left staged')"
        ))
        .bind(bridgeway::domain::ids::AuditId::new())
        .bind(t.app.now())
    )
    .unwrap();
    // A transaction that recorded no event of its own commits without
    // asking for a chaining: as if the server had stopped right after.
    tx.commit().await.unwrap();
    let restarted = t.another_server().await;
    restarted.migrate().await.unwrap();
    let mut tx = t.app.db.read().await.unwrap();
    assert_eq!(bridgeway::store::audit::staged(&mut tx).await.unwrap(), 0);
    let chained: i64 = fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE reason = 'left staged'")
    )
    .unwrap();
    assert_eq!(chained, 1);
    assert_eq!(
        verification(&t).await,
        Verification::Intact { events: events + 1 }
    );
}

async fn auditors_search_and_export_the_trail(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (admin, officer, opened) = t.one_referral().await;
    let auditor = t.user("auditor", Role::Auditor, None, None).await;
    let person_id = opened["person_id"].as_str().unwrap();
    t.get(&format!("/api/v1/people/{person_id}"), &officer)
        .await;
    t.get(
        &format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap()),
        &officer,
    )
    .await;

    let res = t
        .get(&format!("/api/v1/audit?person_id={person_id}"), &auditor)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let actions: Vec<String> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        ["case.view", "person.view", "case.create", "person.create"],
        "the person's record and their cases, newest first"
    );
    let by_user = t
        .get("/api/v1/audit?username=officer&action=person.", &auditor)
        .await
        .json();
    assert!(by_user["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor_username"] == "officer"
            && e["action"].as_str().unwrap().starts_with("person.")));
    let res = t.get("/api/v1/audit?username=ghost", &auditor).await;
    assert_eq!(res.error_fields(), ["username"]);
    let one = t
        .get("/api/v1/audit?action=case.view", &auditor)
        .await
        .json();
    let one = one["items"].as_array().unwrap();
    assert!(!one.is_empty() && one.iter().all(|e| e["action"] == "case.view"));
    assert_eq!(
        one[0]["record"],
        format!("Case {}", opened["case_number"].as_str().unwrap()),
        "the API names the record too"
    );

    // Days are the agency's: a view at 21:00 on 18 November (03:00 UTC on
    // the 19th) is on the 18th.
    t.advance(chrono::Duration::hours(8));
    t.get(&format!("/api/v1/people/{person_id}"), &officer)
        .await;
    let views = |range: &'static str| {
        let (t, auditor) = (&t, &auditor);
        async move {
            let res = t
                .get(
                    &format!("/api/v1/audit?action=person.view&{range}"),
                    auditor,
                )
                .await;
            res.json()["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(views("from=2026-11-19").await, 0);
    assert_eq!(views("from=2026-11-18&to=2026-11-18").await, 2);
    let res = t.get("/api/v1/audit?action=case.vie", &auditor).await;
    assert_eq!(
        res.error_fields(),
        ["action"],
        "not a prefix: an action or a family"
    );
    let res = t
        .get("/api/v1/audit?from=2026-11-02&to=2026-11-01", &auditor)
        .await;
    assert_eq!(res.error_fields(), ["to"]);
    assert_eq!(
        t.get("/api/v1/audit", &officer).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get("/api/v1/audit", &admin).await.status,
        StatusCode::FORBIDDEN,
        "administrators manage, auditors audit"
    );

    let cookie = t.session("auditor").await;
    let home = t.page("/", &cookie).await;
    assert_eq!(
        home.headers[header::LOCATION],
        "/audit",
        "an auditor's home is the trail"
    );
    let page = t
        .form("/audit", &cookie, &[("person_number", "p-0000001")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("person.view"));
    assert!(
        text.contains("<td data-label=\"Record\">Participant P-0000001</td>"),
        "the record is named: {text}"
    );
    assert_eq!(
        t.form("/audit", &cookie, &[("from", "yesterday")])
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let csv = t
        .form(
            "/audit/export.csv",
            &cookie,
            &[("person_number", "P-0000001")],
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "seq,time_utc,time_local,username,name,role,source,action,object_type,object_id,record,\
         outcome,reason"
    );
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.contains(",person.view,person,") && l.contains(",Participant P-0000001,")),
        "{text}"
    );
    assert!(
        lines[1].contains(" CST,"),
        "local times in the agency's zone: {text}"
    );
    assert!(
        t.audit_count(Action::AuditSearch).await >= 3,
        "reading the trail is audited"
    );
    assert_eq!(t.audit_count(Action::AuditExport).await, 1);
    let officer_cookie = t.session("officer").await;
    assert_eq!(
        t.page("/audit", &officer_cookie).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.form("/audit/export.csv", &officer_cookie, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        verification(&t).await,
        Verification::Intact {
            events: t.count("audit_events").await as u64
        }
    );
}

async fn exporting_the_trail_needs_a_fresh_sign_in(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("auditor", Role::Auditor, None, None).await;
    let cookie = t.session("auditor").await;
    assert_eq!(
        t.form("/audit/export.csv", &cookie, &[]).await.status,
        StatusCode::OK,
        "fresh from sign-in"
    );
    let mut tx = t.app.db.write().await.unwrap();
    exec!(
        &mut tx,
        sqlx::query("UPDATE sessions SET authenticated_at = $1")
            .bind(t.app.now() - chrono::Duration::minutes(11))
    )
    .unwrap();
    tx.commit().await.unwrap();
    let stale = t.form("/audit/export.csv", &cookie, &[]).await;
    assert_eq!(stale.headers[header::LOCATION], "/reauth");
    let api = t.api_with_session("GET", "/api/v1/audit", &cookie).await;
    assert_eq!(
        api.status,
        StatusCode::OK,
        "reading is not privileged; exporting is"
    );

    let wrong = t
        .form(
            "/reauth",
            &cookie,
            &[("password", "not it at all"), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = t.fresh_code("auditor").await;
    let ok = t
        .form(
            "/reauth",
            &cookie,
            &[("password", crate::helpers::PASSWORD), ("code", &code)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(
        t.form("/audit/export.csv", &cookie, &[]).await.status,
        StatusCode::OK
    );
    assert_eq!(t.audit_count(Action::AuthReauthenticate).await, 2);
}

/// `bridgeway check` on either database: whole when whole, and each
/// problem named: an edited audit event, a key ring that cannot open the
/// sealed values.
async fn the_whole_check_names_each_problem(backend: Backend) {
    let t = TestApp::new(backend).await;
    some_history(&t).await;
    let check = |app: &bridgeway::app::App| {
        let app = app.clone();
        async move { bridgeway::app::health::check(&app).await.unwrap() }
    };
    let whole = check(&t.app).await;
    assert!(whole.problems().is_empty(), "{whole:?}");

    let stranger = bridgeway::app::App::new(
        t.app.db.clone(),
        (*t.app.settings).clone(),
        bridgeway::keyring::KeyRing::generate(),
    );
    let problems = check(&stranger).await.problems();
    assert!(
        problems.len() == 1 && problems[0].starts_with("keys: "),
        "{problems:?}"
    );

    drop_guards(&t).await;
    let seq = seq_of_nth_event(&t, 3).await;
    let mut tx = t.app.db.write().await.unwrap();
    exec!(
        &mut tx,
        sqlx::query("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = $1").bind(seq)
    )
    .unwrap();
    tx.commit().await.unwrap();
    let problems = check(&t.app).await.problems();
    assert!(
        problems.len() == 1
            && problems[0].starts_with(&format!("audit trail broken at event #{seq}")),
        "{problems:?}"
    );
}

on_both_databases!(
    the_whole_check_names_each_problem,
    the_trail_verifies_and_refuses_changes,
    a_changed_event_is_caught,
    a_removed_event_is_caught,
    checkpoints_catch_removed_newest_events_and_forgeries,
    events_past_retention_are_purged_and_the_chain_still_verifies,
    concurrent_appends_keep_one_chain,
    two_servers_on_one_database_keep_one_chain,
    events_staged_before_a_stop_are_chained_at_the_next_start,
    auditors_search_and_export_the_trail,
    exporting_the_trail_needs_a_fresh_sign_in,
);

/// On SQLite an audited read's event is durable before the read answers,
/// yet the read leaves the database itself unchanged (its readers keep their
/// page caches): the event waits in the reads' file until it is chained.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_read_is_audited_without_changing_the_database() {
    let t = TestApp::new(Backend::Sqlite).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    t.app.db.chain_staged_audit().await.unwrap();
    let Pool::Sqlite { readers, .. } = t.app.db.pool() else {
        unreachable!("SQLite only")
    };
    // `data_version` changes on a connection when another one has committed
    // to the database since its last look.
    let mut reader = readers.acquire().await.unwrap();
    let version = || sqlx::query_scalar::<_, i64>("PRAGMA data_version");
    let before = version().fetch_one(&mut *reader).await.unwrap();
    let views_before = t.audit_count(Action::CaseView).await;
    let after_chaining = version().fetch_one(&mut *reader).await.unwrap();
    assert_eq!(t.get(&case, &officer).await.status, StatusCode::OK);
    assert_eq!(
        version().fetch_one(&mut *reader).await.unwrap(),
        after_chaining,
        "the view committed nothing to the database"
    );
    assert_eq!(before, after_chaining, "nothing was left to chain");
    let staged: i64 = {
        let mut tx = t.app.db.write().await.unwrap();
        fetch!(
            &mut tx,
            fetch_one,
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM reads.audit_staged WHERE action = 'case.view'"
            )
        )
        .unwrap()
    };
    assert_eq!(staged, 1, "the view's event is kept beside the database");
    assert_eq!(t.audit_count(Action::CaseView).await, views_before + 1);
}

/// A chaining that committed its events to the trail but stopped before
/// letting them go from the reads' file (a crash) is not chained twice: the
/// next chaining finds them on the trail and only lets them go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_event_already_chained_is_not_chained_again() {
    let t = TestApp::new(Backend::Sqlite).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    assert_eq!(t.get(&case, &officer).await.status, StatusCode::OK);
    t.app.db.chain_staged_audit().await.unwrap();
    // The chained events are still in the reads' file until the next
    // chaining, as after a crash; chaining again and again keeps one of each.
    let events = t.count("audit_events").await;
    t.app.db.chain_staged_audit().await.unwrap();
    t.app.db.chain_staged_audit().await.unwrap();
    assert_eq!(t.count("audit_events").await, events);
    let mut tx = t.app.db.write().await.unwrap();
    let left: i64 = fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM reads.audit_staged")
    )
    .unwrap();
    assert_eq!(left, 0, "the chained events were let go");
    drop(tx);
    assert_eq!(
        verification(&t).await,
        Verification::Intact {
            events: events as u64
        }
    );
}
