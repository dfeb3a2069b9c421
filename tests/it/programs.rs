//! Programs kept from their pages: created, changed (a stale save refused),
//! their standard conditions set row by row; read by all staff.

use crate::helpers::{form_values, set_value, Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;

async fn an_administrator_keeps_programs_from_their_pages(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let admin_cookie = t.session("admin").await;
    let list = t.page("/programs", &admin_cookie).await.text();
    assert!(list.contains(r#"href="/programs/new""#));
    let new = t.page("/programs/new", &admin_cookie).await.text();
    let mut values = form_values(&new, "/programs");
    let send = |path: &str, values: &[(String, String)]| {
        let (t, cookie, path) = (&t, &admin_cookie, path.to_owned());
        let pairs: Vec<(String, String)> = values.to_vec();
        async move {
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            t.form(&path, cookie, &pairs).await
        }
    };
    // Nothing filled in: every problem at once, by its name.
    let empty = send("/programs", &values).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = empty.text();
    for problem in ["Kind: ", "Default length days: "] {
        assert!(shown.contains(problem), "{problem} in {shown}");
    }
    set_value(&mut values, "name", "Veterans Diversion");
    set_value(&mut values, "kind", "diversion");
    set_value(&mut values, "default_length_days", "365");
    set_value(&mut values, "supervising_unit", "Veterans Unit");
    set_value(&mut values, "excluded_statutes", "PC 187\n 11350*, ");
    set_value(&mut values, "min_age", "18");
    values.push(("excluded_levels.felony".into(), "on".into()));
    values.push(("exclude_violent".into(), "on".into()));
    let made = send("/programs", &values).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let page_path = made.headers["location"].to_str().unwrap().to_owned();
    let page = t.page(&page_path, &admin_cookie).await.text();
    for rule in [
        "Excludes felony charges",
        "Excludes statutes PC 187, 11350*",
        "Excludes violent charges",
        "Age 18 or older",
    ] {
        assert!(page.contains(rule), "{rule} in {page}");
    }
    let api = t.get(&format!("/api/v1{page_path}"), &officer).await.json();
    assert_eq!(
        api["eligibility"]["excluded_levels"],
        serde_json::json!(["felony"])
    );
    assert_eq!(api["active"], true);

    // A change saved on a stale version is refused; a fresh one is kept.
    let mut edit = form_values(&page, &page_path);
    let mut other = edit.clone();
    set_value(&mut edit, "max_age", "64");
    assert_eq!(send(&page_path, &edit).await.status, StatusCode::SEE_OTHER);
    set_value(&mut other, "supervising_unit", "Someone else's unit");
    assert_eq!(send(&page_path, &other).await.status, StatusCode::CONFLICT);
    let page = t.page(&page_path, &admin_cookie).await.text();
    assert!(
        page.contains("Ages 18 to 64") && page.contains("Veterans Unit"),
        "{page}"
    );

    // Standard conditions: a bad row is named by its place in the table.
    let conditions = format!("{page_path}/conditions");
    let mut rows = form_values(&page, &conditions);
    set_value(&mut rows, "templates[0].title", "Community service");
    set_value(&mut rows, "templates[0].kind", "community_service");
    set_value(&mut rows, "templates[0].target", "40");
    set_value(&mut rows, "templates[0].unit", "hours");
    set_value(&mut rows, "templates[0].due_days", "180");
    set_value(&mut rows, "templates[2].title", "Curfew");
    set_value(&mut rows, "templates[2].kind", "curfew");
    set_value(&mut rows, "templates[2].due_days", "0");
    let refused = send(&conditions, &rows).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("Template 3 due days"),
        "{}",
        refused.text()
    );
    assert_eq!(
        t.audit_count(Action::ProgramConditions).await,
        0,
        "nothing half-written"
    );
    set_value(&mut rows, "templates[2].due_days", "");
    let saved = send(&conditions, &rows).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let page = t.page(&page_path, &admin_cookie).await.text();
    assert!(page.contains("Community service <small>(Community service, 40 hours, due 180 days after the start)</small>"), "{page}");
    let api = t
        .get(&format!("/api/v1{conditions}"), &officer)
        .await
        .json();
    assert_eq!(api.as_array().unwrap().len(), 2, "{api}");
    // Clearing a title removes its condition.
    let mut rows = form_values(&page, &conditions);
    set_value(&mut rows, "templates[0].title", "");
    assert_eq!(send(&conditions, &rows).await.status, StatusCode::SEE_OTHER);
    let api = t
        .get(&format!("/api/v1{conditions}"), &officer)
        .await
        .json();
    assert_eq!(api[0]["title"], "Curfew", "{api}");

    // Staff read a program; only administrators see its forms.
    let officer_cookie = t.session("officer").await;
    let read = t.page(&page_path, &officer_cookie).await.text();
    assert!(
        read.contains("Curfew") && !read.contains("Save the program"),
        "{read}"
    );
    assert!(!t
        .page("/programs", &officer_cookie)
        .await
        .text()
        .contains("/programs/new"));
    let pairs: Vec<(&str, &str)> = edit.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        t.form(&page_path, &officer_cookie, &pairs).await.status,
        StatusCode::FORBIDDEN
    );
}

on_both_databases!(an_administrator_keeps_programs_from_their_pages);
