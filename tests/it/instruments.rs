//! Risk and needs instruments loaded and listed, on both databases; their
//! loading audited and named in the trail.

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::app::assessments::instruments::{import, retire, Loaded};
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;

const PRETRIAL: &str = include_str!("../../instruments/bw-pretrial-1.toml");
const NEEDS: &str = include_str!("../../instruments/bw-needs-1.toml");

async fn instruments_are_loaded_once_and_listed_for_staff(backend: Backend) {
    let t = TestApp::new(backend).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let auditor = t.user("auditor", Role::Auditor, None, None).await;
    assert!(matches!(
        import(&t.app, None, PRETRIAL).await.unwrap(),
        Loaded::Added(_)
    ));
    assert!(matches!(
        import(&t.app, None, NEEDS).await.unwrap(),
        Loaded::Added(_)
    ));
    assert!(matches!(
        import(&t.app, None, PRETRIAL).await.unwrap(),
        Loaded::Unchanged(_)
    ));
    let broken = import(
        &t.app,
        None,
        &NEEDS.replace("need_at = 3", "need_at = \"three\""),
    )
    .await;
    assert!(broken.is_err(), "an invalid definition is refused whole");
    retire(&t.app, None, "bw-pretrial", 1).await.unwrap();

    let listed = t.get("/api/v1/instruments", &officer).await;
    assert_eq!(listed.status, StatusCode::OK);
    let listed = listed.json();
    let names: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["instrument_id"].as_str().unwrap(),
                i["retired_at"].is_null(),
            )
        })
        .collect();
    assert_eq!(names, [("bw-needs", true), ("bw-pretrial", false)]);
    assert_eq!(listed[0]["digest"].as_str().unwrap().len(), 64);

    assert_eq!(
        t.audit_count(Action::InstrumentImport).await,
        2,
        "loaded twice, not thrice"
    );
    assert_eq!(t.audit_count(Action::InstrumentRetire).await, 1);
    let trail = t
        .get("/api/v1/audit?action=instrument.retire", &auditor)
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.text());
    let trail = trail.json();
    assert!(
        trail
            .to_string()
            .contains(r#""record":"Assessment instrument bw-pretrial v1""#),
        "the trail names it: {trail}"
    );
}

/// Administrators load and retire definitions from a page; a definition
/// with problems is refused with each one listed.
async fn administrators_load_and_retire_instruments_from_a_page(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("admin", Role::Admin, None, None).await;
    t.user("officer", Role::Officer, None, None).await;
    let admin = t.session("admin").await;
    let page = t.page("/admin/instruments", &admin).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("None loaded yet."));
    let broken = PRETRIAL.replace(
        "cutoffs = { default = [1, 3, 5] }",
        "cutoffs = { default = [5, 3] }",
    );
    let refused = t
        .form(
            "/admin/instruments",
            &admin,
            &[("definition", broken.as_str())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = refused.text();
    assert!(
        shown.contains("cut-offs for &#39;default&#39; give 2 scores for 3 levels")
            || shown.contains("cut-offs for 'default' give 2 scores for 3 levels"),
        "{shown}"
    );
    assert!(
        shown.contains("must rise level by level"),
        "every problem is listed: {shown}"
    );
    let loaded = t
        .form("/admin/instruments", &admin, &[("definition", PRETRIAL)])
        .await;
    assert_eq!(loaded.status, StatusCode::OK);
    assert!(loaded
        .text()
        .contains("Loaded Bridgeway Pretrial Screener version 1."));
    let retired = t
        .form("/admin/instruments/bw-pretrial/1/retire", &admin, &[])
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    assert!(t
        .page("/admin/instruments", &admin)
        .await
        .text()
        .contains("Retired "));
    let officer = t.session("officer").await;
    assert_eq!(
        t.page("/admin/instruments", &officer).await.status,
        StatusCode::FORBIDDEN
    );
}

on_both_databases!(
    instruments_are_loaded_once_and_listed_for_staff,
    administrators_load_and_retire_instruments_from_a_page,
);
