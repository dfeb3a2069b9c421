//! Case plans: written against the needs an assessment identified, saved as
//! a draft, signed (then read-only), agreed by the participant, reviewed in
//! a new version that says what changed; steps tracked by hand or following
//! a condition; a high-risk plan countersigned by another supervisor; the
//! review falling due and raised by the sweep. On both databases.

use crate::fetch;
use crate::helpers::{form_values, set_value, Backend, TestApp, User};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::app::assessments::instruments::import;
use bridgeway::app::casework::alerts::sweep;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::{json, Value};

const NEEDS: &str = include_str!("../../instruments/bw-needs-1.toml");
const NEEDS_EXAMPLES: &str = include_str!("../../instruments/bw-needs-1.examples.toml");

/// The answers of one of the needs screener's published examples.
fn example_answers(name: &str) -> Value {
    let examples: toml::Value = toml::from_str(NEEDS_EXAMPLES).unwrap();
    let example = examples["example"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no example '{name}'"));
    serde_json::to_value(&example["answers"]).unwrap()
}

/// Loads the needs screener (once per test app).
pub async fn import_needs(t: &TestApp) {
    import(&t.app, None, NEEDS).await.unwrap();
}

/// A needs assessment ("work and drugs, moderate": education/employment
/// and alcohol/drug needs) completed on `case_id` by `officer`.
async fn needs_assessed(t: &TestApp, officer: &User, case_id: &str) {
    let case = format!("/api/v1/cases/{case_id}");
    let draft = t
        .post(
            &format!("{case}/assessments"),
            officer,
            json!({"instrument": "bw-needs"}),
        )
        .await
        .json();
    let path = format!("/api/v1/assessments/{}", draft["id"].as_str().unwrap());
    let answers = json!({"version": draft["version"],
                         "answers": example_answers("work and drugs, moderate")});
    let saved = t
        .api("PUT", &format!("{path}/answers"), officer, Some(answers))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let done = t
        .post(
            &format!("{path}/complete"),
            officer,
            json!({"version": saved.json()["version"]}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
}

/// A signed initial plan on `case_id` (needs assessed first) by `officer`,
/// with one goal and one step tracked by hand: the plan's answer.
pub async fn planned(t: &TestApp, officer: &User, case_id: &str) -> Value {
    needs_assessed(t, officer, case_id).await;
    let plan = t
        .post(
            &format!("/api/v1/cases/{case_id}/case-plans"),
            officer,
            json!({"kind": "initial"}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text());
    let steps = json!([{"action": "Attend group", "owner": "participant"}]);
    let saved = save(
        t,
        officer,
        &plan.json(),
        json!([goal("No drug use", steps)]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    signed(t, officer, &saved.json()).await
}

/// An active case with a completed needs assessment, its officer's
/// supervisor, the officer and the case's id.
async fn assessed_case(t: &TestApp) -> (User, User, String) {
    import_needs(t).await;
    let supervisor = t.user("boss", Role::Supervisor, None, None).await;
    let officer = t
        .user("officer", Role::Officer, Some(supervisor.id), None)
        .await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let program = t.program(&admin, "Diversion", json!({})).await;
    let opened = t
        .post(
            "/api/v1/intake",
            &officer,
            crate::helpers::referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await
        .json();
    let case_id = opened["case_id"].as_str().unwrap().to_owned();
    t.activate(&case_id, &officer).await;
    let refused = t
        .post(
            &format!("/api/v1/cases/{case_id}/case-plans"),
            &officer,
            json!({"kind": "initial"}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert!(refused
        .text()
        .contains("assess the participant's needs first"));
    needs_assessed(t, &officer, &case_id).await;
    (supervisor, officer, case_id)
}

fn goal(outcome: &str, steps: Value) -> Value {
    json!({"domain": "alcohol_drug", "related": ["education_employment"], "outcome": outcome,
           "target": "2027-05-01", "steps": steps})
}

async fn save(t: &TestApp, officer: &User, plan: &Value, goals: Value) -> crate::helpers::Response {
    let path = format!("/api/v1/case-plans/{}", plan["id"].as_str().unwrap());
    t.api(
        "PUT",
        &path,
        officer,
        Some(json!({"version": plan["version"], "goals": goals})),
    )
    .await
}

async fn signed(t: &TestApp, user: &User, plan: &Value) -> Value {
    let path = format!("/api/v1/case-plans/{}/sign", plan["id"].as_str().unwrap());
    let done = t
        .post(&path, user, json!({"version": plan["version"]}))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    done.json()
}

fn step_status(plan: &Value, action: &str) -> String {
    plan["goals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["steps"].as_array().unwrap())
        .find(|s| s["action"] == action)
        .unwrap_or_else(|| panic!("no step '{action}' in {plan}"))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_plan_answers_the_needs_and_follows_its_evidence(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, case_id) = assessed_case(&t).await;
    let case = format!("/api/v1/cases/{case_id}");
    let list = t.get(&format!("{case}/case-plans"), &officer).await.json();
    assert_eq!(
        list["review_by"], "2026-12-18",
        "a first plan within 30 days: {list}"
    );

    let review = t
        .post(
            &format!("{case}/case-plans"),
            &officer,
            json!({"kind": "review"}),
        )
        .await;
    assert_eq!(
        review.error_fields(),
        ["kind"],
        "the first is the initial plan"
    );
    let plan = t
        .post(
            &format!("{case}/case-plans"),
            &officer,
            json!({"kind": "initial"}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text());
    let plan = plan.json();
    assert_eq!(plan["stage"], "draft");
    let needs: Vec<(String, String)> = plan["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().into(),
                d["need"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        needs.contains(&("alcohol_drug".into(), "identified".into())),
        "{needs:?}"
    );
    assert!(
        needs.contains(&("companions".into(), "not_identified".into())),
        "{needs:?}"
    );
    let again = t
        .post(
            &format!("{case}/case-plans"),
            &officer,
            json!({"kind": "initial"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "one draft at a time");

    let condition = t
        .post(
            &format!("{case}/conditions"),
            &officer,
            json!({"kind": "treatment", "title": "Outpatient treatment"}),
        )
        .await;
    assert_eq!(
        condition.status,
        StatusCode::CREATED,
        "{}",
        condition.text()
    );
    let condition = condition.json();

    // Bad goals are refused whole, each problem named by its place.
    let bad = save(
        &t,
        &officer,
        &plan,
        json!([
            {"domain": "housing", "outcome": "Housed", "target": "2027-05-01", "steps": []},
            goal("Sober", json!([
                {"action": "Treatment", "owner": "provider",
                 "link": {"kind": "condition", "id": uuid::Uuid::now_v7()}},
                {"action": " ", "owner": "participant"}])),
        ]),
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    assert_eq!(
        bad.error_fields(),
        [
            "goals.0.domain",
            "goals.1.steps.0.link",
            "goals.1.steps.1.action"
        ]
    );
    let steps = json!([
        {"action": "Complete outpatient treatment", "owner": "provider",
         "owner_name": "Eastside Recovery", "link": {"kind": "condition", "id": condition["id"]}},
        {"action": "Ask two employers about work", "owner": "participant", "due": "2027-01-15"},
    ]);
    let saved = save(
        &t,
        &officer,
        &plan,
        json!([goal("No drug use for 90 days", steps)]),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let saved = saved.json();
    assert_eq!(
        step_status(&saved, "Complete outpatient treatment"),
        "not_started"
    );
    assert_eq!(
        saved["goals"][0]["steps"][0]["follows"], "Condition: Outpatient treatment",
        "{saved}"
    );
    let too_many: Vec<Value> = (0..21).map(|_| goal("Sober", json!([]))).collect();
    let refused = save(&t, &officer, &plan, json!(too_many)).await;
    assert_eq!(refused.error_fields(), ["goals"], "at most 20 goals");
    let stale = save(&t, &officer, &plan, json!([])).await;
    assert_eq!(
        stale.status,
        StatusCode::CONFLICT,
        "a stale draft is refused"
    );

    let in_force = signed(&t, &officer, &saved).await;
    assert_eq!(
        in_force["stage"], "in_force",
        "a moderate case needs no countersignature"
    );
    let list = t.get(&format!("{case}/case-plans"), &officer).await.json();
    assert_eq!(
        list["review_by"], "2027-02-16",
        "90 days after signing: {list}"
    );
    let late = save(&t, &officer, &in_force, json!([])).await;
    assert_eq!(
        late.status,
        StatusCode::CONFLICT,
        "a signed version never changes"
    );

    // The unlinked step is tracked by hand; the linked one follows its
    // condition and takes no status by hand.
    let keyed = |action: &str| {
        in_force["goals"][0]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["action"] == action)
            .unwrap()["key"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let progress = |key: String| format!("/api/v1/plan-items/{key}/progress");
    let by_hand = t
        .post(
            &progress(keyed("Complete outpatient treatment")),
            &officer,
            json!({"on": "2026-11-18", "status": "done"}),
        )
        .await;
    assert_eq!(by_hand.error_fields(), ["status"], "{}", by_hand.text());
    let nothing = t
        .post(
            &progress(keyed("Ask two employers about work")),
            &officer,
            json!({"on": "2026-11-18"}),
        )
        .await;
    assert_eq!(nothing.error_fields(), ["note"]);
    let done = t
        .post(&progress(keyed("Ask two employers about work")), &officer,
              json!({"on": "2026-11-18", "status": "done", "note": "Called the warehouse and the deli."}))
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.text());
    let done = done.json();
    assert_eq!(step_status(&done, "Ask two employers about work"), "done");
    let by_hand = done["goals"][0]["steps"][1].clone();
    assert_eq!(by_hand["status_set_by"], "officer (test)", "{by_hand}");
    assert_eq!(
        done["progress"][0]["note"],
        "Called the warehouse and the deli."
    );
    let met = t
        .post(
            &format!(
                "/api/v1/conditions/{}/met",
                condition["id"].as_str().unwrap()
            ),
            &officer,
            json!({"version": condition["version"], "met": true}),
        )
        .await;
    assert_eq!(met.status, StatusCode::OK, "{}", met.text());
    let shown = t
        .get(
            &format!("/api/v1/case-plans/{}", in_force["id"].as_str().unwrap()),
            &officer,
        )
        .await
        .json();
    assert_eq!(
        step_status(&shown, "Complete outpatient treatment"),
        "done",
        "{shown}"
    );

    // The participant's answer, once.
    let agreement = format!(
        "/api/v1/case-plans/{}/agreement",
        in_force["id"].as_str().unwrap()
    );
    let agreed = t
        .post(
            &agreement,
            &officer,
            json!({"version": shown["version"], "agreement": "agreed",
              "comment": "I want the job more than anything.", "on": "2026-11-18"}),
        )
        .await;
    assert_eq!(agreed.status, StatusCode::OK, "{}", agreed.text());
    assert_eq!(agreed.json()["agreement"], "agreed");
    let twice = t
        .post(
            &agreement,
            &officer,
            json!({"version": agreed.json()["version"],
              "agreement": "does_not_agree", "on": "2026-11-18"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // A review copies the plan in force and says what changed.
    let review = t
        .post(
            &format!("{case}/case-plans"),
            &officer,
            json!({"kind": "review"}),
        )
        .await;
    assert_eq!(review.status, StatusCode::CREATED, "{}", review.text());
    let review = review.json();
    assert_eq!(review["number"], 2);
    assert_eq!(review["changes"], json!([]), "a copy changes nothing");
    assert_eq!(
        step_status(&review, "Ask two employers about work"),
        "done",
        "status carries"
    );
    // Sent back as saved: without what the server says of each (its status).
    let mut goals = review["goals"].clone();
    let said = ["status", "status_set_by", "status_set_at", "follows"];
    for goal in goals.as_array_mut().unwrap() {
        for step in goal["steps"].as_array_mut().unwrap() {
            step.as_object_mut()
                .unwrap()
                .retain(|k, _| !said.contains(&k.as_str()));
        }
        goal.as_object_mut()
            .unwrap()
            .retain(|k, _| !said.contains(&k.as_str()));
    }
    goals[0]["target"] = json!("2027-06-01");
    goals[0]["steps"].as_array_mut().unwrap().remove(1);
    let changed = save(&t, &officer, &review, goals).await.json();
    let changes: Vec<(String, String, Value)> = changed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().into(),
                c["item"].as_str().unwrap().into(),
                c["fields"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("changed".into(), "goal".into(), json!(["target date"])),
            ("removed".into(), "step".into(), json!([]))
        ]
    );
    signed(&t, &officer, &changed).await;
    let list = t.get(&format!("{case}/case-plans"), &officer).await.json();
    let stages: Vec<&str> = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["in_force", "superseded"]);

    // Reads are audited; goals and notes are sealed at rest.
    assert!(t.audit_count(Action::CasePlanView).await >= 1);
    assert!(t.audit_count(Action::CasePlanProgress).await >= 1);
    let mut tx = t.app.db.read().await.unwrap();
    let at_rest: Vec<String> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT content FROM case_plans")
    )
    .unwrap();
    let notes: Vec<Option<String>> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT note FROM plan_progress")
    )
    .unwrap();
    drop(tx);
    assert!(at_rest.iter().all(|c| !c.contains("drug use")));
    assert!(notes.iter().flatten().all(|n| !n.contains("warehouse")));
}

async fn a_high_risk_plan_needs_another_supervisors_countersignature(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (supervisor, officer, case_id) = assessed_case(&t).await;
    let case = format!("/api/v1/cases/{case_id}");
    let version = t.get(&case, &officer).await.json()["version"].clone();
    let high = t
        .api(
            "PUT",
            &format!("{case}/supervision-level"),
            &officer,
            Some(json!({"version": version, "level": "high", "reason": "Threats to a neighbour."})),
        )
        .await;
    assert_eq!(high.status, StatusCode::OK, "{}", high.text());
    let plan = t
        .post(
            &format!("{case}/case-plans"),
            &officer,
            json!({"kind": "initial"}),
        )
        .await
        .json();
    let unsigned = t
        .post(
            &format!("/api/v1/case-plans/{}/sign", plan["id"].as_str().unwrap()),
            &officer,
            json!({"version": plan["version"]}),
        )
        .await;
    assert_eq!(unsigned.error_fields(), ["goals"], "a plan needs a goal");
    let steps = json!([{"action": "Attend group", "owner": "participant"}]);
    let saved = save(&t, &officer, &plan, json!([goal("No drug use", steps)]))
        .await
        .json();
    let waiting = signed(&t, &officer, &saved).await;
    assert_eq!(waiting["stage"], "awaiting_countersignature");
    assert_eq!(
        t.open_rules(&supervisor, &case_id, "plan").await,
        ["plan_countersign"],
        "the supervisor's queue holds it"
    );
    let countersign = format!(
        "/api/v1/case-plans/{}/countersign",
        plan["id"].as_str().unwrap()
    );
    let body = json!({"version": waiting["version"]});
    let by_officer = t.post(&countersign, &officer, body.clone()).await;
    assert_eq!(by_officer.status, StatusCode::FORBIDDEN);
    let done = t.post(&countersign, &supervisor, body.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let done = done.json();
    assert_eq!(done["stage"], "in_force");
    assert_eq!(done["countersigned_by"], "boss (test)");
    assert!(
        t.open_rules(&supervisor, &case_id, "plan").await.is_empty(),
        "countersigning settles it"
    );
    let twice = t
        .post(
            &countersign,
            &supervisor,
            json!({"version": done["version"]}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}

async fn a_plans_review_falls_due_and_signing_settles_it(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, case_id) = assessed_case(&t).await;
    let case = format!("/api/v1/cases/{case_id}");
    t.advance(chrono::Duration::days(20));
    sweep(&t.app).await.unwrap();
    assert_eq!(
        t.open_rules(&officer, &case_id, "plan").await,
        ["plan_review_due"],
        "a first plan is due within 30 days of the assessment"
    );
    t.advance(chrono::Duration::days(11));
    sweep(&t.app).await.unwrap();
    assert_eq!(
        t.open_rules(&officer, &case_id, "plan").await,
        ["plan_review_due", "plan_review_overdue"]
    );
    let officer = t.fresh_token(&officer).await;
    let plan = t
        .post(
            &format!("{case}/case-plans"),
            &officer,
            json!({"kind": "initial"}),
        )
        .await
        .json();
    let steps = json!([{"action": "Attend group", "owner": "participant"}]);
    let saved = save(&t, &officer, &plan, json!([goal("No drug use", steps)]))
        .await
        .json();
    signed(&t, &officer, &saved).await;
    assert!(
        t.open_rules(&officer, &case_id, "plan").await.is_empty(),
        "signing settles both"
    );
    t.advance(chrono::Duration::days(85));
    sweep(&t.app).await.unwrap();
    assert_eq!(
        t.open_rules(&officer, &case_id, "plan").await,
        ["plan_review_due"],
        "the review is due 90 days after signing"
    );
}

/// Posts `values` as a form (pairs), answering the response.
async fn post_form(
    t: &TestApp,
    path: &str,
    cookie: &str,
    values: &[(String, String)],
) -> crate::helpers::Response {
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    t.form(path, cookie, &pairs).await
}

async fn an_officer_writes_and_tracks_the_plan_on_its_pages(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, case_id) = assessed_case(&t).await;
    let cookie = t.session("officer").await;
    let plans = format!("/cases/{case_id}/case-plans");
    let list = t.page(&plans, &cookie).await.text();
    assert!(
        list.contains("The first plan is due by <strong>18 December 2026</strong>"),
        "{list}"
    );
    let started = t.form(&plans, &cookie, &[("kind", "initial")]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    let page = started.headers["location"].to_str().unwrap().to_owned();
    let draft = t.page(&page, &cookie).await.text();
    assert!(
        draft.contains("Alcohol and drugs (identified need)"),
        "{draft}"
    );

    // The spare goal filled in, with two of its three step rows: one blank
    // action row is dropped, a bad date is named on the row it was typed in.
    let mut values = form_values(&draft, &page);
    set_value(&mut values, "goals.0.domain", "alcohol_drug");
    set_value(
        &mut values,
        "goals.0.outcome",
        "No positive test for 90 days",
    );
    set_value(&mut values, "goals.0.target", "2027-04-01");
    set_value(
        &mut values,
        "goals.0.steps.1.action",
        "Attend the Tuesday group",
    );
    set_value(&mut values, "goals.0.steps.1.due", "2027-13-01");
    values.push(("goals.0.related.education_employment".into(), "on".into()));
    let refused = post_form(&t, &page, &cookie, &values).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text();
    assert!(
        refused.contains(r#"id="goals-0-steps-1-due-error""#),
        "{refused}"
    );
    assert!(
        refused.contains("Attend the Tuesday group"),
        "kept as typed"
    );
    set_value(&mut values, "goals.0.steps.1.due", "2027-01-15");
    values.push(("then".into(), "sign".into()));
    let signed = post_form(&t, &page, &cookie, &values).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
    let shown = t.page(&page, &cookie).await.text();
    assert!(shown.contains("<small>In force</small>"), "{shown}");
    assert!(
        shown.contains("Alcohol and drugs; also Education and employment"),
        "{shown}"
    );
    assert!(shown.contains("Attend the Tuesday group"));

    // Progress by hand, and the participant's answer.
    let mut progress = form_values(&shown, &format!("{page}/progress"));
    let key = shown[..shown.find("— Step: Attend the Tuesday group").unwrap()]
        .rsplit("value=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    set_value(&mut progress, "item", &key);
    set_value(&mut progress, "status", "in_progress");
    set_value(&mut progress, "note", "Went twice.");
    let recorded = post_form(&t, &format!("{page}/progress"), &cookie, &progress).await;
    assert_eq!(
        recorded.status,
        StatusCode::SEE_OTHER,
        "{}",
        recorded.text()
    );
    let mut agreement = form_values(
        &t.page(&page, &cookie).await.text(),
        &format!("{page}/agreement"),
    );
    set_value(&mut agreement, "agreement", "does_not_agree");
    set_value(&mut agreement, "comment", "Tuesdays clash with my shift.");
    let answered = post_form(&t, &format!("{page}/agreement"), &cookie, &agreement).await;
    assert_eq!(
        answered.status,
        StatusCode::SEE_OTHER,
        "{}",
        answered.text()
    );
    let shown = t.page(&page, &cookie).await.text();
    assert!(
        shown.contains("<td data-label=\"Status\">In progress"),
        "{shown}"
    );
    assert!(
        shown.contains("→ <em>In progress</em>: Went twice."),
        "{shown}"
    );
    assert!(
        shown.contains("(set by officer (test), 18 Nov 2026)"),
        "{shown}"
    );
    assert!(shown.contains("Does not agree on 18 November 2026: “Tuesdays clash with my shift.”"));

    // The case page and the participant's timeline tell the plan.
    let case = t.page(&format!("/cases/{case_id}"), &cookie).await.text();
    assert!(
        case.contains("No positive test for 90 days: <strong>Active</strong>, 0 of 1 steps done"),
        "{case}"
    );
    let person = t
        .get(&format!("/api/v1/cases/{case_id}"), &officer)
        .await
        .json()["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let timeline = t
        .page(&format!("/people/{person}?kind=case_plan"), &cookie)
        .await
        .text();
    assert!(
        timeline
            .contains("Case plan signed: version 1, Initial plan; the participant: does not agree"),
        "{timeline}"
    );
}

on_both_databases!(
    a_plan_answers_the_needs_and_follows_its_evidence,
    a_high_risk_plan_needs_another_supervisors_countersignature,
    a_plans_review_falls_due_and_signing_settles_it,
    an_officer_writes_and_tracks_the_plan_on_its_pages,
);
