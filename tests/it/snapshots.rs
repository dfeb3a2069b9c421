//! The public contract, pinned: the OpenAPI document, representative API
//! bodies and rendered pages. Ids and times are redacted; everything else
//! must stay as it is unless the change is meant (`cargo insta review`).
//! Both databases compare with the same snapshots: one behaviour.

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use bridgeway::domain::access::users::Role;
use serde_json::{json, Value};

/// A UUID, anywhere in a text.
const UUID: &str = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/// The docket numbers the test referrals make up.
const DOCKET: &str = r"CR-2026-[0-9A-Fa-f]{6}";

/// Replaces ids, instants and made-up dockets in a JSON body.
fn redacted(value: Value) -> Value {
    let uuid = regex::Regex::new(&format!("^{UUID}$")).unwrap();
    let instant = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$").unwrap();
    let docket = regex::Regex::new(&format!("^{DOCKET}$")).unwrap();
    match value {
        Value::String(s) if uuid.is_match(&s) => json!("[id]"),
        Value::String(s) if instant.is_match(&s) => json!("[time]"),
        Value::String(s) if docket.is_match(&s) => json!("[docket]"),
        Value::Array(items) => Value::Array(items.into_iter().map(redacted).collect()),
        Value::Object(fields) => {
            Value::Object(fields.into_iter().map(|(k, v)| (k, redacted(v))).collect())
        }
        other => other,
    }
}

/// Pins an HTML page with its ids and shown times redacted.
macro_rules! assert_page_snapshot {
    ($name:expr, $html:expr) => {
        insta::with_settings!({filters => vec![
            (UUID, "[id]"),
            (DOCKET, "[docket]"),
            (r#"name="submission_key" value="[0-9a-f]{32}""#, r#"name="submission_key" value="[key]""#),
            (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(\+00:00|Z)", "[instant]"),
            (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]{3,4}", "[time]"),
        ]}, {
            insta::assert_snapshot!($name, $html);
        })
    };
}

#[test]
fn the_openapi_document_is_pinned() {
    let doc = serde_json::to_value(bridgeway::web::api::openapi_document()).unwrap();
    insta::assert_json_snapshot!("openapi", doc);
}

async fn api_bodies_keep_their_shape(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    insta::assert_json_snapshot!("intake", redacted(opened.clone()));
    t.activate(opened["case_id"].as_str().unwrap(), &officer)
        .await;
    let refused = json!({"collected_at": crate::helpers::local(-60).format("%Y-%m-%dT%H:%M").to_string(), "specimen": "urine", "outcome": "refused"});
    t.post(&format!("{case}/drug-tests"), &officer, refused)
        .await;
    let visit = json!({"kind": "office_visit", "starts_at": crate::helpers::local(90).format("%Y-%m-%dT%H:%M").to_string(), "location": "Room 2"});
    t.post(&format!("{case}/appointments"), &officer, visit)
        .await;
    t.post(
        &format!("{case}/conditions"),
        &officer,
        json!({"kind": "community_service", "title": "40 hours of service", "target": 40, "unit": "hours", "due_date": "2027-03-01"}),
    )
    .await;
    let person = format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap());
    for (name, path) in [
        ("case", case.clone()),
        ("person", person),
        ("case_conditions", format!("{case}/conditions")),
        ("supervision", format!("{case}/supervision")),
        ("drug_tests", format!("{case}/drug-tests")),
        ("work_queue", "/api/v1/work-queue".to_owned()),
    ] {
        let res = t.get(&path, &officer).await;
        assert_eq!(res.status.as_u16(), 200, "{path}: {}", res.text());
        insta::assert_json_snapshot!(name, redacted(res.json()));
    }
    let refused = t
        .post(
            &format!("{case}/transitions"),
            &officer,
            json!({"version": 3, "to": "completed", "reason": ""}),
        )
        .await;
    insta::assert_json_snapshot!("invalid_transition", redacted(refused.json()));
}

async fn pages_keep_their_markup(backend: Backend) {
    let t = TestApp::new(backend).await;
    let login = t.page("/login", "").await;
    assert_page_snapshot!("login_page", login.text());
    let (_, officer, opened) = t.one_referral().await;
    t.activate(opened["case_id"].as_str().unwrap(), &officer)
        .await;
    t.user("sup", Role::Supervisor, None, None).await;
    let cookie = t.session("officer").await;
    // Every view so far on the trail, on either database, before the page
    // lists who looked.
    t.app.db.chain_staged_audit().await.unwrap();
    let case = t
        .page(
            &format!("/cases/{}", opened["case_id"].as_str().unwrap()),
            &cookie,
        )
        .await;
    assert_page_snapshot!("case_page", case.text());
    let work = t.page("/work", &cookie).await;
    assert_page_snapshot!("work_queue_page", work.text());
}

on_both_databases!(api_bodies_keep_their_shape, pages_keep_their_markup);
