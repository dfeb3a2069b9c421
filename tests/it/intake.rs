use crate::helpers::{referral, Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::json;

async fn a_referral_opens_a_screened_case(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t
        .program(
            &admin,
            "First-Offender Diversion",
            json!({"excluded_levels": ["felony"], "exclude_violent": true}),
        )
        .await;

    let res = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let body = res.json();
    assert_eq!(body["screening"]["eligible"], true);
    assert!(body["case_number"].as_str().unwrap().starts_with("BW-"));

    let case = t
        .get(
            &format!("/api/v1/cases/{}", body["case_id"].as_str().unwrap()),
            &officer,
        )
        .await
        .json();
    assert_eq!(case["status"], "screening");
    assert_eq!(
        case["allowed_transitions"],
        json!(["enrolled", "ineligible", "declined"])
    );
    assert_eq!(case["charges"][0]["statute_code"], "PC 484");
    let history: Vec<&str> = case["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["referred", "screening"]);
    assert_eq!(t.audit_count(Action::CaseCreate).await, 1);
    assert_eq!(t.audit_count(Action::PersonCreate).await, 1);
}

async fn screening_names_each_rule_a_referral_fails(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t
        .program(
            &admin,
            "Diversion",
            json!({"excluded_levels": ["felony"], "exclude_violent": true, "max_age": 25}),
        )
        .await;
    let mut r = referral(program, "Bo", "Diaz", "1970-01-01", Some(officer.id));
    r["charges"] = json!([{ "statute_code": "PC 245(a)(1)", "description": "Assault with a deadly weapon", "level": "felony", "violent": true }]);
    let res = t.post("/api/v1/intake", &officer, r).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let body = res.json();
    let rules: Vec<&str> = body["screening"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["excluded_levels", "exclude_violent", "max_age"]);
    assert_eq!(body["screening"]["eligible"], false);
}

async fn a_possible_duplicate_stops_intake_until_decided(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let first = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Jonathan", "Smith", "1988-02-03", Some(officer.id)),
        )
        .await
        .json();

    // Same birth date, similar name: nothing is stored and the existing person is offered.
    let res = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Jonathon", "Smith", "1988-02-03", Some(officer.id)),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    let dup = &res.json()["possible_duplicates"][0];
    assert_eq!(dup["id"], first["person_id"]);
    assert!(dup["reasons"][0]
        .as_str()
        .unwrap()
        .contains("same date of birth"));
    assert_eq!(t.count("people").await, 1);
    assert_eq!(t.count("cases").await, 1);

    // Choosing the existing person opens a second case for them.
    let mut again = referral(program, "", "", "1988-02-03", Some(officer.id));
    again.as_object_mut().unwrap().remove("person");
    again["person_id"] = first["person_id"].clone();
    let res = t.post("/api/v1/intake", &officer, again).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["person_id"], first["person_id"]);

    // Or the officer confirms it is someone new.
    let mut confirmed = referral(program, "Jonathon", "Smith", "1988-02-03", Some(officer.id));
    confirmed["confirm_new_person"] = json!(true);
    assert_eq!(
        t.post("/api/v1/intake", &officer, confirmed).await.status,
        StatusCode::CREATED
    );
    assert_eq!(t.count("people").await, 2);
    assert_eq!(t.count("cases").await, 3);
}

async fn a_shared_identifier_is_a_duplicate_and_cannot_be_reused(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let mut r = referral(program, "Kim", "Tran", "1991-07-07", Some(officer.id));
    r["person"]["identifiers"] = json!([{ "kind": "state_id", "value": "ca1234567" }]);
    assert_eq!(
        t.post("/api/v1/intake", &officer, r).await.status,
        StatusCode::CREATED
    );

    let mut other = referral(program, "Lee", "Park", "1960-01-01", Some(officer.id));
    other["person"]["identifiers"] = json!([{ "kind": "state_id", "value": "CA1234567" }]);
    let res = t.post("/api/v1/intake", &officer, other.clone()).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.json()["possible_duplicates"][0]["reasons"][0]
        .as_str()
        .unwrap()
        .contains("CA1234567"));

    other["confirm_new_person"] = json!(true);
    let res = t.post("/api/v1/intake", &officer, other).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["identifiers[0].value"]);
    assert_eq!(t.count("people").await, 1, "nothing half-written");
}

async fn the_duplicate_check_can_be_asked_alone(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    t.post(
        "/api/v1/intake",
        &officer,
        referral(program, "María", "García", "1979-12-12", None),
    )
    .await;
    let res = t
        .post(
            "/api/v1/people/duplicates",
            &officer,
            json!({"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1979-12-12"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json().as_array().unwrap().len(), 1);
    let res = t
        .post(
            "/api/v1/people/duplicates",
            &officer,
            json!({"first_name": "Maria", "last_name": "Garcia", "date_of_birth": "1979-12-13"}),
        )
        .await;
    assert_eq!(res.json(), json!([]));
}

/// A charge entered wrong at intake is corrected from the case: the
/// referral in screening is screened again, the change is audited, a stale
/// correction is refused, and the case page's form does the same.
async fn charges_are_corrected_after_intake(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t
        .program(
            &admin,
            "Misdemeanor Probation",
            json!({"excluded_levels": ["felony"]}),
        )
        .await;
    let mut r = referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id));
    r["charges"][0]["level"] = json!("felony");
    let opened = t.post("/api/v1/intake", &officer, r).await.json();
    assert_eq!(opened["screening"]["eligible"], false, "{opened}");
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let version = t.get(&case, &officer).await.json()["version"].clone();
    let petty =
        json!({"statute_code": "PC 484", "description": "Petty theft", "level": "misdemeanor"});
    let body = json!({"version": version, "charges": [petty.clone()]});
    let fixed = t
        .api(
            "PUT",
            &format!("{case}/charges"),
            &officer,
            Some(body.clone()),
        )
        .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.text());
    let fixed = fixed.json();
    assert_eq!(fixed["charges"][0]["level"], "misdemeanor");
    assert_eq!(
        fixed["screening"]["eligible"], true,
        "screened again: {fixed}"
    );
    let stale = t
        .api("PUT", &format!("{case}/charges"), &officer, Some(body))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let empty = json!({"version": fixed["version"], "charges": []});
    let refused = t
        .api("PUT", &format!("{case}/charges"), &officer, Some(empty))
        .await;
    assert_eq!(refused.error_fields(), ["charges"], "{}", refused.text());
    assert_eq!(t.audit_count(Action::CaseCharges).await, 1);

    // From the case page: the form is filled from the charges recorded.
    let page_url = format!("/cases/{}", opened["case_id"].as_str().unwrap());
    let cookie = t.session("officer").await;
    let html = t.page(&page_url, &cookie).await.text();
    let mut values = crate::helpers::form_values(&html, &format!("{page_url}/charges"));
    crate::helpers::set_value(&mut values, "charges[1].statute_code", "PC 602");
    crate::helpers::set_value(&mut values, "charges[1].description", "Trespass");
    crate::helpers::set_value(&mut values, "charges[1].level", "infraction");
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let saved = t
        .form(&format!("{page_url}/charges"), &cookie, &pairs)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let charges = t.get(&case, &officer).await.json()["charges"].clone();
    assert_eq!(charges.as_array().unwrap().len(), 2, "{charges}");
    assert_eq!(charges[1]["description"], "Trespass");
}

on_both_databases!(
    charges_are_corrected_after_intake,
    a_referral_opens_a_screened_case,
    screening_names_each_rule_a_referral_fails,
    a_possible_duplicate_stops_intake_until_decided,
    a_shared_identifier_is_a_duplicate_and_cannot_be_reused,
    the_duplicate_check_can_be_asked_alone,
);
