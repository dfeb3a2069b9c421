use crate::helpers::{referral, Backend, TestApp, User};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::{json, Value};

async fn open_case(t: &TestApp, rules: Value) -> (User, String) {
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Diversion", rules).await;
    let res = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await;
    let id = res.json()["case_id"].as_str().unwrap().to_owned();
    (officer, id)
}

async fn move_to(
    t: &TestApp,
    user: &User,
    case: &str,
    to: &str,
    extra: Value,
) -> crate::helpers::Response {
    let current = t.get(&format!("/api/v1/cases/{case}"), user).await.json();
    let mut body =
        json!({"version": current["version"], "to": to, "reason": format!("moving to {to}")});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    t.post(&format!("/api/v1/cases/{case}/transitions"), user, body)
        .await
}

async fn a_case_walks_from_screening_to_completion(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (officer, case) = open_case(&t, json!({})).await;
    for to in ["enrolled", "active", "suspended", "active"] {
        let res = move_to(&t, &officer, &case, to, json!({})).await;
        assert_eq!(res.status, StatusCode::OK, "{to}: {}", res.text());
        assert_eq!(res.json()["status"], to);
    }
    let active = t
        .get(&format!("/api/v1/cases/{case}"), &officer)
        .await
        .json();
    let start = active["start_date"]
        .as_str()
        .expect("start date set when supervision starts");
    let end = active["expected_end_date"]
        .as_str()
        .expect("end date from the program's length");
    let days = (end.parse::<chrono::NaiveDate>().unwrap()
        - start.parse::<chrono::NaiveDate>().unwrap())
    .num_days();
    assert_eq!(days, 180);

    let res = move_to(
        &t,
        &officer,
        &case,
        "completed",
        json!({"exit_reason": "successful"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let done = res.json();
    assert_eq!(done["exit_reason"], "successful");
    assert_eq!(done["survey_exit_category"], "completion");
    assert_eq!(done["allowed_transitions"], json!([]));
    let full = t
        .get(&format!("/api/v1/cases/{case}"), &officer)
        .await
        .json();
    let history: Vec<&str> = full["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        [
            "referred",
            "screening",
            "enrolled",
            "active",
            "suspended",
            "active",
            "completed"
        ]
    );
    assert_eq!(full["history"][6]["actor_name"], "officer (test)");
    assert_eq!(t.audit_count(Action::CaseStatusChange).await, 5);
}

async fn a_move_the_lifecycle_forbids_is_refused_naming_the_allowed_ones(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (officer, case) = open_case(&t, json!({})).await;
    let res = move_to(
        &t,
        &officer,
        &case,
        "completed",
        json!({"exit_reason": "successful"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["to"]);
    assert_eq!(res.json()["fields"][0]["message"], "a screening case cannot become completed; allowed next statuses: enrolled, ineligible, declined");

    move_to(&t, &officer, &case, "enrolled", json!({})).await;
    move_to(&t, &officer, &case, "active", json!({})).await;
    let res = move_to(&t, &officer, &case, "terminated", json!({})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["exit_reason"]);
    let res = move_to(
        &t,
        &officer,
        &case,
        "terminated",
        json!({"exit_reason": "successful"}),
    )
    .await;
    assert_eq!(res.error_fields(), ["exit_reason"]);
    let res = move_to(
        &t,
        &officer,
        &case,
        "terminated",
        json!({"exit_reason": "absconded"}),
    )
    .await;
    assert_eq!(res.json()["survey_exit_category"], "absconder");
}

async fn enrolling_a_referral_screened_ineligible_needs_a_reason(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (officer, case) = open_case(&t, json!({"excluded_levels": ["misdemeanor"]})).await;
    let res = move_to(&t, &officer, &case, "enrolled", json!({})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["override_reason"]);
    assert!(res.json()["message"]
        .as_str()
        .unwrap()
        .contains("misdemeanor charge"));
    let res = move_to(
        &t,
        &officer,
        &case,
        "enrolled",
        json!({"override_reason": "ordered by Judge Chen"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["screening_override"], "ordered by Judge Chen");
}

async fn a_stale_version_is_refused_and_changes_nothing(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (officer, case) = open_case(&t, json!({})).await;
    let before = t
        .get(&format!("/api/v1/cases/{case}"), &officer)
        .await
        .json();
    let stale = before["version"].as_i64().unwrap();
    assert_eq!(
        move_to(&t, &officer, &case, "enrolled", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let res = t
        .post(
            &format!("/api/v1/cases/{case}/transitions"),
            &officer,
            json!({"version": stale, "to": "declined", "reason": "late click"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["code"], "stale_version");
    let after = t
        .get(&format!("/api/v1/cases/{case}"), &officer)
        .await
        .json();
    assert_eq!(after["status"], "enrolled");

    let mut details =
        json!({"referral_source": "Court", "referral_date": "2026-10-02", "docket_number": "CR-1"});
    let res = t
        .api(
            "PUT",
            &format!("/api/v1/cases/{case}"),
            &officer,
            Some(json!({"version": stale, "case": details.clone()})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    details["officer_id"] = json!(officer.id);
    let res = t
        .api(
            "PUT",
            &format!("/api/v1/cases/{case}"),
            &officer,
            Some(json!({"version": after["version"], "case": details})),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["docket_number"], "CR-1");
}

async fn programs_are_managed_by_administrators(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let id = t
        .program(&admin, "Misdemeanor Probation", json!({"min_age": 18}))
        .await;
    let body = json!({"kind": "probation", "name": "Other", "default_length_days": 365, "supervising_unit": "Unit"});
    assert_eq!(
        t.post("/api/v1/programs", &officer, body).await.status,
        StatusCode::FORBIDDEN
    );
    let dup = json!({"kind": "probation", "name": "Misdemeanor Probation", "default_length_days": 365, "supervising_unit": "Unit"});
    let res = t.post("/api/v1/programs", &admin, dup).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["name"]);
    let bad = json!({"kind": "probation", "name": "X", "default_length_days": 0, "supervising_unit": "", "eligibility": {"min_age": 30, "max_age": 20}});
    assert_eq!(
        t.post("/api/v1/programs", &admin, bad).await.error_fields(),
        ["supervising_unit", "default_length_days", "eligibility"]
    );

    let program = t
        .get(&format!("/api/v1/programs/{id}"), &officer)
        .await
        .json();
    let mut update = json!({"version": program["version"], "program": {"kind": "probation", "name": "Misdemeanor Probation", "default_length_days": 400, "supervising_unit": "Unit B"}});
    let res = t
        .api(
            "PUT",
            &format!("/api/v1/programs/{id}"),
            &admin,
            Some(update.clone()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["default_length_days"], 400);
    let res = t
        .api(
            "PUT",
            &format!("/api/v1/programs/{id}"),
            &admin,
            Some(update.clone()),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "the version is stale now");
    update["version"] = json!(99);
    assert_eq!(
        t.api(
            "PUT",
            "/api/v1/programs/00000000-0000-0000-0000-000000000000",
            &admin,
            Some(update)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

on_both_databases!(
    a_case_walks_from_screening_to_completion,
    a_move_the_lifecycle_forbids_is_refused_naming_the_allowed_ones,
    enrolling_a_referral_screened_ineligible_needs_a_reason,
    a_stale_version_is_refused_and_changes_nothing,
    programs_are_managed_by_administrators,
);
