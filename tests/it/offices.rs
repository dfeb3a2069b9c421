use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::json;

/// Administrators open, change and close offices and place staff in them;
/// everyone else reads them; each change is audited.
async fn offices_are_kept_by_administrators_and_hold_staff(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let north = json!({"name": "Northside Office", "address": "2150 Elm Ave", "phone": "555-0140"});
    assert_eq!(
        t.post("/api/v1/offices", &officer, north.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = t.post("/api/v1/offices", &admin, north.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let office = res.json();
    let id = office["id"].as_str().unwrap().to_owned();
    assert_eq!(office["active"], true);
    assert_eq!(office["staff"], 0);

    let res = t.post("/api/v1/offices", &admin, north).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("already exists"), "{}", res.text());
    let bad = json!({"name": "  ", "phone": "call us", "address": "a\u{7}b"});
    assert_eq!(
        t.post("/api/v1/offices", &admin, bad).await.error_fields(),
        ["name", "address", "phone"]
    );

    let place = |username: &str, office: serde_json::Value| {
        let path = format!("/api/v1/users/{username}/office");
        let body = json!({ "office_id": office });
        let admin = &admin;
        let t = &t;
        async move { t.api("PUT", &path, admin, Some(body)).await }
    };
    let res = place("officer", json!(id)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    let listed = t.get("/api/v1/offices", &officer).await.json();
    assert_eq!(listed[0]["staff"], 1, "{listed}");
    let users = t.get("/api/v1/users", &admin).await.json();
    let placed = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "officer")
        .unwrap();
    assert_eq!(placed["office_id"], json!(id));
    assert_eq!(
        place("nobody", json!(id)).await.status,
        StatusCode::NOT_FOUND
    );

    let closed = json!({"version": office["version"], "office": {"name": "Northside Office", "active": false}});
    let res = t
        .api(
            "PUT",
            &format!("/api/v1/offices/{id}"),
            &admin,
            Some(closed.clone()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["active"], false);
    assert_eq!(
        res.json()["address"],
        json!(null),
        "the update replaces every field"
    );
    let res = t
        .api(
            "PUT",
            &format!("/api/v1/offices/{id}"),
            &admin,
            Some(closed),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "the version is stale now");
    let res = place("admin", json!(id)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["office_id"]);
    assert_eq!(
        place("officer", json!(null)).await.status,
        StatusCode::NO_CONTENT
    );

    assert_eq!(t.audit_events(Action::OfficeCreate).await.len(), 1);
    assert_eq!(t.audit_events(Action::OfficeUpdate).await.len(), 1);
    let placements: Vec<Option<String>> = t
        .audit_events(Action::UserOffice)
        .await
        .into_iter()
        .map(|e| e.reason)
        .collect();
    assert_eq!(
        placements,
        [
            Some("Northside Office".to_owned()),
            Some("no office".to_owned())
        ]
    );
}

on_both_databases!(offices_are_kept_by_administrators_and_hold_staff);
