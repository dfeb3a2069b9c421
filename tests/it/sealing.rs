//! Identifiers and authenticator secrets are sealed at rest, still searchable
//! and unique, and re-sealed under a new key while the data stays readable.

use crate::helpers::{referral, test_totp, Backend, TestApp};
use crate::on_both_databases;
use crate::{exec, fetch};
use axum::http::StatusCode;
use bridgeway::app::{keys, App};
use bridgeway::config::Settings;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use bridgeway::keyring::{KeyError, KeyRing};
use bridgeway::store::sealed::{self, CheckError};
use serde_json::json;

/// Every sealed value as stored: identifier values and authenticator secrets.
async fn stored(t: &TestApp) -> Vec<String> {
    let mut tx = t.app.db.read().await.unwrap();
    let mut values: Vec<String> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT value FROM person_identifiers")
    )
    .unwrap();
    let secrets: Vec<String> = fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar("SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL")
    )
    .unwrap();
    values.extend(secrets);
    values
}

async fn identifiers_and_authenticator_secrets_are_sealed_at_rest(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let mut r = referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id));
    r["person"]["identifiers"] = json!([{ "kind": "state_id", "value": "SID-778899" }]);
    let ann = t.post("/api/v1/intake", &officer, r).await.json();

    let values = stored(&t).await;
    assert_eq!(values.len(), 3, "one identifier and two secrets");
    let secret = test_totp().base32();
    for v in &values {
        assert!(v.starts_with("$k1$"), "{v}");
        assert!(!v.contains("778899") && !v.contains(&secret), "{v}");
    }

    // Still found by its value, shown on the record, and unique.
    let hits = t
        .post("/api/v1/search", &officer, json!({ "q": "sid-778899" }))
        .await
        .json();
    assert_eq!(hits[0]["id"], ann["person_id"]);
    let person = t
        .get(
            &format!("/api/v1/people/{}", ann["person_id"].as_str().unwrap()),
            &officer,
        )
        .await
        .json();
    assert_eq!(person["identifiers"][0]["value"], "SID-778899");
    let mut again = referral(program, "Bo", "Ray", "1971-02-03", Some(officer.id));
    again["person"]["identifiers"] = json!([{ "kind": "state_id", "value": "sid-778899" }]);
    let flagged = t.post("/api/v1/intake", &officer, again.clone()).await;
    assert_eq!(
        flagged.status,
        StatusCode::CONFLICT,
        "the shared identifier flags a duplicate"
    );
    again["confirm_new_person"] = json!(true);
    let refused = t.post("/api/v1/intake", &officer, again).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text()
        .contains("already belongs to person P-0000001"));
}

async fn rotation_reseals_everything_under_the_new_key(backend: Backend) {
    let mut t = TestApp::new(backend).await;
    let (_, _, ann) = t.one_referral().await;
    let mut tx = t.app.db.write().await.unwrap();
    let person: String = fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT person_number FROM people")
    )
    .unwrap();
    tx.commit().await.unwrap();
    let old = (*t.app.keys).clone();
    let next = App::new(t.app.db.clone(), Settings::default(), old.with_new_key());
    let rotation = keys::rotate(&next).await.unwrap();
    assert_eq!(rotation.current, 2);
    let values = stored(&t).await;
    assert_eq!(rotation.resealed, values.len() as u64);
    assert!(values.iter().all(|v| v.starts_with("$k2$")), "{values:?}");
    assert_eq!(rotation.usage.by_key, [(1, 0), (2, values.len() as i64)]);
    assert_eq!(t.audit_count(Action::KeysRotated).await, 1);

    // A second rotation has nothing to do.
    assert_eq!(keys::rotate(&next).await.unwrap().resealed, 0);

    // The old ring alone can no longer open the database; a fresh ring that
    // reuses the key id is caught too.
    let mut tx = t.app.db.read().await.unwrap();
    let err = sealed::check(&mut tx, &old).await.unwrap_err();
    assert!(
        matches!(err, CheckError::Key(KeyError::MissingKey(2))),
        "{err}"
    );
    let err = sealed::check(&mut tx, &KeyRing::generate().with_new_key())
        .await
        .unwrap_err();
    assert!(matches!(err, CheckError::Key(KeyError::Tampered)), "{err}");
    sealed::check(&mut tx, &next.keys).await.unwrap();
    drop(tx);

    // Served with the new ring, the record and sign-in still work.
    t.serve(next);
    let session = t.session("officer").await;
    let page = t
        .page(
            &format!("/people/{}", ann["person_id"].as_str().unwrap()),
            &session,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(&person));
}

async fn values_stored_before_sealing_are_sealed_at_start(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, ann) = t.one_referral().await;
    let person = ann["person_id"].as_str().unwrap().to_owned();
    // A row as an older Bridgeway wrote it: the value in the clear, no index.
    let mut tx = t.app.db.write().await.unwrap();
    let row = bridgeway::domain::ids::RowId::new();
    let person_id: bridgeway::domain::ids::PersonId = person.parse().unwrap();
    exec!(
        &mut tx,
        sqlx::query("INSERT INTO person_identifiers (id, person_id, kind, value) VALUES ($1, $2, 'state_id', 'SID-OLD-1')")
            .bind(row)
            .bind(person_id)
    )
    .unwrap();
    tx.commit().await.unwrap();

    keys::prepare(&t.app).await.unwrap();
    assert!(stored(&t).await.iter().all(|v| v.starts_with("$k1$")));
    assert_eq!(t.audit_count(Action::KeysSealedPlaintext).await, 1);
    let hits = t
        .post("/api/v1/search", &officer, json!({ "q": "SID-OLD-1" }))
        .await
        .json();
    assert_eq!(hits[0]["id"], json!(person));
}

async fn recorded(t: &TestApp) -> Vec<u32> {
    let mut tx = t.app.db.read().await.unwrap();
    sealed::recorded_keys(&mut tx).await.unwrap()
}

/// Start-up checks the keys recorded as in use rather than scanning every
/// sealed column, and still refuses a ring that lacks one or cannot open it.
async fn start_up_checks_the_keys_recorded_in_use(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.one_referral().await;
    assert!(recorded(&t).await.is_empty(), "not surveyed yet");
    keys::prepare(&t.app).await.unwrap();
    assert_eq!(recorded(&t).await, [1], "the survey records the key in use");

    let old = (*t.app.keys).clone();
    let next = App::new(t.app.db.clone(), Settings::default(), old.with_new_key());
    keys::prepare(&next).await.unwrap();
    assert_eq!(
        recorded(&t).await,
        [1, 2],
        "the new current key is recorded at start"
    );
    keys::rotate(&next).await.unwrap();
    assert_eq!(
        recorded(&t).await,
        [2],
        "rotation forgets the key that seals nothing now"
    );

    let err = keys::prepare(&t.app).await.unwrap_err().to_string();
    assert!(err.contains("key 2"), "the old ring lacks key 2: {err}");
    let impostor = App::new(
        t.app.db.clone(),
        Settings::default(),
        KeyRing::generate().with_new_key(),
    );
    let err = keys::prepare(&impostor).await.unwrap_err().to_string();
    assert!(
        err.contains("do not match"),
        "a fresh ring reusing key ids: {err}"
    );
    keys::prepare(&next).await.unwrap();
}

on_both_databases!(
    start_up_checks_the_keys_recorded_in_use,
    identifiers_and_authenticator_secrets_are_sealed_at_rest,
    rotation_reseals_everything_under_the_new_key,
    values_stored_before_sealing_are_sealed_at_start,
);
