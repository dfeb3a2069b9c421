//! Assessments on a case: started with the record's answers filled in,
//! answered as a draft scored live, refused answers named by item,
//! completed and signed, sealed at rest; the level recommended and a
//! different level needing a reason or a supervisor; overrides proposed
//! and decided by another supervisor. On both databases.

use crate::fetch;
use crate::helpers::{form_values, referral, set_value, Backend, TestApp, User};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::app::assessments::instruments::import;
use bridgeway::app::casework::alerts::sweep;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::{json, Value};

pub const PRETRIAL: &str = include_str!("../../instruments/bw-pretrial-1.toml");

/// The answers of the pretrial screener's "two recent failures to appear,
/// no home" example: moderate.
fn moderate_answers() -> Value {
    json!({ "age": 26, "violent_charge": false, "pending_charge": true, "prior_misdemeanors": 2,
            "prior_felonies": 0, "prior_violent": false, "recent_ftas": 2, "older_fta": false,
            "prior_sentence": false, "no_residence": true })
}

/// A pretrial assessment started on `case_id` by `officer`: its answer.
async fn started(t: &TestApp, officer: &User, case_id: &str) -> Value {
    let started = t
        .post(
            &format!("/api/v1/cases/{case_id}/assessments"),
            officer,
            json!({"instrument": "bw-pretrial"}),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.text());
    started.json()
}

/// `draft` answered as the "moderate" example and completed by `officer`:
/// the completed assessment's answer.
async fn completed(t: &TestApp, officer: &User, draft: &Value) -> Value {
    let path = format!("/api/v1/assessments/{}", draft["id"].as_str().unwrap());
    let saved = t
        .api(
            "PUT",
            &format!("{path}/answers"),
            officer,
            Some(json!({"version": draft["version"], "answers": moderate_answers()})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let version = saved.json()["version"].clone();
    let done = t
        .post(
            &format!("{path}/complete"),
            officer,
            json!({"version": version}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    done.json()
}

/// A completed pretrial assessment (moderate) on `case_id` by `officer`,
/// with a proposal of "high" waiting: the assessment's answer.
pub async fn assessed_with_proposal(t: &TestApp, officer: &User, case_id: &str) -> Value {
    let draft = started(t, officer, case_id).await;
    let done = completed(t, officer, &draft).await;
    let path = format!("/api/v1/assessments/{}", done["id"].as_str().unwrap());
    let proposed = t
        .post(&format!("{path}/overrides"), officer,
              json!({"level": "high", "reason_code": "Victim safety", "reason": "Threats to the victim."}))
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text());
    proposed.json()
}

/// A supervisor ("boss"), their officer, and the intake answer for a case
/// the officer took in (Ann Lee, born 1 April 1990, petty theft).
async fn supervised_case(t: &TestApp) -> (User, User, Value) {
    let supervisor = t.user("boss", Role::Supervisor, None, None).await;
    let officer = t
        .user("officer", Role::Officer, Some(supervisor.id), None)
        .await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let opened = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await
        .json();
    (supervisor, officer, opened)
}

async fn an_officer_assesses_and_the_level_recommends_supervision(backend: Backend) {
    let t = TestApp::new(backend).await;
    import(&t.app, None, PRETRIAL).await.unwrap();
    let (_, officer, opened) = t.one_referral().await;
    let colleague = t.user("colleague", Role::Officer, None, None).await;
    let case_id = opened["case_id"].as_str().unwrap();
    let case = format!("/api/v1/cases/{case_id}");

    let unknown = t
        .post(
            &format!("{case}/assessments"),
            &officer,
            json!({"instrument": "lsi-r"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields(), ["instrument"]);
    let no_such_population = t
        .post(
            &format!("{case}/assessments"),
            &officer,
            json!({"instrument": "bw-pretrial", "population": "female"}),
        )
        .await;
    assert_eq!(no_such_population.error_fields(), ["population"]);
    assert!(no_such_population.text().contains("the same for everyone"));

    let questions = t
        .get("/api/v1/instruments/bw-pretrial/versions/1", &officer)
        .await;
    assert_eq!(questions.status, StatusCode::OK, "{}", questions.text());
    let questions = questions.json();
    assert_eq!(questions["definition"]["items"][0]["id"], "age");
    assert_eq!(questions["definition"]["items"][0]["type"], "number");
    assert_eq!(
        t.get("/api/v1/instruments/bw-pretrial/versions/9", &officer)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Two starts at once (a double click, two tabs): one draft, the other
    // refused; a later start is refused too, naming the draft to resume.
    let assessments = format!("{case}/assessments");
    let start = || t.post(&assessments, &officer, json!({"instrument": "bw-pretrial"}));
    let (first, second) = tokio::join!(start(), start());
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let started = if first.status == StatusCode::CREATED {
        first
    } else {
        second
    }
    .json();
    assert_eq!(started["stage"], "draft");
    assert_eq!(started["instrument_version"], 1);
    assert_eq!(started["digest"].as_str().unwrap().len(), 64);
    assert_eq!(
        started["answers"],
        json!({"age": 36, "violent_charge": false}),
        "the record's age and charge are filled in for the assessor to confirm"
    );
    let again = start().await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text().contains("resume it"), "{}", again.text());

    let id = started["id"].as_str().unwrap();
    let path = format!("/api/v1/assessments/{id}");
    let answers = |version: &Value, answers: Value| json!({"version": version, "answers": answers});

    let bad = t
        .api(
            "PUT",
            &format!("{path}/answers"),
            &officer,
            Some(answers(
                &started["version"],
                json!({"recent_ftas": "many", "pets": 1}),
            )),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["answers.pets", "answers.recent_ftas"]);

    let contradictory =
        json!({"prior_sentence": true, "prior_misdemeanors": 0, "prior_felonies": 0});
    let refused = t
        .api(
            "PUT",
            &format!("{path}/answers"),
            &officer,
            Some(answers(&started["version"], contradictory)),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text();
    assert!(
        text.contains("needs a prior conviction") && text.contains("Prior felony convictions"),
        "the refusal names the other items: {text}"
    );

    let short = t
        .post(
            &format!("{path}/complete"),
            &officer,
            json!({"version": started["version"]}),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short
        .error_fields()
        .contains(&"answers.recent_ftas".to_owned()));

    let saved = t
        .api(
            "PUT",
            &format!("{path}/answers"),
            &officer,
            Some(answers(&started["version"], moderate_answers())),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let saved = saved.json();
    assert_eq!(saved["scored"]["level"]["name"], "moderate", "scored live");
    let stale = t
        .api(
            "PUT",
            &format!("{path}/answers"),
            &officer,
            Some(answers(&started["version"], json!({"age": 27}))),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let not_theirs = t
        .post(
            &format!("{path}/complete"),
            &colleague,
            json!({"version": saved["version"]}),
        )
        .await;
    assert_eq!(
        not_theirs.status,
        StatusCode::NOT_FOUND,
        "another officer's case is not found"
    );
    assert_eq!(t.get(&path, &colleague).await.status, StatusCode::NOT_FOUND);

    let done = t
        .post(
            &format!("{path}/complete"),
            &officer,
            json!({"version": saved["version"]}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let done = done.json();
    assert_eq!(done["stage"], "completed");
    assert_eq!(done["level"], "moderate");
    assert_eq!(done["recommended_supervision_level"], "moderate");
    let late = t
        .api(
            "PUT",
            &format!("{path}/answers"),
            &officer,
            Some(answers(&done["version"], json!({"age": 27}))),
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::CONFLICT,
        "a signed assessment no longer changes"
    );

    // Answers and results are sealed at rest; the level's name is not.
    let mut tx = t.app.db.read().await.unwrap();
    let stored: Vec<(String, Option<String>, Option<String>)> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_as("SELECT answers, result, level FROM assessments")
    )
    .unwrap();
    drop(tx);
    let (answers_at_rest, result_at_rest, level) = &stored[0];
    assert!(!answers_at_rest.contains("recent_ftas"));
    assert!(!result_at_rest.as_deref().unwrap().contains("new_arrest"));
    assert_eq!(level.as_deref(), Some("moderate"));

    // The recommended level needs nothing; another needs a reason; one two
    // steps away needs a supervisor.
    assert_eq!(
        t.set_level(&case, &officer, json!("moderate")).await.status,
        StatusCode::OK
    );
    let unexplained = t.set_level(&case, &officer, json!("high")).await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unexplained.error_fields(), ["reason"]);
    let version =
        t.get(&format!("{case}/supervision"), &officer).await.json()["case_version"].clone();
    let far = t
        .api(
            "PUT",
            &format!("{case}/supervision-level"),
            &officer,
            Some(json!({"version": version, "level": "administrative", "reason": "stable"})),
        )
        .await;
    assert_eq!(far.status, StatusCode::FORBIDDEN, "{}", far.text());
    let explained = t
        .api(
            "PUT",
            &format!("{case}/supervision-level"),
            &officer,
            Some(json!({"version": version, "level": "high", "reason": "weapons in the home"})),
        )
        .await;
    assert_eq!(explained.status, StatusCode::OK, "{}", explained.text());

    let listed = t.get(&format!("{case}/assessments"), &officer).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["level"], "moderate");
    assert_eq!(t.audit_count(Action::AssessmentCreate).await, 1);
    assert_eq!(t.audit_count(Action::AssessmentUpdate).await, 1);
    assert_eq!(t.audit_count(Action::AssessmentComplete).await, 1);
    let read = t.get(&path, &officer).await;
    assert_eq!(read.json()["level"], "moderate");
    assert_eq!(
        t.audit_count(Action::AssessmentView).await,
        1,
        "the officer's read, not the colleague's refused one"
    );
    assert_eq!(t.audit_count(Action::AssessmentList).await, 1);
    assert_eq!(t.count("supervision_levels").await, 2);
}

async fn an_override_is_its_own_record_decided_by_another_supervisor(backend: Backend) {
    let t = TestApp::new(backend).await;
    import(&t.app, None, PRETRIAL).await.unwrap();
    let (supervisor, officer, opened) = supervised_case(&t).await;
    let case_id = opened["case_id"].as_str().unwrap();
    let case = format!("/api/v1/cases/{case_id}");

    let draft = started(&t, &officer, case_id).await;
    let path = format!("/api/v1/assessments/{}", draft["id"].as_str().unwrap());
    let early = t
        .post(
            &format!("{path}/overrides"),
            &officer,
            json!({"level": "high", "reason_code": "Victim safety", "reason": "x"}),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::CONFLICT,
        "a draft's level is not settled"
    );
    completed(&t, &officer, &draft).await;

    let wrong = t
        .post(
            &format!("{path}/overrides"),
            &officer,
            json!({"level": "moderate", "reason_code": "Whim", "reason": " "}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.error_fields(), ["level", "reason_code", "reason"]);
    let proposed = t
        .post(&format!("{path}/overrides"), &officer,
              json!({"level": "high", "reason_code": "Victim safety", "reason": "Threats to the victim last week."}))
        .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text());
    let proposed = proposed.json();
    assert_eq!(proposed["override_waiting"], true);
    assert_eq!(proposed["level"], "moderate", "the computed level stands");
    let override_id = proposed["overrides"][0]["id"].as_str().unwrap();
    let decision = format!("/api/v1/assessment-overrides/{override_id}/decision");

    let own = t
        .post(&decision, &officer, json!({"decision": "approved"}))
        .await;
    assert_eq!(
        own.status,
        StatusCode::FORBIDDEN,
        "the proposer does not decide"
    );
    let unexplained = t
        .post(&decision, &supervisor, json!({"decision": "rejected"}))
        .await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    let approved = t
        .post(&decision, &supervisor, json!({"decision": "approved"}))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text());
    let approved = approved.json();
    assert_eq!(
        approved["level"], "moderate",
        "the computed result never changes"
    );
    assert_eq!(approved["override_level"], "high");
    assert_eq!(approved["recommended_supervision_level"], "high");
    assert_eq!(approved["overrides"][0]["decision"], "approved");
    let twice = t
        .post(
            &decision,
            &supervisor,
            json!({"decision": "rejected", "note": "no"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    assert_eq!(
        t.set_level(&case, &officer, json!("high")).await.status,
        StatusCode::OK
    );
    assert_eq!(t.audit_count(Action::AssessmentOverride).await, 1);
    assert_eq!(t.audit_count(Action::AssessmentOverrideDecision).await, 1);
}

/// The whole round on the pages: start from the case, answer (a bad
/// number named by its question), save and complete, propose another
/// level; the officer's supervisor approves it.
async fn officers_assess_on_the_pages_and_supervisors_decide_there(backend: Backend) {
    let t = TestApp::new(backend).await;
    import(&t.app, None, PRETRIAL).await.unwrap();
    let (_, officer, opened) = supervised_case(&t).await;
    let case = format!("/cases/{}", opened["case_id"].as_str().unwrap());
    let cookie = t.session("officer").await;

    let list = t.page(&format!("{case}/assessments"), &cookie).await;
    assert_eq!(list.status, StatusCode::OK);
    let values = form_values(&list.text(), &format!("{case}/assessments"));
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let started = t
        .form(&format!("{case}/assessments"), &cookie, &pairs)
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text());
    let page = started.headers["location"].to_str().unwrap().to_owned();

    let shown = t.page(&page, &cookie).await.text();
    assert!(shown.contains("Age at arrest"), "the questions are asked");
    let mut values = form_values(&shown, &page);
    assert!(
        values.contains(&("answers.age".into(), "36".into())),
        "filled from the record"
    );
    for (item, value) in [
        ("pending_charge", "yes"),
        ("prior_misdemeanors", "2"),
        ("prior_felonies", "0"),
        ("prior_violent", "no"),
        ("recent_ftas", "two"),
        ("older_fta", "no"),
        ("prior_sentence", "no"),
        ("no_residence", "yes"),
        ("age", "26"),
    ] {
        set_value(&mut values, &format!("answers.{item}"), value);
    }
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = t.form(&page, &cookie, &pairs).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text();
    assert!(
        refused
            .contains("Failures to appear in court in the past two years: must be a whole number"),
        "the summary names the question"
    );
    let mut values = form_values(&refused, &page);
    set_value(&mut values, "answers.recent_ftas", "2");
    let mut pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.push(("then", "complete"));
    let done = t.form(&page, &cookie, &pairs).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let done = t.page(&page, &cookie).await.text();
    assert!(done.contains("Completed and signed"));
    assert!(
        done.contains("<dt>Recommends</dt><dd>Moderate supervision</dd>"),
        "{done}"
    );

    let proposed = t
        .form(
            &format!("{page}/overrides"),
            &cookie,
            &[
                ("level", "high"),
                ("reason_code", "Victim safety"),
                ("reason", "Threats last week."),
            ],
        )
        .await;
    assert_eq!(
        proposed.status,
        StatusCode::SEE_OTHER,
        "{}",
        proposed.text()
    );
    let boss = t.session("boss").await;
    let waiting = t.page(&page, &boss).await.text();
    let action = waiting
        .split("action=\"")
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .find(|a| a.ends_with("/decision"))
        .expect("the supervisor is offered the decision")
        .to_owned();
    let approved = t
        .form(&action, &boss, &[("decision", "approved"), ("note", "")])
        .await;
    assert_eq!(
        approved.status,
        StatusCode::SEE_OTHER,
        "{}",
        approved.text()
    );
    let after = t.page(&page, &cookie).await.text();
    assert!(after.contains("Approved by boss (test)"), "{after}");
    assert!(after.contains("<dt>Recommends</dt><dd>High supervision</dd>"));

    let api_case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let version = t
        .get(&format!("{api_case}/supervision"), &officer)
        .await
        .json()["case_version"]
        .clone();
    let set = t
        .api("PUT", &format!("{api_case}/supervision-level"), &officer,
             Some(json!({"version": version, "level": "moderate", "reason": "Stable housing since October."})))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let person = format!("/people/{}", opened["person_id"].as_str().unwrap());
    let participant = t.page(&person, &cookie).await.text();
    assert!(
        participant.contains("Assessment completed: Bridgeway Pretrial Screener v1, moderate, high by an approved override"),
        "the timeline tells it"
    );
    assert!(
        participant.contains(
            "Supervision level Moderate (recommended High): Stable housing since October."
        ),
        "and the level set against the recommendation, with its reason"
    );
    assert!(participant.contains("Assessments over time"));
    assert!(
        participant.contains("Bridgeway Pretrial Screener: New arrest (1 to 6)</title>"),
        "a chart per scale"
    );
    assert!(
        participant.contains("Failures to appear in court in the past two years: 2 <span class=\"muted\">(+4)</span>"),
        "the latest result's factors, each with its answer"
    );
    let case_page = t.page(&case, &cookie).await.text();
    assert!(case_page.contains("The latest assessment recommends <strong>High</strong>"));
}

/// A program that reassesses every six months: supervision starting without
/// an assessment makes one due within 30 days, raised as due soon and then
/// overdue; completing one settles both and makes the next due six months on.
async fn reassessment_follows_the_programs_rule(backend: Backend) {
    let t = TestApp::new(backend).await;
    import(&t.app, None, PRETRIAL).await.unwrap();
    let officer = t.user("officer", Role::Officer, None, None).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let program = t
        .post(
            "/api/v1/programs",
            &admin,
            json!({"kind": "probation", "name": "Probation", "default_length_days": 365,
              "supervising_unit": "Unit 1", "reassess_months": 6}),
        )
        .await;
    assert_eq!(program.status, StatusCode::CREATED, "{}", program.text());
    let program = program.json();
    assert_eq!(program["reassess_months"], 6);
    let refused = t
        .post(
            "/api/v1/programs",
            &admin,
            json!({"kind": "probation", "name": "Other", "default_length_days": 365,
              "supervising_unit": "Unit 1", "reassess_months": 0}),
        )
        .await;
    assert_eq!(refused.error_fields(), ["reassess_months"]);
    let opened = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(
                program["id"].as_str().unwrap().parse().unwrap(),
                "Ann",
                "Lee",
                "1990-04-01",
                Some(officer.id),
            ),
        )
        .await
        .json();
    let case_id = opened["case_id"].as_str().unwrap();
    t.activate(case_id, &officer).await;
    let cookie = t.session("officer").await;
    let page = t
        .page(&format!("/cases/{case_id}/assessments"), &cookie)
        .await
        .text();
    assert!(
        page.contains("due by <strong>18 December 2026</strong>"),
        "30 days after the start: {page}"
    );

    sweep(&t.app).await.unwrap();
    assert!(
        t.open_rules(&officer, case_id, "assessment")
            .await
            .is_empty(),
        "not due within two weeks yet"
    );
    t.advance(chrono::Duration::days(17));
    sweep(&t.app).await.unwrap();
    assert_eq!(
        t.open_rules(&officer, case_id, "assessment").await,
        ["assessment_due"]
    );
    t.advance(chrono::Duration::days(14));
    sweep(&t.app).await.unwrap();
    // The officer's first token (30 days) has run out.
    let officer = t.fresh_token(&officer).await;
    assert_eq!(
        t.open_rules(&officer, case_id, "assessment").await,
        ["assessment_due", "assessment_overdue"]
    );

    let draft = started(&t, &officer, case_id).await;
    completed(&t, &officer, &draft).await;
    assert!(
        t.open_rules(&officer, case_id, "assessment")
            .await
            .is_empty(),
        "completing settles them"
    );
    let cookie = t.session("officer").await;
    let page = t
        .page(&format!("/cases/{case_id}/assessments"), &cookie)
        .await
        .text();
    assert!(
        page.contains("due by <strong>19 June 2027</strong>"),
        "six months on: {page}"
    );
}

on_both_databases!(
    an_officer_assesses_and_the_level_recommends_supervision,
    an_override_is_its_own_record_decided_by_another_supervisor,
    officers_assess_on_the_pages_and_supervisors_decide_there,
    reassessment_follows_the_programs_rule,
);
