//! Alerts: raised by events as they are recorded and by the sweep, never
//! twice for the same situation, acknowledged and resolved with a note; the
//! work queue orders them and shows the day's appointments.

use crate::exec;
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::app::casework::alerts::sweep;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use chrono::Duration;
use serde_json::{json, Value};

fn local(minutes: i64) -> String {
    crate::helpers::local(minutes)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn rules(queue: &Value) -> Vec<String> {
    queue["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap().to_owned())
        .collect()
}

async fn rules_raise_alerts_once_and_the_queue_orders_them(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let officer = t.user("officer", Role::Officer, Some(sup.id), None).await;
    let other = t.user("other", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let opened = t
        .post(
            "/api/v1/intake",
            &officer,
            crate::helpers::referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await
        .json();
    let case_id = opened["case_id"].as_str().unwrap().to_owned();
    let case = format!("/api/v1/cases/{case_id}");
    t.activate(&case_id, &officer).await;

    // A missed appointment raises an alert at once.
    let visit = t
        .post(
            &format!("{case}/appointments"),
            &officer,
            json!({"kind": "home_visit", "starts_at": local(-1)}),
        )
        .await
        .json();
    t.post(
        &format!(
            "/api/v1/appointments/{}/outcome",
            visit[0]["id"].as_str().unwrap()
        ),
        &officer,
        json!({"version": 1, "outcome": "missed"}),
    )
    .await;
    let queue = t.get("/api/v1/work-queue", &officer).await.json();
    assert_eq!(rules(&queue), ["appointment_missed"], "{queue}");
    assert_eq!(queue["alerts"][0]["severity"], "high");
    assert_eq!(
        queue["today"][0]["kind"], "home_visit",
        "today's appointments: {queue}"
    );
    let cookie = t.session("officer").await;
    let work = t.page("/work", &cookie).await.text();
    let missed = format!(
        r#"href="/appointments/{}""#,
        visit[0]["id"].as_str().unwrap()
    );
    assert!(
        work.contains(&missed),
        "the alert leads to the appointment: {work}"
    );

    // An adverse test, an overdue condition, a court date tomorrow, a
    // silence of more than 30 days and an end date near.
    t.post(
        &format!("{case}/drug-tests"),
        &officer,
        json!({"collected_at": local(-5), "specimen": "urine", "outcome": "refused"}),
    )
    .await;
    let yesterday = t.app.today() - Duration::days(1);
    t.post(
        &format!("{case}/conditions"),
        &officer,
        json!({"kind": "community_service", "title": "Hours", "target": 20, "due_date": yesterday}),
    )
    .await;
    let tomorrow = (crate::helpers::local(0) + Duration::days(1))
        .format("%Y-%m-%dT10:00")
        .to_string();
    t.post(
        &format!("{case}/appointments"),
        &officer,
        json!({"kind": "court_date", "starts_at": tomorrow, "location": "Dept. 3"}),
    )
    .await;
    let mut tx = t.app.db.write().await.unwrap();
    let id: bridgeway::domain::ids::CaseId = case_id.parse().unwrap();
    exec!(
        &mut tx,
        sqlx::query("UPDATE cases SET start_date = $1, expected_end_date = $2 WHERE id = $3")
            .bind(t.app.today() - Duration::days(60))
            .bind(t.app.today() + Duration::days(10))
            .bind(id)
    )
    .unwrap();
    tx.commit().await.unwrap();
    let queue = t.get("/api/v1/work-queue", &officer).await.json();
    let mut recorded = rules(&queue);
    recorded.sort();
    assert_eq!(
        recorded,
        [
            "appointment_missed",
            "condition_overdue",
            "court_tomorrow",
            "test_adverse"
        ],
        "raised as they were recorded: {queue}"
    );
    let raised = sweep(&t.app).await.unwrap();
    assert_eq!(
        raised, 2,
        "no contact and the end date near (set outside Bridgeway)"
    );
    assert_eq!(
        sweep(&t.app).await.unwrap(),
        0,
        "a second sweep raises nothing new"
    );
    let queue = t.get("/api/v1/work-queue", &officer).await.json();
    let mut high: Vec<String> = rules(&queue)[..3].to_vec();
    high.sort();
    assert_eq!(
        high,
        ["appointment_missed", "court_tomorrow", "test_adverse"],
        "{queue}"
    );
    let mut medium: Vec<String> = rules(&queue)[3..5].to_vec();
    medium.sort();
    assert_eq!(medium, ["condition_overdue", "no_contact"]);
    assert_eq!(rules(&queue)[5], "case_ending", "low last");

    // Acknowledged, then resolved with a note; resolved alerts stay resolved.
    let first = queue["alerts"][0]["id"].as_str().unwrap().to_owned();
    let ack = t
        .post(
            &format!("/api/v1/alerts/{first}/acknowledge"),
            &officer,
            json!({}),
        )
        .await;
    assert_eq!(ack.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.post(
            &format!("/api/v1/alerts/{first}/acknowledge"),
            &other,
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let empty = t
        .post(
            &format!("/api/v1/alerts/{first}/resolve"),
            &officer,
            json!({"note": " "}),
        )
        .await;
    assert_eq!(empty.error_fields(), ["note"]);
    let done = t
        .post(
            &format!("/api/v1/alerts/{first}/resolve"),
            &officer,
            json!({"note": "Called; rescheduled for Thursday"}),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    let again = t
        .post(
            &format!("/api/v1/alerts/{first}/resolve"),
            &officer,
            json!({"note": "again"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.json()["code"],
        "conflict",
        "not a stale version: reloading will not help"
    );
    assert_eq!(sweep(&t.app).await.unwrap(), 0, "not raised again");
    assert_eq!(
        rules(&t.get("/api/v1/work-queue", &officer).await.json()).len(),
        5
    );

    // The supervisor sees the team's queue and each officer's load; another officer sees none of it.
    let team = t.get("/api/v1/work-queue", &sup).await.json();
    assert_eq!(rules(&team).len(), 5);
    let load = team["team"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["full_name"] == "officer (test)")
        .cloned()
        .unwrap();
    assert_eq!(
        (load["open_cases"].as_i64(), load["open_alerts"].as_i64()),
        (Some(1), Some(5))
    );
    assert!(rules(&t.get("/api/v1/work-queue", &other).await.json()).is_empty());
    assert_eq!(t.audit_count(Action::AlertResolve).await, 1);

    // The officer's home is the queue.
    let cookie = t.session("officer").await;
    assert_eq!(t.page("/", &cookie).await.headers["location"], "/work");
    let page = t.page("/work", &cookie).await.text();
    assert!(
        page.contains("Court date tomorrow") && page.contains("5 open"),
        "{page}"
    );
    assert!(
        !page.contains("Assigned to"),
        "an officer's own queue needs no owner column"
    );
    // A supervisor's queue names whose each alert is.
    let page = t.page("/work", &t.session("sup").await).await.text();
    assert!(
        page.contains(r#"<td data-label="Assigned to">officer (test)</td>"#),
        "{page}"
    );
    // Each officer's open alerts lead to their cases that have alerts.
    let drill = format!("/caseload?officer={}&amp;attention=alerts", officer.id);
    assert!(page.contains(&drill), "{page}");
    let sup = t.session("sup").await;
    let theirs = t.page(&drill.replace("&amp;", "&"), &sup).await.text();
    assert!(theirs.contains("Lee, Ann"), "{theirs}");

    // The participant's timeline tells the story.
    let person = format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap());
    let timeline = t.get(&person, &officer).await.json()["timeline"].clone();
    let kinds: std::collections::BTreeSet<String> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["alert", "appointment", "drug_test", "status"],
        "{timeline}"
    );
    let page = t
        .page(
            &format!("/people/{}", opened["person_id"].as_str().unwrap()),
            &cookie,
        )
        .await
        .text();
    assert!(page.contains("Called; rescheduled for Thursday"), "{page}");
    assert!(page.contains("Urine test: Refused"), "{page}");
}

async fn a_contact_standard_falling_short_late_in_the_month_is_raised(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case_id = opened["case_id"].as_str().unwrap().to_owned();
    let case = format!("/api/v1/cases/{case_id}");
    t.activate(&case_id, &officer).await;
    t.post(
        &format!("{case}/contacts"),
        &officer,
        json!({"kind": "phone", "occurred_at": local(-2)}),
    )
    .await;
    let level = |l: &str| t.set_level(&case, &officer, json!(l));
    let now = t.app.now();
    let month_start = now - Duration::days(20);
    let at = |late| bridgeway::store::casework::alerts::SweepAt {
        now,
        today: now.date_naive(),
        no_contact_since: now - Duration::days(30),
        tomorrow: (now + Duration::days(1), now + Duration::days(2)),
        no_contact_days: 30,
        case_ending_days: 30,
        due_soon_days: 14,
        month: (month_start.date_naive(), month_start),
        late_in_month: late,
        standards: [(4, 1), (2, 0), (1, 0), (0, 0)],
    };
    let id: bridgeway::domain::ids::CaseId = case_id.parse().unwrap();
    let swept = |late| {
        let t = &t;
        async move {
            let mut tx = t.app.db.write().await.unwrap();
            let n = bridgeway::store::casework::alerts::sweep(
                &mut tx,
                &at(late),
                bridgeway::store::casework::alerts::CaseSpan::one(id),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            n
        }
    };
    level("low").await;
    assert_eq!(swept(true).await, 0, "one contact meets the low standard");
    level("high").await;
    assert_eq!(swept(false).await, 0, "too early in the month to warn");
    assert_eq!(
        swept(true).await,
        1,
        "high asks for four contacts and a home visit"
    );
    assert_eq!(swept(true).await, 0, "once a month");
    let queue = t.get("/api/v1/work-queue", &officer).await.json();
    assert_eq!(rules(&queue), ["contact_standard"]);
    assert_eq!(queue["alerts"][0]["detail"], "high");
}

/// Opens a case for `holder` (nobody when `None`) and gives it `n` open
/// alerts of every severity and a spread of due dates.
async fn case_with_alerts(
    t: &TestApp,
    by: &crate::helpers::User,
    program: bridgeway::domain::ids::ProgramId,
    holder: Option<bridgeway::domain::ids::UserId>,
    (last, born): (&str, &str),
    n: usize,
) -> String {
    let opened = t
        .post(
            "/api/v1/intake",
            by,
            crate::helpers::referral(program, "Queue", last, born, holder),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    let case_id = opened.json()["case_id"].as_str().unwrap().to_owned();
    let case: bridgeway::domain::ids::CaseId = case_id.parse().unwrap();
    let mut tx = t.app.db.write().await.unwrap();
    for i in 0..n {
        let (rule, severity, priority) = [
            ("test_adverse", "high", 0),
            ("no_contact", "medium", 1),
            ("case_ending", "low", 2),
        ][i % 3];
        exec!(
            &mut tx,
            sqlx::query(
                "INSERT INTO alerts (id, case_id, officer_id, rule, occurrence, severity, \
                 priority, detail, due_on, raised_at) SELECT $1, c.id, c.officer_id, $2, $3, $4, \
                 $5, 'x', $6, $7 FROM cases c WHERE c.id = $8"
            )
            .bind(bridgeway::domain::ids::AlertId::new())
            .bind(rule)
            .bind(format!("{case_id}:{i}"))
            .bind(severity)
            .bind(priority as i16)
            .bind(t.app.today() + Duration::days((i % 7) as i64))
            .bind(t.app.now())
            .bind(case)
        )
        .unwrap();
    }
    tx.commit().await.unwrap();
    case_id
}

/// Every open alert of a queue, a page at a time, checking each page's order.
async fn whole_queue(t: &TestApp, who: &crate::helpers::User) -> (Vec<String>, i64) {
    let rank = |a: &Value| match a["severity"].as_str().unwrap() {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    let (mut ids, mut pages, mut path) = (Vec::new(), 0, "/api/v1/work-queue".to_owned());
    loop {
        let page = t.get(&path, who).await.json();
        pages += 1;
        let alerts = page["alerts"].as_array().unwrap();
        assert!(alerts.len() <= 100, "a page at a time");
        let keys: Vec<_> = alerts
            .iter()
            .map(|a| (rank(a), a["due_on"].as_str().unwrap().to_owned()))
            .collect();
        assert!(keys.is_sorted(), "most severe, then soonest due: {keys:?}");
        ids.extend(alerts.iter().map(|a| a["id"].as_str().unwrap().to_owned()));
        match page["next_after"].as_str() {
            Some(next) => path = format!("/api/v1/work-queue?after={next}"),
            None => {
                assert_eq!(page["open_alerts"].as_i64().unwrap() as usize, ids.len());
                assert_eq!(
                    pages,
                    ids.len().div_ceil(100).max(1),
                    "full pages until the last"
                );
                return (ids, page["open_alerts"].as_i64().unwrap());
            }
        }
    }
}

async fn the_work_queue_pages_through_its_parts_and_follows_a_reassigned_case(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let mine = t.user("mine", Role::Officer, Some(sup.id), None).await;
    let elsewhere = t.user("elsewhere", Role::Officer, None, None).await;
    let colleague = t.user("colleague", Role::Officer, Some(sup.id), None).await;
    let stranger = t.user("stranger", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;

    let held = case_with_alerts(
        &t,
        &mine,
        program,
        Some(mine.id),
        ("Adams", "1980-01-01"),
        120,
    )
    .await;
    case_with_alerts(&t, &sup, program, None, ("Baker", "1981-02-02"), 60).await;
    let shared = case_with_alerts(
        &t,
        &elsewhere,
        program,
        Some(elsewhere.id),
        ("Chavez", "1982-03-03"),
        40,
    )
    .await;
    case_with_alerts(
        &t,
        &stranger,
        program,
        Some(stranger.id),
        ("Dunn", "1983-04-04"),
        30,
    )
    .await;
    let share = json!({"username": "sup", "reason": "covering"});
    let res = t
        .post(&format!("/api/v1/cases/{shared}/shares"), &elsewhere, share)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());

    // The supervisor's queue: their officer's, the unassigned and the shared
    // case's alerts, each once, in order across pages; none of the stranger's.
    let (team, total) = whole_queue(&t, &sup).await;
    assert_eq!(total, 120 + 60 + 40);
    let unique: std::collections::HashSet<_> = team.iter().collect();
    assert_eq!(unique.len(), team.len(), "no alert twice");
    assert_eq!(whole_queue(&t, &mine).await.1, 120);
    assert_eq!(whole_queue(&t, &elsewhere).await.1, 40);

    // Reassigning a case moves its alerts to the new officer's queue.
    let case = t.get(&format!("/api/v1/cases/{held}"), &sup).await.json();
    let mut details = json!({"referral_source": "Court", "referral_date": "2026-10-02",
        "docket_number": "CR-9", "officer_id": colleague.id});
    details["court"] = case["court"].clone();
    let res = t
        .api(
            "PUT",
            &format!("/api/v1/cases/{held}"),
            &sup,
            Some(json!({"version": case["version"], "case": details})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(whole_queue(&t, &colleague).await.1, 120);
    assert_eq!(whole_queue(&t, &mine).await.1, 0);
    assert_eq!(whole_queue(&t, &sup).await.1, 220, "still the team's");

    // A page must continue after an alert that exists.
    let missing = t
        .get(
            &format!("/api/v1/work-queue?after={}", uuid::Uuid::new_v4()),
            &sup,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.text());
    let garbled = t.get("/api/v1/work-queue?after=page-2", &sup).await;
    assert_eq!(
        garbled.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        garbled.text()
    );
    assert!(garbled.text().contains("after"), "{}", garbled.text());
}

async fn the_sweep_covers_every_case_a_span_per_write(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let born = [
        "1980-01-01",
        "1981-02-02",
        "1982-03-03",
        "1983-04-04",
        "1984-05-05",
    ];
    for (i, born) in born.iter().enumerate() {
        let last = format!("Ending{}", ["A", "B", "C", "D", "E"][i]);
        let referral = crate::helpers::referral(program, "Sweep", &last, born, Some(officer.id));
        let opened = t.post("/api/v1/intake", &officer, referral).await.json();
        let case_id = opened["case_id"].as_str().unwrap().to_owned();
        t.activate(&case_id, &officer).await;
        let mut tx = t.app.db.write().await.unwrap();
        let id: bridgeway::domain::ids::CaseId = case_id.parse().unwrap();
        exec!(
            &mut tx,
            sqlx::query("UPDATE cases SET expected_end_date = $1 WHERE id = $2")
                .bind(t.app.today() + Duration::days(3))
                .bind(id)
        )
        .unwrap();
        tx.commit().await.unwrap();
    }
    let before = t.audit_count(Action::AlertSweep).await;
    let raised = bridgeway::app::casework::alerts::sweep_in_spans(&t.app, 2)
        .await
        .unwrap();
    assert!(raised >= 5, "{raised}");
    let queue = t.get("/api/v1/work-queue", &officer).await.json();
    let ending = rules(&queue).iter().filter(|r| *r == "case_ending").count();
    assert_eq!(ending, 5, "every span swept: {:?}", rules(&queue));
    assert_eq!(
        t.audit_count(Action::AlertSweep).await - before,
        3,
        "five cases two at a time: three writes, each audited"
    );
    assert_eq!(sweep(&t.app).await.unwrap(), 0, "nothing raised twice");
}

/// Opens and activates a case for a participant named `last`, held by `officer`.
async fn active_case(
    t: &TestApp,
    officer: &crate::helpers::User,
    program: bridgeway::domain::ids::ProgramId,
    last: &str,
) -> String {
    let referral = crate::helpers::referral(program, "Days", last, "1985-06-06", Some(officer.id));
    let opened = t.post("/api/v1/intake", officer, referral).await.json();
    let case_id = opened["case_id"].as_str().unwrap().to_owned();
    t.activate(&case_id, officer).await;
    case_id
}

async fn set_case_dates(t: &TestApp, case_id: &str, column: &str, date: chrono::NaiveDate) {
    let id: bridgeway::domain::ids::CaseId = case_id.parse().unwrap();
    let mut tx = t.app.db.write().await.unwrap();
    exec!(
        &mut tx,
        sqlx::query(&format!("UPDATE cases SET {column} = $1 WHERE id = $2"))
            .bind(date)
            .bind(id)
    )
    .unwrap();
    tx.commit().await.unwrap();
}

async fn the_sweep_reads_only_what_the_days_since_the_last_one_brought(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let watched = active_case(&t, &officer, program, "Watched").await;
    let aside = active_case(&t, &officer, program, "Aside").await;
    let case = format!("/api/v1/cases/{watched}");
    let today = t.app.today();
    // Each of these is one day short of raising its alert.
    let a_month_ago = (crate::helpers::local(0) - Duration::days(30)).format("%Y-%m-%dT23:00");
    let contact = json!({"kind": "office", "occurred_at": a_month_ago.to_string()});
    let logged = t.post(&format!("{case}/contacts"), &officer, contact).await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text());
    set_case_dates(&t, &watched, "start_date", today - Duration::days(60)).await;
    set_case_dates(
        &t,
        &watched,
        "expected_end_date",
        today + Duration::days(31),
    )
    .await;
    let condition = json!({"kind": "classes", "title": "Parenting class", "due_date": today});
    assert_eq!(
        t.post(&format!("{case}/conditions"), &officer, condition)
            .await
            .status,
        StatusCode::CREATED
    );
    let day_after = (crate::helpers::local(0) + Duration::days(2)).format("%Y-%m-%dT10:00");
    let court = json!({"kind": "court_date", "starts_at": day_after.to_string()});
    t.post(&format!("{case}/appointments"), &officer, court)
        .await;
    assert_eq!(sweep(&t.app).await.unwrap(), 0, "nothing is due yet");

    // Changed behind Bridgeway's back (no event raised it): the day's sweep
    // does not read it, a full sweep does.
    set_case_dates(&t, &aside, "expected_end_date", today + Duration::days(3)).await;

    t.advance(Duration::days(1));
    let before = t.audit_count(Action::AlertSweep).await;
    assert_eq!(sweep(&t.app).await.unwrap(), 4);
    let queue = t.get("/api/v1/work-queue", &officer).await.json();
    let mut raised = rules(&queue);
    raised.sort();
    assert_eq!(
        raised,
        [
            "case_ending",
            "condition_overdue",
            "court_tomorrow",
            "no_contact"
        ],
        "{queue}"
    );
    assert!(
        queue["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["case_id"] == watched.as_str()),
        "{queue}"
    );
    assert_eq!(
        t.audit_count(Action::AlertSweep).await - before,
        4,
        "each write that raised something is audited"
    );
    assert_eq!(sweep(&t.app).await.unwrap(), 0, "the day is swept");
    assert_eq!(
        bridgeway::app::casework::alerts::sweep_all(&t.app)
            .await
            .unwrap(),
        1,
        "the full sweep finds the end date moved outside Bridgeway"
    );
}

/// The queue's page groups alerts by participant, filters them by rule and
/// severity, marks many as seen at once (all or none), and lists the
/// reader's drafts waiting to be signed.
async fn the_work_queue_groups_filters_and_marks_seen_together(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Probation", json!({})).await;
    let first = case_with_alerts(
        &t,
        &officer,
        program,
        Some(officer.id),
        ("Ames", "1980-01-01"),
        3,
    )
    .await;
    case_with_alerts(
        &t,
        &officer,
        program,
        Some(officer.id),
        ("Bell", "1981-01-01"),
        2,
    )
    .await;
    let cookie = t.session("officer").await;
    let page = t.page("/work", &cookie).await.text();
    assert!(page.contains("5 open, for 2 participants"), "{page}");
    assert_eq!(page.matches(r#"<th scope="rowgroup""#).count(), 2, "{page}");
    assert!(
        page.contains("Ames, Queue</a> <small>") && page.contains("· 3 open</small>"),
        "{page}"
    );
    for (filter, open) in [
        ("severity=high", "2 open"),
        ("rule=no_contact", "2 open"),
        ("rule=case_ending&severity=high", "0 open"),
    ] {
        let page = t.page(&format!("/work?{filter}"), &cookie).await.text();
        assert!(page.contains(open), "{filter}: {page}");
    }

    let ids: Vec<String> = page
        .split(r#"form="mark-seen" name="seen."#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect();
    assert_eq!(ids.len(), 5, "each unseen alert has its box");
    assert_eq!(
        page.matches(r#"<input type="hidden" name="seen."#).count(),
        5,
        "and the button marking all of them carries them all"
    );
    assert!(page.contains("Mark all 5 shown as seen"));
    let nobody = bridgeway::domain::ids::AlertId::new().to_string();
    let ticked = |ids: &[&String]| -> Vec<(String, String)> {
        ids.iter()
            .map(|id| (format!("seen.{id}"), "on".to_owned()))
            .collect()
    };
    let send = |pairs: Vec<(String, String)>| {
        let (t, cookie) = (&t, &cookie);
        async move {
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            t.form("/alerts/acknowledge", cookie, &pairs).await.status
        }
    };
    assert_eq!(
        send(ticked(&[&ids[0], &ids[1], &nobody])).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.audit_count(Action::AlertAcknowledge).await,
        0,
        "none marked when one cannot be"
    );
    assert_eq!(send(Vec::new()).await, StatusCode::UNPROCESSABLE_ENTITY);
    let all: Vec<&String> = ids.iter().collect();
    assert_eq!(send(ticked(&all)).await, StatusCode::SEE_OTHER);
    assert_eq!(t.audit_count(Action::AlertAcknowledge).await, 5);
    let page = t.page("/work", &cookie).await.text();
    assert!(
        !page.contains(r#"name="seen."#) && !page.contains("Mark the ticked"),
        "{page}"
    );

    // A draft waits in the queue until it is signed.
    let notes = format!("/api/v1/cases/{first}/notes");
    let draft = t
        .post(
            &notes,
            &officer,
            json!({"kind": "contact", "text": "Half-written", "sign": false}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text());
    let page = t.page("/work", &cookie).await.text();
    let link = format!(
        r#"<a href="/notes/{}">Contact note on Ames, Queue</a>"#,
        draft.json()["note"]["id"].as_str().unwrap()
    );
    assert!(
        page.contains("Drafts to sign") && page.contains(&link),
        "{page}"
    );
}

on_both_databases!(
    the_work_queue_groups_filters_and_marks_seen_together,
    rules_raise_alerts_once_and_the_queue_orders_them,
    a_contact_standard_falling_short_late_in_the_month_is_raised,
    the_work_queue_pages_through_its_parts_and_follows_a_reassigned_case,
    the_sweep_covers_every_case_a_span_per_write,
    the_sweep_reads_only_what_the_days_since_the_last_one_brought,
);
