//! The web pages call the same services as the API.

use crate::helpers::{form_values, referral, set_value, Backend, TestApp};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use bridgeway::domain::casework::supervision::ContactKind;
use bridgeway::store::casework::supervision::{insert_contacts, NewContact};
use serde_json::json;

async fn an_officer_takes_in_a_referral_through_the_pages(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t
        .program(
            &admin,
            "First-Offender Diversion",
            json!({"exclude_violent": true}),
        )
        .await;
    let cookie = t.session("officer").await;

    let form = t.page("/intake", &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("First-Offender Diversion"));
    assert!(
        form.text()
            .contains(r#"<option value="" selected>Choose a level</option>"#),
        "no charge level is chosen for the officer (a petty theft left at Felony screened out)"
    );
    let program_id = program.to_string();
    let officer_id = officer.id.to_string();
    let fields = [
        ("person.first_name", "Dana"),
        ("person.last_name", "Reyes"),
        ("person.date_of_birth", "1995-06-30"),
        ("person.preferred_language", "es"),
        ("program_id", program_id.as_str()),
        ("case.referral_source", "District Attorney"),
        ("case.referral_date", "2026-11-01"),
        ("case.docket_number", "DV-2026-000777"),
        ("case.officer_id", officer_id.as_str()),
        ("charges[0].statute_code", "PC 484"),
        ("charges[0].description", "Petty theft"),
        ("charges[0].level", "misdemeanor"),
    ];
    let res = t.form("/intake", &cookie, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let case_url = res.headers[header::LOCATION].to_str().unwrap().to_owned();
    let case = t.page(&case_url, &cookie).await.text();
    assert!(case.contains("Eligible"), "the screening result is shown");
    assert!(case.contains("DV-2026-000777"));

    let caseload = t.page("/caseload", &cookie).await.text();
    assert!(
        caseload.contains("Reyes, Dana"),
        "the new participant is in the caseload"
    );

    // Enrol through the status form.
    let version =
        t.get(&format!("/api/v1{case_url}"), &officer).await.json()["version"].to_string();
    let res = t
        .form(
            &format!("{case_url}/status"),
            &cookie,
            &[
                ("version", &version),
                ("to", "enrolled"),
                ("reason", "orientation done"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = t.page(&case_url, &cookie).await.text();
    assert!(page.contains("orientation done"));

    // The same referral again: the duplicate warning offers the existing person.
    let res = t.form("/intake", &cookie, &fields).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.text().contains("This person may already be on record"));
}

async fn form_errors_are_shown_beside_their_fields(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    t.user("officer", Role::Officer, None, None).await;
    t.program(&admin, "Pretrial", json!({})).await;
    let cookie = t.session("officer").await;
    let res = t
        .form(
            "/intake",
            &cookie,
            &[
                ("person.first_name", "Dana"),
                ("person.date_of_birth", "1995-02-30"),
                ("person.preferred_language", "en"),
                ("case.referral_date", "2026-11-01"),
                ("case.referral_source", ""),
                ("case.prior_convictions", "5000"),
                ("charges[0].statute_code", "PC 484"),
                ("charges[0].description", "Petty theft"),
                ("charges[0].level", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    // One round: what could not be read and what is wrong with the rest,
    // named as the page names its fields.
    for named in [
        "Date of birth: &#39;1995-02-30&#39; is not a date",
        "Program: is required",
        "Referral source: ",
        "Prior convictions: ",
        "Charge 1 level: is required",
    ] {
        assert!(html.contains(named), "{named} in {html}");
    }
    assert!(!html.contains("program_id:"), "no internal names: {html}");
    assert!(
        html.contains(r##"href="#person-date_of_birth""##),
        "the summary links to the field"
    );
    assert!(
        html.contains("&#39;1995-02-30&#39; is not a date")
            || html.contains("'1995-02-30' is not a date"),
        "{html}"
    );
    assert!(html.contains(r#"value="Dana""#), "what was typed is kept");
    assert!(
        html.contains(r##"href="#charges-0--level""##),
        "a charge without a level is refused, not taken as a felony: {html}"
    );
    assert!(html.contains(r#"aria-invalid="true""#));
    assert_eq!(t.count("people").await, 0);
}

async fn the_participant_page_shows_the_timeline_and_who_looked(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let cookie = t.session("officer").await;
    let person_page = format!("/people/{}", opened["person_id"].as_str().unwrap());
    let first = t.page(&person_page, &cookie).await.text();
    assert!(
        !first.contains("person.view"),
        "the list shows past accesses (this one is appended as the page is sent)"
    );
    // On SQLite a view's event waits beside the database a moment before it
    // joins the trail the list is read from.
    t.app.db.chain_staged_audit().await.unwrap();
    let page = t.page(&person_page, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Timeline"));
    assert!(html.contains("referral received"));
    // Times are shown in the agency's zone, named (CST or CDT here).
    let zone = t.app.settings.zone();
    let shown = |minutes_ago: i64| {
        (t.app.now() - chrono::Duration::minutes(minutes_ago))
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    };
    assert!(
        html.contains(&shown(0)) || html.contains(&shown(1)),
        "the referral's time in the agency's zone ({}): {html}",
        shown(0)
    );
    assert!(!html.contains(" UTC"), "no time is shown in UTC");
    assert!(
        html.contains("person.view"),
        "the earlier view is listed among accesses"
    );
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert!(page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert!(html.contains("Show the whole history"), "{html}");

    // The timeline is filtered by kind and reaches back on request.
    let statuses = t
        .page(&format!("{person_page}?kind=status"), &cookie)
        .await
        .text();
    assert!(statuses.contains(r#"class="moment-status""#), "{statuses}");
    assert!(
        !statuses.contains(r#"class="moment-alert""#)
            && !statuses.contains(r#"class="moment-contact""#)
    );
    assert!(
        statuses.contains(r#"aria-current="page">Status changes</a>"#),
        "{statuses}"
    );
    let contacts = t
        .page(&format!("{person_page}?kind=contact"), &cookie)
        .await
        .text();
    assert!(contacts.contains("Nothing of this kind yet."), "{contacts}");
    let all = t
        .page(&format!("{person_page}?history=all"), &cookie)
        .await
        .text();
    assert!(all.contains("referral received") && !all.contains("Show the whole history"));

    // Years of history are paged through, 200 moments a page, oldest last.
    let case_id: bridgeway::domain::ids::CaseId =
        opened["case_id"].as_str().unwrap().parse().unwrap();
    let contacts: Vec<NewContact> = (1..=250)
        .map(|day| NewContact {
            id: bridgeway::domain::ids::ContactId::new(),
            case_id,
            kind: ContactKind::Phone,
            occurred_at: t.app.now() - chrono::Duration::days(day),
            place: None,
            collateral: None,
            collateral_name: None,
            note: None,
            recorded_by: officer.id,
        })
        .collect();
    let mut tx = t.app.db.write().await.unwrap();
    insert_contacts(&mut tx, &t.app.keys, &contacts, t.app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let first = t
        .page(&format!("{person_page}?kind=contact&history=all"), &cookie)
        .await
        .text();
    assert_eq!(first.matches(r#"class="moment-contact""#).count(), 200);
    let older = first
        .split(r#"<a href=""#)
        .find_map(|l| l.split_once(r#"" rel="next">Older</a>"#))
        .map(|(href, _)| href.replace("&#38;", "&"))
        .expect("a link to the older page");
    let second = t.page(&older, &cookie).await.text();
    assert_eq!(second.matches(r#"class="moment-contact""#).count(), 50);
    assert!(!second.contains(">Older</a>") && second.contains(">Newest</a>"));
    let api = format!("/api/v1{person_page}?timeline_kind=contact&whole_history=true");
    let page_one = t.get(&api, &officer).await.json();
    let before = page_one["timeline_older"].as_str().unwrap().to_owned();
    let page_two = t
        .get(
            &format!("{api}&before={}", before.replace('+', "%2B")),
            &officer,
        )
        .await
        .json();
    assert_eq!(page_two["timeline"].as_array().unwrap().len(), 50);
    assert_eq!(page_two["timeline_older"], serde_json::Value::Null);
    let bad = t
        .page(
            &format!("{person_page}?history=all&before=yesterday"),
            &cookie,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let api = format!("/api/v1{person_page}");
    let only = t
        .get(&format!("{api}?timeline_kind=status"), &officer)
        .await
        .json();
    let kinds: Vec<&str> = only["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert!(
        !kinds.is_empty() && kinds.iter().all(|k| *k == "status"),
        "{only}"
    );
    let bad = t
        .get(&format!("{api}?timeline_kind=gossip"), &officer)
        .await;
    assert_eq!(bad.error_fields(), ["timeline_kind"]);
    let search = t.form("/search", &cookie, &[("q", "lee")]).await.text();
    assert!(search.contains("Lee, Ann"));
    assert_eq!(
        t.page("/people/not-an-id", &cookie).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.page("/no/such/page", &cookie).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn cross_site_form_posts_are_refused(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let cookie = t.session("officer").await;
    // A POST with the session cookie, from the site a header names.
    let post = |path: &str, from: (&'static str, &'static str)| {
        let req = Request::post(path)
            .header(header::COOKIE, &cookie)
            .header(header::HOST, "bridgeway.local")
            .header(header::CONTENT_TYPE, "application/json")
            .header(from.0, from.1)
            .body(Body::from("{}"))
            .unwrap();
        t.send(req)
    };
    let fetched_cross_site = ("sec-fetch-site", "cross-site");
    assert_eq!(
        post("/logout", fetched_cross_site).await.status,
        StatusCode::FORBIDDEN
    );
    let elsewhere = (header::ORIGIN.as_str(), "https://evil.example");
    assert_eq!(
        post("/logout", elsewhere).await.status,
        StatusCode::FORBIDDEN
    );
    // The same host under the other scheme is another origin: this site is
    // plain HTTP, so a page served over HTTPS is not one of its own.
    let other_scheme = (header::ORIGIN.as_str(), "https://bridgeway.local");
    assert_eq!(
        post("/logout", other_scheme).await.status,
        StatusCode::FORBIDDEN
    );
    // An API call a browser makes for another site is refused the API's way.
    let res = post("/api/v1/me/tokens", fetched_cross_site).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json()["code"],
        "forbidden",
        "a JSON error, as documented"
    );
    // Paths made up by the sender are one kind of refusal, not one each.
    for made_up in ["/made/up/1", "/made/up/2", "/made/up/3"] {
        assert_eq!(
            post(made_up, fetched_cross_site).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        t.page("/caseload", &cookie).await.status,
        StatusCode::OK,
        "still signed in"
    );
    // The refusals are unsuccessful access attempts, each on the trail:
    // the first of each kind (each route) at once, their repeats as a count
    // once their minute has passed.
    let reasons = |events: Vec<bridgeway::store::audit::AuditEntry>| {
        events
            .into_iter()
            .map(|e| e.reason.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        reasons(t.audit_events(Action::AccessDenied).await),
        [
            "POST /logout",
            "POST /api/v1/me/tokens",
            "POST an unknown route"
        ],
        "three kinds of refusal"
    );
    t.advance(chrono::Duration::minutes(1));
    bridgeway::app::audit::refusals::fold(&t.app).await.unwrap();
    let counts = reasons(t.audit_events(Action::AccessDenied).await);
    assert_eq!(counts.len(), 5, "then each kind's count: {counts:?}");
    assert!(counts[3].starts_with("POST /logout: 3 times"), "{counts:?}");
    assert!(
        counts[4].starts_with("POST an unknown route: 3 times"),
        "{counts:?}"
    );
    let same_origin = (header::ORIGIN.as_str(), "http://bridgeway.local");
    assert_eq!(
        post("/logout", same_origin).await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
}

async fn the_openapi_document_describes_every_route(backend: Backend) {
    let t = TestApp::new(backend).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let doc = t.get("/api/v1/openapi.json", &officer).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/intake",
        "/api/v1/cases",
        "/api/v1/cases/{id}/transitions",
        "/api/v1/people/{id}",
        "/api/v1/search",
        "/api/v1/programs",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["IntakeInput"].is_object());
}

async fn a_supervisor_assigns_an_unassigned_referral_from_the_case_page(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let officer = t.user("officer", Role::Officer, Some(sup.id), None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let opened = t
        .post(
            "/api/v1/intake",
            &sup,
            referral(program, "Ann", "Lee", "1990-04-01", None),
        )
        .await
        .json();
    let case_url = format!("/cases/{}", opened["case_id"].as_str().unwrap());
    assert_eq!(
        t.get("/api/v1/cases", &officer).await.json()["items"],
        json!([]),
        "not yet in the officer's caseload"
    );

    let cookie = t.session("sup").await;
    let page = t.page(&case_url, &cookie).await.text();
    assert!(page.contains("Edit referral and court details"));
    let version = t.get(&format!("/api/v1{case_url}"), &sup).await.json()["version"].to_string();
    let officer_id = officer.id.to_string();
    let mut fields = vec![
        ("version", version.as_str()),
        ("case.referral_source", "District Attorney"),
        ("case.referral_date", "2026-10-01"),
        ("case.docket_number", "CR-2026-5"),
        ("case.officer_id", officer_id.as_str()),
        ("case.expected_end_date", "not a date"),
    ];
    let res = t
        .form(&format!("{case_url}/details"), &cookie, &fields)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("&#39;not a date&#39; is not a date")
            || res.text().contains("'not a date' is not a date")
    );
    fields.pop();
    let res = t
        .form(&format!("{case_url}/details"), &cookie, &fields)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let caseload = t.get("/api/v1/cases", &officer).await.json();
    assert_eq!(caseload["items"][0]["docket_number"], "CR-2026-5");
    let res = t
        .form(&format!("{case_url}/details"), &cookie, &fields)
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "the version is stale now");
}

async fn an_officer_corrects_a_participants_details(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, _, opened) = t.one_referral().await;
    let cookie = t.session("officer").await;
    let edit_url = format!("/people/{}/edit", opened["person_id"].as_str().unwrap());
    let form = t.page(&edit_url, &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(
        html.contains(r#"value="Lee""#),
        "the form is filled from the record"
    );
    let version = html
        .split(r#"name="version" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let mut fields = vec![
        ("version", version.as_str()),
        ("person.first_name", "Ann"),
        ("person.last_name", "Lee-Park"),
        ("person.date_of_birth", "1990-04-01"),
        ("person.preferred_language", "es"),
        ("person.phone", "12"),
    ];
    let res = t.form(&edit_url, &cookie, &fields).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains(r##"href="#person-phone""##),
        "the error names the phone field"
    );
    fields.pop();
    let res = t.form(&edit_url, &cookie, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = t
        .page(res.headers[header::LOCATION].to_str().unwrap(), &cookie)
        .await
        .text();
    assert!(page.contains("Ann Lee-Park") && page.contains("Español"));
    assert_eq!(
        t.form(&edit_url, &cookie, &fields).await.status,
        StatusCode::CONFLICT,
        "the version is stale now"
    );
    t.user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    let court = t.session("court").await;
    assert_eq!(
        t.page(&edit_url, &court).await.status,
        StatusCode::FORBIDDEN,
        "a court liaison reads but does not edit"
    );
}

/// Two tabs save the same case: the later save is not taken blindly. The
/// form comes back with the other change merged in and marked, standing on
/// the version now stored; where both changed a field, both are shown.
async fn a_stale_save_shows_the_other_change_and_loses_neither(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let case_url = format!("/cases/{}", opened["case_id"].as_str().unwrap());
    let details = format!("{case_url}/details");
    let cookie = t.session("officer").await;
    let save = |values: Vec<(String, String)>| {
        let (t, details, cookie) = (&t, &details, &cookie);
        async move {
            let pairs: Vec<(&str, &str)> = values
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            t.form(details, cookie, &pairs).await
        }
    };
    let tab = |html: String| form_values(&html, &details);
    let mut a = tab(t.page(&case_url, &cookie).await.text());
    let mut b = tab(t.page(&case_url, &cookie).await.text());
    set_value(&mut a, "case.judge", "Judge Ortiz");
    assert_eq!(save(a).await.status, StatusCode::SEE_OTHER);
    set_value(&mut b, "case.docket_number", "CR-2026-9");
    let res = save(b).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    let page = res.text();
    assert!(
        page.contains("Changed by someone else meanwhile to <strong>Judge Ortiz</strong>"),
        "{page}"
    );
    assert!(page.contains("Discard my changes"));
    let merged = tab(page);
    let value = |values: &[(String, String)], name: &str| {
        values.iter().find(|(n, _)| n == name).unwrap().1.clone()
    };
    assert_eq!(
        value(&merged, "case.judge"),
        "Judge Ortiz",
        "theirs is taken in"
    );
    assert_eq!(
        value(&merged, "case.docket_number"),
        "CR-2026-9",
        "mine is kept"
    );
    assert_eq!(save(merged).await.status, StatusCode::SEE_OTHER);
    let case = t.get(&format!("/api/v1{case_url}"), &officer).await.json();
    assert_eq!(case["judge"], "Judge Ortiz", "{case}");
    assert_eq!(case["docket_number"], "CR-2026-9");

    // Both change the same field: the form holds mine, theirs beside it.
    let mut a = tab(t.page(&case_url, &cookie).await.text());
    let mut b = tab(t.page(&case_url, &cookie).await.text());
    set_value(&mut a, "case.judge", "Judge Kim");
    assert_eq!(save(a).await.status, StatusCode::SEE_OTHER);
    set_value(&mut b, "case.judge", "Judge Diaz");
    let res = save(b.clone()).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let page = res.text();
    assert!(
        page.contains(
            "You both changed this. Saved by someone else meanwhile: <strong>Judge Kim</strong>"
        ),
        "{page}"
    );
    assert_eq!(value(&tab(page), "case.judge"), "Judge Diaz");
    assert_eq!(
        save(b).await.status,
        StatusCode::CONFLICT,
        "the stale form sent again is still refused"
    );
    let case = t.get(&format!("/api/v1{case_url}"), &officer).await.json();
    assert_eq!(case["judge"], "Judge Kim", "nothing was overwritten unseen");
}

on_both_databases!(
    a_stale_save_shows_the_other_change_and_loses_neither,
    a_supervisor_assigns_an_unassigned_referral_from_the_case_page,
    an_officer_corrects_a_participants_details,
    an_officer_takes_in_a_referral_through_the_pages,
    form_errors_are_shown_beside_their_fields,
    the_participant_page_shows_the_timeline_and_who_looked,
    cross_site_form_posts_are_refused,
    the_openapi_document_describes_every_route,
);
