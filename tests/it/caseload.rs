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
fn count(page: &str) -> &str {
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
    assert_eq!(count(&page), "2 cases");
    assert!(!page.contains("Diaz, Bo"), "{page}");
    let page = t.page("/caseload?level=moderate", &cookie).await.text();
    assert_eq!(count(&page), "1 case");
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
    assert_eq!(count(&page), "1 case");
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

on_both_databases!(the_caseload_is_worked_by_its_columns);
