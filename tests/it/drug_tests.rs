//! Drug and alcohol tests: results per substance, refusals and no-shows,
//! laboratory confirmation, sealed results, and what the case shows.

use crate::fetch;
use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::json;

fn minutes_ago(m: i64) -> String {
    crate::helpers::local(-m)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn tests_record_results_and_flag_what_needs_attention(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let other = t.user("other", Role::Officer, None, None).await;
    let tests = format!(
        "/api/v1/cases/{}/drug-tests",
        opened["case_id"].as_str().unwrap()
    );
    let clean = json!({"collected_at": minutes_ago(90), "specimen": "urine", "panel": "10-panel", "chain_of_custody": "COC-1001", "outcome": "collected",
        "results": [{"substance": "THC", "result": "negative"}, {"substance": "Cocaine", "result": "negative"}]});
    let made = t.post(&tests, &officer, clean).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    assert_eq!(made.json()["adverse"], false);
    assert!(t.get(&tests, &officer).await.json()["latest_adverse"].is_null());

    for (body, field) in [
        (
            json!({"collected_at": minutes_ago(5), "specimen": "urine", "outcome": "collected"}),
            "results",
        ),
        (
            json!({"collected_at": minutes_ago(5), "specimen": "urine", "outcome": "no_show", "results": [{"substance": "THC", "result": "negative"}]}),
            "results",
        ),
        (
            json!({"collected_at": minutes_ago(-90), "specimen": "breath", "outcome": "refused"}),
            "collected_at",
        ),
        (
            json!({"collected_at": minutes_ago(5), "specimen": "hair", "outcome": "refused"}),
            "specimen",
        ),
        (
            json!({"collected_at": minutes_ago(5), "specimen": "urine", "outcome": "collected", "results": [{"substance": "THC", "result": "maybe"}]}),
            "results[0].result",
        ),
    ] {
        let res = t.post(&tests, &officer, body).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        assert_eq!(res.error_fields(), [field], "{}", res.text());
    }

    let positive = t
        .post(&tests, &officer, json!({"collected_at": minutes_ago(30), "specimen": "oral_fluid", "outcome": "collected",
            "results": [{"substance": "Methamphetamine", "result": "positive"}, {"substance": "THC", "result": "negative"}]}))
        .await
        .json();
    let listed = t.get(&tests, &officer).await.json();
    assert_eq!(listed["latest_adverse"]["id"], positive["id"], "{listed}");
    assert_eq!(listed["tests"].as_array().unwrap().len(), 2);

    // The laboratory confirms the positive later.
    let results = format!(
        "/api/v1/drug-tests/{}/results",
        positive["id"].as_str().unwrap()
    );
    let confirmed = t
        .api("PUT", &results, &officer, Some(json!({"version": positive["version"], "results": [
            {"substance": "Methamphetamine", "result": "positive", "lab_confirmed": true}, {"substance": "THC", "result": "negative"}]})))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text());
    assert_eq!(confirmed.json()["results"][0]["lab_confirmed"], true);
    let stale = t
        .api(
            "PUT",
            &results,
            &officer,
            Some(json!({"version": positive["version"], "results": []})),
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a collected test keeps its results"
    );
    assert_eq!(
        t.api(
            "PUT",
            &results,
            &other,
            Some(json!({"version": 2, "results": []}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let missed = t
        .post(
            &tests,
            &officer,
            json!({"collected_at": minutes_ago(1), "specimen": "urine", "outcome": "no_show"}),
        )
        .await
        .json();
    assert_eq!(missed["adverse"], true);
    assert_eq!(
        t.get(&tests, &officer).await.json()["latest_adverse"]["outcome"],
        "no_show"
    );
    assert_eq!(t.get(&tests, &other).await.status, StatusCode::NOT_FOUND);

    // Results are sealed at rest; the flag is not.
    let mut tx = t.app.db.read().await.unwrap();
    let stored: Vec<String> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT results FROM drug_tests")
    )
    .unwrap();
    drop(tx);
    assert!(stored
        .iter()
        .all(|r| r.starts_with("$k1$") && !r.contains("Methamphetamine")));

    // The case page's summary shows the latest test, marked adverse.
    let cookie = t.session("officer").await;
    let page = t
        .page(
            &format!("/cases/{}", opened["case_id"].as_str().unwrap()),
            &cookie,
        )
        .await
        .text();
    assert_eq!(
        crate::helpers::glance(&page, "Latest test")
            .split('<')
            .nth(1),
        Some(r#"strong class="warn">No-show"#),
        "{page}"
    );
    let form = t
        .form(
            &format!("/cases/{}/drug-tests", opened["case_id"].as_str().unwrap()),
            &cookie,
            &[
                ("collected_at", &minutes_ago(0)),
                ("specimen", "urine"),
                ("outcome", "collected"),
                ("panel", ""),
                ("chain_of_custody", "COC-7"),
                ("results[0].substance", "Alcohol (EtG)"),
                ("results[0].result", "positive"),
                ("results[1].substance", ""),
                ("results[1].result", "negative"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.text());
    let page = t
        .page(
            &format!("/cases/{}", opened["case_id"].as_str().unwrap()),
            &cookie,
        )
        .await
        .text();
    assert!(
        crate::helpers::glance(&page, "Latest test")
            .contains("Collected, Alcohol (EtG) positive (not lab-confirmed)"),
        "{page}"
    );
    assert_eq!(t.audit_count(Action::DrugTestCreate).await, 4);
    // Each case page is one audited view of the case, tests and all.
    assert_eq!(t.audit_count(Action::CaseView).await, 2);
    assert_eq!(t.audit_count(Action::SupervisionView).await, 0);
}

/// The case page's test form lists a panel's substances, negative until
/// changed; another panel or none is a link away; a refusal leaves the
/// panel's rows out.
async fn the_test_form_lists_the_agency_panels(backend: Backend) {
    use crate::helpers::{form_values, set_value};
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case = opened["case_id"].as_str().unwrap();
    let cookie = t.session("officer").await;
    let action = format!("/cases/{case}/drug-tests");
    let send = |values: Vec<(String, String)>| {
        let (t, cookie, action) = (&t, &cookie, &action);
        async move {
            let pairs: Vec<(&str, &str)> = values
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let answer = t.form(action, cookie, &pairs).await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
        }
    };
    let presets = |values: &[(String, String)]| {
        values
            .iter()
            .filter(|(n, _)| n.ends_with(".preset"))
            .count()
    };

    let page = t.page(&format!("/cases/{case}"), &cookie).await.text();
    let mut values = form_values(&page, &action);
    assert_eq!(
        presets(&values),
        5,
        "the default is the first panel, the 5-panel"
    );
    set_value(&mut values, "outcome", "collected");
    set_value(&mut values, "specimen", "urine");
    let cocaine = values
        .iter()
        .position(|(n, v)| n.ends_with(".substance") && v == "Cocaine")
        .expect("Cocaine is on the 5-panel");
    let result = values[cocaine].0.replace(".substance", ".result");
    set_value(&mut values, &result, "positive");
    send(values).await;
    let tests = format!("/api/v1/cases/{case}/drug-tests");
    let listed = t.get(&tests, &officer).await.json();
    let latest = &listed["latest_adverse"];
    assert_eq!(latest["panel"], "5-panel");
    let results = latest["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "{latest}");
    let positive: Vec<&str> = results
        .iter()
        .filter(|r| r["result"] == "positive")
        .map(|r| r["substance"].as_str().unwrap())
        .collect();
    assert_eq!(positive, ["Cocaine"]);

    // The next test is collected a minute later (the form's time is the
    // clock's minute): "latest" is then one test, not a tie.
    t.advance(chrono::Duration::minutes(1));
    let page = t
        .page(&format!("/cases/{case}?panel=10-panel"), &cookie)
        .await
        .text();
    assert!(
        page.contains(r#"<details id="record-test" open>"#),
        "the form opens on its panel"
    );
    let mut values = form_values(&page, &action);
    assert_eq!(presets(&values), 10);
    set_value(&mut values, "outcome", "refused");
    set_value(&mut values, "specimen", "urine");
    send(values).await;
    let listed = t.get(&tests, &officer).await.json();
    assert_eq!(listed["latest_adverse"]["outcome"], "refused");
    assert_eq!(listed["latest_adverse"]["panel"], "10-panel");
    assert_eq!(listed["latest_adverse"]["results"], json!([]));

    let page = t
        .page(&format!("/cases/{case}?panel=none"), &cookie)
        .await
        .text();
    let values = form_values(&page, &action);
    assert_eq!(presets(&values), 0, "no panel: substances are typed");
    assert!(
        page.contains(r#"<label for="panel">Panel (optional)</label>"#),
        "{page}"
    );
}

on_both_databases!(
    tests_record_results_and_flag_what_needs_attention,
    the_test_form_lists_the_agency_panels
);
