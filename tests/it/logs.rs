//! A full run of the server at the most verbose log level never writes a
//! password, a token, a session id or an authenticator secret to its logs.

use bridgeway::domain::mfa::TotpKey;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

const PASSWORD: &str = "log-test passphrase 8472";

/// One HTTP/1.1 request over a fresh connection; returns the whole response.
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

fn form(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

fn cookie_of(response: &str) -> String {
    let line = response
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("a cookie");
    line.split_once(':')
        .unwrap()
        .1
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn secrets_never_reach_the_logs() {
    let bin = env!("CARGO_BIN_EXE_bridgeway");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("logs.db").display());
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
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

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(bin)
        .args([
            "serve",
            "--database-url",
            &url,
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "trace")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = false;
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ready, "the server started");

    let urlencoded = [("Content-Type", "application/x-www-form-urlencoded")];
    http(
        port,
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
        port,
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
    let enrol = http(port, "GET", "/mfa", &[("Cookie", &cookie)], "");
    let secret = enrol
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the key")
        .to_owned();
    let code = TotpKey::from_base32(&secret)
        .unwrap()
        .code_at(bridgeway::app::now().timestamp() as u64);
    let passed = http(
        port,
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
    let page = http(port, "GET", "/caseload", &[("Cookie", &cookie)], "");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let api = http(
        port,
        "GET",
        "/api/v1/cases",
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    );
    assert!(api.starts_with("HTTP/1.1 200"), "{api}");
    http(
        port,
        "GET",
        "/api/v1/cases",
        &[("Authorization", "Bearer bw_not_a_real_token_at_all")],
        "",
    );

    // SIGTERM: the server finishes and exits cleanly.
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    let status = server.wait().unwrap();
    assert!(status.success(), "a clean shutdown on SIGTERM");
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let all_logs = format!("{setup_log}{token_log}{log}");
    assert!(
        all_logs.contains("Bridgeway is listening"),
        "the log was captured"
    );
    assert!(all_logs.len() > 1_000, "trace-level logging was on");
    let session_id = cookie.split_once('=').unwrap().1;
    for (what, secret) in [
        ("password", PASSWORD),
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
