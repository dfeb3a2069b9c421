//! Servers the tests start on loopback for Bridgeway to talk to over real
//! sockets: an SMTP server (the `mailin` protocol implementation) and an
//! HTTP stand-in for a Twilio-compatible SMS gateway.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Form, Json, Router};
use mailin_embedded::{response, Handler, Response, Server};
use std::collections::HashMap;
use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A text the gateway accepted.
#[derive(Debug, Clone)]
pub struct Text {
    pub account: String,
    pub authorization: String,
    pub params: HashMap<String, String>,
}

#[derive(Default)]
pub struct Gateway {
    pub texts: Mutex<Vec<Text>>,
    /// Answer 500 to this many requests before accepting.
    pub fail_next: AtomicUsize,
    /// Answer 400 (a number the carrier refuses) to every request.
    pub refuse: AtomicBool,
    pub requests: AtomicUsize,
}

impl Gateway {
    pub fn texts(&self) -> Vec<Text> {
        self.texts.lock().unwrap().clone()
    }
}

async fn create_message(
    State(gw): State<Arc<Gateway>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    Form(params): Form<HashMap<String, String>>,
) -> axum::response::Response {
    gw.requests.fetch_add(1, Ordering::SeqCst);
    if gw
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (StatusCode::INTERNAL_SERVER_ERROR, "try later").into_response();
    }
    if gw.refuse.load(Ordering::SeqCst) {
        let body = Json(
            serde_json::json!({"code": 21211, "message": "The 'To' number is not a valid phone number."}),
        );
        return (StatusCode::BAD_REQUEST, body).into_response();
    }
    let sid = format!("SM{}", uuid::Uuid::new_v4().simple());
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    gw.texts.lock().unwrap().push(Text {
        account: account.trim_end_matches(".json").to_owned(),
        authorization,
        params,
    });
    (
        StatusCode::CREATED,
        Json(serde_json::json!({"sid": sid, "status": "queued"})),
    )
        .into_response()
}

/// Starts the gateway; returns it and its base URL.
pub async fn sms_gateway() -> (Arc<Gateway>, String) {
    let gw = Arc::new(Gateway::default());
    let app = Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            post(create_message),
        )
        .with_state(gw.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (gw, url)
}

/// A message the SMTP server took.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone, Default)]
struct Mailbox {
    mails: Arc<Mutex<Vec<Mail>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Mailbox {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }

    /// Addresses at `nowhere.test` do not exist (a permanent refusal).
    fn rcpt(&mut self, to: &str) -> Response {
        if to.ends_with("@nowhere.test") || to.ends_with("@nowhere.test>") {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.mails.lock().unwrap().push(Mail {
            to: std::mem::take(&mut self.to),
            data: String::from_utf8_lossy(&self.data).into_owned(),
        });
        response::OK
    }
}

/// Starts an SMTP server on loopback; returns what it receives and its port.
pub fn smtp_server() -> (Arc<Mutex<Vec<Mail>>>, u16) {
    let mailbox = Mailbox::default();
    let mails = mailbox.mails.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = Server::new(mailbox);
    server
        .with_name("smtp.test")
        .with_num_threads(2)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(e) = server.serve() {
            eprintln!("test SMTP server stopped: {e}");
        }
    });
    (mails, port)
}
