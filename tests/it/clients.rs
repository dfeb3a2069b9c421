//! Slow, idle and too many clients cannot hold the real server: a request's
//! headers must arrive in time, its body and answer too, and connections
//! past the limit are closed at once.

use crate::process::Server;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Reads until the server closes the connection or `within` passes; the
/// bytes read, and whether it closed in time.
fn closed_within(mut stream: &TcpStream, within: Duration) -> (String, bool) {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut out = Vec::new();
    let closed = match stream.read_to_end(&mut out) {
        Ok(_) => true,
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    };
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

#[test]
fn slow_and_idle_clients_are_closed_and_do_not_stop_others() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("clients.db").display());
    let config = dir.path().join("bridgeway.toml");
    std::fs::write(
        &config,
        "[http]\nheader_seconds = 3\nrequest_seconds = 3\nmax_connections = 1010\n",
    )
    .unwrap();
    let config = config.display().to_string();
    let server = Server::start(&["--config", &config, "--database-url", &url], &[]);

    // A thousand clients that send half a request and then nothing.
    let slow: Vec<TcpStream> = (0..1_000)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\n")
                .unwrap();
            s
        })
        .collect();
    // Someone else's page still comes.
    let page = server.http("GET", "/login", &[], "");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        !closed_within(&slow[0], Duration::from_millis(1)).1,
        "the first of the thousand was still open when the page came"
    );
    // The connections past the limit are closed at once.
    let extra: Vec<TcpStream> = (0..30).map(|_| server.connect()).collect();
    let refused = extra
        .iter()
        .filter(|s| closed_within(s, Duration::from_millis(500)).1)
        .count();
    assert!(
        refused >= 20,
        "{refused} of 30 connections past the limit were closed at once"
    );

    // A body that never finishes is answered 408 and closed.
    let mut trickle = server.connect();
    trickle
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nusername=",
        )
        .unwrap();

    // The half-sent requests are closed once their time is up.
    for s in &slow {
        let (_, closed) = closed_within(s, Duration::from_secs(10));
        assert!(closed, "a half-sent request was held past its time");
    }
    let (answer, closed) = closed_within(&trickle, Duration::from_secs(10));
    assert!(closed && answer.starts_with("HTTP/1.1 408"), "{answer}");

    // An idle kept-alive connection is closed after as long.
    let mut idle = server.connect();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let (answer, closed) = closed_within(&idle, Duration::from_secs(10));
    assert!(closed && answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
}
