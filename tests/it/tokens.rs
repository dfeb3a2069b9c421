//! API tokens: scoped, expiring, revocable, created by a signed-in person.

use crate::exec;
use crate::helpers::{Backend, TestApp, User};
use crate::on_both_databases;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bridgeway::domain::access::users::Role;
use bridgeway::domain::audit::Action;
use serde_json::{json, Value};

/// Creates a token through the API with a signed-in session.
async fn issue(t: &TestApp, cookie: &str, body: Value) -> crate::helpers::Response {
    let req = Request::post("/api/v1/me/tokens")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    t.send(req).await
}

fn bearer(token: &Value) -> User {
    User {
        id: bridgeway::domain::ids::UserId::new(),
        username: String::new(),
        token: token["token"].as_str().unwrap().to_owned(),
    }
}

async fn tokens_are_scoped_expire_and_can_be_revoked(backend: Backend) {
    let t = TestApp::new(backend).await;
    let admin = t.user("admin", Role::Admin, None, None).await;
    t.user("officer", Role::Officer, None, None).await;
    let cookie = t.session("officer").await;

    let res = issue(
        &t,
        &cookie,
        json!({"name": "court report", "scope": "read", "expires_in_days": 30}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let read = res.json();
    assert!(read["token"].as_str().unwrap().starts_with("bw_"));
    let reader = bearer(&read);
    assert_eq!(t.get("/api/v1/cases", &reader).await.status, StatusCode::OK);
    let res = t.post("/api/v1/intake", &reader, json!({})).await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "a read token changes nothing"
    );
    assert!(res.json()["message"]
        .as_str()
        .unwrap()
        .contains("read-only API token"));
    let res = t.post("/api/v1/search", &reader, json!({"q": "lee"})).await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "a search is a read, though it is posted"
    );
    let res = t
        .post(
            "/api/v1/notes/search",
            &reader,
            json!({"query": "employment"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    // The list shows what a token is, never the token.
    let list = t.get("/api/v1/me/tokens", &reader).await;
    assert!(!list.text().contains(read["token"].as_str().unwrap()));
    assert_eq!(
        list.json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["name"] == "court report")
            .count(),
        1
    );

    // Only a person at a keyboard makes tokens, and only admins get admin scope.
    let res = t
        .post(
            "/api/v1/me/tokens",
            &admin,
            json!({"name": "x", "scope": "read", "expires_in_days": 1}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = issue(
        &t,
        &cookie,
        json!({"name": "x", "scope": "admin", "expires_in_days": 1}),
    )
    .await;
    assert_eq!(res.error_fields(), ["scope"]);
    let res = issue(
        &t,
        &cookie,
        json!({"name": "", "scope": "write", "expires_in_days": 400}),
    )
    .await;
    assert_eq!(res.error_fields(), ["name", "expires_in_days"]);

    // Revoked: refused from then on.
    let write = issue(
        &t,
        &cookie,
        json!({"name": "sync", "scope": "write", "expires_in_days": 30}),
    )
    .await
    .json();
    let writer = bearer(&write);
    let res = t
        .api(
            "DELETE",
            &format!("/api/v1/me/tokens/{}", write["id"].as_str().unwrap()),
            &writer,
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(
        t.get("/api/v1/cases", &writer).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(t.audit_count(Action::AuthTokenRevoked).await, 1);

    // Expired: refused.
    let mut tx = t.app.db.write().await.unwrap();
    exec!(
        &mut tx,
        sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE name = 'court report'")
            .bind(t.app.now() - chrono::Duration::minutes(1))
    )
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        t.get("/api/v1/cases", &reader).await.status,
        StatusCode::UNAUTHORIZED
    );

    // An administrator's write token does not administer.
    let admin_cookie = t.session("admin").await;
    let plain = bearer(
        &issue(
            &t,
            &admin_cookie,
            json!({"name": "w", "scope": "write", "expires_in_days": 1}),
        )
        .await
        .json(),
    );
    let program = json!({"kind": "probation", "name": "P", "default_length_days": 30, "supervising_unit": "U"});
    assert_eq!(
        t.post("/api/v1/programs", &plain, program.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post("/api/v1/programs", &admin, program).await.status,
        StatusCode::CREATED
    );
}

/// Roles that only read get only read tokens (the command line asks the
/// same service); the refusal names what the role may do.
async fn read_only_roles_get_read_tokens_only(backend: Backend) {
    let t = TestApp::new(backend).await;
    t.user("liaison", Role::Court, None, Some("Superior Court Dept 3"))
        .await;
    let cookie = t.session("liaison").await;
    let issued = t.audit_count(Action::AuthTokenCreated).await;
    let ask = |scope: &str| {
        issue(
            &t,
            &cookie,
            json!({"name": "docket sync", "scope": scope, "expires_in_days": 30}),
        )
    };
    let res = ask("write").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["scope"]);
    assert!(
        res.text().contains("make it a read token"),
        "{}",
        res.text()
    );
    assert_eq!(ask("admin").await.error_fields(), ["scope"]);
    let res = ask("read").await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(
        t.audit_count(Action::AuthTokenCreated).await,
        issued + 1,
        "only the read token was made"
    );
}

/// An address sending unknown tokens in a loop gets one audit event for
/// the first, one with the count once the minute is over, and 429 once past
/// the limit; another address is not held up by it.
async fn unknown_tokens_do_not_flood_the_trail(backend: Backend) {
    let t = TestApp::new(backend).await;
    let ask = |address: &'static str| {
        let t = &t;
        async move {
            let mut req = Request::get("/api/v1/cases")
                .header(header::AUTHORIZATION, "Bearer bw_not_a_token")
                .body(Body::empty())
                .unwrap();
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    address.parse::<std::net::IpAddr>().unwrap(),
                    40_000,
                ))));
            t.send(req).await.status
        }
    };
    let limit = bridgeway::app::audit::refusals::PER_MINUTE as usize;
    let mut statuses = Vec::new();
    for _ in 0..limit + 10 {
        statuses.push(ask("198.51.100.9").await);
    }
    assert!(statuses[..limit]
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED));
    assert!(
        statuses[limit..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "past the limit the address is told to wait: {statuses:?}"
    );
    assert_eq!(
        ask("203.0.113.4").await,
        StatusCode::UNAUTHORIZED,
        "another address"
    );
    let events = t.audit_events(Action::AuthToken).await;
    assert_eq!(
        events.len(),
        2,
        "one event per address so far, not one a request"
    );

    t.advance(chrono::Duration::seconds(61));
    bridgeway::app::audit::refusals::fold(&t.app).await.unwrap();
    let events = t.audit_events(Action::AuthToken).await;
    assert_eq!(
        events.len(),
        3,
        "the first address's count, once its minute is over"
    );
    let count = &events[2];
    assert_eq!(count.source.as_deref(), Some("198.51.100.9"));
    assert_eq!(count.outcome, "failure");
    assert!(
        count
            .reason
            .as_deref()
            .unwrap()
            .contains(&format!(": {} times from ", limit + 10)),
        "{count:?}"
    );
    assert_eq!(
        ask("198.51.100.9").await,
        StatusCode::UNAUTHORIZED,
        "a new minute, a new allowance"
    );
    assert_eq!(
        t.count("refusal_tallies").await,
        1,
        "passed minutes are cleared"
    );
}

on_both_databases!(
    tokens_are_scoped_expire_and_can_be_revoked,
    read_only_roles_get_read_tokens_only,
    unknown_tokens_do_not_flood_the_trail,
);
