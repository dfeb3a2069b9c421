//! Supervision levels and contact standards, appointments (weekly series,
//! outcomes) and contacts.

use crate::fetch;
use crate::helpers::{glance, local, test_zone, Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use chrono::{NaiveDateTime, Utc};
use serde_json::json;

fn stamp(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

async fn appointments_and_contacts_count_toward_the_contact_standard(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let before =
        t.get(&format!("{case}/supervision"), &officer).await.json()["case_version"].clone();
    let overview = t.set_level(&case, &officer, json!("high")).await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.text());
    let overview = overview.json();
    assert_eq!(
        overview["case_version"],
        before.as_i64().unwrap() + 1,
        "the answer names the case's new version"
    );
    assert_eq!(
        overview["standard"],
        json!({"contacts": 4, "home_visits": 1})
    );
    assert_eq!(overview["standard_met"], false);
    let bad_level = t.set_level(&case, &officer, json!("extreme")).await;
    assert_eq!(bad_level.error_fields(), ["level"]);
    let stale = t
        .api(
            "PUT",
            &format!("{case}/supervision-level"),
            &officer,
            Some(json!({"version": before, "level": "low"})),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::CONFLICT,
        "a level set on a stale version of the case is refused: {}",
        stale.text()
    );

    // A weekly series keeps its local time.
    let next_week = local(7 * 24 * 60).date().and_hms_opt(9, 0, 0).unwrap();
    let series = t
        .post(&format!("{case}/appointments"), &officer, json!({"kind": "office_visit", "starts_at": stamp(next_week), "weekly_occurrences": 4, "location": "Room 2"}))
        .await;
    assert_eq!(series.status, StatusCode::CREATED, "{}", series.text());
    let series = series.json();
    let items = series.as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert!(items
        .iter()
        .all(|a| a["series_id"] == items[0]["series_id"] && !a["series_id"].is_null()));
    for a in items {
        let at: chrono::DateTime<Utc> = a["starts_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            at.with_timezone(&test_zone()).format("%H:%M").to_string(),
            "09:00"
        );
    }
    for (body, field) in [
        (
            json!({"kind": "office_visit", "starts_at": stamp(local(-3 * 24 * 60))}),
            "starts_at",
        ),
        (
            json!({"kind": "office_visit", "starts_at": stamp(next_week), "duration_minutes": 1}),
            "duration_minutes",
        ),
        (
            json!({"kind": "office_visit", "starts_at": stamp(next_week), "weekly_occurrences": 60}),
            "weekly_occurrences",
        ),
        (
            json!({"kind": "office_visit", "starts_at": "next tuesday"}),
            "starts_at",
        ),
    ] {
        let res = t
            .post(&format!("{case}/appointments"), &officer, body)
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        assert_eq!(res.error_fields(), [field]);
    }
    let future = &items[0];
    let outcome = format!(
        "/api/v1/appointments/{}/outcome",
        future["id"].as_str().unwrap()
    );
    let early = t
        .post(
            &outcome,
            &officer,
            json!({"version": future["version"], "outcome": "attended"}),
        )
        .await;
    assert_eq!(early.error_fields(), ["outcome"]);
    let moved = t.post(&outcome, &officer, json!({"version": future["version"], "outcome": "rescheduled", "note": "Court conflict"})).await;
    assert_eq!(moved.json()["outcome"], "rescheduled", "{}", moved.text());
    let stale = t
        .post(
            &outcome,
            &officer,
            json!({"version": future["version"], "outcome": "rescheduled"}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // An attended visit counts as a contact; so do logged ones, but not
    // collateral contacts or letters.
    let just_now = t
        .post(
            &format!("{case}/appointments"),
            &officer,
            json!({"kind": "home_visit", "starts_at": stamp(local(-1))}),
        )
        .await
        .json();
    let attended = t
        .post(
            &format!(
                "/api/v1/appointments/{}/outcome",
                just_now[0]["id"].as_str().unwrap()
            ),
            &officer,
            json!({"version": just_now[0]["version"], "outcome": "attended"}),
        )
        .await;
    assert_eq!(attended.status, StatusCode::OK, "{}", attended.text());
    for body in [
        json!({"kind": "phone", "occurred_at": stamp(local(-2)), "note": "Said the new job starts Monday"}),
        json!({"kind": "phone", "occurred_at": stamp(local(-2)), "collateral": "employer", "collateral_name": "Shift manager"}),
        json!({"kind": "written", "occurred_at": stamp(local(-2))}),
    ] {
        let res = t.post(&format!("{case}/contacts"), &officer, body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    for (body, field) in [
        (
            json!({"kind": "phone", "occurred_at": stamp(local(60))}),
            "occurred_at",
        ),
        (
            json!({"kind": "phone", "occurred_at": stamp(local(-2)), "collateral_name": "Mum"}),
            "collateral",
        ),
        (
            json!({"kind": "telepathy", "occurred_at": stamp(local(-2))}),
            "kind",
        ),
    ] {
        let res = t.post(&format!("{case}/contacts"), &officer, body).await;
        assert_eq!(res.error_fields(), [field], "{}", res.text());
    }
    let overview = t.get(&format!("{case}/supervision"), &officer).await.json();
    assert_eq!(
        overview["this_month"],
        json!({"contacts": 2, "home_visits": 1}),
        "{overview}"
    );
    assert_eq!(overview["standard_met"], false, "high asks for four");
    assert_eq!(overview["contacts"].as_array().unwrap().len(), 4);
    assert_eq!(overview["recent"][0]["outcome"], "attended");
    let low = t.set_level(&case, &officer, json!("low")).await.json();
    assert_eq!(low["standard_met"], true);

    let mut tx = t.app.db.read().await.unwrap();
    let note: String = fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT note FROM contacts WHERE note IS NOT NULL")
    )
    .unwrap();
    drop(tx);
    assert!(note.starts_with("$k1$") && !note.contains("Monday"));
    assert_eq!(t.audit_count(Action::ContactCreate).await, 3);
    assert_eq!(t.audit_count(Action::AppointmentOutcome).await, 2);
}

async fn supervision_follows_the_case_access_rules(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let other = t.user("other", Role::Officer, None, None).await;
    let court = t
        .user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let visit = json!({"kind": "office_visit", "starts_at": stamp(local(24 * 60))});
    let made = t
        .post(&format!("{case}/appointments"), &officer, visit.clone())
        .await
        .json();
    let outcome = format!(
        "/api/v1/appointments/{}/outcome",
        made[0]["id"].as_str().unwrap()
    );
    let moved = json!({"version": 1, "outcome": "rescheduled"});
    assert_eq!(
        t.get(&format!("{case}/supervision"), &other).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.post(&format!("{case}/appointments"), &other, visit.clone())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.post(&outcome, &other, moved.clone()).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("{case}/supervision"), &court).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.post(&format!("{case}/appointments"), &court, visit)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post(&outcome, &court, moved.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post(&outcome, &officer, moved).await.status,
        StatusCode::OK
    );
}

async fn supervision_is_worked_from_the_case_page(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let cookie = t.session("officer").await;
    let case = format!("/cases/{}", opened["case_id"].as_str().unwrap());
    let version = t.get(&format!("/api/v1{case}"), &officer).await.json()["version"].to_string();
    let level = format!("{case}/supervision-level");
    assert_eq!(
        t.form(
            &level,
            &cookie,
            &[("version", &version), ("level", "moderate")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let stale = t
        .form(&level, &cookie, &[("version", &version), ("level", "high")])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    let bad = t
        .form(
            &format!("{case}/appointments"),
            &cookie,
            &[
                ("kind", "office_visit"),
                ("starts_at", "tomorrow"),
                ("duration_minutes", ""),
                ("location", ""),
                ("weekly_occurrences", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().contains("is not a local date and time"),
        "{}",
        bad.text()
    );
    let when = stamp(local(24 * 60));
    let scheduled = t
        .form(
            &format!("{case}/appointments"),
            &cookie,
            &[
                ("kind", "office_visit"),
                ("starts_at", &when),
                ("duration_minutes", "45"),
                ("location", "Room 2"),
                ("weekly_occurrences", "2"),
            ],
        )
        .await;
    assert_eq!(
        scheduled.status,
        StatusCode::SEE_OTHER,
        "{}",
        scheduled.text()
    );
    let logged = t
        .form(
            &format!("{case}/contacts"),
            &cookie,
            &[
                ("kind", "home"),
                ("occurred_at", &stamp(local(-5))),
                ("place", ""),
                ("collateral", ""),
                ("collateral_name", ""),
                ("note", "Met the landlord"),
            ],
        )
        .await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.text());
    let page = t.page(&case, &cookie).await.text();
    assert!(page.contains("Level: <strong>Moderate</strong>"), "{page}");
    let level = glance(&page, "Supervision level");
    assert!(level.starts_with("Moderate"), "{level}");
    assert!(level.contains("this month 1 of 2 contacts"), "{level}");
    assert!(level.contains("not yet met"), "{level}");
    let contact = glance(&page, "Last contact");
    assert!(contact.starts_with("<strong>today</strong>"), "{contact}");
    let next = glance(&page, "Next appointment");
    assert!(
        next.contains(&local(24 * 60).format("%Y-%m-%d %H:%M").to_string()),
        "{next}"
    );
    assert!(next.contains("Office visit, Room 2"), "{next}");
    assert_eq!(
        page.matches("Weekly from").count(),
        1,
        "the weekly series is one line"
    );
    assert!(
        page.contains("<summary>2 not yet recorded</summary>"),
        "{page}"
    );
    assert_eq!(
        page.matches(r#"aria-label="Outcome of Office visit on "#)
            .count(),
        2,
        "each occurrence keeps its outcome form"
    );
    assert!(page.contains("Met the landlord"));
    let person = t
        .page(
            &format!("/people/{}", opened["person_id"].as_str().unwrap()),
            &cookie,
        )
        .await
        .text();
    assert!(
        person.contains("Home visit contact with the participant: Met the landlord"),
        "the contact is on the participant's timeline: {person}"
    );
}

/// A write answers with what it wrote, however much history the case has:
/// a contact logged late, behind fifty newer ones, comes back as stored.
async fn a_late_contact_behind_fifty_newer_ones_is_logged_and_returned(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    for _ in 0..50 {
        let newer = json!({"kind": "phone", "occurred_at": stamp(local(-1))});
        let res = t.post(&format!("{case}/contacts"), &officer, newer).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let late = json!({"kind": "home", "occurred_at": stamp(local(-3 * 24 * 60)),
        "place": "  The participant's flat ", "note": "Tidy, lease on the table"});
    let res = t.post(&format!("{case}/contacts"), &officer, late).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let logged = res.json();
    assert_eq!(logged["kind"], "home");
    assert_eq!(logged["note"], "Tidy, lease on the table");
    let stored: String = crate::fetch!(
        &mut t.app.db.read().await.unwrap(),
        fetch_one,
        sqlx::query_scalar("SELECT place FROM contacts WHERE kind = 'home'")
    )
    .unwrap();
    assert_eq!(logged["place"], stored.as_str(), "returned as stored");
    assert_eq!(logged["recorded_by"], "officer (test)");
}

/// Lists sorted by time break ties by id, so rows at the same minute come
/// in one order however the database stores them (after a restore, say).
async fn rows_at_the_same_time_keep_their_order(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let at = stamp(local(-5));
    for note in ["first", "second", "third", "fourth"] {
        let body = json!({"kind": "phone", "occurred_at": at, "note": note});
        let res = t.post(&format!("{case}/contacts"), &officer, body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let listed = || async {
        let overview = t.get(&format!("{case}/supervision"), &officer).await.json();
        overview["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["note"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let before = listed().await;
    assert_eq!(
        before,
        ["fourth", "third", "second", "first"],
        "newest first"
    );
    // The two oldest rows taken out and put back as they were, as a restore
    // may: they now sit after the others in the table and in its indexes'
    // ties. (Notes are sealed: rows are picked by id.)
    let mut tx = t.app.db.write().await.unwrap();
    for sql in [
        "CREATE TEMPORARY TABLE moved AS SELECT * FROM contacts ORDER BY id LIMIT 2",
        "DELETE FROM contacts WHERE id IN (SELECT id FROM moved)",
        "INSERT INTO contacts SELECT * FROM moved",
        "DROP TABLE moved",
    ] {
        crate::exec!(&mut tx, sqlx::query(sql)).unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(
        listed().await,
        before,
        "the same order after the rows moved"
    );
}

on_both_databases!(
    rows_at_the_same_time_keep_their_order,
    a_late_contact_behind_fifty_newer_ones_is_logged_and_returned,
    supervision_is_worked_from_the_case_page,
    appointments_and_contacts_count_toward_the_contact_standard,
    supervision_follows_the_case_access_rules,
);
