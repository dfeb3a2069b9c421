//! The real binary killed (SIGKILL) at random moments while clients write:
//! after every restart each write it acknowledged is there and the audit
//! trail verifies. Five cycles here; `bench/crash.sh` runs twenty
//! (`BRIDGEWAY_CRASH_CYCLES`).

use crate::process::{bridgeway, user_with_token, Server};
use rand::Rng;
use sqlx::Connection;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// One JSON request over a fresh connection; `None` when the server went
/// away before it answered.
fn request(port: u16, method: &str, path: &str, token: &str, body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: \
         Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body.as_bytes()).ok()?;
    let mut out = String::new();
    stream.read_to_string(&mut out).ok()?;
    Some(out).filter(|o| !o.is_empty())
}

/// The JSON body of a complete response with `status`.
fn body_of(response: &str, status: &str) -> Option<serde_json::Value> {
    if !response.starts_with(&format!("HTTP/1.1 {status}")) {
        return None;
    }
    serde_json::from_str(response.split_once("\r\n\r\n")?.1).ok()
}

async fn stored_contacts(db: &std::path::Path) -> BTreeSet<String> {
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query_scalar::<_, String>("SELECT id FROM contacts")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_a_kill_at_any_moment() {
    let cycles: usize = std::env::var("BRIDGEWAY_CRASH_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let url = format!("sqlite://{}", db.display());
    let admin = user_with_token(&url, "admin", "admin", "admin");
    let officer = user_with_token(&url, "officer", "officer", "write");

    let server = Server::start(&["--database-url", &url], &[]);
    let program = request(
        server.port,
        "POST",
        "/api/v1/programs",
        &admin,
        r#"{"kind": "diversion", "name": "Diversion", "default_length_days": 180, "supervising_unit": "Unit", "eligibility": {}}"#,
    )
    .and_then(|r| body_of(&r, "201"))
    .expect("a program")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = request(server.port, "GET", "/api/v1/me", &officer, "")
        .and_then(|r| body_of(&r, "200"))
        .expect("the officer")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let intake = serde_json::json!({
        "person": {"first_name": "Ann", "last_name": "Lee", "date_of_birth": "1990-04-01"},
        "program_id": program,
        "case": {"referral_source": "DA", "referral_date": "2026-01-05", "officer_id": me},
        "charges": [{"statute_code": "PC 484", "description": "Petty theft", "level": "misdemeanor"}]
    });
    let case = request(
        server.port,
        "POST",
        "/api/v1/intake",
        &officer,
        &intake.to_string(),
    )
    .and_then(|r| body_of(&r, "201"))
    .expect("a case")["case_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contacts = format!("/api/v1/cases/{case}/contacts");
    let mut server = Some(server);
    // The writes the server acknowledged, and a signal as each arrives.
    let acknowledged = Arc::new((Mutex::new(BTreeSet::new()), Condvar::new()));

    for cycle in 0..cycles {
        let running = server
            .take()
            .unwrap_or_else(|| Server::start(&["--database-url", &url], &[]));
        let port = running.port;
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let (stop, acknowledged) = (Arc::clone(&stop), Arc::clone(&acknowledged));
                let (contacts, officer) = (contacts.clone(), officer.clone());
                std::thread::spawn(move || {
                    let body = r#"{"kind": "phone", "occurred_at": "2026-01-10T10:00", "note": "Crash test"}"#;
                    while !stop.load(Ordering::SeqCst) {
                        let Some(answer) = request(port, "POST", &contacts, &officer, body) else {
                            continue;
                        };
                        if let Some(made) = body_of(&answer, "201") {
                            let id = made["id"].as_str().unwrap().to_owned();
                            acknowledged.0.lock().unwrap().insert(id);
                            acknowledged.1.notify_all();
                        } else {
                            assert!(!answer.starts_with("HTTP/1.1 5"), "{answer}");
                        }
                    }
                })
            })
            .collect();
        // Killed after a random number of this cycle's writes.
        let (written, arrived) = &*acknowledged;
        let target = written.lock().unwrap().len() + rand::thread_rng().gen_range(5..150);
        drop(
            arrived
                .wait_while(written.lock().unwrap(), |w| w.len() < target)
                .unwrap(),
        );
        running.kill();
        stop.store(true, Ordering::SeqCst);
        for w in writers {
            w.join().unwrap();
        }

        // Restarted: every acknowledged write is there, the trail verifies.
        let restarted = Server::start(&["--database-url", &url], &[]);
        let stored = stored_contacts(&db).await;
        let lost: Vec<_> = written
            .lock()
            .unwrap()
            .difference(&stored)
            .cloned()
            .collect();
        assert!(
            lost.is_empty(),
            "cycle {cycle}: acknowledged and lost: {lost:?}"
        );
        let (ok, out, err) = bridgeway(&["audit", "verify", "--database-url", &url], "");
        assert!(ok && out.contains("intact"), "cycle {cycle}: {out}{err}");
        server = Some(restarted);
    }
    let total = acknowledged.0.lock().unwrap().len();
    eprintln!(
        "{total} writes acknowledged over {cycles} kills: none lost, the trail verified each time"
    );
    assert!(
        total >= cycles * 5,
        "{total} writes acknowledged over {cycles} cycles"
    );
    if let Some(s) = server {
        let (status, log) = s.stop();
        assert!(status.success(), "{log}");
    }
}
