//! The caseload page: the columns a case is worked by, ordering and
//! filtering by them, the CSV download (audited), and saved views.

use crate::helpers::{local, referral, Backend, TestApp, User};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use bridgeway::domain::ids::ProgramId;
use serde_json::json;

fn stamp(minutes: i64) -> String {
    local(minutes).format("%Y-%m-%dT%H:%M").to_string()
}

/// The page's count of the cases it lists, e.g. "2 cases".
#[track_caller]
fn count_of(page: &str) -> &str {
    let at = page.find(r#"role="status">"#);
    let start = at.unwrap_or_else(|| panic!("no count: {page}")) + 14;
    page[start..].lines().next().unwrap().trim()
}

/// Where each name first appears on the page, in the order given.
fn in_order(page: &str, names: &[&str]) -> bool {
    let at: Vec<usize> = names
        .iter()
        .map(|n| page.find(n).unwrap_or_else(|| panic!("{n} is not listed")))
        .collect();
    at.windows(2).all(|w| w[0] < w[1])
}

async fn open(t: &TestApp, officer: &User, program: ProgramId, first: &str, last: &str) -> String {
    let opened = t
        .post(
            "/api/v1/intake",
            officer,
            referral(program, first, last, "1990-04-01", Some(officer.id)),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    format!(
        "/api/v1/cases/{}",
        opened.json()["case_id"].as_str().unwrap()
    )
}

async fn the_caseload_is_worked_by_its_columns(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Probation", json!({})).await;
    let _never = open(&t, &officer, program, "Ann", "Lee").await;
    let seen = open(&t, &officer, program, "Bo", "Diaz").await;
    let due = open(&t, &officer, program, "Cy", "Moss").await;
    // Alerts are raised on cases under supervision.
    t.activate(due.trim_start_matches("/api/v1/cases/"), &officer)
        .await;
    assert_eq!(
        t.set_level(&seen, &officer, json!("moderate")).await.status,
        StatusCode::OK
    );
    let contact = json!({"kind": "office", "occurred_at": stamp(-3 * 24 * 60)});
    let logged = t.post(&format!("{seen}/contacts"), &officer, contact).await;
    assert_eq!(logged.status, StatusCode::CREATED, "{}", logged.text());
    let visit = json!({"kind": "office_visit", "starts_at": stamp(24 * 60)});
    let scheduled = t
        .post(&format!("{due}/appointments"), &officer, visit)
        .await;
    assert_eq!(
        scheduled.status,
        StatusCode::CREATED,
        "{}",
        scheduled.text()
    );

    let cookie = t.session("officer").await;
    let page = t.page("/caseload?sort=contact", &cookie).await.text();
    assert!(
        in_order(&page, &["Lee, Ann", "Moss, Cy", "Diaz, Bo"]),
        "never contacted first: {page}"
    );
    assert!(page.contains(r#"<th scope="col" aria-sort="ascending"><a href="/caseload?sort=contact">Last contact</a>"#), "{page}");
    assert!(page.contains("3 days ago"), "{page}");
    assert!(
        page.contains(
            r#"Moderate <small>1 of 2</small> <span class="status status-overdue">short</span>"#
        ),
        "{page}"
    );
    let page = t.page("/caseload?sort=next", &cookie).await.text();
    assert!(
        in_order(&page, &["Moss, Cy", "Diaz, Bo"]),
        "the soonest appointment first: {page}"
    );
    let page = t.page("/caseload?attention=silent", &cookie).await.text();
    assert_eq!(count_of(&page), "2 cases");
    assert!(!page.contains("Diaz, Bo"), "{page}");
    let page = t.page("/caseload?level=moderate", &cookie).await.text();
    assert_eq!(count_of(&page), "1 case");
    assert!(page.contains("Diaz, Bo"), "{page}");

    // A missed appointment raises an alert: the case is at the top of the
    // "open alerts" order and alone in its filter.
    t.advance(chrono::Duration::days(2));
    let appointment = &scheduled.json()[0];
    let missed = t
        .post(
            &format!(
                "/api/v1/appointments/{}/outcome",
                appointment["id"].as_str().unwrap()
            ),
            &officer,
            json!({"version": appointment["version"], "outcome": "missed"}),
        )
        .await;
    assert_eq!(missed.status, StatusCode::OK, "{}", missed.text());
    let cookie = t.session("officer").await; // two days on, the first has ended
    let page = t.page("/caseload?attention=alerts", &cookie).await.text();
    assert_eq!(count_of(&page), "1 case");
    assert!(page.contains("Moss, Cy"), "{page}");
    let page = t
        .page("/caseload?sort=alerts&per=100", &cookie)
        .await
        .text();
    assert!(in_order(&page, &["Moss, Cy", "Diaz, Bo"]), "{page}");
    assert!(page.contains(r#"<option value="100" selected>"#), "{page}");

    // The download holds every case as filtered, and is audited.
    let csv = t.page("/caseload.csv?sort=name", &cookie).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three cases: {text}");
    assert!(lines[0].starts_with("case_number,participant,program,status,officer,level"));
    assert!(lines[1].contains("\"Diaz, Bo\""), "by name: {text}");
    assert!(lines[1].contains(",moderate,1,2,no,"), "{text}");
    assert!(
        lines[3].contains("\"Moss, Cy\"") && lines[3].rsplit(',').nth(2) == Some("1"),
        "one open alert: {text}"
    );
    assert_eq!(t.audit_count(Action::CaseListExport).await, 1);
    t.advance(chrono::Duration::minutes(20));
    let stale = t.page("/caseload.csv", &cookie).await;
    assert_eq!(
        stale.headers[axum::http::header::LOCATION],
        "/reauth",
        "a fresh sign-in first"
    );
    let cookie = t.session("officer").await;

    // A view is saved by name, listed, and deleted.
    let empty = t
        .form(
            "/caseload/views",
            &cookie,
            &[("query", "attention=silent"), ("name", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.text().contains("Name of the view"),
        "the error names the field"
    );
    let saved = t
        .form(
            "/caseload/views",
            &cookie,
            &[
                ("query", "attention=silent&sort=contact&page=3&bogus=1"),
                ("name", "Silent"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.headers[axum::http::header::LOCATION],
        "/caseload?attention=silent&sort=contact"
    );
    let page = t.page("/caseload", &cookie).await.text();
    assert!(
        page.contains(r#"<a href="/caseload?attention=silent&#38;sort=contact">Silent</a>"#),
        "{page}"
    );
    t.user("other", Role::Officer, None, None).await;
    let theirs = t.page("/caseload", &t.session("other").await).await.text();
    assert!(!theirs.contains("Silent"), "a view is its owner's own");
    let deleted = t
        .form("/caseload/views/delete", &cookie, &[("name", "Silent")])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(!t
        .page("/caseload", &cookie)
        .await
        .text()
        .contains(">Silent<"));
    assert_eq!(t.audit_count(Action::CaseloadViewSave).await, 1);
    assert_eq!(t.audit_count(Action::CaseloadViewDelete).await, 1);
}

/// A supervisor moves cases from the caseload: the ticked ones to one
/// officer, or every case of a leaver's list split evenly; all or nothing,
/// within the team, each move audited.
async fn a_supervisor_moves_cases_by_hand_or_split_evenly(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let a = t.user("anna", Role::Officer, Some(sup.id), None).await;
    let b = t.user("bo", Role::Officer, Some(sup.id), None).await;
    let c = t.user("cy", Role::Officer, Some(sup.id), None).await;
    let leaver = t.user("leaver", Role::Officer, Some(sup.id), None).await;
    let outsider = t.user("outsider", Role::Officer, None, None).await;
    let program = t.program(&admin, "Probation", json!({})).await;
    let mut cases = Vec::new();
    for last in ["One", "Two", "Three", "Four"] {
        cases.push(open(&t, &leaver, program, "Case", last).await);
    }
    let officer_of = |path: String| {
        let (t, sup) = (&t, &sup);
        async move {
            t.get(&path, sup).await.json()["officer_id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let cookie = t.session("sup").await;
    let query = format!("officer={}", leaver.id);
    let page = t.page(&format!("/caseload?{query}"), &cookie).await.text();
    assert_eq!(
        page.matches(r#"form="move-cases" name="case."#).count(),
        4,
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"name="to.{}""#, a.id)),
        "the team is offered: {page}"
    );
    let id_of = |path: &str| path.trim_start_matches("/api/v1/cases/").to_owned();
    let send = |pairs: Vec<(String, String)>, cookie: String| {
        let t = &t;
        async move {
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            t.form("/cases/reassign", &cookie, &pairs).await
        }
    };
    let pair = |k: String| (k, "on".to_owned());
    let q = ("query".to_owned(), query.clone());

    let nothing = send(
        vec![q.clone(), pair(format!("to.{}", a.id))],
        cookie.clone(),
    )
    .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nothing.text().contains("choose from 1 to 500 cases"),
        "{}",
        nothing.text()
    );
    let outside = send(
        vec![
            q.clone(),
            pair(format!("case.{}", id_of(&cases[0]))),
            pair(format!("to.{}", outsider.id)),
        ],
        cookie.clone(),
    )
    .await;
    assert_eq!(
        outside.status,
        StatusCode::FORBIDDEN,
        "only within the team"
    );
    let by_officer = send(
        vec![
            q.clone(),
            pair(format!("case.{}", id_of(&cases[0]))),
            pair(format!("to.{}", a.id)),
        ],
        t.session("anna").await,
    )
    .await;
    assert_eq!(
        by_officer.status,
        StatusCode::FORBIDDEN,
        "supervisors move cases"
    );
    assert_eq!(
        officer_of(cases[0].clone()).await,
        leaver.id.to_string(),
        "nothing moved"
    );

    let one = send(
        vec![
            q.clone(),
            pair(format!("case.{}", id_of(&cases[0]))),
            pair(format!("to.{}", a.id)),
        ],
        cookie.clone(),
    )
    .await;
    assert_eq!(one.status, StatusCode::SEE_OTHER, "{}", one.text());
    assert_eq!(officer_of(cases[0].clone()).await, a.id.to_string());
    let rest = send(
        vec![
            q,
            pair("everything".into()),
            pair(format!("to.{}", b.id)),
            pair(format!("to.{}", c.id)),
        ],
        cookie.clone(),
    )
    .await;
    assert_eq!(rest.status, StatusCode::SEE_OTHER, "{}", rest.text());
    let mut held = Vec::new();
    for case in &cases[1..] {
        held.push(officer_of(case.clone()).await);
    }
    let count =
        |who: &crate::helpers::User| held.iter().filter(|h| **h == who.id.to_string()).count();
    assert_eq!((count(&b), count(&c)), (2, 1), "split evenly: {held:?}");
    assert_eq!(t.audit_count(Action::CaseReassign).await, 4);
    let page = t
        .page(&format!("/caseload?officer={}", leaver.id), &cookie)
        .await
        .text();
    assert_eq!(count_of(&page), "0 cases", "the leaver holds nothing now");
}

on_both_databases!(
    the_caseload_is_worked_by_its_columns,
    a_supervisor_moves_cases_by_hand_or_split_evenly
);
