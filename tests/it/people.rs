use crate::helpers::{referral, Backend, TestApp};
use crate::on_both_databases;
use axum::http::StatusCode;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::json;

async fn people_are_found_by_name_birth_date_identifier_and_docket(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let mut r = referral(program, "Ann", "O'Neil", "1990-04-01", Some(officer.id));
    r["person"]["identifiers"] = json!([{ "kind": "state_id", "value": "SID777" }]);
    r["person"]["aliases"] = json!([{ "first_name": "Annie", "last_name": "Brooks" }]);
    r["case"]["docket_number"] = json!("CR-2026-4242");
    let ann = t.post("/api/v1/intake", &officer, r).await.json();
    t.post(
        "/api/v1/intake",
        &officer,
        referral(program, "Bob", "Oakes", "1985-01-01", Some(officer.id)),
    )
    .await;

    let names = |q: String| {
        let t = &t;
        let officer = &officer;
        async move {
            let res = t.post("/api/v1/search", officer, json!({ "q": q })).await;
            assert_eq!(res.status, StatusCode::OK, "{q}: {}", res.text());
            res.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["first_name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let mut both = names("o".to_owned()).await;
    both.sort();
    assert_eq!(both, ["Ann", "Bob"]);
    assert_eq!(names("o'neil".to_owned()).await, ["Ann"]);
    assert_eq!(names("ann o".to_owned()).await, ["Ann"]);
    assert_eq!(names("oakes, bob".to_owned()).await, ["Bob"]);
    assert_eq!(
        names("brooks".to_owned()).await,
        ["Ann"],
        "aliases are searched"
    );
    assert_eq!(names("1990-04-01".to_owned()).await, ["Ann"]);
    assert_eq!(names("04/01/1990".to_owned()).await, ["Ann"]);
    assert_eq!(names("sid777".to_owned()).await, ["Ann"]);
    assert_eq!(names("CR-2026-4242".to_owned()).await, ["Ann"]);
    assert_eq!(
        names(ann["case_number"].as_str().unwrap().to_owned()).await,
        ["Ann"]
    );
    assert_eq!(
        names("o_k%".to_owned()).await,
        Vec::<String>::new(),
        "LIKE wildcards are no wildcards"
    );
    assert_eq!(t.audit_count(Action::PersonSearch).await, 11);

    // Each result says who the person is at a glance: age and cases.
    let found = t
        .post("/api/v1/search", &officer, json!({ "q": "oakes" }))
        .await
        .json();
    let bob = &found[0];
    assert_eq!(
        bob["age"], 41,
        "born 1 January 1985, searched in November 2026"
    );
    assert_eq!(bob["cases"][0]["status"], "screening", "{bob}");
    assert_eq!(bob["cases"][0]["program_name"], "Pretrial");
    assert_eq!(bob["cases"][0]["officer_name"], "officer (test)");
    let cookie = t.session("officer").await;
    let page = t.form("/search", &cookie, &[("q", "oakes")]).await.text();
    let number = bob["cases"][0]["case_number"].as_str().unwrap();
    assert!(
        page.contains("(age 41)") && page.contains(&format!("{number} · Pretrial · ")),
        "{page}"
    );

    // Accents and case aside, a typo forgiven, a first name alone.
    t.post(
        "/api/v1/intake",
        &officer,
        referral(
            program,
            "José Luis",
            "García Márquez",
            "1979-06-02",
            Some(officer.id),
        ),
    )
    .await;
    for q in [
        "garcia",
        "GARCÍA, jose",
        "Jose Garcia",
        "Garica",
        "marquez",
        "jose",
        "Jose 1979-06-02",
    ] {
        assert_eq!(names(q.to_owned()).await, ["José Luis"], "{q}");
    }
    assert_eq!(names("bob".to_owned()).await, ["Bob"], "a first name alone");
    assert_eq!(
        names("Garcia, Bob".to_owned()).await,
        Vec::<String>::new(),
        "every part must match"
    );
    let mut ann_first = names("Ann Brooks".to_owned()).await;
    ann_first.dedup();
    assert_eq!(
        ann_first,
        ["Ann"],
        "an alias's family name with the first name"
    );

    // A name without a letter is keyed too (or every start would take it
    // up again, for ever).
    let letterless = referral(program, ".", "--", "1970-01-01", Some(officer.id));
    let opened = t.post("/api/v1/intake", &officer, letterless).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
    // People stored before names were keyed are keyed when the server starts.
    let mut tx = t.app.db.write().await.unwrap();
    crate::exec!(&mut tx, sqlx::query("DELETE FROM name_keys")).unwrap();
    tx.commit().await.unwrap();
    assert!(names("garcia".to_owned()).await.is_empty());
    let keyed = bridgeway::store::name_keys::key_unkeyed(&t.app.db)
        .await
        .unwrap();
    assert_eq!(keyed, 4);
    assert_eq!(names("garcia".to_owned()).await, ["José Luis"]);
    assert_eq!(names("brooks".to_owned()).await, ["Ann"], "aliases too");
    let again = bridgeway::store::name_keys::key_unkeyed(&t.app.db)
        .await
        .unwrap();
    assert_eq!(again, 0, "every person is keyed, the letterless one too");
}

async fn a_participant_record_shows_cases_and_records_who_viewed_it(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let mut r = referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id));
    r["person"]["phone"] = json!("(555) 201-3344");
    r["person"]["may_text"] = json!(true);
    r["person"]["preferred_language"] = json!("es");
    r["person"]["race"] = json!("Asian");
    let opened = t.post("/api/v1/intake", &officer, r).await.json();
    let path = format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap());
    let person = t.get(&path, &officer).await.json();
    assert_eq!(person["person_number"], "P-0000001");
    assert_eq!(person["preferred_language"], "es");
    assert_eq!(person["may_text"], true);
    assert_eq!(person["cases"][0]["status"], "screening");
    assert_eq!(person["cases"][0]["history"].as_array().unwrap().len(), 2);
    assert_eq!(t.audit_count(Action::PersonView).await, 1);

    let mut update = json!({"version": person["version"], "person": {
        "first_name": "Ann", "last_name": "Lee-Park", "date_of_birth": "1990-04-01", "phone": "(555) 201-3344",
        "aliases": [{"first_name": "Ann", "last_name": "Lee"}]
    }});
    let res = t.api("PUT", &path, &officer, Some(update.clone())).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let updated = res.json();
    assert_eq!(updated["last_name"], "Lee-Park");
    assert_eq!(updated["aliases"][0]["last_name"], "Lee");
    assert_eq!(updated["version"], person["version"].as_i64().unwrap() + 1);
    assert_eq!(
        t.api("PUT", &path, &officer, Some(update.clone()))
            .await
            .status,
        StatusCode::CONFLICT
    );
    update["version"] = updated["version"].clone();
    update["person"]["race"] = json!("Martian");
    let res = t.api("PUT", &path, &officer, Some(update)).await;
    assert_eq!(res.error_fields(), ["person.race"]);
}

async fn lists_page_with_a_cursor(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    for (i, last) in ["Adams", "Baker", "Clark", "Davis", "Evans"]
        .iter()
        .enumerate()
    {
        let dob = format!("198{i}-01-01");
        assert_eq!(
            t.post(
                "/api/v1/intake",
                &officer,
                referral(program, "Pat", last, &dob, Some(officer.id))
            )
            .await
            .status,
            StatusCode::CREATED
        );
    }
    for (path, key) in [
        ("/api/v1/people?limit=2", "last_name"),
        ("/api/v1/cases?limit=2", "case_number"),
    ] {
        let mut seen = Vec::new();
        let mut next = Some(path.to_owned());
        while let Some(url) = next {
            let page = t.get(&url, &officer).await.json();
            seen.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p[key].as_str().unwrap().to_owned()),
            );
            next = page["next_cursor"]
                .as_str()
                .map(|c| format!("{path}&cursor={c}"));
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen.len(), 5, "{path}: {seen:?}");
        assert_eq!(seen, sorted, "in order, no repeats");
    }
    let res = t.get("/api/v1/people?cursor=garbage", &officer).await;
    assert_eq!(res.status, StatusCode::OK, "a garbled cursor starts over");
}

on_both_databases!(
    people_are_found_by_name_birth_date_identifier_and_docket,
    a_participant_record_shows_cases_and_records_who_viewed_it,
    lists_page_with_a_cursor,
);
