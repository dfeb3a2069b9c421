//! Changing appointments: moving or editing one or the rest of a weekly
//! series (across a change of clocks), cancelling them, and the warning on
//! a double booking, by the API and from the appointment's page.

use crate::helpers::{form_values, local, referral, set_value, test_zone, Backend, TestApp, User};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use bridgeway::domain::audit::Action;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

fn stamp(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// An appointment's start in the agency's zone, as `2027-03-03 10:30`.
fn local_start(a: &Value) -> String {
    let at: DateTime<Utc> = a["starts_at"].as_str().unwrap().parse().unwrap();
    at.with_timezone(&test_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

async fn book(t: &TestApp, case: &str, officer: &User, body: Value) -> Value {
    let made = t.post(&format!("{case}/appointments"), officer, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    made.json()
}

async fn a_series_moves_by_its_local_time_and_the_rest_is_cancelled(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    // Wednesdays at 09:00 across the start of daylight-saving time (14 March).
    let series = book(&t, &case, &officer, json!({"kind": "office_visit", "starts_at": "2027-03-03T09:00", "weekly_occurrences": 4, "location": "Room 2"})).await;
    let first = &series[0];
    let one = format!("/api/v1/appointments/{}", first["id"].as_str().unwrap());
    let change = |version: &Value, starts_at: &str, span: &str| json!({"version": version, "kind": "office_visit", "starts_at": starts_at, "duration_minutes": 45, "location": "Room 5", "span": span});
    let moved = t
        .api(
            "PUT",
            &one,
            &officer,
            Some(change(&first["version"], "2027-03-04T10:30", "following")),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    let moved = moved.json();
    let starts: Vec<String> = moved.as_array().unwrap().iter().map(local_start).collect();
    assert_eq!(
        starts,
        [
            "2027-03-04 10:30",
            "2027-03-11 10:30",
            "2027-03-18 10:30",
            "2027-03-25 10:30"
        ],
        "Thursdays at 10:30 local, before and after the clocks change"
    );
    assert!(moved
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["duration_minutes"] == 45 && a["location"] == "Room 5"));
    let stale = t
        .api(
            "PUT",
            &one,
            &officer,
            Some(change(&first["version"], "2027-03-04T11:00", "one")),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());

    // Only the one chosen moves; the series keeps the rest.
    let second = &moved[1];
    let alone = t
        .api(
            "PUT",
            &format!("/api/v1/appointments/{}", second["id"].as_str().unwrap()),
            &officer,
            Some(change(&second["version"], "2027-03-12T14:00", "one")),
        )
        .await;
    assert_eq!(
        alone.json().as_array().unwrap().len(),
        1,
        "{}",
        alone.text()
    );
    assert_eq!(local_start(&alone.json()[0]), "2027-03-12 14:00");

    // The past and nonsense are refused, naming the field.
    for (body, field) in [
        (
            change(&moved[0]["version"], &stamp(local(-3 * 24 * 60)), "one"),
            "starts_at",
        ),
        (
            json!({"version": moved[0]["version"], "kind": "office_visit", "starts_at": "2027-03-04T10:30", "duration_minutes": 2}),
            "duration_minutes",
        ),
        (
            change(&moved[0]["version"], "2027-03-04T10:30", "all of them"),
            "span",
        ),
    ] {
        let res = t.api("PUT", &one, &officer, Some(body)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        assert_eq!(res.error_fields(), [field]);
    }

    // The third and what follows are cancelled, with the reason kept.
    let third = &moved[2];
    let cancel = format!(
        "/api/v1/appointments/{}/cancel",
        third["id"].as_str().unwrap()
    );
    let no_reason = t
        .post(
            &cancel,
            &officer,
            json!({"version": third["version"], "reason": " ", "span": "following"}),
        )
        .await;
    assert_eq!(no_reason.error_fields(), ["reason"]);
    let cancelled = t
        .post(&cancel, &officer, json!({"version": third["version"], "reason": "Transferred to the east office", "span": "following"}))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text());
    let cancelled = cancelled.json();
    assert_eq!(cancelled.as_array().unwrap().len(), 2);
    assert!(cancelled
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["outcome"] == "cancelled"
            && a["outcome_note"] == "Transferred to the east office"));
    let again = t
        .api(
            "PUT",
            &format!("/api/v1/appointments/{}", third["id"].as_str().unwrap()),
            &officer,
            Some(change(&cancelled[0]["version"], "2027-03-19T10:30", "one")),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a cancelled one stays cancelled: {}",
        again.text()
    );
    assert!(
        again.text().contains("recorded as cancelled"),
        "{}",
        again.text()
    );
    let first_now = t.get(&one, &officer).await.json();
    assert_eq!(
        first_now["outcome"],
        Value::Null,
        "the first is still to be kept"
    );
    assert_eq!(t.audit_count(Action::AppointmentChange).await, 2);
    assert_eq!(t.audit_count(Action::AppointmentCancel).await, 1);

    // A calendar takes the moved event as the newer one.
    let cookie = t.session("officer").await;
    let feed = t
        .json_with_session("POST", "/api/v1/me/calendar-feed", &cookie, None)
        .await;
    let path = feed.json()["path"].as_str().unwrap().to_owned();
    t.advance(chrono::Duration::days(100));
    let ics = t
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await
        .text();
    assert!(ics.contains("SEQUENCE:1\r\n"), "{ics}");
}

async fn a_double_booking_is_named_and_kept_only_on_purpose(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (admin, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let program = t.get(&case, &officer).await.json()["program_id"].clone();
    let other: Value = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(
                serde_json::from_value(program).unwrap(),
                "Bo",
                "Park",
                "1988-02-02",
                Some(officer.id),
            ),
        )
        .await
        .json();
    let other_case = format!("/api/v1/cases/{}", other["case_id"].as_str().unwrap());
    drop(admin);
    let visit = book(
        &t,
        &case,
        &officer,
        json!({"kind": "office_visit", "starts_at": "2026-12-01T09:00"}),
    )
    .await;
    // The officer cannot see two people at once...
    let clash = t
        .post(
            &format!("{other_case}/appointments"),
            &officer,
            json!({"kind": "home_visit", "starts_at": "2026-12-01T09:15"}),
        )
        .await;
    assert_eq!(
        clash.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        clash.text()
    );
    assert_eq!(clash.error_fields(), ["book_anyway"]);
    let case_number = t.get(&case, &officer).await.json()["case_number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        clash.text().contains(&format!(
            "case {case_number}'s office visit, Tue 1 Dec 09:00–09:30"
        )),
        "{}",
        clash.text()
    );
    // ...but the other participant's class at that hour is not the officer's.
    book(
        &t,
        &other_case,
        &officer,
        json!({"kind": "class_session", "starts_at": "2026-12-01T09:00"}),
    )
    .await;
    // Touching is not overlapping.
    let after = book(
        &t,
        &other_case,
        &officer,
        json!({"kind": "home_visit", "starts_at": "2026-12-01T09:30"}),
    )
    .await;
    // Moving onto the visit is refused the same way, unless meant.
    let path = format!("/api/v1/appointments/{}", after[0]["id"].as_str().unwrap());
    let onto = json!({"version": after[0]["version"], "kind": "home_visit", "starts_at": "2026-12-01T09:10", "duration_minutes": 30});
    let refused = t.api("PUT", &path, &officer, Some(onto.clone())).await;
    assert_eq!(
        refused.error_fields(),
        ["book_anyway"],
        "{}",
        refused.text()
    );
    let mut meant = onto;
    meant["book_anyway"] = json!(true);
    let kept = t.api("PUT", &path, &officer, Some(meant)).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.text());
    // An appointment moved within its own time does not clash with itself.
    let own = format!("/api/v1/appointments/{}", visit[0]["id"].as_str().unwrap());
    let longer = json!({"version": visit[0]["version"], "kind": "office_visit", "starts_at": "2026-12-01T08:50", "duration_minutes": 15});
    assert_eq!(
        t.api("PUT", &own, &officer, Some(longer)).await.status,
        StatusCode::OK
    );
}

async fn an_appointment_is_moved_and_cancelled_from_its_page(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case_id = opened["case_id"].as_str().unwrap();
    let case = format!("/api/v1/cases/{case_id}");
    let visit = book(
        &t,
        &case,
        &officer,
        json!({"kind": "office_visit", "starts_at": "2026-12-01T09:00", "location": "Room 2"}),
    )
    .await;
    book(
        &t,
        &case,
        &officer,
        json!({"kind": "drug_test", "starts_at": "2026-12-02T09:00"}),
    )
    .await;
    let cookie = t.session("officer").await;
    let case_page = t.page(&format!("/cases/{case_id}"), &cookie).await.text();
    let page_path = format!("/appointments/{}", visit[0]["id"].as_str().unwrap());
    assert!(
        case_page.contains(&format!(r#"href="{page_path}""#)),
        "the case page links each appointment still to keep"
    );
    let page = t.page(&page_path, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    let mut values = form_values(&page, &page_path);
    let value = |values: &[(String, String)], name: &str| {
        values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(value(&values, "starts_at"), "2026-12-01T09:00");
    assert_eq!(value(&values, "location"), "Room 2");
    assert!(
        !page.contains("Book it anyway"),
        "no warning before a clash"
    );
    set_value(&mut values, "starts_at", "2026-12-02T09:10");
    let pairs = |values: &[(String, String)]| -> Vec<(String, String)> { values.to_vec() };
    let send = |values: Vec<(String, String)>, path: String| {
        let (t, cookie) = (&t, &cookie);
        async move {
            let pairs: Vec<(&str, &str)> = values
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            t.form(&path, cookie, &pairs).await
        }
    };
    let clash = send(pairs(&values), page_path.clone()).await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = clash.text();
    assert!(
        shown.contains("this case&#39;s drug test") || shown.contains("this case's drug test"),
        "{shown}"
    );
    assert!(
        shown.contains(r#"name="book_anyway""#),
        "the warning offers to book it anyway"
    );
    set_value(&mut values, "starts_at", "2026-12-03T10:00");
    let moved = send(pairs(&values), page_path.clone()).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text());
    assert_eq!(
        moved.headers["location"],
        format!("/cases/{case_id}#appointments").as_str()
    );

    let page = t.page(&page_path, &cookie).await.text();
    assert!(page.contains("Thu 2026-12-03 10:00"), "{page}");
    let cancel_path = format!("{page_path}/cancel");
    let mut cancel = form_values(&page, &cancel_path);
    let no_reason = send(pairs(&cancel), cancel_path.clone()).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    set_value(&mut cancel, "reason", "Participant in hospital");
    let done = send(pairs(&cancel), cancel_path.clone()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let page = t.page(&page_path, &cookie).await.text();
    assert!(
        page.contains("Cancelled — Participant in hospital"),
        "{page}"
    );
    assert!(!page.contains("Save the change"), "nothing left to change");
}

/// Two bookings of one officer's time sent at once: one is kept, the other
/// finds the clash (on PostgreSQL, whose connections write in parallel, as
/// on SQLite's single writer).
async fn bookings_sent_at_once_never_both_take_the_time(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let program = t
        .get(
            &format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap()),
            &officer,
        )
        .await
        .json()["program_id"]
        .clone();
    let mut cases = vec![opened["case_id"].as_str().unwrap().to_owned()];
    for (first, last) in [("Bo", "Park"), ("Cy", "Moss"), ("Di", "Wren")] {
        let more: Value = t
            .post(
                "/api/v1/intake",
                &officer,
                referral(
                    serde_json::from_value(program.clone()).unwrap(),
                    first,
                    last,
                    "1988-02-02",
                    Some(officer.id),
                ),
            )
            .await
            .json();
        cases.push(more["case_id"].as_str().unwrap().to_owned());
    }
    for round in 0..5 {
        let starts_at = format!("2026-12-0{}T09:00", round + 1);
        let paths: Vec<String> = cases
            .iter()
            .map(|case| format!("/api/v1/cases/{case}/appointments"))
            .collect();
        let visit = json!({"kind": "home_visit", "starts_at": starts_at});
        let book = |path| t.post(path, &officer, visit.clone());
        let (a, b, c, d) = tokio::join!(
            book(&paths[0]),
            book(&paths[1]),
            book(&paths[2]),
            book(&paths[3])
        );
        let answers = [a, b, c, d];
        let kept = answers
            .iter()
            .filter(|a| a.status == StatusCode::CREATED)
            .count();
        let refused = answers
            .iter()
            .filter(|a| a.status == StatusCode::UNPROCESSABLE_ENTITY)
            .count();
        assert_eq!((kept, refused), (1, cases.len() - 1), "round {round}");
    }
}

on_both_databases!(
    a_series_moves_by_its_local_time_and_the_rest_is_cancelled,
    a_double_booking_is_named_and_kept_only_on_purpose,
    an_appointment_is_moved_and_cancelled_from_its_page,
    bookings_sent_at_once_never_both_take_the_time,
);
