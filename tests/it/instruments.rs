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
        trail.to_string().contains(r#""record":"Assessment instrument bw-pretrial v1""#),
        "the trail names it: {trail}"
    );
}

on_both_databases!(instruments_are_loaded_once_and_listed_for_staff);
