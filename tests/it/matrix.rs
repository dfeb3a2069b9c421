//! Every API route × every role × their own and someone else's record: the
//! answer each gets is spelled out here, independently of the policy module,
//! so a route that leaks (or a role that loses access) fails this test.
//!
//! Writes are probed with a stale version or an invalid body: an authorized
//! caller gets 409 or 422 and nothing changes; an unauthorized one 403 or 404.

use crate::helpers::{referral, Backend, TestApp, User};
use crate::on_both_databases;
use bridgeway::domain::access::users::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Admin,
    Supervisor,
    Officer,
    OtherOfficer,
    Court,
    Provider,
    Auditor,
}

const EVERYONE: [Who; 7] = [
    Who::Admin,
    Who::Supervisor,
    Who::Officer,
    Who::OtherOfficer,
    Who::Court,
    Who::Provider,
    Who::Auditor,
];

/// Who holds the officer's case (`own`) or the other officer's: its officer,
/// and the supervisor of the first. Administrators do not read case content.
fn holds(w: Who, own: bool) -> bool {
    match w {
        Who::Supervisor | Who::Officer => own,
        Who::OtherOfficer => !own,
        _ => false,
    }
}

/// The roles whose accounts change nothing, and so hold only read tokens.
fn reads_only(w: Who) -> bool {
    matches!(w, Who::Court | Who::Provider | Who::Auditor)
}

/// The expected answer for reading the officer's case (`own`) or the other officer's.
fn read(w: Who, own: bool) -> u16 {
    match w {
        _ if holds(w, own) => 200,
        Who::Court if own => 200,
        _ => 404,
    }
}

/// The expected answer for changing it, or reading what only its holders
/// read (`ok` is what an authorized probe gets; a write by a role that only
/// reads is refused before, see [`reads_only`]).
fn change(w: Who, own: bool, ok: u16) -> u16 {
    match w {
        _ if holds(w, own) => ok,
        Who::Court if own => 403,
        _ => 404,
    }
}

fn only(allowed: &[Who], w: Who, ok: u16) -> u16 {
    if allowed.contains(&w) {
        ok
    } else {
        403
    }
}

async fn every_route_answers_every_role_as_specified(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let officer = t.user("officer", Role::Officer, Some(sup.id), None).await;
    let other = t.user("other", Role::Officer, None, None).await;
    let court = t
        .user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    let provider = t.user("provider", Role::Provider, None, None).await;
    let auditor = t.user("auditor", Role::Auditor, None, None).await;
    let user = |w: Who| -> &User {
        match w {
            Who::Admin => &admin,
            Who::Supervisor => &sup,
            Who::Officer => &officer,
            Who::OtherOfficer => &other,
            Who::Court => &court,
            Who::Provider => &provider,
            Who::Auditor => &auditor,
        }
    };
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let mine = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await
        .json();
    let mut elsewhere = referral(program, "Bob", "Ray", "1970-04-01", Some(other.id));
    elsewhere["case"]["court"] = json!("Municipal Court");
    let theirs = t.post("/api/v1/intake", &other, elsewhere).await.json();

    let curfew = json!({"kind": "curfew", "title": "Home by 10 pm"});
    let mine_condition = t
        .post(
            &format!(
                "/api/v1/cases/{}/conditions",
                mine["case_id"].as_str().unwrap()
            ),
            &officer,
            curfew.clone(),
        )
        .await
        .json();
    let theirs_condition = t
        .post(
            &format!(
                "/api/v1/cases/{}/conditions",
                theirs["case_id"].as_str().unwrap()
            ),
            &other,
            curfew.clone(),
        )
        .await
        .json();
    let visit = json!({"kind": "office_visit", "starts_at": "2030-01-07T09:00"});
    let mine_appointment = t
        .post(
            &format!(
                "/api/v1/cases/{}/appointments",
                mine["case_id"].as_str().unwrap()
            ),
            &officer,
            visit.clone(),
        )
        .await
        .json();
    let theirs_appointment = t
        .post(
            &format!(
                "/api/v1/cases/{}/appointments",
                theirs["case_id"].as_str().unwrap()
            ),
            &other,
            visit,
        )
        .await
        .json();
    let sample = json!({"collected_at": "2026-01-05T09:00", "specimen": "urine", "outcome": "collected", "results": [{"substance": "THC", "result": "negative"}]});
    let mine_test = t
        .post(
            &format!(
                "/api/v1/cases/{}/drug-tests",
                mine["case_id"].as_str().unwrap()
            ),
            &officer,
            sample.clone(),
        )
        .await
        .json();
    let theirs_test = t
        .post(
            &format!(
                "/api/v1/cases/{}/drug-tests",
                theirs["case_id"].as_str().unwrap()
            ),
            &other,
            sample,
        )
        .await
        .json();
    let mut notes = Vec::new();
    for (who, opened) in [(&officer, &mine), (&other, &theirs)] {
        let path = format!(
            "/api/v1/cases/{}/notes",
            opened["case_id"].as_str().unwrap()
        );
        let body = json!({"kind": "general", "text": "Probe note", "sign": true});
        notes.push(t.post(&path, who, body).await.json());
    }
    let [mine_note, theirs_note] = <[Value; 2]>::try_from(notes).unwrap();
    bridgeway::app::assessments::instruments::import(&t.app, None, crate::assessments::PRETRIAL)
        .await
        .unwrap();
    let mine_assessment =
        crate::assessments::assessed_with_proposal(&t, &officer, mine["case_id"].as_str().unwrap())
            .await;
    let theirs_assessment =
        crate::assessments::assessed_with_proposal(&t, &other, theirs["case_id"].as_str().unwrap())
            .await;
    crate::case_plans::import_needs(&t).await;
    let mine_plan =
        crate::case_plans::planned(&t, &officer, mine["case_id"].as_str().unwrap()).await;
    let theirs_plan =
        crate::case_plans::planned(&t, &other, theirs["case_id"].as_str().unwrap()).await;
    // A refused test raises an alert at once on a case under supervision:
    // one more for each officer, enrolled and active.
    let mut alerts = Vec::new();
    for (who, last, court) in [
        (&officer, "Ames", "Superior Court, Dept. 3"),
        (&other, "Bose", "Municipal Court"),
    ] {
        let mut referred = referral(program, "Cy", last, "1980-04-01", Some(who.id));
        referred["case"]["court"] = json!(court);
        let opened = t.post("/api/v1/intake", who, referred).await.json();
        let case = opened["case_id"].as_str().unwrap();
        for to in ["enrolled", "active"] {
            let version =
                t.get(&format!("/api/v1/cases/{case}"), who).await.json()["version"].clone();
            let moved = t
                .post(
                    &format!("/api/v1/cases/{case}/transitions"),
                    who,
                    json!({"version": version, "to": to, "reason": "probe", "override_reason": "probe"}),
                )
                .await;
            assert_eq!(moved.status.as_u16(), 200, "{}", moved.text());
        }
        let refused =
            json!({"collected_at": "2026-11-17T09:00", "specimen": "urine", "outcome": "refused"});
        t.post(&format!("/api/v1/cases/{case}/drug-tests"), who, refused)
            .await;
        let queue = t.get("/api/v1/work-queue", who).await.json();
        let alert = queue["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["case_id"] == case)
            .expect("the refused test's alert")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        alerts.push(alert);
    }
    let [mine_alert, theirs_alert] = <[String; 2]>::try_from(alerts).unwrap();
    let stale_person = json!({"version": 0, "person": {"first_name": "X", "last_name": "Y", "date_of_birth": "1990-01-01"}});
    let stale_case =
        json!({"version": 0, "case": {"referral_source": "Court", "referral_date": "2026-10-01"}});
    let stale_move = json!({"version": 0, "to": "declined", "reason": "probe"});
    let stale_charges = json!({"version": 0, "charges": [{"statute_code": "PC 484", "description": "Petty theft", "level": "misdemeanor"}]});
    let bad_program =
        json!({"kind": "probation", "name": "", "default_length_days": 1, "supervising_unit": "U"});
    let bad_user = json!({"username": "x", "full_name": "", "role": "officer", "password": "p"});
    let bad_intake = json!({"person_id": mine["person_id"], "program_id": program, "case": {"referral_source": "C", "referral_date": "2026-10-01"}, "charges": []});
    let person_probe =
        json!({"first_name": "Ann", "last_name": "Lee", "date_of_birth": "1990-04-01"});

    t.take_sent();
    let mut failures = Vec::new();
    for w in EVERYONE {
        let u = user(w);
        let mut check = |what: String, got: u16, want: u16| {
            // Roles that only read hold read tokens: every write is refused
            // (403) before anything it names is looked up.
            let want = if reads_only(w) && !what.starts_with("GET ") {
                403
            } else {
                want
            };
            if got != want {
                failures.push(format!("{w:?} {what}: got {got}, want {want}"));
            }
        };
        check(
            "GET /me".into(),
            t.get("/api/v1/me", u).await.status.as_u16(),
            200,
        );
        check(
            "GET /me/tokens".into(),
            t.get("/api/v1/me/tokens", u).await.status.as_u16(),
            200,
        );
        check(
            "POST /me/tokens".into(),
            t.post(
                "/api/v1/me/tokens",
                u,
                json!({"name": "probe", "scope": "read", "expires_in_days": 30}),
            )
            .await
            .status
            .as_u16(),
            403, // only a signed-in person makes a token, never another token
        );
        let nobodys = uuid::Uuid::new_v4();
        check(
            "DELETE /me/tokens/{id}".into(),
            t.api("DELETE", &format!("/api/v1/me/tokens/{nobodys}"), u, None)
                .await
                .status
                .as_u16(),
            404,
        );
        check(
            "DELETE /me/sessions/{id}".into(),
            t.api("DELETE", &format!("/api/v1/me/sessions/{nobodys}"), u, None)
                .await
                .status
                .as_u16(),
            404,
        );
        check(
            "GET /openapi.json".into(),
            t.get("/api/v1/openapi.json", u).await.status.as_u16(),
            200,
        );
        check(
            "GET /programs".into(),
            t.get("/api/v1/programs", u).await.status.as_u16(),
            200,
        );
        check(
            "GET /programs/{id}".into(),
            t.get(&format!("/api/v1/programs/{program}"), u)
                .await
                .status
                .as_u16(),
            200,
        );
        check(
            "POST /programs".into(),
            t.post("/api/v1/programs", u, bad_program.clone())
                .await
                .status
                .as_u16(),
            only(&[Who::Admin], w, 422),
        );
        let stale_program = json!({"version": 0, "program": {"kind": "pretrial", "name": "Pretrial", "default_length_days": 180, "supervising_unit": "U"}});
        check(
            "PUT /programs/{id}".into(),
            t.api(
                "PUT",
                &format!("/api/v1/programs/{program}"),
                u,
                Some(stale_program),
            )
            .await
            .status
            .as_u16(),
            only(&[Who::Admin], w, 409),
        );
        check(
            "GET /offices".into(),
            t.get("/api/v1/offices", u).await.status.as_u16(),
            200,
        );
        check(
            "POST /offices".into(),
            t.post("/api/v1/offices", u, json!({"name": ""}))
                .await
                .status
                .as_u16(),
            only(&[Who::Admin], w, 422),
        );
        check(
            "PUT /offices/{id}".into(),
            t.api(
                "PUT",
                &format!("/api/v1/offices/{nobodys}"),
                u,
                Some(json!({"version": 1, "office": {"name": "Nowhere"}})),
            )
            .await
            .status
            .as_u16(),
            only(&[Who::Admin], w, 404),
        );
        check(
            "PUT /users/{username}/office".into(),
            t.api(
                "PUT",
                "/api/v1/users/nobody/office",
                u,
                Some(json!({"office_id": null})),
            )
            .await
            .status
            .as_u16(),
            only(&[Who::Admin], w, 404),
        );
        let staff = [Who::Admin, Who::Supervisor, Who::Officer, Who::OtherOfficer];
        let case_workers = [Who::Supervisor, Who::Officer, Who::OtherOfficer];
        check(
            "GET /users".into(),
            t.get("/api/v1/users", u).await.status.as_u16(),
            only(&staff, w, 200),
        );
        check(
            "POST /users".into(),
            t.post("/api/v1/users", u, bad_user.clone())
                .await
                .status
                .as_u16(),
            only(&[Who::Admin], w, 422),
        );
        check(
            "POST /users/{u}/unlock".into(),
            t.post("/api/v1/users/officer/unlock", u, json!({}))
                .await
                .status
                .as_u16(),
            403, // privileged: never with an API token,
        );
        for (what, path, method, body) in [
            (
                "POST /users/{u}/password-reset",
                "/api/v1/users/officer/password-reset",
                "POST",
                json!({}),
            ),
            (
                "PUT /users/{u}/role",
                "/api/v1/users/officer/role",
                "PUT",
                json!({"role": "supervisor"}),
            ),
            (
                "POST /me/password",
                "/api/v1/me/password",
                "POST",
                json!({"current_password": "x", "new_password": "y"}),
            ),
        ] {
            // Privileged or session-only: never with an API token.
            check(
                what.into(),
                t.api(method, path, u, Some(body)).await.status.as_u16(),
                403,
            );
        }
        check(
            "GET /programs/{id}/conditions".into(),
            t.get(&format!("/api/v1/programs/{program}/conditions"), u)
                .await
                .status
                .as_u16(),
            200,
        );
        check(
            "PUT /programs/{id}/conditions".into(),
            t.api(
                "PUT",
                &format!("/api/v1/programs/{program}/conditions"),
                u,
                Some(json!([{"kind": "curfew", "title": ""}])),
            )
            .await
            .status
            .as_u16(),
            only(&[Who::Admin], w, 422),
        );
        check(
            "GET /people".into(),
            t.get("/api/v1/people", u).await.status.as_u16(),
            only(&case_workers, w, 200),
        );
        check(
            "POST /search".into(),
            t.post("/api/v1/search", u, json!({"q": "lee"}))
                .await
                .status
                .as_u16(),
            only(&case_workers, w, 200),
        );
        check(
            "POST /people/duplicates".into(),
            t.post("/api/v1/people/duplicates", u, person_probe.clone())
                .await
                .status
                .as_u16(),
            only(&case_workers, w, 200),
        );
        check(
            "POST /intake".into(),
            t.post("/api/v1/intake", u, bad_intake.clone())
                .await
                .status
                .as_u16(),
            only(&case_workers, w, 422),
        );
        check(
            "GET /cases".into(),
            t.get("/api/v1/cases", u).await.status.as_u16(),
            200,
        );
        check(
            "GET /users/access-review".into(),
            t.get("/api/v1/users/access-review", u)
                .await
                .status
                .as_u16(),
            only(&[Who::Admin], w, 200),
        );
        check(
            "POST /me/calendar-feed".into(),
            t.post("/api/v1/me/calendar-feed", u, json!({}))
                .await
                .status
                .as_u16(),
            403, // a person, never a token
        );
        check(
            "DELETE /me/calendar-feed".into(),
            t.api("DELETE", "/api/v1/me/calendar-feed", u, None)
                .await
                .status
                .as_u16(),
            404,
        );
        check(
            "POST /notes/search".into(),
            t.post("/api/v1/notes/search", u, json!({"query": "probe"}))
                .await
                .status
                .as_u16(),
            only(&[Who::Officer, Who::OtherOfficer, Who::Supervisor], w, 200),
        );
        check(
            "GET /work-queue".into(),
            t.get("/api/v1/work-queue", u).await.status.as_u16(),
            200,
        );
        check(
            "GET /instruments".into(),
            t.get("/api/v1/instruments", u).await.status.as_u16(),
            if w == Who::Provider { 403 } else { 200 },
        );
        check(
            "GET /instruments/{id}/versions/{version}".into(),
            t.get("/api/v1/instruments/bw-pretrial/versions/1", u)
                .await
                .status
                .as_u16(),
            if w == Who::Provider { 403 } else { 200 },
        );
        check(
            "GET /me/sessions".into(),
            t.get("/api/v1/me/sessions", u).await.status.as_u16(),
            200,
        );
        check(
            "GET /audit".into(),
            t.get("/api/v1/audit", u).await.status.as_u16(),
            only(&[Who::Auditor], w, 200),
        );
        for (own, opened, condition) in [
            (true, &mine, &mine_condition),
            (false, &theirs, &theirs_condition),
        ] {
            let whose = if own { "own" } else { "other" };
            let conditions = format!(
                "/api/v1/cases/{}/conditions",
                opened["case_id"].as_str().unwrap()
            );
            let one = format!("/api/v1/conditions/{}", condition["id"].as_str().unwrap());
            check(
                format!("GET {whose} case conditions"),
                t.get(&conditions, u).await.status.as_u16(),
                read(w, own),
            );
            check(
                format!("POST {whose} case condition"),
                t.post(&conditions, u, json!({"kind": "curfew", "title": ""}))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 422),
            );
            check(
                format!("POST {whose} case conditions from program"),
                t.post(&format!("{conditions}/from-program"), u, json!({}))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 200),
            );
            check(
                format!("GET {whose} condition"),
                t.get(&one, u).await.status.as_u16(),
                read(w, own),
            );
            check(
                format!("PUT {whose} condition"),
                t.api("PUT", &one, u, Some(json!({"version": 0, "terms": curfew})))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 409),
            );
            check(
                format!("POST {whose} condition progress"),
                t.post(
                    &format!("{one}/progress"),
                    u,
                    json!({"occurred_on": "2026-01-01", "verification": "staff", "amount": 1}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 422),
            );
            check(
                format!("POST {whose} condition met"),
                t.post(&format!("{one}/met"), u, json!({"version": 0, "met": true}))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 409),
            );
            let supervision = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
            let appointment = if own {
                &mine_appointment
            } else {
                &theirs_appointment
            };
            check(
                format!("GET {whose} supervision"),
                t.get(&format!("{supervision}/supervision"), u)
                    .await
                    .status
                    .as_u16(),
                read(w, own),
            );
            check(
                format!("PUT {whose} supervision level"),
                t.api(
                    "PUT",
                    &format!("{supervision}/supervision-level"),
                    u,
                    Some(json!({"version": 0, "level": null, "reason": "Probe"})),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 409),
            );
            check(
                format!("POST {whose} appointment"),
                t.post(&format!("{supervision}/appointments"), u, json!({"kind": "office_visit", "starts_at": "2030-01-07T09:00", "duration_minutes": 1}))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 422),
            );
            check(
                format!("POST {whose} appointment outcome"),
                t.post(
                    &format!(
                        "/api/v1/appointments/{}/outcome",
                        appointment[0]["id"].as_str().unwrap()
                    ),
                    u,
                    json!({"version": 0, "outcome": "rescheduled"}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 409),
            );
            let one = format!(
                "/api/v1/appointments/{}",
                appointment[0]["id"].as_str().unwrap()
            );
            check(
                format!("GET {whose} appointment"),
                t.get(&one, u).await.status.as_u16(),
                read(w, own),
            );
            check(
                format!("PUT {whose} appointment"),
                t.api("PUT", &one, u, Some(json!({"version": 0, "kind": "office_visit", "starts_at": "2026-12-02T09:00", "duration_minutes": 30})))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 409),
            );
            check(
                format!("POST {whose} appointment cancel"),
                t.post(
                    &format!("{one}/cancel"),
                    u,
                    json!({"version": 0, "reason": "Probe"}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 409),
            );
            check(
                format!("POST {whose} contact"),
                t.post(
                    &format!("{supervision}/contacts"),
                    u,
                    json!({"kind": "phone", "occurred_at": "2099-01-05T09:00"}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 422),
            );
            let test = if own { &mine_test } else { &theirs_test };
            check(
                format!("GET {whose} drug tests"),
                t.get(&format!("{supervision}/drug-tests"), u)
                    .await
                    .status
                    .as_u16(),
                read(w, own),
            );
            check(
                format!("POST {whose} drug test"),
                t.post(&format!("{supervision}/drug-tests"), u, json!({"collected_at": "2026-01-05T09:00", "specimen": "urine", "outcome": "collected"}))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 422),
            );
            // Notes are the holders' work product: a court liaison reads
            // the case, not its notes.
            check(
                format!("GET {whose} case notes"),
                t.get(&format!("{supervision}/notes"), u)
                    .await
                    .status
                    .as_u16(),
                change(w, own, 200),
            );
            check(
                format!("POST {whose} case note"),
                t.post(
                    &format!("{supervision}/notes"),
                    u,
                    json!({"kind": "general", "text": " "}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 422),
            );
            let note = format!(
                "/api/v1/notes/{}",
                if own { &mine_note } else { &theirs_note }["note"]["id"]
                    .as_str()
                    .unwrap()
            );
            let found = |ok: u16| if holds(w, own) { ok } else { 404 };
            check(
                format!("GET {whose} note"),
                t.get(&note, u).await.status.as_u16(),
                found(200),
            );
            // Only the author changes or signs a draft; this one is signed.
            let author = matches!((w, own), (Who::Officer, true) | (Who::OtherOfficer, false));
            check(
                format!("PUT {whose} note"),
                t.api(
                    "PUT",
                    &note,
                    u,
                    Some(json!({"version": 0, "kind": "general", "text": "x"})),
                )
                .await
                .status
                .as_u16(),
                found(if author { 409 } else { 403 }),
            );
            check(
                format!("POST {whose} note sign"),
                t.post(&format!("{note}/sign"), u, json!({"version": 0}))
                    .await
                    .status
                    .as_u16(),
                found(if author { 409 } else { 403 }),
            );
            check(
                format!("POST {whose} note addendum"),
                t.post(&format!("{note}/addenda"), u, json!({"text": ""}))
                    .await
                    .status
                    .as_u16(),
                found(422),
            );
            check(
                format!("GET {whose} assessments"),
                t.get(&format!("{supervision}/assessments"), u)
                    .await
                    .status
                    .as_u16(),
                change(w, own, 200),
            );
            check(
                format!("POST {whose} assessment"),
                t.post(
                    &format!("{supervision}/assessments"),
                    u,
                    json!({"instrument": "nope"}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 422),
            );
            let assessment = if own {
                &mine_assessment
            } else {
                &theirs_assessment
            };
            let one = format!("/api/v1/assessments/{}", assessment["id"].as_str().unwrap());
            check(
                format!("GET {whose} assessment"),
                t.get(&one, u).await.status.as_u16(),
                found(200),
            );
            // Only the assessor answers or signs; this one is signed.
            check(
                format!("PUT {whose} assessment answers"),
                t.api(
                    "PUT",
                    &format!("{one}/answers"),
                    u,
                    Some(json!({"version": 0, "answers": {}})),
                )
                .await
                .status
                .as_u16(),
                found(if author { 409 } else { 403 }),
            );
            check(
                format!("POST {whose} assessment complete"),
                t.post(&format!("{one}/complete"), u, json!({"version": 0}))
                    .await
                    .status
                    .as_u16(),
                found(if author { 409 } else { 403 }),
            );
            // A proposal waits already.
            check(
                format!("POST {whose} assessment override"),
                t.post(
                    &format!("{one}/overrides"),
                    u,
                    json!({"level": "low", "reason_code": "x", "reason": "y"}),
                )
                .await
                .status
                .as_u16(),
                found(409),
            );
            // The officer proposed it; their supervisor decides (a rejection needs a note).
            let proposal = assessment["overrides"][0]["id"].as_str().unwrap();
            check(
                format!("POST {whose} override decision"),
                t.post(
                    &format!("/api/v1/assessment-overrides/{proposal}/decision"),
                    u,
                    json!({"decision": "rejected"}),
                )
                .await
                .status
                .as_u16(),
                found(if w == Who::Supervisor { 422 } else { 403 }),
            );
            check(
                format!("GET {whose} case plans"),
                t.get(&format!("{supervision}/case-plans"), u)
                    .await
                    .status
                    .as_u16(),
                change(w, own, 200),
            );
            // A plan is in force: the next version is not an initial plan.
            check(
                format!("POST {whose} case plan"),
                t.post(
                    &format!("{supervision}/case-plans"),
                    u,
                    json!({"kind": "initial"}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 422),
            );
            let plan = if own { &mine_plan } else { &theirs_plan };
            let plan_path = format!("/api/v1/case-plans/{}", plan["id"].as_str().unwrap());
            check(
                format!("GET {whose} case plan"),
                t.get(&plan_path, u).await.status.as_u16(),
                found(200),
            );
            // Whoever holds the case writes on its plan; this version is
            // signed, and the version probed is stale.
            check(
                format!("PUT {whose} case plan"),
                t.api(
                    "PUT",
                    &plan_path,
                    u,
                    Some(json!({"version": 0, "goals": []})),
                )
                .await
                .status
                .as_u16(),
                found(409),
            );
            check(
                format!("POST {whose} case plan sign"),
                t.post(&format!("{plan_path}/sign"), u, json!({"version": 0}))
                    .await
                    .status
                    .as_u16(),
                found(409),
            );
            check(
                format!("POST {whose} case plan agreement"),
                t.post(
                    &format!("{plan_path}/agreement"),
                    u,
                    json!({"version": 0, "agreement": "agreed", "on": "2026-11-18"}),
                )
                .await
                .status
                .as_u16(),
                found(409),
            );
            // A moderate case's plan awaits no countersignature.
            check(
                format!("POST {whose} case plan countersign"),
                t.post(
                    &format!("{plan_path}/countersign"),
                    u,
                    json!({"version": 0}),
                )
                .await
                .status
                .as_u16(),
                found(if w == Who::Supervisor { 409 } else { 403 }),
            );
            let goal = plan["goals"][0]["key"].as_str().unwrap();
            check(
                format!("POST {whose} plan item progress"),
                t.post(
                    &format!("/api/v1/plan-items/{goal}/progress"),
                    u,
                    json!({"on": "2026-11-18"}),
                )
                .await
                .status
                .as_u16(),
                found(422),
            );
            check(
                format!("PUT {whose} drug test results"),
                t.api("PUT", &format!("/api/v1/drug-tests/{}/results", test["id"].as_str().unwrap()), u,
                    Some(json!({"version": 0, "results": [{"substance": "THC", "result": "negative"}]})))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 409),
            );
        }
        for (own, opened, alert) in [(true, &mine, &mine_alert), (false, &theirs, &theirs_alert)] {
            let person = format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap());
            let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
            let whose = if own { "own" } else { "other" };
            check(
                format!("POST {whose} alert resolve"),
                t.post(
                    &format!("/api/v1/alerts/{alert}/resolve"),
                    u,
                    json!({"note": ""}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 422),
            );
            check(
                format!("POST {whose} alert acknowledge"),
                t.post(
                    &format!("/api/v1/alerts/{alert}/acknowledge"),
                    u,
                    json!(null),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 204),
            );
            check(
                format!("GET {whose} person"),
                t.get(&person, u).await.status.as_u16(),
                read(w, own),
            );
            check(
                format!("PUT {whose} person"),
                t.api("PUT", &person, u, Some(stale_person.clone()))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 409),
            );
            check(
                format!("GET {whose} case"),
                t.get(&case, u).await.status.as_u16(),
                read(w, own),
            );
            check(
                format!("PUT {whose} case"),
                t.api("PUT", &case, u, Some(stale_case.clone()))
                    .await
                    .status
                    .as_u16(),
                change(w, own, 409),
            );
            check(
                format!("PUT {whose} case charges"),
                t.api(
                    "PUT",
                    &format!("{case}/charges"),
                    u,
                    Some(stale_charges.clone()),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 409),
            );
            check(
                format!("POST {whose} case transition"),
                t.post(&format!("{case}/transitions"), u, stale_move.clone())
                    .await
                    .status
                    .as_u16(),
                change(w, own, 409),
            );
            check(
                format!("POST {whose} case share"),
                t.post(
                    &format!("{case}/shares"),
                    u,
                    json!({"username": "nobody", "reason": "probe"}),
                )
                .await
                .status
                .as_u16(),
                change(w, own, 422),
            );
            check(
                format!("DELETE {whose} case share"),
                t.api("DELETE", &format!("{case}/shares/nobody"), u, None)
                    .await
                    .status
                    .as_u16(),
                change(w, own, 404),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} answers differ from the specification:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let probed = routes_probed(&t.take_sent(), &documented_routes());
    let unprobed: Vec<_> = documented_routes().difference(&probed).cloned().collect();
    assert!(
        unprobed.is_empty(),
        "the matrix probes every route of the OpenAPI document; not probed: {unprobed:?}"
    );
}

/// Every (method, path) the OpenAPI document describes, e.g. `GET /api/v1/cases/{id}`.
fn documented_routes() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(bridgeway::web::api::openapi_document()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

/// The routes (of the OpenAPI document, or of the pages) that the requests
/// sent exercised. A request that matches none of them fails the test (the
/// document must describe every route), but for the document itself.
fn routes_probed(
    sent: &[(String, String)],
    documented: &BTreeSet<(String, String)>,
) -> BTreeSet<(String, String)> {
    let matches = |template: &str, path: &str| {
        let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
    };
    let literal = |template: &str| template.split('/').filter(|s| !s.starts_with('{')).count();
    let mut probed = BTreeSet::new();
    for (method, path) in sent {
        if path == "/api/v1/openapi.json" {
            continue;
        }
        let route = documented
            .iter()
            .filter(|(m, t)| m == method && matches(t, path))
            .max_by_key(|(_, t)| literal(t))
            .unwrap_or_else(|| panic!("{method} {path} is not a route of the table"));
        probed.insert(route.clone());
    }
    probed
}

/// Pages for each role: the same rules, rendered.
async fn every_page_answers_every_role_as_specified(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    t.user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    t.user("auditor", Role::Auditor, None, None).await;
    t.user("spare", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let opened: Value = t
        .post(
            "/api/v1/intake",
            &officer,
            referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
        )
        .await
        .json();
    let person = format!("/people/{}", opened["person_id"].as_str().unwrap());
    let edit = format!("{person}/edit");
    let case = format!("/cases/{}", opened["case_id"].as_str().unwrap());
    let made = t
        .post(
            &format!("/api/v1{case}/conditions"),
            &officer,
            json!({"kind": "curfew", "title": "Home by 10 pm"}),
        )
        .await
        .json();
    let condition = format!("/conditions/{}", made["id"].as_str().unwrap());
    let booked = t
        .post(
            &format!("/api/v1{case}/appointments"),
            &officer,
            json!({"kind": "office_visit", "starts_at": "2026-12-01T09:00"}),
        )
        .await
        .json();
    let appointment = format!("/appointments/{}", booked[0]["id"].as_str().unwrap());
    let case_notes = format!("{case}/notes");
    let program_page = format!("/programs/{program}");
    let signed = t
        .post(
            &format!("/api/v1{case_notes}"),
            &officer,
            json!({"kind": "general", "text": "Probe note", "sign": true}),
        )
        .await
        .json();
    let note = format!("/notes/{}", signed["note"]["id"].as_str().unwrap());
    bridgeway::app::assessments::instruments::import(&t.app, None, crate::assessments::PRETRIAL)
        .await
        .unwrap();
    let assessed = crate::assessments::assessed_with_proposal(
        &t,
        &officer,
        opened["case_id"].as_str().unwrap(),
    )
    .await;
    let case_assessments = format!("{case}/assessments");
    crate::case_plans::import_needs(&t).await;
    let plan = crate::case_plans::planned(&t, &officer, opened["case_id"].as_str().unwrap()).await;
    let case_plans = format!("{case}/case-plans");
    let case_plan = format!("/case-plans/{}", plan["id"].as_str().unwrap());
    let assessment = format!("/assessments/{}", assessed["id"].as_str().unwrap());
    let proposal = assessed["overrides"][0]["id"].as_str().unwrap();
    let nobody = uuid::Uuid::new_v4();
    // Every form, posted empty, by an administrator, the case's officer, the
    // court's liaison (who reads the case but changes nothing) and an
    // auditor: (path, [admin, officer, court, auditor]).
    //
    // The court's 422s are forms checked before the case: the page shows
    // what is missing and nothing changes (a filled-in form gets 403).
    let everyones: [(&str, [u16; 4]); 11] = [
        // Each role's home.
        ("/", [303, 303, 303, 303]),
        ("/account", [200, 200, 200, 200]),
        // Empty for whoever has no caseload.
        ("/caseload.csv", [200, 200, 200, 200]),
        ("/admin/access-review", [200, 403, 403, 403]),
        ("/admin/users/new", [200, 403, 403, 403]),
        ("/admin/instruments", [200, 403, 403, 403]),
        // The feed's secret is the key: an unknown one is not found.
        ("/calendar/nope.ics", [404, 404, 404, 404]),
        ("/login", [200, 200, 200, 200]),
        // The second step is done: on to the home page.
        ("/mfa", [303, 303, 303, 303]),
        ("/reauth", [200, 200, 200, 200]),
        ("/static/app.css", [200, 200, 200, 200]),
    ];
    let posts: Vec<(String, [u16; 4])> = vec![
        // Programs are kept by administrators; an empty list of standard
        // conditions is a list (the program has none).
        ("/programs".into(), [422, 403, 403, 403]),
        // A definition is loaded by administrators (empty: its problem
        // listed); an unknown version is not found.
        ("/admin/instruments".into(), [422, 403, 403, 403]),
        (
            "/admin/instruments/nope/1/retire".into(),
            [404, 403, 403, 403],
        ),
        (program_page.clone(), [422, 403, 403, 403]),
        (format!("{program_page}/conditions"), [303, 403, 403, 403]),
        (format!("{case}/details"), [404, 422, 422, 404]),
        (format!("{case}/charges"), [404, 422, 422, 404]),
        // Saved views are kept by whoever has a caseload.
        ("/caseload/views".into(), [403, 422, 422, 403]),
        ("/caseload/views/delete".into(), [403, 404, 404, 403]),
        // Supervisors move cases in bulk.
        ("/cases/reassign".into(), [403, 403, 403, 403]),
        (format!("{case}/shares"), [404, 422, 403, 404]),
        (format!("{case}/shares/nobody/end"), [404, 404, 403, 404]),
        (format!("{case}/conditions"), [404, 422, 422, 404]),
        // Applies the program's standard conditions (it has none).
        (
            format!("{case}/conditions/from-program"),
            [404, 303, 403, 404],
        ),
        // Without the case's version nothing is set.
        (format!("{case}/supervision-level"), [404, 422, 422, 404]),
        (format!("{case}/appointments"), [404, 422, 422, 404]),
        (
            format!("{case}/appointments/{nobody}/outcome"),
            [404, 422, 422, 404],
        ),
        (format!("{case}/contacts"), [404, 422, 422, 404]),
        (appointment.clone(), [404, 422, 422, 404]),
        (format!("{appointment}/cancel"), [404, 422, 422, 404]),
        (format!("{case}/drug-tests"), [404, 422, 422, 404]),
        (case_notes.clone(), [404, 422, 403, 404]),
        (condition.clone(), [404, 422, 422, 404]),
        (format!("{condition}/progress"), [404, 422, 422, 404]),
        (format!("{condition}/met"), [404, 422, 422, 404]),
        // Without an instrument nothing starts; a signed assessment takes
        // no answers (without its version the form is refused first); a
        // proposal waits already; a decision must be one.
        (case_assessments.clone(), [404, 422, 403, 404]),
        (assessment.clone(), [404, 422, 404, 404]),
        (format!("{assessment}/overrides"), [404, 409, 404, 404]),
        (
            format!("{assessment}/overrides/{proposal}/decision"),
            [404, 422, 404, 404],
        ),
        // Without a kind nothing starts; a version's forms need its version
        // (or the goal or step progress is on).
        (case_plans.clone(), [404, 422, 403, 404]),
        (case_plan.clone(), [404, 422, 404, 404]),
        (format!("{case_plan}/progress"), [404, 422, 404, 404]),
        (format!("{case_plan}/agreement"), [404, 422, 404, 404]),
        (format!("{case_plan}/countersign"), [404, 422, 404, 404]),
        (note.clone(), [404, 422, 404, 404]),
        (format!("{note}/sign"), [404, 422, 404, 404]),
        (format!("{note}/addenda"), [404, 422, 404, 404]),
        ("/notes/search".into(), [403, 200, 403, 403]),
        (edit.clone(), [404, 422, 403, 404]),
        ("/search".into(), [403, 200, 403, 403]),
        ("/intake".into(), [403, 422, 403, 403]),
        ("/audit".into(), [403, 403, 403, 200]),
        (
            format!("/alerts/{nobody}/acknowledge"),
            [404, 404, 404, 404],
        ),
        (format!("/alerts/{nobody}/resolve"), [404, 404, 404, 404]),
        // Nothing ticked; only those who settle alerts get that far.
        ("/alerts/acknowledge".into(), [403, 422, 403, 403]),
        (
            format!("/account/sessions/{nobody}/end"),
            [404, 404, 404, 404],
        ),
        ("/admin/users/spare/role".into(), [422, 403, 403, 403]),
        ("/admin/users".into(), [422, 403, 403, 403]),
        // No reason given.
        ("/admin/users/spare/disable".into(), [422, 403, 403, 403]),
        ("/admin/users/spare/restore".into(), [303, 403, 403, 403]),
        (
            "/admin/users/spare/authenticator-reset".into(),
            [303, 403, 403, 403],
        ),
        // A fresh sign-in, so the reset happens (the page shows the password once).
        (
            "/admin/users/spare/password-reset".into(),
            [200, 403, 403, 403],
        ),
        ("/calendar/feed".into(), [200, 200, 200, 200]),
        ("/calendar/feed/revoke".into(), [303, 303, 303, 303]),
        ("/reauth".into(), [422, 422, 422, 422]),
        ("/account/password".into(), [422, 422, 422, 422]),
        ("/account/sessions/end-others".into(), [303, 303, 303, 303]),
        // No scope chosen.
        ("/account/tokens".into(), [422, 422, 422, 422]),
        (
            format!("/account/tokens/{nobody}/revoke"),
            [404, 404, 404, 404],
        ),
        // The sessions are fresh: the codes are made and shown.
        ("/account/recovery-codes".into(), [200, 200, 200, 200]),
        // The second step is done already.
        ("/mfa".into(), [409, 409, 409, 409]),
        ("/login".into(), [422, 422, 422, 422]),
    ];
    t.take_sent();
    let mut failures = Vec::new();
    for (name, pages) in [
        (
            "admin",
            [
                (200, "/caseload"),
                (403, "/search"),
                (403, "/intake"),
                (200, "/programs"),
                (200, program_page.as_str()),
                (200, "/programs/new"),
                (200, "/account/sessions"),
                (404, edit.as_str()),
                (404, person.as_str()),
                (404, case.as_str()),
                (404, condition.as_str()),
                (404, appointment.as_str()),
                (403, "/audit"),
                (200, "/admin/users/officer"),
                (200, "/account/password"),
                (200, "/calendar"),
                (200, "/work"),
                (404, case_notes.as_str()),
                (404, note.as_str()),
                (403, "/notes/search"),
                (404, case_assessments.as_str()),
                (404, assessment.as_str()),
                (404, case_plans.as_str()),
                (404, case_plan.as_str()),
            ],
        ),
        (
            "officer",
            [
                (200, "/caseload"),
                (200, "/search"),
                (200, "/intake"),
                (200, "/programs"),
                (200, program_page.as_str()),
                (403, "/programs/new"),
                (200, "/account/sessions"),
                (200, edit.as_str()),
                (200, person.as_str()),
                (200, case.as_str()),
                (200, condition.as_str()),
                (200, appointment.as_str()),
                (403, "/audit"),
                (403, "/admin/users/officer"),
                (200, "/account/password"),
                (200, "/calendar"),
                (200, "/work"),
                (200, case_notes.as_str()),
                (200, note.as_str()),
                (200, "/notes/search"),
                (200, case_assessments.as_str()),
                (200, assessment.as_str()),
                (200, case_plans.as_str()),
                (200, case_plan.as_str()),
            ],
        ),
        (
            "court",
            [
                (200, "/caseload"),
                (403, "/search"),
                (403, "/intake"),
                (200, "/programs"),
                (200, program_page.as_str()),
                (403, "/programs/new"),
                (200, "/account/sessions"),
                (403, edit.as_str()),
                (200, person.as_str()),
                (200, case.as_str()),
                (200, condition.as_str()),
                (200, appointment.as_str()),
                (403, "/audit"),
                (403, "/admin/users/officer"),
                (200, "/account/password"),
                (200, "/calendar"),
                (200, "/work"),
                (403, case_notes.as_str()),
                (404, note.as_str()),
                (403, "/notes/search"),
                (403, case_assessments.as_str()),
                (404, assessment.as_str()),
                (403, case_plans.as_str()),
                (404, case_plan.as_str()),
            ],
        ),
        (
            "auditor",
            [
                (200, "/caseload"),
                (403, "/search"),
                (403, "/intake"),
                (200, "/programs"),
                (200, program_page.as_str()),
                (403, "/programs/new"),
                (200, "/account/sessions"),
                (404, edit.as_str()),
                (404, person.as_str()),
                (404, case.as_str()),
                (404, condition.as_str()),
                (404, appointment.as_str()),
                (200, "/audit"),
                (403, "/admin/users/officer"),
                (200, "/account/password"),
                (200, "/calendar"),
                (200, "/work"),
                (404, case_notes.as_str()),
                (404, note.as_str()),
                (403, "/notes/search"),
                (404, case_assessments.as_str()),
                (404, assessment.as_str()),
                (404, case_plans.as_str()),
                (404, case_plan.as_str()),
            ],
        ),
    ] {
        let cookie = t.session(name).await;
        for (want, path) in pages {
            let got = t.page(path, &cookie).await.status.as_u16();
            if got != want {
                failures.push(format!("{name} GET {path}: got {got}, want {want}"));
            }
        }
        let column = ["admin", "officer", "court", "auditor"]
            .iter()
            .position(|n| *n == name)
            .unwrap();
        for (path, wants) in &everyones {
            let (got, want) = (t.page(path, &cookie).await.status.as_u16(), wants[column]);
            if got != want {
                failures.push(format!("{name} GET {path}: got {got}, want {want}"));
            }
        }
        for (path, wants) in &posts {
            let (got, want) = (
                t.form(path, &cookie, &[]).await.status.as_u16(),
                wants[column],
            );
            if got != want {
                failures.push(format!("{name} POST {path}: got {got}, want {want}"));
            }
        }
        let got = t
            .form(
                &format!("{case}/status"),
                &cookie,
                &[("version", "0"), ("to", "declined"), ("reason", "probe")],
            )
            .await
            .status
            .as_u16();
        let want = match name {
            "officer" => 409,
            "court" => 403,
            _ => 404,
        };
        if got != want {
            failures.push(format!("{name} POST {case}/status: got {got}, want {want}"));
        }
        let got = t
            .form("/audit/export.csv", &cookie, &[])
            .await
            .status
            .as_u16();
        let want = if name == "auditor" { 200 } else { 403 };
        if got != want {
            failures.push(format!(
                "{name} POST /audit/export.csv: got {got}, want {want}"
            ));
        }
    }
    let cookie = t.session("officer").await;
    let out = t.form("/logout", &cookie, &[]).await.status.as_u16();
    if out != 303 {
        failures.push(format!("officer POST /logout: got {out}, want 303"));
    }
    let table = bridgeway::web::pages::routes();
    let routes: BTreeSet<(String, String)> = table
        .table()
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let probed = routes_probed(&t.take_sent(), &routes);
    let unprobed: Vec<_> = routes.difference(&probed).cloned().collect();
    assert!(
        unprobed.is_empty(),
        "the matrix probes every page route; not probed: {unprobed:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

on_both_databases!(
    every_route_answers_every_role_as_specified,
    every_page_answers_every_role_as_specified
);
