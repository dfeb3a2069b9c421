//! Authorization: who may see and change what, decided on the server.

use crate::helpers::{referral, Backend, TestApp};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::json;

async fn each_role_sees_and_changes_only_what_it_should(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let mine = t.user("mine", Role::Officer, Some(sup.id), None).await;
    let other = t.user("other", Role::Officer, None, None).await;
    let court = t
        .user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    let far_court = t
        .user("farcourt", Role::Court, None, Some("Municipal Court"))
        .await;
    let auditor = t.user("auditor", Role::Auditor, None, None).await;
    let provider = t.user("provider", Role::Provider, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let opened = t
        .post(
            "/api/v1/intake",
            &mine,
            referral(program, "Ann", "Lee", "1990-04-01", Some(mine.id)),
        )
        .await
        .json();
    let case = format!("/api/v1/cases/{}", opened["case_id"].as_str().unwrap());
    let person = format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap());
    let version = t.get(&case, &mine).await.json()["version"].clone();
    let enroll = json!({"version": version, "to": "declined", "reason": "test"});

    // Reading a case: its officer, their supervisor, the court of the case;
    // everyone else (administrators and other officers included) is told it
    // does not exist.
    for (user, status) in [
        (&admin, 404),
        (&sup, 200),
        (&mine, 200),
        (&other, 404),
        (&court, 200),
        (&far_court, 404),
        (&auditor, 404),
        (&provider, 404),
    ] {
        assert_eq!(
            t.get(&case, user).await.status.as_u16(),
            status,
            "{} reading the case",
            user.username
        );
        assert_eq!(
            t.get(&person, user).await.status.as_u16(),
            status,
            "{} reading the person",
            user.username
        );
    }
    // Changing it: the assigned officer, their supervisor. Roles that only
    // read hold read tokens, which change nothing anywhere (403 before the
    // case is looked up; a court's and an auditor's sessions are tried on
    // every form in the page matrix).
    for (user, status) in [
        (&admin, 404),
        (&other, 404),
        (&court, 403),
        (&far_court, 403),
        (&auditor, 403),
        (&provider, 403),
    ] {
        let res = t
            .post(&format!("{case}/transitions"), user, enroll.clone())
            .await;
        assert_eq!(
            res.status.as_u16(),
            status,
            "{} changing the case",
            user.username
        );
    }
    assert_eq!(
        t.get(&case, &mine).await.json()["status"],
        "screening",
        "refused changes changed nothing"
    );
    assert_eq!(
        t.post(&format!("{case}/transitions"), &sup, enroll)
            .await
            .status,
        StatusCode::OK
    );

    // Search and intake: case staff only.
    for (user, status) in [
        (&mine, 200),
        (&court, 403),
        (&auditor, 403),
        (&provider, 403),
    ] {
        assert_eq!(
            t.post("/api/v1/search", user, json!({"q": "lee"}))
                .await
                .status
                .as_u16(),
            status,
            "{} searching",
            user.username
        );
    }
    let res = t
        .post(
            "/api/v1/intake",
            &court,
            referral(program, "Bo", "Li", "1980-01-01", None),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Account administration: administrators only.
    let new_user = json!({"username": "newbie", "full_name": "New Officer", "role": "officer", "password": "a fine long password"});
    assert_eq!(
        t.post("/api/v1/users", &sup, new_user.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post("/api/v1/users", &admin, new_user).await.status,
        StatusCode::CREATED
    );
}

async fn caseloads_are_scoped_to_the_user(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    let a = t.user("a", Role::Officer, Some(sup.id), None).await;
    let b = t.user("b", Role::Officer, None, None).await;
    let court = t
        .user("court", Role::Court, None, Some("Superior Court, Dept. 3"))
        .await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    t.post(
        "/api/v1/intake",
        &a,
        referral(program, "Ann", "Lee", "1990-04-01", Some(a.id)),
    )
    .await;
    let mut elsewhere = referral(program, "Bob", "Ray", "1980-04-01", Some(b.id));
    elsewhere["case"]["court"] = json!("Municipal Court");
    t.post("/api/v1/intake", &b, elsewhere).await;

    let people = |path: &'static str, user: &'static str| {
        let t = &t;
        let user = match user {
            "a" => &a,
            "b" => &b,
            "sup" => &sup,
            "court" => &court,
            _ => &admin,
        };
        async move {
            let mut names: Vec<String> = t.get(path, user).await.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["person_name"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(people("/api/v1/cases", "a").await, ["Lee, Ann"]);
    assert_eq!(people("/api/v1/cases", "b").await, ["Ray, Bob"]);
    assert_eq!(
        people("/api/v1/cases", "sup").await,
        ["Lee, Ann"],
        "the supervisor's team"
    );
    assert_eq!(
        people("/api/v1/cases", "court").await,
        ["Lee, Ann"],
        "the court's own cases"
    );
    assert_eq!(
        people("/api/v1/cases", "admin").await,
        Vec::<String>::new(),
        "administrators do not read case content"
    );
    assert_eq!(
        people("/api/v1/cases?status=active", "a").await,
        Vec::<String>::new()
    );
}

async fn a_shared_case_opens_to_the_colleague_until_the_share_ends(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (_, officer, opened) = t.one_referral().await;
    let colleague = t.user("colleague", Role::Officer, None, None).await;
    t.user("auditor", Role::Auditor, None, None).await;
    let case_id = opened["case_id"].as_str().unwrap();
    let case = format!("/api/v1/cases/{case_id}");
    let person = format!("/api/v1/people/{}", opened["person_id"].as_str().unwrap());
    assert_eq!(t.get(&case, &colleague).await.status, StatusCode::NOT_FOUND);

    let share = |who: &str, reason: &str| json!({"username": who, "reason": reason});
    for (body, status, why) in [
        (
            share("auditor", "help"),
            422,
            "no active officer or supervisor",
        ),
        (share("officer", "help"), 422, "already this case's officer"),
        (share("colleague", " "), 422, "reason"),
    ] {
        let res = t.post(&format!("{case}/shares"), &officer, body).await;
        assert_eq!(res.status.as_u16(), status, "{}", res.text());
        assert!(res.text().contains(why), "{}", res.text());
    }
    let refused = t
        .post(
            &format!("{case}/shares"),
            &colleague,
            share("colleague", "let me in"),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::NOT_FOUND,
        "no one shares themselves in"
    );
    let shared = t
        .post(
            &format!("{case}/shares"),
            &officer,
            share("Colleague", "covering 1-15 Dec"),
        )
        .await;
    assert_eq!(shared.status, StatusCode::CREATED, "{}", shared.text());
    assert_eq!(shared.json()[0]["username"], "colleague");
    let again = t
        .post(
            &format!("{case}/shares"),
            &officer,
            share("colleague", "again"),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["code"], "conflict");

    // The colleague now sees and works the case, and finds it in their caseload.
    assert_eq!(
        t.get(&case, &colleague).await.json()["shared_with"][0]["reason"],
        "covering 1-15 Dec"
    );
    assert_eq!(t.get(&person, &colleague).await.status, StatusCode::OK);
    let listed = t.get("/api/v1/cases", &colleague).await.json();
    assert_eq!(listed["items"][0]["id"], json!(case_id));
    let version = t.get(&case, &colleague).await.json()["version"].clone();
    let moved = t
        .post(
            &format!("{case}/transitions"),
            &colleague,
            json!({"version": version, "to": "declined", "reason": "covering officer"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());

    let ended = t
        .api(
            "DELETE",
            &format!("{case}/shares/colleague"),
            &officer,
            None,
        )
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&case, &colleague).await.status, StatusCode::NOT_FOUND);
    let gone = t
        .api(
            "DELETE",
            &format!("{case}/shares/colleague"),
            &officer,
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(t.audit_count(Action::CaseShare).await, 1);
    assert_eq!(t.audit_count(Action::CaseUnshare).await, 1);

    // A share may name the colleague by full name; a name two people
    // share is refused with their usernames.
    let by_name = t
        .post(
            &format!("{case}/shares"),
            &officer,
            share("Colleague (Test)", "covering again"),
        )
        .await;
    assert_eq!(by_name.status, StatusCode::CREATED, "{}", by_name.text());
    assert_eq!(by_name.json()[0]["username"], "colleague");
    t.user("twin1", Role::Officer, None, None).await;
    t.user("twin2", Role::Officer, None, None).await;
    let mut tx = t.app.db.write().await.unwrap();
    let renamed: Vec<String> = crate::fetch!(
        &mut tx,
        fetch_all,
        sqlx::query_scalar(
            "UPDATE users SET full_name = 'Sam Lee' WHERE username LIKE 'twin%' RETURNING username"
        )
    )
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(renamed.len(), 2);
    let ambiguous = t
        .post(
            &format!("{case}/shares"),
            &officer,
            share("sam lee", "help"),
        )
        .await;
    assert_eq!(ambiguous.error_fields(), ["username"]);
    assert!(
        ambiguous
            .text()
            .contains("several staff are named 'sam lee' (twin1, twin2)"),
        "{}",
        ambiguous.text()
    );
    let page = t
        .page(&format!("/cases/{case_id}"), &t.session("officer").await)
        .await
        .text();
    assert!(!page.contains("<datalist"), "the page lists no staff");
}

async fn unauthenticated_requests_are_refused(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let res = t
        .send(Request::get("/api/v1/cases").body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["code"], "unauthenticated");
    let res = t
        .send(
            Request::get("/api/v1/cases")
                .header(header::AUTHORIZATION, "Bearer bw_nope")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        t.audit_count(Action::AuthToken).await,
        1,
        "a bad token is audited"
    );
    let res = t
        .send(Request::get("/caseload").body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers[header::LOCATION], "/login");
    for path in ["/healthz", "/readyz", "/login"] {
        assert_eq!(
            t.send(Request::get(path).body(Body::empty()).unwrap())
                .await
                .status,
            StatusCode::OK,
            "{path}"
        );
    }
}

async fn sign_in_fails_the_same_way_for_unknown_users_and_wrong_passwords(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let wrong = t.login("officer", "not the password").await;
    let unknown = t.login("nobody", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.text().replace("officer", ""),
        unknown.text().replace("nobody", "")
    );
    assert_eq!(t.audit_count(Action::AuthLogin).await, 2);

    let cookie = t.session("officer").await;
    assert_eq!(t.page("/caseload", &cookie).await.status, StatusCode::OK);
    let logout = t.form("/logout", &cookie, &[]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.page("/caseload", &cookie).await.status,
        StatusCode::SEE_OTHER,
        "the session ended on the server"
    );
}

async fn staff_lists_and_the_signed_in_user(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let auditor = t.user("auditor", Role::Auditor, None, None).await;
    let me = t.get("/api/v1/me", &officer).await.json();
    assert_eq!(
        (me["username"].as_str(), me["role"].as_str()),
        (Some("officer"), Some("officer"))
    );
    let staff = t.get("/api/v1/users", &officer).await.json();
    let names: Vec<&str> = staff
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3);
    assert!(
        staff
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u.get("password_hash").is_none()),
        "no hashes leave the server"
    );
    assert_eq!(
        t.get("/api/v1/users", &auditor).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = json!({"username": "x", "full_name": "", "role": "court", "password": "admin"});
    let res = t.post("/api/v1/users", &admin, bad).await;
    assert_eq!(res.error_fields(), ["username", "full_name", "court"]);
}

/// Wrong passwords sent at once (on both of the test's threads) are each counted: none is lost to another
/// attempt's update, so the account locks at the fifth.
/// Guesses sent at once are each counted or void, never let through: each
/// attempt reads the account locked for its transaction, so the first two
/// failures count and the rest fall inside the wait the second one set;
/// the right password inside that wait opens nothing either.
async fn wrong_passwords_sent_at_once_count_or_are_void(backend: Backend) {
    let t = std::sync::Arc::new(TestApp::new(backend).await);
    t.user("officer", Role::Officer, None, None).await;
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move { t.login("officer", "a wrong password here").await.status })
        })
        .collect();
    for status in tries {
        assert_eq!(status.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let mut tx = t.app.db.read().await.unwrap();
    let counted: i32 = crate::fetch!(
        &mut tx,
        fetch_one,
        sqlx::query_scalar("SELECT failed_logins FROM users WHERE username = 'officer'")
    )
    .unwrap();
    drop(tx);
    assert_eq!(counted, 2, "two counted, the rest inside the wait");
    let logins = t.audit_events(Action::AuthLogin).await;
    let void = logins
        .iter()
        .filter(|e| e.reason.as_deref() == Some("too soon after a failed attempt"))
        .count();
    assert_eq!(void, 6, "each void attempt is audited");
    assert_eq!(
        t.login("officer", crate::helpers::PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "the right password inside the wait opens nothing"
    );
    t.wait_out_failure();
    assert_eq!(
        t.login("officer", crate::helpers::PASSWORD).await.status,
        StatusCode::SEE_OTHER,
        "after it, the right password does"
    );
}

async fn five_failures_lock_an_account_until_an_administrator_unlocks_it(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    t.user("officer", Role::Officer, None, None).await;
    for _ in 0..5 {
        assert_eq!(
            t.login("officer", "a wrong password here").await.status,
            StatusCode::UNAUTHORIZED
        );
        t.wait_out_failure();
    }
    assert_eq!(t.audit_count(Action::AuthLockout).await, 1);
    let res = t.login("officer", crate::helpers::PASSWORD).await;
    assert_eq!(
        res.status,
        StatusCode::UNAUTHORIZED,
        "the right password does not open a locked account"
    );
    assert!(res.text().contains("or the account is locked"));

    assert_eq!(
        t.post("/api/v1/users/officer/unlock", &sup, json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post("/api/v1/users/officer/unlock", &admin, json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN,
        "a privileged action is not for API tokens"
    );
    let admin_session = t.session("admin").await;
    let unlock = |who: &'static str| {
        let (t, cookie) = (&t, admin_session.clone());
        async move {
            t.api_with_session("POST", &format!("/api/v1/users/{who}/unlock"), &cookie)
                .await
                .status
        }
    };
    assert_eq!(unlock("nobody").await, StatusCode::NOT_FOUND);
    assert_eq!(unlock("officer").await, StatusCode::NO_CONTENT);
    assert_eq!(t.audit_count(Action::AuthUnlock).await, 1);
    assert_eq!(
        t.login("officer", crate::helpers::PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

async fn sign_in_needs_the_notice_acknowledged_and_is_rate_limited(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("officer", Role::Officer, None, None).await;
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("username", "officer")
        .append_pair("password", crate::helpers::PASSWORD)
        .finish();
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let res = t.send(req).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("confirm that you have read the notice"));
    assert_eq!(
        t.audit_count(Action::AuthLogin).await,
        0,
        "credentials were not even checked"
    );

    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(t.login("nobody", "whatever it is").await.status.as_u16());
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(
        statuses[10..],
        [429, 429],
        "the 11th attempt within a minute from one address is refused"
    );
}

/// Behind a trusted proxy each client is counted under its own address
/// (the one the proxy names), and a username's attempts are counted too,
/// whatever addresses they come from.
async fn sign_in_limits_follow_the_client_behind_a_proxy(backend: Backend) {
    let t = TestApp::with_settings(backend, |s| {
        s.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    t.user("officer", Role::Officer, None, None).await;
    let sign_in = |peer: &'static str, forwarded: Option<String>, username: String| {
        let t = &t;
        async move {
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("username", &username)
                .append_pair("password", "not the password")
                .append_pair("acknowledge", "on")
                .finish();
            let mut req = Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if let Some(f) = forwarded {
                req = req.header("x-forwarded-for", f);
            }
            let mut req = req.body(Body::from(body)).unwrap();
            let peer: std::net::IpAddr = peer.parse().unwrap();
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    peer, 443,
                ))));
            t.send(req).await.status.as_u16()
        }
    };
    let attacker = || Some("192.0.2.66".to_owned());
    for i in 0..10 {
        assert_eq!(
            sign_in("10.0.0.2", attacker(), format!("guess{i}")).await,
            401
        );
    }
    assert_eq!(sign_in("10.0.0.2", attacker(), "guess10".into()).await, 429);
    assert_eq!(
        sign_in("10.0.0.2", Some("198.51.100.20".into()), "officer".into()).await,
        401,
        "another client behind the same proxy is not held up by the first"
    );
    let events = t.audit_events(Action::AuthLogin).await;
    assert_eq!(
        events[0].source.as_deref(),
        Some("192.0.2.66"),
        "the client, not the proxy"
    );

    // A client that is not a trusted proxy cannot name its own address.
    for i in 0..10 {
        let spoofed = Some(format!("198.51.100.{}", 100 + i));
        assert_eq!(
            sign_in("203.0.113.5", spoofed, format!("try{i}")).await,
            401
        );
    }
    assert_eq!(
        sign_in("203.0.113.5", Some("198.51.100.99".into()), "try".into()).await,
        429
    );

    // One username from many addresses.
    for i in 0..9 {
        let address = Some(format!("198.51.100.{}", 30 + i));
        assert_eq!(sign_in("10.0.0.2", address, "officer".into()).await, 401);
    }
    assert_eq!(
        sign_in("10.0.0.2", Some("198.51.100.50".into()), "officer".into()).await,
        429,
        "the eleventh attempt on one username within a minute"
    );
}

async fn accounts_unused_for_ninety_days_are_disabled_and_reviewed(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let officer = t.user("officer", Role::Officer, None, None).await;
    let mut tx = t.app.db.write().await.unwrap();
    crate::exec!(
        &mut tx,
        sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(t.app.now() - chrono::Duration::days(91))
            .bind(officer.id)
    )
    .unwrap();
    tx.commit().await.unwrap();

    let review = t.get("/api/v1/users/access-review", &admin).await.json();
    let status = |review: &serde_json::Value| {
        review
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["username"] == "officer")
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status(&review), "inactive");
    assert_eq!(
        t.login("officer", crate::helpers::PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(t.audit_count(Action::AuthAccountDisabled).await, 1);
    assert_eq!(
        status(&t.get("/api/v1/users/access-review", &admin).await.json()),
        "disabled"
    );
    assert_eq!(
        t.get("/api/v1/cases", &officer).await.status,
        StatusCode::UNAUTHORIZED,
        "its tokens stop working too"
    );

    let admin_session = t.session("admin").await;
    assert_eq!(
        t.api_with_session("POST", "/api/v1/users/officer/unlock", &admin_session)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(&t.get("/api/v1/users/access-review", &admin).await.json()),
        "active"
    );
    t.session("officer").await;
    assert_eq!(
        t.get("/api/v1/users/access-review", &officer).await.status,
        StatusCode::FORBIDDEN
    );
    let cookie = t.session("admin").await;
    let page = t.page("/admin/access-review", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("officer (test)"));
    assert!(
        t.audit_count(Action::UserAccessReview).await >= 4,
        "reading the review is audited"
    );
}

/// The officer pick lists offer whom the user may assign a case to (their
/// team), never the whole agency, and a case page always shows its holder.
async fn officer_pick_lists_offer_the_team_and_the_holder(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    let sup = t.user("sup", Role::Supervisor, None, None).await;
    t.user("officer", Role::Officer, Some(sup.id), None).await;
    let outsider = t.user("outsider", Role::Officer, None, None).await;
    let program = t.program(&admin, "Pretrial", json!({})).await;
    let referral =
        crate::helpers::referral(program, "Pick", "List", "1979-05-05", Some(outsider.id));
    let opened = t.post("/api/v1/intake", &outsider, referral).await.json();
    let case = opened["case_id"].as_str().unwrap().to_owned();
    let share = json!({"username": "officer", "reason": "covering"});
    let res = t
        .post(&format!("/api/v1/cases/{case}/shares"), &outsider, share)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());

    let option = |name: &str| format!(">{name} (test)</option>");
    let caseload = t.page("/caseload", &t.session("sup").await).await.text();
    assert!(caseload.contains(&option("officer")), "{caseload}");
    assert!(
        !caseload.contains(&option("outsider")),
        "not the supervisor's team"
    );
    let page = t
        .page(&format!("/cases/{case}"), &t.session("officer").await)
        .await
        .text();
    assert!(
        page.contains("selected>outsider (test)</option>"),
        "the holder stays selected, or saving would unassign the case: {page}"
    );
    assert!(
        !page.contains(&format!(
            r#"<option value="{}">sup (test)</option>"#,
            sup.id
        )),
        "an officer assigns only to themselves (the share list may name anyone)"
    );
}

on_both_databases!(
    sign_in_limits_follow_the_client_behind_a_proxy,
    each_role_sees_and_changes_only_what_it_should,
    officer_pick_lists_offer_the_team_and_the_holder,
    caseloads_are_scoped_to_the_user,
    a_shared_case_opens_to_the_colleague_until_the_share_ends,
    unauthenticated_requests_are_refused,
    sign_in_fails_the_same_way_for_unknown_users_and_wrong_passwords,
    staff_lists_and_the_signed_in_user,
    five_failures_lock_an_account_until_an_administrator_unlocks_it,
    wrong_passwords_sent_at_once_count_or_are_void,
    sign_in_needs_the_notice_acknowledged_and_is_rate_limited,
    accounts_unused_for_ninety_days_are_disabled_and_reviewed,
);
