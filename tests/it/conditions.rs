//! Conditions of supervision: templates per program, adjustments per person
//! and by the court, progress with verification, and the status that follows.

use crate::fetch;
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::{json, Value};

fn by_title<'a>(list: &'a Value, title: &str) -> &'a Value {
    list["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == title)
        .unwrap_or_else(|| panic!("no condition {title} in {list}"))
}

async fn conditions_come_from_the_program_and_track_progress(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (admin, officer, opened) = t.one_referral().await;
    let case = opened["case_id"].as_str().unwrap().to_owned();
    let program = t
        .get(&format!("/api/v1/cases/{case}"), &officer)
        .await
        .json()["program_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let templates = format!("/api/v1/programs/{program}/conditions");
    let bad = t
        .api(
            "PUT",
            &templates,
            &admin,
            Some(json!([{"kind": "community_service", "title": "Hours", "target": -4}])),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["[0].target"]);
    let standard = json!([
        {"kind": "community_service", "title": "Community service", "target": 40, "due_days": 120},
        {"kind": "classes", "title": "Cognitive-behavioural programme", "target": 12, "due_days": 180},
        {"kind": "no_contact", "title": "No contact with the victim"}
    ]);
    assert_eq!(
        t.api("PUT", &templates, &officer, Some(standard.clone()))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let set = t.api("PUT", &templates, &admin, Some(standard)).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(
        t.get(&templates, &officer).await.json()[1]["unit"],
        "sessions"
    );

    let apply = format!("/api/v1/cases/{case}/conditions/from-program");
    t.post(&apply, &officer, json!({})).await;
    let list = t.post(&apply, &officer, json!({})).await.json();
    assert_eq!(
        list["conditions"].as_array().unwrap().len(),
        3,
        "applied once: {list}"
    );
    let hours = by_title(&list, "Community service");
    assert_eq!(
        (hours["status"].as_str(), hours["unit"].as_str()),
        (Some("pending"), Some("hours"))
    );
    assert!(hours["due_date"].is_string());

    // Progress: measured, dated, verified.
    let progress = format!(
        "/api/v1/conditions/{}/progress",
        hours["id"].as_str().unwrap()
    );
    let today = t.app.today();
    for (body, field) in [
        (
            json!({"occurred_on": today, "verification": "provider"}),
            "amount",
        ),
        (
            json!({"occurred_on": today, "verification": "provider", "amount": 0}),
            "amount",
        ),
        (
            json!({"occurred_on": today.succ_opt(), "verification": "provider", "amount": 2}),
            "occurred_on",
        ),
        (
            json!({"occurred_on": today, "verification": "rumour", "amount": 2}),
            "verification",
        ),
        (
            json!({"occurred_on": today, "verification": "provider", "amount": 1_000_000}),
            "amount",
        ),
        (
            json!({"occurred_on": today, "verification": "provider", "amount": 25}),
            "amount",
        ),
    ] {
        let res = t.post(&progress, &officer, body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        assert_eq!(res.error_fields(), [field]);
    }
    let done = t
        .post(&progress, &officer, json!({"occurred_on": today, "verification": "provider", "amount": 10.5, "note": "Food bank, signed timesheet"}))
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
    let done = done.json();
    assert_eq!(
        (
            done["status"].as_str(),
            done["done"].as_f64(),
            done["percent"].as_u64()
        ),
        (Some("in_progress"), Some(10.5), Some(26))
    );
    let record = t
        .get(
            &format!("/api/v1/conditions/{}", hours["id"].as_str().unwrap()),
            &officer,
        )
        .await
        .json();
    assert_eq!(record["progress"][0]["verification"], "provider");
    assert_eq!(record["progress"][0]["note"], "Food bank, signed timesheet");

    // A condition without a target is marked met; progress has no amount.
    let order = by_title(&list, "No contact with the victim");
    let order_id = order["id"].as_str().unwrap();
    let res = t
        .post(
            &format!("/api/v1/conditions/{order_id}/progress"),
            &officer,
            json!({"occurred_on": today, "verification": "staff", "amount": 1}),
        )
        .await;
    assert_eq!(res.error_fields(), ["amount"]);
    let met = t
        .post(
            &format!("/api/v1/conditions/{order_id}/met"),
            &officer,
            json!({"version": order["version"], "met": true}),
        )
        .await;
    assert_eq!(met.json()["status"], "met", "{}", met.text());
    let stale = t
        .post(
            &format!("/api/v1/conditions/{order_id}/met"),
            &officer,
            json!({"version": order["version"], "met": false}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["code"], "stale_version");
    let measurable = t
        .post(
            &format!("/api/v1/conditions/{}/met", hours["id"].as_str().unwrap()),
            &officer,
            json!({"version": 99, "met": true}),
        )
        .await;
    assert_eq!(measurable.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The court waives the classes: with the order's date and reason.
    let classes = by_title(&list, "Cognitive-behavioural programme");
    let path = format!("/api/v1/conditions/{}", classes["id"].as_str().unwrap());
    let terms =
        json!({"kind": "classes", "title": "Cognitive-behavioural programme", "target": 12});
    let missing = t
        .api(
            "PUT",
            &path,
            &officer,
            Some(json!({"version": classes["version"], "terms": terms, "court_action": "waived"})),
        )
        .await;
    let mut fields = missing.error_fields();
    fields.sort();
    assert_eq!(fields, ["court_order_date", "court_order_reason"]);
    let waived = t
        .api("PUT", &path, &officer, Some(json!({"version": classes["version"], "terms": terms, "court_action": "waived",
            "court_order_date": today, "court_order_reason": "Completed an equivalent programme in custody"})))
        .await;
    assert_eq!(waived.json()["status"], "waived", "{}", waived.text());

    // A condition past its due date is overdue; the case shows it at a glance.
    let late = t
        .post(
            &format!("/api/v1/cases/{case}/conditions"),
            &officer,
            json!({"kind": "restitution", "title": "Restitution to the store",
            "details": "Receipt 4411", "target": 250.00, "due_date": today.pred_opt()}),
        )
        .await;
    assert_eq!(late.status, StatusCode::CREATED, "{}", late.text());
    assert_eq!(
        (late.json()["status"].as_str(), late.json()["unit"].as_str()),
        (Some("overdue"), Some("dollars"))
    );
    let all = t
        .get(&format!("/api/v1/cases/{case}/conditions"), &officer)
        .await
        .json();
    assert_eq!(
        all["summary"],
        json!({"total": 3, "met": 1, "overdue": 1, "behind_schedule": 0, "waived": 1}),
        "{all}"
    );

    // Details and progress notes are sealed at rest.
    let mut tx = t.app.db.read().await.unwrap();
    let stored: Vec<String> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT details FROM conditions WHERE details IS NOT NULL UNION ALL SELECT note FROM condition_progress WHERE note IS NOT NULL")
    )
    .unwrap();
    drop(tx);
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|v| v.starts_with("$k1$")), "{stored:?}");
    assert_eq!(t.audit_count(Action::ConditionProgress).await, 1);
    assert!(t.audit_count(Action::ConditionList).await >= 1);
}

async fn conditions_follow_the_case_access_rules(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let other = t.user("other", Role::Officer, None, None).await;
    let court = t
        .user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    let case = opened["case_id"].as_str().unwrap();
    let list = format!("/api/v1/cases/{case}/conditions");
    let made = t
        .post(
            &list,
            &officer,
            json!({"kind": "curfew", "title": "Home 10 pm to 6 am"}),
        )
        .await
        .json();
    let condition = format!("/api/v1/conditions/{}", made["id"].as_str().unwrap());
    let entry = json!({"occurred_on": t.app.today(), "verification": "staff"});
    assert_eq!(t.get(&list, &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get(&condition, &other).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.post(&format!("{condition}/progress"), &other, entry.clone())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&list, &court).await.status,
        StatusCode::OK,
        "the court reads its cases"
    );
    assert_eq!(
        t.post(&format!("{condition}/progress"), &court, entry.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post(&list, &court, json!({"kind": "curfew", "title": "x"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post(&format!("{condition}/progress"), &officer, entry)
            .await
            .status,
        StatusCode::CREATED
    );
    let missing = t.get("/api/v1/conditions/not-a-uuid", &officer).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn conditions_are_worked_from_the_case_and_condition_pages(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, _, opened) = t.one_referral().await;
    let cookie = t.session("officer").await;
    let case = format!("/cases/{}", opened["case_id"].as_str().unwrap());
    let page = t.page(&case, &cookie).await;
    assert!(page.text().contains("0 of 0 met"), "{}", page.text());
    let bad = t
        .form(
            &format!("{case}/conditions"),
            &cookie,
            &[
                ("kind", "community_service"),
                ("title", "Hours"),
                ("target", "lots"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("is not a number"), "{}", bad.text());
    let added = t
        .form(
            &format!("{case}/conditions"),
            &cookie,
            &[
                ("kind", "community_service"),
                ("title", "Community service"),
                ("target", "40"),
                ("unit", ""),
                ("due_date", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let page = t.page(&case, &cookie).await.text();
    let link = page
        .split("href=\"/conditions/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a link to the condition")
        .to_owned();
    let condition = format!("/conditions/{link}");
    let today = t.app.today().to_string();
    let recorded = t
        .form(
            &format!("{condition}/progress"),
            &cookie,
            &[
                ("occurred_on", &today),
                ("amount", "8"),
                ("verification", "document"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(
        recorded.status,
        StatusCode::SEE_OTHER,
        "{}",
        recorded.text()
    );
    let shown = t.page(&condition, &cookie).await.text();
    assert!(shown.contains("8 of 40 hours"), "{shown}");
    assert!(shown.contains("Verified by a document"));
    let unordered = t
        .form(
            &condition,
            &cookie,
            &[
                ("version", "1"),
                ("kind", "community_service"),
                ("title", "Community service"),
                ("target", "40"),
                ("court_action", "modified"),
            ],
        )
        .await;
    assert_eq!(unordered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unordered
        .text()
        .contains("Court order date: is required with a court action"));
    let modified = t
        .form(
            &condition,
            &cookie,
            &[
                ("version", "1"),
                ("kind", "community_service"),
                ("title", "Community service"),
                ("target", "24"),
                ("due_date", "2030-01-31"),
                ("court_action", "modified"),
                ("court_order_date", &today),
                ("court_order_reason", "Reduced at review hearing"),
            ],
        )
        .await;
    assert_eq!(
        modified.status,
        StatusCode::SEE_OTHER,
        "{}",
        modified.text()
    );
    let shown = t.page(&condition, &cookie).await.text();
    assert!(shown.contains("Modified by the court"), "{shown}");
    assert!(shown.contains("8 of 24 hours"));
    let person = t
        .page(
            &format!("/people/{}", opened["person_id"].as_str().unwrap()),
            &cookie,
        )
        .await
        .text();
    assert!(
        person.contains("8 hours toward Community service (Verified by a document)"),
        "progress is on the participant's timeline: {person}"
    );
}

/// Progress past the target is accepted (a last session may run over) and
/// the condition warns of it; an entry larger than the whole target, or than
/// a day, is refused as a typo.
async fn progress_past_the_target_is_shown_and_absurd_entries_refused(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = opened["case_id"].as_str().unwrap();
    let made = t
        .post(
            &format!("/api/v1/cases/{case}/conditions"),
            &officer,
            json!({"kind": "community_service", "title": "Community service", "target": 10}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let id = made.json()["id"].as_str().unwrap().to_owned();
    let progress = format!("/api/v1/conditions/{id}/progress");
    let today = t.app.today();
    let entry =
        |amount: f64| json!({"occurred_on": today, "verification": "provider", "amount": amount});
    for absurd in [1_000_000.0, 11.0] {
        let res = t.post(&progress, &officer, entry(absurd)).await;
        assert_eq!(res.error_fields(), ["amount"], "{}", res.text());
    }
    for hours in [6.0, 6.0] {
        assert_eq!(
            t.post(&progress, &officer, entry(hours)).await.status,
            StatusCode::CREATED
        );
    }
    let page = t
        .page(&format!("/conditions/{id}"), &t.session("officer").await)
        .await
        .text();
    assert!(page.contains("12 of 10 hours <strong"), "{page}");
    assert!(page.contains("more than the target"), "{page}");
}

on_both_databases!(
    progress_past_the_target_is_shown_and_absurd_entries_refused,
    conditions_are_worked_from_the_case_and_condition_pages,
    conditions_come_from_the_program_and_track_progress,
    conditions_follow_the_case_access_rules,
);
