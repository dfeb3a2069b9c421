//! The officer's calendar and its iCalendar feed behind a revocable secret.

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::domain::audit::Action;
use chrono::Duration;
use serde_json::json;

async fn the_calendar_and_its_feed_show_appointments(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let tomorrow = t.app.today() + Duration::days(1);
    let made = t
        .post(&format!("{case}/appointments"), &officer, json!({"kind": "office_visit", "starts_at": format!("{tomorrow}T09:00"), "location": "Room 2, east wing"}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());

    let cookie = t.session("officer").await;
    let day = t
        .page(&format!("/calendar?view=day&date={tomorrow}"), &cookie)
        .await
        .text();
    assert!(
        day.contains("<strong>09:00</strong> Office visit") && day.contains("Lee, Ann"),
        "{day}"
    );
    let week = t
        .page(&format!("/calendar?date={tomorrow}"), &cookie)
        .await
        .text();
    assert_eq!(week.matches("<section aria-labelledby=\"day-").count(), 7);
    // The month: a grid from Monday, the appointment in its day's cell
    // (tomorrow is 19 November 2026 in the tests: 30 days, from a Sunday).
    let month = t
        .page(&format!("/calendar?view=month&date={tomorrow}"), &cookie)
        .await
        .text();
    assert!(
        month.contains("<caption>November 2026</caption>"),
        "{month}"
    );
    assert_eq!(
        month.matches(" scheduled\">").count(),
        30,
        "a cell a day: {month}"
    );
    assert_eq!(
        month.matches("<td class=\"outside\">").count(),
        12,
        "Monday to Saturday before the 1st, Tuesday to Sunday after the 30th"
    );
    let cell = format!(
        "aria-label=\"{}: 1 scheduled\"",
        tomorrow.format("%A %-d %B")
    );
    assert!(
        month.contains(&cell) && month.contains("<small>09:00</small>"),
        "{month}"
    );
    assert!(
        month.contains(r#"href="/calendar?view=month&amp;date=2026-12-01">Later</a>"#),
        "{month}"
    );

    // The feed: made by a signed-in person, read without a session.
    let by_token = t
        .post("/api/v1/me/calendar-feed", &officer, json!({}))
        .await;
    assert_eq!(by_token.status, StatusCode::FORBIDDEN);
    let feed = t
        .json_with_session("POST", "/api/v1/me/calendar-feed", &cookie, None)
        .await;
    assert_eq!(feed.status, StatusCode::CREATED, "{}", feed.text());
    let path = feed.json()["path"].as_str().unwrap().to_owned();
    let get = |path: String| {
        let t = &t;
        async move {
            t.send(Request::get(path).body(Body::empty()).unwrap())
                .await
        }
    };
    let ics = get(path.clone()).await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = ics.text();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(
        text.contains("SUMMARY:Office visit · P-0000001\r\n"),
        "{text}"
    );
    assert!(text.contains("LOCATION:Room 2\\, east wing\r\n"), "{text}");
    assert!(
        !text.contains("Lee"),
        "participants are named by number only"
    );
    assert!(text.contains("STATUS:CONFIRMED\r\n"), "{text}");

    // What did not happen as planned is not confirmed.
    let missed = t
        .post(&format!("{case}/appointments"), &officer, json!({"kind": "home_visit", "starts_at": crate::helpers::local(-120).format("%Y-%m-%dT%H:%M").to_string()}))
        .await
        .json()[0]
        .clone();
    let settle = |appointment: &serde_json::Value, outcome: &str| {
        let path = format!(
            "/api/v1/appointments/{}/outcome",
            appointment["id"].as_str().unwrap()
        );
        let body = json!({"version": appointment["version"], "outcome": outcome});
        let (t, officer) = (&t, &officer);
        async move { t.post(&path, officer, body).await }
    };
    assert_eq!(settle(&missed, "missed").await.status, StatusCode::OK);
    assert_eq!(
        settle(&made.json()[0], "cancelled").await.status,
        StatusCode::OK
    );
    let text = get(path.clone()).await.text();
    let event = |summary: &str| {
        text.split("BEGIN:VEVENT")
            .find(|e| e.contains(summary))
            .unwrap_or_else(|| panic!("no event {summary} in {text}"))
            .to_owned()
    };
    let missed = event("SUMMARY:Missed: Home visit");
    assert!(
        !missed.contains("STATUS:"),
        "a missed visit is not confirmed: {missed}"
    );
    let cancelled = event("SUMMARY:Cancelled: Office visit");
    assert!(cancelled.contains("STATUS:CANCELLED\r\n"), "{cancelled}");

    // The page shows the whole address, as this server was reached.
    let page = t
        .send(
            Request::post("/calendar/feed")
                .header(header::COOKIE, &cookie)
                .header(header::HOST, "bridgeway.county.test")
                .header("sec-fetch-site", "same-origin")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .text();
    assert!(
        page.contains(r#"value="http://bridgeway.county.test/calendar/"#),
        "{page}"
    );
    let path = page
        .split(r#"value="http://bridgeway.county.test"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    // A new address retires the old; removing it retires both.
    let newer = t
        .json_with_session("POST", "/api/v1/me/calendar-feed", &cookie, None)
        .await
        .json()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(get(path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(newer.clone()).await.status, StatusCode::OK);
    let removed = t
        .api("DELETE", "/api/v1/me/calendar-feed", &officer, None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(get(newer).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.audit_count(Action::CalendarFeed).await,
        5,
        "three reads, two refusals"
    );
}

on_both_databases!(the_calendar_and_its_feed_show_appointments);
