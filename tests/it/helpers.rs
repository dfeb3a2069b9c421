//! A Bridgeway per test, on its own SQLite file or PostgreSQL schema, driven
//! in-process through the real router.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use bridgeway::app::access::auth;
use bridgeway::app::access::auth::TokenRequest;
use bridgeway::app::access::auth::{hash_password, Secret};
use bridgeway::app::App;
use bridgeway::config::Settings;
use bridgeway::domain::access::mfa::TotpKey;
use bridgeway::domain::access::users::{Role, TokenScope};
use bridgeway::domain::audit::Action;
use bridgeway::domain::clock::Clock;
use bridgeway::domain::ids::{ProgramId, UserId};
use bridgeway::keyring::KeyRing;
use bridgeway::store::access::users::{self, NewUser};
use bridgeway::store::{Db, Pool};
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr;
use tower::ServiceExt;

pub const PASSWORD: &str = "a long test password";

/// Where every test's clock starts: 13:00 on Wednesday 18 November 2026 in
/// the agency's zone (America/Chicago, the default), mid-month, far from a
/// clock change or midnight, so "an hour ago" and "23 hours from now" are
/// today and tomorrow however late the suite runs. The clock ticks a
/// millisecond per reading; tests move it on with `TestApp::advance`.
pub fn test_start() -> DateTime<Utc> {
    "2026-11-18T19:00:00Z".parse().unwrap()
}

/// The agency's zone in tests (the settings' default).
pub fn test_zone() -> Tz {
    Settings::default().zone()
}

/// The wall-clock time in the agency's zone `minutes` after [`test_start`].
pub fn local(minutes: i64) -> NaiveDateTime {
    (test_start() + chrono::Duration::minutes(minutes))
        .with_timezone(&test_zone())
        .naive_local()
}

/// The authenticator every test account is enrolled with.
pub fn test_totp() -> TotpKey {
    TotpKey::from_bytes(*b"bridgeway-test-key!!")
}

/// Raw SQL for tests that look beneath the API (what is stored, sealed,
/// indexed, or set up as it could not be through it): runs `$body` with `$c`
/// bound to the transaction's connection, whichever backend it is. The
/// product's own query macros are private to its store.
#[macro_export]
macro_rules! on_conn {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut ($tx).conn {
            bridgeway::store::Conn::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            bridgeway::store::Conn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Executes a statement; the number of rows it touched.
#[macro_export]
macro_rules! exec {
    ($tx:expr, $q:expr) => {
        $crate::on_conn!($tx, |c| $q.execute(c).await.map(|r| r.rows_affected()))
    };
}

/// Runs a query with `fetch_one`, `fetch_optional` or `fetch_all`.
#[macro_export]
macro_rules! fetch {
    ($tx:expr, $method:ident, $q:expr) => {
        $crate::on_conn!($tx, |c| $q.$method(c).await)
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named test body on SQLite, and on PostgreSQL when
/// `BRIDGEWAY_TEST_POSTGRES_URL` is set.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() { super::$name($crate::helpers::Backend::Sqlite).await } )+
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
               async fn $name() {
                   if $crate::helpers::postgres_url().is_none() {
                       $crate::helpers::without_postgres();
                       return;
                   }
                   super::$name($crate::helpers::Backend::Postgres).await
               } )+
        }
    };
}

/// A PostgreSQL test with no server named: skipped, saying so, on a
/// developer's machine; failed in CI (`CI` set), where the PostgreSQL half
/// of the suite must run.
pub fn without_postgres() {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run the PostgreSQL suite: set BRIDGEWAY_TEST_POSTGRES_URL"
    );
    eprintln!("skipped: set BRIDGEWAY_TEST_POSTGRES_URL to run this test on PostgreSQL");
}

pub fn postgres_url() -> Option<String> {
    std::env::var("BRIDGEWAY_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Removes the test's database when the test ends, pass or fail.
enum Cleanup {
    Sqlite(tempfile::TempDir),
    Postgres { url: String, schema: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Cleanup::Postgres { url, schema } = self {
            let (url, schema) = (url.clone(), schema.clone());
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(db) = Db::connect(&url).await {
                        if let Pool::Postgres(pool) = db.pool() {
                            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                                .execute(pool)
                                .await;
                        }
                        db.close().await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct User {
    pub id: UserId,
    pub username: String,
    pub token: String,
}

pub struct TestApp {
    pub app: App,
    router: Router,
    /// Every request sent, as (method, path without the query), for the
    /// route matrix's completeness check.
    sent: std::sync::Mutex<Vec<(String, String)>>,
    cleanup: Cleanup,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `name=value` pair of the cookie the response sets.
    pub fn cookie(&self) -> String {
        let set = self.headers.get(header::SET_COOKIE).expect("a Set-Cookie");
        let set = set.to_str().expect("ascii");
        set.split(';').next().expect("pair").to_owned()
    }

    /// The fields named by a 422 error.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["fields"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> Self {
        Self::with_settings(backend, |_| {}).await
    }

    /// A Bridgeway whose settings `change` alters from the defaults.
    pub async fn with_settings(backend: Backend, change: impl FnOnce(&mut Settings)) -> Self {
        let (db, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                (
                    Db::connect(&url).await.expect("sqlite"),
                    Cleanup::Sqlite(dir),
                )
            }
            Backend::Postgres => {
                let url = postgres_url().expect("postgres url");
                let schema = format!("bw_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Db::connect(&url).await.expect("postgres");
                if let Pool::Postgres(pool) = admin.pool() {
                    sqlx::query(&format!("CREATE SCHEMA {schema}"))
                        .execute(pool)
                        .await
                        .expect("create schema");
                }
                admin.close().await;
                let options = PgConnectOptions::from_str(&url)
                    .expect("url")
                    .options([("search_path", schema.as_str())]);
                let db = Db::connect_postgres(options).await.expect("postgres");
                (db, Cleanup::Postgres { url, schema })
            }
        };
        db.migrate().await.expect("migrations");
        let db = db.with_clock(Clock::starting_at(test_start()));
        let mut settings = Settings::default();
        change(&mut settings);
        let app = App::new(db, settings, KeyRing::generate());
        Self {
            router: bridgeway::web::router(app.clone()),
            app,
            sent: std::sync::Mutex::default(),
            cleanup,
        }
    }

    /// Creates a user with a token for the API.
    pub async fn user(
        &self,
        username: &str,
        role: Role,
        supervisor: Option<UserId>,
        court: Option<&str>,
    ) -> User {
        let hash = hash_password(Secret::new(PASSWORD)).await.expect("hash");
        let id = UserId::new();
        let mut tx = self.app.db.write().await.expect("tx");
        users::insert(
            &mut tx,
            NewUser {
                id,
                username,
                full_name: &format!("{username} (test)"),
                role,
                password_hash: &hash,
                supervisor_id: supervisor,
                court,
                password_change_required: false,
                now: self.app.now(),
            },
        )
        .await
        .expect("user");
        bridgeway::app::access::mfa::enrol_with(&mut tx, &self.app.keys, id, &test_totp())
            .await
            .expect("enrol");
        tx.commit().await.expect("commit");
        // The widest scope the role may hold.
        let scope = [TokenScope::Admin, TokenScope::Write, TokenScope::Read]
            .into_iter()
            .find(|s| s.refused_for(role).is_none())
            .expect("every role may hold a read token");
        let request = TokenRequest {
            name: "tests".into(),
            scope,
            expires_in_days: 30.into(),
        };
        let token = auth::create_token(&self.app, None, username, request)
            .await
            .expect("token")
            .token;
        User {
            id,
            username: username.to_owned(),
            token: token.expose().to_owned(),
        }
    }

    /// A new write token for `user` (tests that pass more than the 30
    /// days a token lasts).
    pub async fn fresh_token(&self, user: &User) -> User {
        let request = TokenRequest {
            name: "tests, later".into(),
            scope: TokenScope::Write,
            expires_in_days: 30.into(),
        };
        let token = auth::create_token(&self.app, None, &user.username, request)
            .await
            .expect("token")
            .token;
        User {
            id: user.id,
            username: user.username.clone(),
            token: token.expose().to_owned(),
        }
    }

    /// Serves the same database through another `App` (other keys or settings).
    pub fn serve(&mut self, app: App) {
        self.router = bridgeway::web::router(app.clone());
        self.app = app;
    }

    /// The SQLite database's URL (`None` on PostgreSQL), for a second
    /// connection that watches what the server's own do.
    pub fn sqlite_url(&self) -> Option<String> {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => {
                Some(format!("sqlite://{}", dir.path().join("test.db").display()))
            }
            Cleanup::Postgres { .. } => None,
        }
    }

    /// The same database opened again, as a second server process on it
    /// would: its own pools, writer and audit appender, the test's clock.
    pub async fn another_server(&self) -> Db {
        let db = match &self.cleanup {
            Cleanup::Sqlite(_) => Db::connect(&self.sqlite_url().expect("sqlite url")).await,
            Cleanup::Postgres { url, schema } => {
                let options = PgConnectOptions::from_str(url)
                    .expect("url")
                    .options([("search_path", schema.as_str())]);
                Db::connect_postgres(options).await
            }
        }
        .expect("a second connection to the test database");
        db.with_clock(self.app.db.clock().clone())
    }

    /// An audit event naming `reason`, as a use case records one (source
    /// `test`), for tests that write to the trail directly.
    pub fn audit_event(&self, reason: String) -> bridgeway::store::audit::NewEvent {
        bridgeway::store::audit::NewEvent {
            at: self.app.now(),
            actor: None,
            source: Some("test".into()),
            action: bridgeway::domain::audit::Action::DemoGenerate,
            object: None,
            outcome: bridgeway::store::audit::Outcome::Success,
            reason: Some(reason),
        }
    }

    /// Moves the test clock on.
    pub fn advance(&self, by: chrono::Duration) {
        self.app.db.clock().advance(by);
    }

    /// Moves the clock past the wait a failed sign-in sets (at most 8 s),
    /// as a person retyping would.
    pub fn wait_out_failure(&self) {
        self.advance(chrono::Duration::seconds(10));
    }

    /// The router, for requests sent from spawned tasks.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The requests sent since the last call, as (method, path).
    pub fn take_sent(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }

    pub async fn send(&self, req: Request<Body>) -> Response {
        self.sent
            .lock()
            .unwrap()
            .push((req.method().to_string(), req.uri().path().to_owned()));
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        assert_ne!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "500: {}",
            String::from_utf8_lossy(&body)
        );
        Response {
            status,
            headers,
            body,
        }
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        user: &User,
        body: Option<Value>,
    ) -> Response {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", user.token));
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).expect("request")).await
    }

    /// An API call with a JSON body and extra headers.
    pub async fn api_with_headers(
        &self,
        method: &str,
        path: &str,
        user: &User,
        body: Value,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", user.token))
            .header(header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    /// An API call made by a signed-in browser (its session cookie).
    pub async fn api_with_session(&self, method: &str, path: &str, cookie: &str) -> Response {
        self.json_with_session(method, path, cookie, None).await
    }

    /// An API call with a JSON body made by a signed-in browser.
    pub async fn json_with_session(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        body: Option<Value>,
    ) -> Response {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        self.send(req).await
    }

    pub async fn get(&self, path: &str, user: &User) -> Response {
        self.api("GET", path, user, None).await
    }

    pub async fn post(&self, path: &str, user: &User, body: Value) -> Response {
        self.api("POST", path, user, Some(body)).await
    }

    /// Signs in through the log-in form and returns the session cookie.
    pub async fn login(&self, username: &str, password: &str) -> Response {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("username", username)
            .append_pair("password", password)
            .append_pair("acknowledge", "on")
            .finish();
        // As a browser signs in: the account page names the device.
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::USER_AGENT, firefox)
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub async fn session(&self, username: &str) -> String {
        self.session_with(username, PASSWORD).await
    }

    /// Signs in with both steps using `password`; returns the session cookie.
    pub async fn session_with(&self, username: &str, password: &str) -> String {
        let res = self.login(username, password).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        let cookie = res.cookie();
        assert_eq!(res.headers[header::LOCATION], "/mfa");
        let code = self.fresh_code(username).await;
        let res = self.form("/mfa", &cookie, &[("code", &code)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        assert_eq!(res.headers[header::LOCATION], "/", "the second step passed");
        // The second step hands the browser a new session token.
        res.cookie()
    }

    /// An authenticator code for `username` that has not been used yet: a
    /// code is accepted once, so when this 30-second step's code was given
    /// the clock moves on to the next step, as it would for a person.
    pub async fn fresh_code(&self, username: &str) -> String {
        let mut tx = self.app.db.read().await.expect("tx");
        let user = users::by_username(&mut tx, username)
            .await
            .expect("user")
            .expect("exists");
        drop(tx);
        let step = |t: DateTime<Utc>| t.timestamp() / 30;
        if let Some(last) = user.totp_last_step {
            let waits = last + 1 - step(self.app.now());
            if waits > 0 {
                self.advance(chrono::Duration::seconds(30 * waits));
            }
        }
        test_totp().code_at(self.app.now().timestamp() as u64)
    }

    pub async fn page(&self, path: &str, cookie: &str) -> Response {
        self.send(
            Request::get(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    pub async fn form(&self, path: &str, cookie: &str, pairs: &[(&str, &str)]) -> Response {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let req = Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub async fn program(&self, admin: &User, name: &str, eligibility: Value) -> ProgramId {
        let res = self.post("/api/v1/programs", admin, json!({
            "kind": "diversion", "name": name, "default_length_days": 180, "supervising_unit": "Diversion Unit", "eligibility": eligibility
        })).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["id"]
            .as_str()
            .expect("id")
            .parse()
            .expect("uuid")
    }

    /// An administrator, an officer, a program open to everyone, and the
    /// intake answer for one referral the officer took in (Ann Lee).
    pub async fn one_referral(&self) -> (User, User, Value) {
        let admin = self.user("admin", Role::Admin, None, None).await;
        let officer = self.user("officer", Role::Officer, None, None).await;
        let program = self.program(&admin, "Pretrial", json!({})).await;
        let opened = self
            .post(
                "/api/v1/intake",
                &officer,
                referral(program, "Ann", "Lee", "1990-04-01", Some(officer.id)),
            )
            .await;
        assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text());
        (admin, officer, opened.json())
    }

    /// Sets the supervision level (a label, or `null`) of the case at
    /// `case` (its API path), at the version the case is at now.
    pub async fn set_level(&self, case: &str, user: &User, level: Value) -> Response {
        let version =
            self.get(&format!("{case}/supervision"), user).await.json()["case_version"].clone();
        self.api(
            "PUT",
            &format!("{case}/supervision-level"),
            user,
            Some(json!({"version": version, "level": level})),
        )
        .await
    }

    /// Moves a newly opened case to active supervision.
    pub async fn activate(&self, case_id: &str, user: &User) {
        let case = format!("/api/v1/cases/{case_id}");
        for to in ["enrolled", "active"] {
            let version = self.get(&case, user).await.json()["version"].clone();
            let moved = self
                .post(
                    &format!("{case}/transitions"),
                    user,
                    json!({"version": version, "to": to, "reason": "test"}),
                )
                .await;
            assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
        }
    }

    /// The rules of the open alerts on `case_id` in `user`'s work queue
    /// whose names begin with `prefix`, sorted (a fresh token, so a test
    /// may move the clock past the first one's life).
    pub async fn open_rules(&self, user: &User, case_id: &str, prefix: &str) -> Vec<String> {
        let queue = self
            .get("/api/v1/work-queue", &self.fresh_token(user).await)
            .await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.text());
        let mut rules: Vec<String> = queue.json()["alerts"]
            .as_array()
            .expect("alerts")
            .iter()
            .filter(|a| a["case_id"] == case_id)
            .filter_map(|a| a["rule"].as_str().filter(|r| r.starts_with(prefix)))
            .map(str::to_owned)
            .collect();
        rules.sort();
        rules
    }

    /// Rows in `table` (every audit event staged so far chained first).
    pub async fn count(&self, table: &str) -> i64 {
        self.app.db.chain_staged_audit().await.expect("chained");
        let mut tx = self.app.db.read().await.expect("tx");
        crate::fetch!(
            &mut tx,
            fetch_one,
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        )
        .expect("count")
    }

    /// The events of one action, oldest first.
    pub async fn audit_events(&self, action: Action) -> Vec<bridgeway::store::audit::AuditEntry> {
        self.app.db.chain_staged_audit().await.expect("chained");
        let mut tx = self.app.db.read().await.expect("tx");
        let query = bridgeway::store::audit::EventQuery {
            action: Some(bridgeway::domain::audit::ActionFilter::One(action)),
            ..Default::default()
        };
        let mut events = bridgeway::store::audit::search(&mut tx, &query, 1_000)
            .await
            .expect("events");
        events.reverse();
        events
    }

    pub async fn audit_count(&self, action: Action) -> i64 {
        self.app.db.chain_staged_audit().await.expect("chained");
        let mut tx = self.app.db.read().await.expect("tx");
        bridgeway::store::audit::count(&mut tx, action)
            .await
            .expect("count")
    }
}

/// A referral of a new person to `program`, with one misdemeanor charge.
pub fn referral(
    program: ProgramId,
    first: &str,
    last: &str,
    dob: &str,
    officer: Option<UserId>,
) -> Value {
    json!({
        "person": { "first_name": first, "last_name": last, "date_of_birth": dob },
        "program_id": program,
        "case": { "referral_source": "District Attorney", "referral_date": "2026-10-01", "court": "Superior Court, Dept. 3",
                  "docket_number": format!("CR-2026-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]),
                  "prior_convictions": 0, "victim_consent": true, "officer_id": officer },
        "charges": [{ "statute_code": "PC 484", "description": "Petty theft", "level": "misdemeanor", "offense_date": "2026-09-01" }]
    })
}

/// The values a browser would send from the form posting to `action` in
/// `html`: its inputs (checkboxes when checked) and each select's chosen
/// option, unescaped.
pub fn form_values(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!(r#"action="{action}""#))
        .unwrap_or_else(|| panic!("no form posts to {action}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").expect("the form ends")];
    let attr = |tag: &str, name: &str| {
        let key = format!(r#" {name}=""#);
        tag.find(&key).map(|i| {
            let rest = &tag[i + key.len()..];
            unescape(&rest[..rest.find('"').expect("quoted")])
        })
    };
    let mut values = Vec::new();
    for tag in form.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        if let Some(input) = tag.strip_prefix("input") {
            let checkbox = attr(input, "type").as_deref() == Some("checkbox");
            if let Some(name) = attr(input, "name") {
                if !checkbox || input.contains(" checked") {
                    values.push((name, attr(input, "value").unwrap_or_else(|| "on".into())));
                }
            }
        }
    }
    for select in form.split("<select").skip(1) {
        let select = &select[..select.find("</select>").expect("the select ends")];
        let name = attr(select, "name").expect("a select has a name");
        let chosen = select
            .split("<option")
            .skip(1)
            .find(|o| o[..o.find('>').unwrap_or(0)].contains(" selected"));
        let value = chosen.map_or(String::new(), |o| {
            let head = &o[..o.find('>').unwrap_or(0)];
            attr(head, "value").unwrap_or_else(|| {
                let text = &o[o.find('>').map_or(0, |i| i + 1)..];
                unescape(text.split('<').next().unwrap_or_default())
            })
        });
        values.push((name, value));
    }
    for area in form.split("<textarea").skip(1) {
        let head = &area[..area.find('>').expect("the tag ends")];
        let name = attr(head, "name").expect("a textarea has a name");
        let text = &area[head.len() + 1..area.find("</textarea>").expect("it ends")];
        values.push((name, unescape(text)));
    }
    values
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let entity = &rest[i..rest[i..].find(';').map_or(rest.len(), |j| i + j + 1)];
        let code = entity.trim_start_matches("&#").trim_end_matches(';');
        match (entity, code.parse::<u32>().ok().and_then(char::from_u32)) {
            ("&quot;", _) => out.push('"'),
            ("&lt;", _) => out.push('<'),
            ("&gt;", _) => out.push('>'),
            ("&amp;", _) => out.push('&'),
            (_, Some(c)) if entity.starts_with("&#") => out.push(c),
            _ => out.push_str(entity),
        }
        rest = &rest[i + entity.len()..];
    }
    out.push_str(rest);
    out
}

/// What the case page's summary says under `term` (the `<dd>`'s markup).
pub fn glance<'a>(page: &'a str, term: &str) -> &'a str {
    let start = page
        .find(&format!("<dt>{term}</dt>"))
        .unwrap_or_else(|| panic!("the summary has no {term}"));
    let dd = &page[start..];
    let dd = &dd[dd.find("<dd>").expect("a definition") + 4..];
    dd[..dd.find("</dd>").expect("it ends")].trim()
}

/// Sets `name` to `value` in form values.
pub fn set_value(values: &mut [(String, String)], name: &str, value: &str) {
    let field = values
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("the form has no field {name}"));
    field.1 = value.to_owned();
}
