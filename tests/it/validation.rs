//! Bad input is answered with a clear error naming the field: never a 500,
//! never a half-written record.

use crate::helpers::{referral, Backend, TestApp};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::domain::access::users::Role;
use serde_json::json;

async fn bad_json_names_the_field(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let good = referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id));

    let cases = [
        (
            "unknown field",
            {
                let mut r = good.clone();
                r["person"]["nickname"] = json!("Annie");
                r
            },
            "person.nickname",
        ),
        (
            "wrong type",
            {
                let mut r = good.clone();
                r["case"]["prior_convictions"] = json!("three");
                r
            },
            "case.prior_convictions",
        ),
        (
            "impossible date",
            {
                let mut r = good.clone();
                r["person"]["date_of_birth"] = json!("2023-02-30");
                r
            },
            "person.date_of_birth",
        ),
        (
            "future date of birth",
            {
                let mut r = good.clone();
                r["person"]["date_of_birth"] = json!("2099-01-01");
                r
            },
            "person.date_of_birth",
        ),
        (
            "unknown charge level",
            {
                let mut r = good.clone();
                r["charges"][0]["level"] = json!("petty");
                r
            },
            "charges[0].level",
        ),
        (
            "missing field",
            {
                let mut r = good.clone();
                r["case"].as_object_mut().unwrap().remove("referral_source");
                r
            },
            "case.referral_source",
        ),
        (
            "out of range",
            {
                let mut r = good.clone();
                r["case"]["prior_convictions"] = json!(-1);
                r
            },
            "case.prior_convictions",
        ),
        (
            "empty name",
            {
                let mut r = good.clone();
                r["person"]["last_name"] = json!("  ");
                r
            },
            "person.last_name",
        ),
        (
            "no charges",
            {
                let mut r = good.clone();
                r["charges"] = json!([]);
                r
            },
            "charges",
        ),
        (
            "unknown program",
            {
                let mut r = good.clone();
                r["program_id"] = json!("00000000-0000-0000-0000-000000000000");
                r
            },
            "program_id",
        ),
        (
            "not an officer",
            {
                let mut r = good.clone();
                r["case"]["officer_id"] = json!(admin.id);
                r
            },
            "case.officer_id",
        ),
    ];
    for (what, body, field) in cases {
        let res = t.post("/api/v1/intake", &officer, body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{what}: {}",
            res.text()
        );
        assert_eq!(res.json()["code"], "invalid", "{what}");
        assert_eq!(res.error_fields(), [field], "{what}: {}", res.text());
    }
    assert_eq!(t.count("people").await, 0, "nothing was written");
    assert_eq!(t.count("cases").await, 0);
}

async fn malformed_requests_get_clear_errors(backend: Backend) {
    let t = TestApp::new(backend).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let send = |body: &'static str, content_type: &'static str| {
        Request::post("/api/v1/intake")
            .header(header::AUTHORIZATION, format!("Bearer {}", officer.token))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let res = t.send(send("{not json", "application/json")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = t.send(send("[]", "application/json")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .send(send("a=b", "application/x-www-form-urlencoded"))
        .await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = format!("{{\"x\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let req = Request::post("/api/v1/intake")
        .header(header::AUTHORIZATION, format!("Bearer {}", officer.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(huge))
        .unwrap();
    assert_eq!(t.send(req).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Refused by its declared length, before a byte is read: the answer
    // still carries the security headers every answer does.
    let req = Request::post("/api/v1/intake")
        .header(header::AUTHORIZATION, format!("Bearer {}", officer.token))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, 4 * 1024 * 1024)
        .body(Body::from("x".repeat(4 * 1024 * 1024)))
        .unwrap();
    let res = t.send(req).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    for name in [
        "x-content-type-options",
        "content-security-policy",
        "x-frame-options",
    ] {
        assert!(res.headers.contains_key(name), "413 without {name}");
    }

    for path in [
        "/api/v1/cases/not-a-uuid",
        "/api/v1/people/123",
        "/api/v1/nothing-here",
    ] {
        let res = t.get(path, &officer).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(res.json()["code"], "not_found");
    }
    let res = t.get("/api/v1/cases?status=sideways", &officer).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["status"]);
    let res = t.get("/api/v1/cases?limit=lots", &officer).await;
    assert_eq!(res.error_fields(), ["limit"]);
    let res = t
        .post("/api/v1/search", &officer, serde_json::json!({"q": ""}))
        .await;
    assert_eq!(res.error_fields(), ["q"]);
}

/// A NUL character has no place in any value (PostgreSQL refuses it
/// outright, which once answered 500): wherever one comes, in a JSON body,
/// a form or a query, it is refused with 422 naming the field, on both
/// databases, and nothing is written.
async fn nul_characters_are_refused_naming_the_field(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let mut body = referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id));
    body["person"]["first_name"] = json!("An\u{0}n");
    let res = t.post("/api/v1/intake", &officer, body.clone()).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert_eq!(res.error_fields(), ["person.first_name"]);
    body["person"]["first_name"] = json!("Ann");
    body["charges"][0]["description"] = json!("\u{0}");
    let res = t.post("/api/v1/intake", &officer, body).await;
    assert_eq!(res.error_fields(), ["charges[0].description"]);
    assert_eq!(t.count("people").await, 0, "nothing was written");

    let res = t
        .post("/api/v1/search", &officer, json!({"q": "lee\u{0}"}))
        .await;
    assert_eq!(res.error_fields(), ["q"]);
    let res = t.get("/api/v1/cases?status=active%00", &officer).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["status"]);

    // The sign-in form, before anyone is signed in.
    let login = form_urlencoded::Serializer::new(String::new())
        .append_pair("username", "officer\u{0}")
        .append_pair("password", "x")
        .append_pair("acknowledge", "on")
        .finish();
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(login))
        .unwrap();
    let res = t.send(req).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("NUL character"), "{}", res.text());
    let cookie = t.session("officer").await;
    let page = t.page("/caseload?q=lee%00", &cookie).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text().contains("q: must not contain a NUL character"),
        "{}",
        page.text()
    );
}

/// Each kind of date has one plausible range, whichever form it comes
/// through: year 0000 and 9999 are typing slips, refused naming the field
/// and the range (contacts took year 0000 and appointments 9999 before).
async fn implausible_dates_are_refused_with_their_range(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (admin, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let program = t.program(&admin, "Diversion", json!({})).await;
    let mut intake = referral(program, "Bo", "Ray", "1991-02-03", Some(officer.id));
    intake["case"]["expected_end_date"] = json!("9999-12-31");
    intake["charges"][0]["offense_date"] = json!("0000-01-01");
    let res = t.post("/api/v1/intake", &officer, intake).await;
    assert_eq!(
        res.error_fields(),
        ["case.expected_end_date", "charges[0].offense_date"],
        "{}",
        res.text()
    );
    let condition = json!({"kind": "community_service", "title": "Hours", "target": 40});
    let made = t
        .post(&format!("{case}/conditions"), &officer, condition)
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let progress = format!(
        "/api/v1/conditions/{}/progress",
        made.json()["id"].as_str().unwrap()
    );
    for (path, body, field) in [
        (
            format!("{case}/contacts"),
            json!({"kind": "phone", "occurred_at": "0000-01-01T10:00"}),
            "occurred_at",
        ),
        (
            format!("{case}/appointments"),
            json!({"kind": "office_visit", "starts_at": "9999-12-31T10:00"}),
            "starts_at",
        ),
        (
            format!("{case}/drug-tests"),
            json!({"collected_at": "0000-01-01T10:00", "specimen": "urine", "outcome": "no_show"}),
            "collected_at",
        ),
        (
            format!("{case}/conditions"),
            json!({"kind": "classes", "title": "Classes", "target": 4, "due_date": "9999-12-31"}),
            "due_date",
        ),
        (
            progress.clone(),
            json!({"occurred_on": "0000-01-01", "verification": "provider", "amount": 2}),
            "occurred_on",
        ),
    ] {
        let res = t.post(&path, &officer, body).await;
        assert_eq!(res.error_fields(), [field], "{path}: {}", res.text());
        assert!(
            res.text().contains("must be between"),
            "{path}: {}",
            res.text()
        );
    }
    assert_eq!(t.count("contacts").await, 0, "nothing was written");
    assert_eq!(t.count("appointments").await, 0);
    assert_eq!(t.count("drug_tests").await, 0);
}

on_both_databases!(
    implausible_dates_are_refused_with_their_range,
    bad_json_names_the_field,
    malformed_requests_get_clear_errors,
    nul_characters_are_refused_naming_the_field,
);
