//! Administering accounts: password resets with a forced change, your own
//! password change, and role changes; each privileged and audited.

use crate::helpers::{Backend, TestApp};
use crate::on_both_databases;
use axum::http::{header, StatusCode};
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::json;

async fn a_reset_password_must_be_changed_before_anything_else(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let admin_session = t.session("admin").await;
    let old_session = t.session("officer").await;

    // The page hands the administrator a one-time password, once.
    let reset = t
        .form("/admin/users/officer/password-reset", &admin_session, &[])
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
    let page = reset.text();
    let temporary = page
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the one-time password")
        .to_owned();
    assert_eq!(t.audit_count(Action::AuthPasswordReset).await, 1);
    let gone = t.page("/caseload", &old_session).await;
    assert_eq!(gone.headers[header::LOCATION], "/login", "sessions ended");

    // Signed in with it, the officer can only change the password.
    let session = t.session_with("officer", &temporary).await;
    let caseload = t.page("/caseload", &session).await;
    assert_eq!(caseload.headers[header::LOCATION], "/account/password");
    let api = t.api_with_session("GET", "/api/v1/cases", &session).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json()["code"], "password_change_required");
    let token = t.get("/api/v1/cases", &officer).await;
    assert_eq!(token.status, StatusCode::FORBIDDEN, "tokens wait too");
    let form = t.page("/account/password", &session).await;
    assert!(form.text().contains("An administrator reset your password"));

    let change = |current: &str, new: &str, again: &str| {
        let pairs = [
            ("current_password", current.to_owned()),
            ("new_password", new.to_owned()),
            ("confirm_password", again.to_owned()),
        ];
        let t = &t;
        let session = session.clone();
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            t.form("/account/password", &session, &pairs).await
        }
    };
    let wrong = change(
        "not it at all",
        "plum harbour velvet kite",
        "plum harbour velvet kite",
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("Current password: is not right"));
    let common = change(&temporary, "password1234", "password1234").await;
    assert!(
        common.text().contains("common or breached"),
        "{}",
        common.text()
    );
    let mismatch = change(
        &temporary,
        "plum harbour velvet kite",
        "plum harbour velvet kit",
    )
    .await;
    assert!(mismatch.text().contains("does not match"));
    let done = change(
        &temporary,
        "plum harbour velvet kite",
        "plum harbour velvet kite",
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert_eq!(t.page("/caseload", &session).await.status, StatusCode::OK);
    assert_eq!(
        t.get("/api/v1/cases", &officer).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.audit_count(Action::AuthPasswordChange).await,
        2,
        "the wrong current password and the change"
    );

    // Administrators change their own password themselves, never by reset.
    let own = t
        .json_with_session(
            "POST",
            "/api/v1/users/admin/password-reset",
            &admin_session,
            None,
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let unknown = t
        .json_with_session(
            "POST",
            "/api/v1/users/nobody/password-reset",
            &admin_session,
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let api_change = t
        .json_with_session(
            "POST",
            "/api/v1/me/password",
            &session,
            Some(json!({"current_password": "plum harbour velvet kite", "new_password": "copper lantern meadow fox"})),
        )
        .await;
    assert_eq!(
        api_change.status,
        StatusCode::NO_CONTENT,
        "{}",
        api_change.text()
    );
    assert_eq!(
        t.login("officer", "copper lantern meadow fox").await.status,
        StatusCode::SEE_OTHER
    );
}

async fn roles_change_only_by_a_fresh_administrator_and_are_audited(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("admin", Role::Admin, None, None).await;
    t.user("sup", Role::Supervisor, None, None).await;
    t.user("officer", Role::Officer, None, None).await;
    let admin = t.session("admin").await;
    let put = |who: &str, body: serde_json::Value| {
        let path = format!("/api/v1/users/{who}/role");
        let t = &t;
        let admin = admin.clone();
        async move { t.json_with_session("PUT", &path, &admin, Some(body)).await }
    };

    let moved = put("officer", json!({"role": "officer", "supervisor": "sup"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    assert!(moved.json()["supervisor_id"].is_string());
    let promoted = put(
        "officer",
        json!({"role": "court", "court": "Superior Court"}),
    )
    .await;
    assert_eq!(promoted.json()["role"], "court");
    assert_eq!(promoted.json()["supervisor_id"], serde_json::Value::Null);
    let mut tx = t.app.db.read().await.unwrap();
    let events = bridgeway::store::audit::for_object(
        &mut tx,
        promoted.json()["id"]
            .as_str()
            .unwrap()
            .parse::<bridgeway::domain::ids::UserId>()
            .unwrap(),
        10,
    )
    .await
    .unwrap();
    drop(tx);
    assert!(
        events
            .iter()
            .any(|e| e.reason.as_deref() == Some("officer to court")),
        "{events:?}"
    );

    for (who, body, status, why) in [
        (
            "officer",
            json!({"role": "court"}),
            422,
            "is required for a court liaison",
        ),
        (
            "officer",
            json!({"role": "officer", "supervisor": "admin"}),
            422,
            "no supervisor has the username",
        ),
        (
            "officer",
            json!({"role": "auditor", "supervisor": "sup"}),
            422,
            "only an officer reports",
        ),
        ("officer", json!({"role": "king"}), 422, "role"),
        ("admin", json!({"role": "auditor"}), 403, "your own role"),
        ("nobody", json!({"role": "auditor"}), 404, "not found"),
    ] {
        let res = put(who, body).await;
        assert_eq!(res.status.as_u16(), status, "{who}: {}", res.text());
        assert!(res.text().contains(why), "{who}: {}", res.text());
    }

    // The page form reports a missing court beside the field.
    let page = t
        .form(
            "/admin/users/officer/role",
            &admin,
            &[("role", "court"), ("court", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("is required for a court liaison"));
    assert_eq!(t.audit_count(Action::UserRoleChange).await, 2);

    // Promoting an officer from the page, with the supervisor still filled
    // in as the page shows it: the supervisor applies to officers only.
    let back = put("officer", json!({"role": "officer", "supervisor": "sup"})).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text());
    let page = t.page("/admin/users/officer", &admin).await.text();
    let supervisor = crate::helpers::form_values(&page, "/admin/users/officer/role")
        .into_iter()
        .find(|(name, _)| name == "supervisor")
        .map(|(_, v)| v);
    assert_eq!(supervisor.as_deref(), Some("sup"), "the page fills it in");
    assert!(
        page.contains(r#"<select id="supervisor" name="supervisor""#),
        "supervisors are picked from a list, not typed: {page}"
    );
    let promoted = t
        .form(
            "/admin/users/officer/role",
            &admin,
            &[("role", "supervisor"), ("supervisor", "sup"), ("court", "")],
        )
        .await;
    assert_eq!(
        promoted.status,
        StatusCode::SEE_OTHER,
        "{}",
        promoted.text()
    );
    assert_eq!(t.audit_count(Action::UserRoleChange).await, 4);
}

/// The account page: a token made and shown once, then revoked; every other
/// session ended at once; new recovery codes after a fresh sign-in.
async fn the_account_page_holds_tokens_sessions_and_recovery_codes(backend: Backend) {
    let t = TestApp::new(backend).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let cookie = t.session("officer").await;
    let elsewhere = t.session("officer").await;
    let page = t.page("/account", &cookie).await.text();
    assert!(page.contains("End all other sessions"), "{page}");
    assert!(
        page.contains(r#"<td data-label="Device">Firefox on Linux</td>"#),
        "each session names its device: {page}"
    );

    let refused = t
        .form(
            "/account/tokens",
            &cookie,
            &[
                ("name", "court report"),
                ("scope", "admin"),
                ("expires_in_days", "30"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an officer holds no admin token"
    );
    let made = t
        .form(
            "/account/tokens",
            &cookie,
            &[
                ("name", "court report"),
                ("scope", "read"),
                ("expires_in_days", "30"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK);
    let page = made.text();
    let token = page
        .split(r#"<code class="secret">"#)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the token, shown once")
        .to_owned();
    let with_token = |token: String| crate::helpers::User {
        id: officer.id,
        username: "officer".into(),
        token,
    };
    assert_eq!(
        t.get("/api/v1/me", &with_token(token.clone())).await.status,
        StatusCode::OK
    );
    assert!(
        !t.page("/account", &cookie).await.text().contains(&token),
        "shown once"
    );
    let tokens = t.get("/api/v1/me/tokens", &officer).await.json();
    let id = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "court report")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = t
        .form(&format!("/account/tokens/{id}/revoke"), &cookie, &[])
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.get("/api/v1/me", &with_token(token)).await.status,
        StatusCode::UNAUTHORIZED
    );

    let ended = t.form("/account/sessions/end-others", &cookie, &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.page("/caseload", &elsewhere).await.headers[header::LOCATION],
        "/login"
    );
    assert_eq!(
        t.page("/caseload", &cookie).await.status,
        StatusCode::OK,
        "this one stays"
    );

    let codes = t.form("/account/recovery-codes", &cookie, &[]).await;
    assert_eq!(codes.status, StatusCode::OK);
    assert_eq!(codes.text().matches("<li><code>").count(), 10);
    assert_eq!(t.audit_count(Action::AuthRecoveryCodes).await, 1);
    // Later, a fresh sign-in is asked first.
    t.advance(chrono::Duration::minutes(20));
    let stale = t.form("/account/recovery-codes", &cookie, &[]).await;
    assert_eq!(stale.headers[header::LOCATION], "/reauth");
    assert_eq!(t.audit_count(Action::AuthRecoveryCodes).await, 1);
}

/// Administrators open accounts (a one-time password, shown once), disable
/// leavers, restore access and reset an authenticator, from the pages.
async fn administrators_open_disable_restore_and_reenrol_from_the_pages(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("admin", Role::Admin, None, None).await;
    t.user("officer", Role::Officer, None, None).await;
    let admin = t.session("admin").await;
    let officer = t.session("officer").await;
    assert_eq!(
        t.page("/admin/users/new", &admin).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.page("/admin/users/new", &officer).await.status,
        StatusCode::FORBIDDEN
    );

    let open = |username: &'static str| {
        let (t, admin) = (&t, &admin);
        async move {
            let fields = [
                ("username", username),
                ("full_name", "Nia Bell"),
                ("role", "officer"),
                ("supervisor", ""),
                ("court", ""),
            ];
            t.form("/admin/users", admin, &fields).await
        }
    };
    let opened = open("nbell").await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
    let page = opened.text();
    let temporary = page
        .split(r#"<code class="secret">"#)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the one-time password")
        .to_owned();
    assert_eq!(t.audit_count(Action::UserCreate).await, 1);
    let again = open("nbell").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("already taken"));
    let first = t.login("nbell", &temporary).await;
    assert_eq!(
        first.headers[header::LOCATION],
        "/mfa",
        "the one-time password signs in"
    );

    // A leaver is disabled with a reason, and restored.
    let no_reason = t
        .form("/admin/users/nbell/disable", &admin, &[("reason", "")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let disabled = t
        .form(
            "/admin/users/nbell/disable",
            &admin,
            &[("reason", "left the agency")],
        )
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(t.audit_count(Action::UserDisable).await, 1);
    assert_ne!(
        t.login("nbell", &temporary).await.status,
        StatusCode::SEE_OTHER
    );
    let own = t
        .form(
            "/admin/users/admin/disable",
            &admin,
            &[("reason", "testing")],
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.form("/admin/users/nbell/restore", &admin, &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        t.login("nbell", &temporary).await.headers[header::LOCATION],
        "/mfa"
    );

    // A lost phone: the authenticator is forgotten and the sessions end.
    let reset = t
        .form("/admin/users/officer/authenticator-reset", &admin, &[])
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert_eq!(t.audit_count(Action::AuthMfaReset).await, 1);
    assert_eq!(
        t.page("/caseload", &officer).await.headers[header::LOCATION],
        "/login"
    );
    let mut tx = t.app.db.read().await.unwrap();
    let secret: Option<String> = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT totp_secret FROM users WHERE username = 'officer'")
    )
    .unwrap();
    drop(tx);
    assert!(secret.is_none(), "enrolled again at the next sign-in");

    // Twenty minutes on, a fresh sign-in is asked first.
    t.advance(chrono::Duration::minutes(20));
    let stale = t
        .form("/admin/users/nbell/authenticator-reset", &admin, &[])
        .await;
    assert_eq!(stale.headers[header::LOCATION], "/reauth");
}

on_both_databases!(
    administrators_open_disable_restore_and_reenrol_from_the_pages,
    the_account_page_holds_tokens_sessions_and_recovery_codes,
    a_reset_password_must_be_changed_before_anything_else,
    roles_change_only_by_a_fresh_administrator_and_are_audited,
);
