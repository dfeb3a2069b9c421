//! A full run of the server at the most verbose log level never writes a
//! password, a token, a session id or an authenticator secret to its logs.

use crate::process::{bridgeway, cookie_of, form, Server};
use bridgeway::domain::access::mfa::TotpKey;

/// The time by the system's clock, which a server started as its own
/// process tells time by.
#[allow(
    clippy::disallowed_methods,
    reason = "the server under test reads the system clock"
)]
fn server_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

const PASSWORD: &str = "log-test passphrase 8472";

#[test]
fn secrets_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let run = |args: &[&str], stdin: &str| {
        let (ok, out, err) = bridgeway(args, stdin);
        assert!(ok, "{err}");
        (out, err)
    };
    let (_, setup_log) = run(
        &[
            "admin",
            "create-user",
            "--database-url",
            &url,
            "--username",
            "ana",
            "--role",
            "officer",
        ],
        PASSWORD,
    );
    let (token, token_log) = run(
        &[
            "admin",
            "create-token",
            "--database-url",
            &url,
            "--username",
            "ana",
        ],
        "",
    );
    let token = token.trim().to_owned();

    let server = Server::start(&["--database-url", &url], &[("RUST_LOG", "trace")]);
    let http = |method, path, headers: &[(&str, &str)], body: &str| {
        server.http(method, path, headers, body)
    };
    let urlencoded = [("Content-Type", "application/x-www-form-urlencoded")];
    http(
        "POST",
        "/login",
        &urlencoded,
        &form(&[
            ("username", "ana"),
            ("password", "wrong password, logged?"),
            ("acknowledge", "on"),
        ]),
    );
    let signed = http(
        "POST",
        "/login",
        &urlencoded,
        &form(&[
            ("username", "ana"),
            ("password", PASSWORD),
            ("acknowledge", "on"),
        ]),
    );
    let cookie = cookie_of(&signed);
    let enrol = http("GET", "/mfa", &[("Cookie", &cookie)], "");
    let secret = enrol
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the key")
        .to_owned();
    let code = TotpKey::from_base32(&secret)
        .unwrap()
        .code_at(server_now().timestamp() as u64);
    let passed = http(
        "POST",
        "/mfa",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form(&[("code", &code)]),
    );
    assert!(passed.starts_with("HTTP/1.1 200"), "{passed}");
    let recovery = passed
        .split("<li><code>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("recovery codes")
        .to_owned();
    let signed_in = cookie_of(&passed);
    let page = http("GET", "/caseload", &[("Cookie", &signed_in)], "");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let api = http(
        "GET",
        "/api/v1/cases",
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    );
    assert!(api.starts_with("HTTP/1.1 200"), "{api}");
    http(
        "GET",
        "/api/v1/cases",
        &[("Authorization", "Bearer bw_not_a_real_token_at_all")],
        "",
    );

    // SIGTERM: the server finishes and exits cleanly.
    let (status, log) = server.stop();
    assert!(status.success(), "a clean shutdown on SIGTERM");
    let all_logs = format!("{setup_log}{token_log}{log}");
    assert!(
        all_logs.contains("Bridgeway is listening"),
        "the log was captured"
    );
    assert!(all_logs.len() > 1_000, "trace-level logging was on");
    let session_id = signed_in.split_once('=').unwrap().1;
    let password_step_session = cookie.split_once('=').unwrap().1;
    for (what, secret) in [
        ("password", PASSWORD),
        ("password step's session id", password_step_session),
        ("wrong password", "wrong password, logged?"),
        ("API token", token.as_str()),
        ("bad token", "bw_not_a_real_token_at_all"),
        ("session id", session_id),
        ("TOTP secret", secret.as_str()),
        ("recovery code", recovery.as_str()),
    ] {
        assert!(!all_logs.contains(secret), "the {what} appears in the logs");
    }
}
