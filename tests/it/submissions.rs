//! One-time submissions: a form sent twice (a double click) or an API
//! request retried with its `Idempotency-Key` writes once, and the repeat
//! gets the first answer.

use crate::helpers::{local, Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use serde_json::json;

fn stamp(minutes: i64) -> String {
    local(minutes).format("%Y-%m-%dT%H:%M").to_string()
}

async fn a_form_sent_twice_at_once_writes_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, _officer, opened) = t.one_referral().await;
    let case_id = opened["case_id"].as_str().unwrap();
    let cookie = t.session("officer").await;
    let page = t.page(&format!("/cases/{case_id}"), &cookie).await.text();
    let key = page
        .split("name=\"submission_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the case page's forms carry a submission key")
        .to_owned();
    assert!(
        page.contains(&format!(r#"name="occurred_at" value="{}""#, stamp(0))),
        "a contact's form starts at now"
    );
    let when = stamp(-30);
    let contact = [
        ("submission_key", key.as_str()),
        ("kind", "phone"),
        ("occurred_at", when.as_str()),
        ("collateral", ""),
        ("note", "Confirmed the new address"),
    ];
    let path = format!("/cases/{case_id}/contacts");
    let (first, second) = tokio::join!(
        t.form(&path, &cookie, &contact),
        t.form(&path, &cookie, &contact)
    );
    for res in [&first, &second] {
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        assert_eq!(
            res.headers["location"],
            format!("/cases/{case_id}#supervision")
        );
    }
    let replayed = [&first, &second]
        .iter()
        .filter(|r| r.headers.contains_key("idempotent-replayed"))
        .count();
    assert_eq!(replayed, 1, "one of the two repeats the other's answer");
    assert_eq!(t.count("contacts").await, 1, "the contact was written once");

    // Sent again later, the same form is still answered, not written.
    let again = t.form(&path, &cookie, &contact).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(again.headers.contains_key("idempotent-replayed"));
    assert_eq!(t.count("contacts").await, 1);

    // The same key with other values is refused, naming what to do.
    let mut changed = contact;
    changed[4] = ("note", "Another contact");
    let res = t.form(&path, &cookie, &changed).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.text().contains("reload the page"), "{}", res.text());

    // A form refused for its values leaves its key free for the correction.
    let fresh = "a-new-page-render";
    let notes = format!("/cases/{case_id}/notes");
    let mut note = [
        ("submission_key", fresh),
        ("kind", "court"),
        ("contact_id", ""),
        ("text", ""),
        ("action", "sign"),
    ];
    let empty = t.form(&notes, &cookie, &note).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    note[3] = ("text", "Judge moved the hearing to Friday.");
    let (first, second) = tokio::join!(
        t.form(&notes, &cookie, &note),
        t.form(&notes, &cookie, &note)
    );
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.text());
    assert_eq!(first.headers["location"], second.headers["location"]);
    assert_eq!(t.count("case_notes").await, 1, "one signed note, not two");
}

async fn an_api_write_with_an_idempotency_key_is_answered_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let path = format!(
        "/api/v1/cases/{}/appointments",
        opened["case_id"].as_str().unwrap()
    );
    let body = json!({"kind": "office_visit", "starts_at": stamp(24 * 60)});
    let send = |key: &'static str, body: serde_json::Value| {
        let (t, path, officer) = (&t, &path, &officer);
        async move {
            t.api_with_headers("POST", path, officer, body, &[("idempotency-key", key)])
                .await
        }
    };
    let (first, second) =
        tokio::join!(send("retry-1", body.clone()), send("retry-1", body.clone()));
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text());
    assert_eq!(
        first.json(),
        second.json(),
        "the repeat gets the first body"
    );
    assert_eq!(t.count("appointments").await, 1);
    let mut tx = t.app.db.read().await.unwrap();
    let kept: Vec<String> = crate::fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT body FROM submissions WHERE body IS NOT NULL")
    )
    .unwrap();
    drop(tx);
    assert_eq!(kept.len(), 1);
    assert!(
        kept[0].starts_with("$k") && !kept[0].contains("office_visit"),
        "the kept answer is sealed at rest: {}",
        kept[0]
    );

    let other = json!({"kind": "home_visit", "starts_at": stamp(25 * 60)});
    let reused = send("retry-1", other.clone()).await;
    assert_eq!(
        reused.error_fields(),
        ["Idempotency-Key"],
        "{}",
        reused.text()
    );
    let bad = send("a key with spaces", other.clone()).await;
    assert_eq!(bad.error_fields(), ["Idempotency-Key"], "{}", bad.text());
    assert_eq!(send("retry-2", other).await.status, StatusCode::CREATED);
    assert_eq!(t.count("appointments").await, 2);
    // Without a key a request is its own (booked knowingly twice over).
    let mut twice = body;
    twice["book_anyway"] = json!(true);
    t.post(&path, &officer, twice.clone()).await;
    t.post(&path, &officer, twice).await;
    assert_eq!(t.count("appointments").await, 4);

    // A key is remembered for a day.
    t.advance(chrono::Duration::hours(25));
    let forgotten = bridgeway::app::submissions::forget_old(&t.app).await;
    assert_eq!(forgotten.unwrap(), 2);
    let later = send(
        "retry-1",
        json!({"kind": "office_visit", "starts_at": stamp(26 * 60)}),
    )
    .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.text());
    assert!(!later.headers.contains_key("idempotent-replayed"));
    assert_eq!(t.count("appointments").await, 5);
}

on_both_databases!(
    a_form_sent_twice_at_once_writes_once,
    an_api_write_with_an_idempotency_key_is_answered_once,
);
