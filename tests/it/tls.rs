//! Built-in TLS: the real binary serves HTTPS with a configured certificate,
//! sends HSTS and a `__Host-` Secure session cookie, and refuses plain HTTP.

use crate::process::{bridgeway, exchange, form, set_cookie, Server};
use std::sync::Arc;

const PASSWORD: &str = "a very long password";

fn client(certificate: rustls::pki_types::CertificateDer<'static>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certificate).expect("trust the test certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocols")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

#[test]
fn https_is_served_with_hsts_and_a_host_only_secure_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let issued = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, issued.cert.pem()).unwrap();
    std::fs::write(&key, issued.signing_key.serialize_pem()).unwrap();
    let url = format!("sqlite://{}", dir.path().join("tls.db").display());
    let config = dir.path().join("bridgeway.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"{url}\"\n[tls]\ncertificate = \"{}\"\nprivate_key = \"{}\"\n",
            cert.display(),
            key.display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let (ok, _, err) = bridgeway(
        &[
            "admin",
            "create-user",
            "--config",
            config,
            "--username",
            "ana",
            "--role",
            "officer",
        ],
        PASSWORD,
    );
    assert!(ok, "{err}");

    let server = Server::start(&["--config", config], &[]);
    let tls = client(issued.cert.der().clone());
    let https = |method, path, headers: &[(&str, &str)], body: &str| {
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let conn = rustls::ClientConnection::new(tls.clone(), name).unwrap();
        let stream = rustls::StreamOwned::new(conn, server.connect());
        exchange(stream, server.port, method, path, headers, body)
    };
    let login = https("GET", "/login", &[], "");
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    assert!(
        login
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000; includesubdomains"),
        "{login}"
    );
    let signed = https(
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &form(&[
            ("username", "ana"),
            ("password", PASSWORD),
            ("acknowledge", "on"),
        ]),
    );
    let cookie = set_cookie(&signed);
    assert!(cookie.starts_with("__Host-bridgeway_session="), "{cookie}");
    assert!(
        cookie.ends_with("; Path=/; Secure; HttpOnly; SameSite=Strict"),
        "{cookie}"
    );

    let plain = server.http("GET", "/login", &[], "");
    assert!(
        !plain.contains("200 OK"),
        "plain HTTP is not served: {plain}"
    );
    let (status, _) = server.stop();
    assert!(status.success());
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let one = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, one.cert.pem()).unwrap();
    std::fs::write(&key, other.signing_key.serialize_pem()).unwrap();
    let config = dir.path().join("bridgeway.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{}\"\nbind = \"127.0.0.1:0\"\n[tls]\ncertificate = \"{}\"\nprivate_key = \"{}\"\n",
            dir.path().join("x.db").display(),
            cert.display(),
            key.display()
        ),
    )
    .unwrap();
    let (ok, _, err) = bridgeway(&["serve", "--config", config.to_str().unwrap()], "");
    assert!(!ok);
    assert!(err.contains("do not belong together"), "{err}");
    std::fs::write(&cert, "not a certificate").unwrap();
    let (ok, _, err) = bridgeway(&["serve", "--config", config.to_str().unwrap()], "");
    assert!(!ok);
    assert!(err.contains("holds no certificate"), "{err}");
}
