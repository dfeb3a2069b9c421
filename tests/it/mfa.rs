//! Two-step sign-in: enrolment with a QR code, codes accepted once, recovery codes.

use crate::helpers::{test_totp, Backend, TestApp, PASSWORD};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::domain::access::mfa::TotpKey;
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::json;

/// Signs in with the password only; returns the half-signed-in session cookie.
async fn password_step(t: &TestApp, username: &str) -> String {
    let res = t.login(username, PASSWORD).await;
    assert_eq!(res.headers[header::LOCATION], "/mfa");
    let cookie = res.headers[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

fn now(t: &TestApp) -> u64 {
    t.app.now().timestamp() as u64
}

async fn a_new_account_enrols_an_authenticator_and_gets_recovery_codes(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let created = t.post("/api/v1/users", &admin, json!({"username": "newbie", "full_name": "New Officer", "role": "officer", "password": PASSWORD})).await;
    assert_eq!(created.status, StatusCode::CREATED);

    let cookie = password_step(&t, "newbie").await;
    assert_eq!(
        t.page("/caseload", &cookie).await.headers[header::LOCATION],
        "/mfa",
        "nothing opens before the second step"
    );
    let enrol = t.page("/mfa", &cookie).await.text();
    assert!(
        enrol.contains("data:image/svg+xml;base64,"),
        "a QR code is shown"
    );
    let key = enrol
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the key is shown");
    let key = TotpKey::from_base32(key).expect("base32 key");
    assert!(
        t.page("/mfa", &cookie).await.text().contains(&key.base32()),
        "the same key until enrolment is confirmed"
    );

    let wrong = t.form("/mfa", &cookie, &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .form("/mfa", &cookie, &[("code", &key.code_at(now(&t)))])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let page = res.text();
    let codes: Vec<&str> = page
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap())
        .collect();
    assert_eq!(codes.len(), 10, "{page}");
    // The second step hands out a new session token: the one given with
    // the password (which may have been seen before it) opens nothing.
    let signed_in = res.cookie();
    assert_ne!(signed_in, cookie, "the session token is rotated");
    assert_eq!(t.page("/caseload", &signed_in).await.status, StatusCode::OK);
    assert_eq!(
        t.page("/caseload", &cookie).await.headers[header::LOCATION],
        "/login",
        "the token from before the second step is no longer a session"
    );
    assert_eq!(t.audit_count(Action::AuthMfaEnrolled).await, 1);

    // A recovery code works once.
    let cookie = password_step(&t, "newbie").await;
    assert_eq!(
        t.form("/mfa", &cookie, &[("code", codes[0])]).await.headers[header::LOCATION],
        "/"
    );
    let cookie = password_step(&t, "newbie").await;
    assert_eq!(
        t.form("/mfa", &cookie, &[("code", codes[0])]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "used up"
    );
}

/// On a demo database the second step shows the demo's current code, but
/// only to users enrolled with the demo's shared key: a user created there
/// has their own authenticator, and the demo code would be refused and
/// counted against them.
async fn the_demo_code_is_shown_only_to_demo_users(backend: Backend) {
    let mut t = TestApp::new(backend).await;
    let app = t.app.clone().with_demo(Vec::new(), test_totp());
    t.serve(app);
    t.user("demo-officer", Role::Officer, None, None).await;
    let newcomer = t.user("newcomer", Role::Officer, None, None).await;
    let mut tx = t.app.db.write().await.unwrap();
    let own_key = bridgeway::app::access::mfa::new_key();
    bridgeway::app::access::mfa::enrol_with(&mut tx, &t.app.keys, newcomer.id, &own_key)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let demo = password_step(&t, "demo-officer").await;
    let page = t.page("/mfa", &demo).await.text();
    let shown = page
        .split(r#"id="demo-code">"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the demo user is shown the code");
    assert_eq!(shown, test_totp().code_at(now(&t)));
    let page = t
        .page("/mfa", &password_step(&t, "newcomer").await)
        .await
        .text();
    assert!(!page.contains("demo-code"), "{page}");
}

async fn a_code_is_accepted_once(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let code = test_totp().code_at(now(&t));
    let first = password_step(&t, "officer").await;
    assert_eq!(
        t.form("/mfa", &first, &[("code", &code)]).await.headers[header::LOCATION],
        "/"
    );
    let second = password_step(&t, "officer").await;
    let replay = t.form("/mfa", &second, &[("code", &code)]).await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(replay
        .text()
        .contains("this code was just used; wait for the next one"));
    let mut tx = t.app.db.read().await.unwrap();
    let reasons: Vec<Option<String>> = crate::fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar(
            "SELECT reason FROM audit_events WHERE action = $1 AND outcome = 'failure'"
        )
        .bind(Action::AuthMfa.label())
    )
    .unwrap();
    assert_eq!(
        reasons,
        [Some("code already used (replay)".to_owned())],
        "the replay is logged"
    );
}

/// Someone who has the password must not earn five more guesses at the
/// code by giving it again: failures of either factor count together until
/// both are given.
async fn failures_of_either_factor_count_together_until_a_full_sign_in(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let first = password_step(&t, "officer").await;
    for _ in 0..4 {
        let wrong = t.form("/mfa", &first, &[("code", "000000")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        t.wait_out_failure();
    }
    let again = password_step(&t, "officer").await;
    let fifth = t.form("/mfa", &again, &[("code", "000000")]).await;
    assert_ne!(fifth.headers.get(header::LOCATION).unwrap(), "/");
    assert_eq!(
        t.audit_count(Action::AuthLockout).await,
        1,
        "the fifth failure locks"
    );
    let res = t.login("officer", PASSWORD).await;
    assert_eq!(
        res.status,
        StatusCode::UNAUTHORIZED,
        "the password no longer opens even the first step"
    );

    // A full sign-in clears the count: after it, failures start from none.
    // (The clock moves on past the address's limit of sign-ins a minute.)
    t.advance(chrono::Duration::minutes(2));
    t.user("agent", Role::Officer, None, None).await;
    for _ in 0..4 {
        assert_eq!(
            t.login("agent", "a wrong password here").await.status,
            StatusCode::UNAUTHORIZED
        );
        t.wait_out_failure();
    }
    let half = password_step(&t, "agent").await;
    let code = test_totp().code_at(now(&t));
    assert_eq!(
        t.form("/mfa", &half, &[("code", &code)]).await.headers[header::LOCATION],
        "/"
    );
    t.advance(chrono::Duration::minutes(2));
    for _ in 0..4 {
        t.login("agent", "a wrong password here").await;
        t.wait_out_failure();
    }
    assert_eq!(
        t.login("agent", PASSWORD).await.headers[header::LOCATION],
        "/mfa",
        "four new failures do not lock"
    );
}

/// A code sent inside the wait after a second failure is void (neither
/// tried nor counted) and says how long to wait.
async fn a_code_inside_the_wait_is_void_and_says_how_long(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let cookie = password_step(&t, "officer").await;
    for _ in 0..2 {
        let wrong = t.form("/mfa", &cookie, &[("code", "000000")]).await;
        assert!(wrong.text().contains("that code is not right"));
    }
    let code = test_totp().code_at(now(&t));
    let early = t.form("/mfa", &cookie, &[("code", &code)]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        early.text().contains("wait 2 seconds before trying again"),
        "{}",
        early.text()
    );
    t.wait_out_failure();
    let code = test_totp().code_at(now(&t));
    let passed = t.form("/mfa", &cookie, &[("code", &code)]).await;
    assert_eq!(
        passed.headers[header::LOCATION],
        "/",
        "the right code after the wait"
    );
}

/// Sessions that try the same code at once (on both of the test's
/// threads): exactly one is let in.
async fn one_code_opens_one_session_however_many_try_it_at_once(backend: Backend) {
    let t = std::sync::Arc::new(TestApp::new(backend).await);
    t.user("officer", Role::Officer, None, None).await;
    let mut sessions = Vec::new();
    for _ in 0..8 {
        sessions.push(password_step(&t, "officer").await);
    }
    let code = test_totp().code_at(now(&t));
    let tries: Vec<_> = sessions
        .into_iter()
        .map(|cookie| {
            let (t, code) = (t.clone(), code.clone());
            tokio::spawn(async move { t.form("/mfa", &cookie, &[("code", &code)]).await })
        })
        .collect();
    let mut let_in = 0;
    for answer in tries {
        let answer = answer.await.unwrap();
        // The others are refused (422), or sent back to sign in once their
        // failures locked the account: replays count as failures.
        let_in += usize::from(
            answer
                .headers
                .get(header::LOCATION)
                .is_some_and(|l| l == "/"),
        );
    }
    assert_eq!(let_in, 1);
    let mut tx = t.app.db.read().await.unwrap();
    let done: i64 = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE mfa_done")
    )
    .unwrap();
    assert_eq!(done, 1, "one session has both factors");
}

/// The store's claim on a code's time step is itself the compare-and-set:
/// a step is claimed once, and never after a later one.
async fn a_time_step_is_claimed_once(backend: Backend) {
    use bridgeway::store::access::users::claim_totp_step;
    let t = TestApp::new(backend).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let mut tx = t.app.db.write().await.unwrap();
    assert!(claim_totp_step(&mut tx, officer.id, 100).await.unwrap());
    assert!(
        !claim_totp_step(&mut tx, officer.id, 100).await.unwrap(),
        "again"
    );
    assert!(
        !claim_totp_step(&mut tx, officer.id, 99).await.unwrap(),
        "an earlier one"
    );
    assert!(claim_totp_step(&mut tx, officer.id, 101).await.unwrap());
    tx.commit().await.unwrap();
}

async fn a_half_signed_in_session_opens_nothing(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let cookie = password_step(&t, "officer").await;
    let api = t
        .send(
            Request::get("/api/v1/cases")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.json()["code"], "second_factor_required");
    for _ in 0..5 {
        t.form("/mfa", &cookie, &[("code", "000000")]).await;
        t.wait_out_failure();
    }
    assert_eq!(
        t.audit_count(Action::AuthLockout).await,
        1,
        "wrong codes count toward the lockout"
    );
    assert_eq!(
        t.login("officer", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "locked"
    );
}

async fn users_see_and_end_their_own_sessions(backend: Backend) {
    let t = TestApp::new(backend).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let other = t.user("other", Role::Officer, None, None).await;
    let laptop = t.session("officer").await;
    let phone = t.session("officer").await;
    let theirs = t.session("other").await;
    let mine = t.get("/api/v1/me/sessions", &officer).await.json();
    assert_eq!(mine.as_array().unwrap().len(), 2, "only their own: {mine}");
    let page = t.page("/account/sessions", &laptop).await.text();
    assert!(page.contains("(this one)"));

    // Ending someone else's session is "not found", and changes nothing.
    let their_id = t.get("/api/v1/me/sessions", &other).await.json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        t.api(
            "DELETE",
            &format!("/api/v1/me/sessions/{their_id}"),
            &officer,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(t.page("/caseload", &theirs).await.status, StatusCode::OK);

    // Ending the phone's session from the laptop signs the phone out. The
    // laptop's own row is the one whose button says "End (sign out)".
    let is_current = |id: &str| {
        page.contains(&format!(
            "/account/sessions/{id}/end\"><button type=\"submit\" class=\"link\">End (sign out)"
        ))
    };
    let phone_id = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .find(|id| !is_current(id))
        .expect("the other session");
    let res = t
        .form(&format!("/account/sessions/{phone_id}/end"), &laptop, &[])
        .await;
    assert_eq!(res.headers[header::LOCATION], "/account#sessions");
    assert_eq!(
        t.page("/caseload", &phone).await.headers[header::LOCATION],
        "/login"
    );
    assert_eq!(t.page("/caseload", &laptop).await.status, StatusCode::OK);
    assert_eq!(t.audit_count(Action::AuthSessionEnd).await, 1);
}

async fn idle_and_old_sessions_end_on_the_server(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let idle = t.session("officer").await;
    let old = t.session("officer").await;
    let now = t.app.now();
    let mut tx = t.app.db.write().await.unwrap();
    // The first session has sat unused 31 minutes; the second began 13 hours ago but was used just now.
    crate::exec!(
        &mut tx,
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now - chrono::Duration::minutes(31))
            .bind(bridgeway::app::access::auth::token_hash(
                idle.split_once('=').unwrap().1
            ))
    )
    .unwrap();
    crate::exec!(
        &mut tx,
        sqlx::query("UPDATE sessions SET created_at = $1 WHERE token_hash = $2")
            .bind(now - chrono::Duration::hours(13))
            .bind(bridgeway::app::access::auth::token_hash(
                old.split_once('=').unwrap().1
            ))
    )
    .unwrap();
    tx.commit().await.unwrap();
    for cookie in [&idle, &old] {
        assert_eq!(
            t.page("/caseload", cookie).await.headers[header::LOCATION],
            "/login"
        );
    }
    assert_eq!(t.audit_count(Action::AuthSessionExpired).await, 2);
    assert_eq!(
        t.count("sessions").await,
        0,
        "both were ended, not just refused"
    );
}

on_both_databases!(
    the_demo_code_is_shown_only_to_demo_users,
    a_code_inside_the_wait_is_void_and_says_how_long,
    a_new_account_enrols_an_authenticator_and_gets_recovery_codes,
    a_code_is_accepted_once,
    failures_of_either_factor_count_together_until_a_full_sign_in,
    one_code_opens_one_session_however_many_try_it_at_once,
    a_time_step_is_claimed_once,
    a_half_signed_in_session_opens_nothing,
    users_see_and_end_their_own_sessions,
    idle_and_old_sessions_end_on_the_server,
);
