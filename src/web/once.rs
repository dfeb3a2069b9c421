//! One-time submissions: a double click, or a client retrying after a lost
//! answer, must not write twice.
//!
//! Every form that writes carries a fresh `submission_key`; an API client
//! may send an `Idempotency-Key` header on a write. The key rides on the
//! request to the actor (`extract`), and the write the actor's use case
//! records claims it in its own transaction (`store::submissions`): of two
//! requests with one key only one can commit. This layer keeps the answer
//! the claiming request got, and answers a repeat with it: the repeat's own
//! attempt fails (the key is taken, or the first write changed what it
//! found), and its failure is replaced by the first answer. A key sent
//! again with a different request is refused.

use crate::app::submissions;
use crate::app::{App, AppError};
use crate::domain::ids::UserId;
use crate::domain::validation::Invalid;
use crate::store::submissions::{Answer, Submission};
use crate::web::error::{is_api, refused, ApiError};
use crate::web::extract::Client;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

/// The API's header (as the IETF's draft and common APIs name it).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The hidden field every writing form carries.
pub const FORM_FIELD: &str = "submission_key";

/// Set on an answer that repeats a first one.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The longest key accepted.
const KEY_MAX: usize = 255;

/// How long a repeat waits for the first request's answer to be kept, and
/// how often it looks.
const ANSWER_WAIT: Duration = Duration::from_secs(5);
const ANSWER_POLL: Duration = Duration::from_millis(20);

/// A fresh key for a form (128 random bits).
pub fn fresh_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub async fn once_only(State(app): State<App>, req: Request, next: Next) -> Response {
    if !matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return next.run(req).await;
    }
    let api = is_api(&req);
    let (parts, body) = req.into_parts();
    let header_key = match parts.headers.get(IDEMPOTENCY_KEY).map(HeaderValue::to_str) {
        Some(Ok(key)) => Some(key.to_owned()),
        Some(Err(_)) => return refused(api, bad_key()),
        None => None,
    };
    let is_form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if header_key.is_none() && !is_form {
        return next.run(Request::from_parts(parts, body)).await;
    }
    // The body limit's layer lies outside this one: a body past it fails here.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return too_large(api);
    };
    let key = header_key.or_else(|| form_key(&bytes));
    let Some(key) = key else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    if !valid_key(&key) {
        return refused(api, bad_key());
    }
    let submission = Arc::new(Submission::new(key, fingerprint(&parts, &bytes)));
    let client = parts.extensions.get::<Client>().cloned();
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(Arc::clone(&submission));
    let response = next.run(req).await;
    if submission.claimed() {
        return keep(&app, client, &submission, response).await;
    }
    let user = client.as_ref().and_then(Client::user).map(|(id, _)| id);
    match user {
        Some(user) if !response.status().is_success() && !response.status().is_redirection() => {
            repeat(&app, api, user, &submission)
                .await
                .unwrap_or(response)
        }
        _ => response,
    }
}

fn too_large(api: bool) -> Response {
    let (status, message) = (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the request body is larger than the server accepts ({} bytes)",
            crate::web::BODY_LIMIT
        ),
    );
    if api {
        ApiError::body(status, "too_large", message, Vec::new())
    } else {
        crate::web::render::error_page(status, &message)
    }
}

fn bad_key() -> AppError {
    AppError::Invalid(Invalid::one(
        "Idempotency-Key",
        format!("a key is 1 to {KEY_MAX} visible ASCII characters"),
    ))
}

fn valid_key(key: &str) -> bool {
    (1..=KEY_MAX).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

fn form_key(body: &Bytes) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(name, _)| name == FORM_FIELD)
        .map(|(_, value)| value.into_owned())
}

/// What a request asks for: its method, path and query, and body.
fn fingerprint(parts: &axum::http::request::Parts, body: &Bytes) -> String {
    let mut hash = Sha256::new();
    hash.update(parts.method.as_str());
    hash.update(b" ");
    hash.update(parts.uri.path_and_query().map_or("", |p| p.as_str()));
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}

/// Keeps the answer of the request that claimed the key (without holding
/// the answer back: a repeat that arrives first waits for it), and gives it.
async fn keep(
    app: &App,
    client: Option<Client>,
    submission: &Arc<Submission>,
    response: Response,
) -> Response {
    let Some((user, _)) = client.as_ref().and_then(Client::user) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let answer = Answer {
        status: i32::from(parts.status.as_u16()),
        location: header(LOCATION),
        content_type: header(CONTENT_TYPE),
        // Bridgeway answers in JSON or HTML, both UTF-8.
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let (app, submission) = (app.clone(), Arc::clone(submission));
    tokio::spawn(async move {
        if let Err(e) = submissions::keep(&app, user, &submission, &answer).await {
            tracing::warn!(error = %e, "a one-time submission's answer was not kept");
        }
    });
    Response::from_parts(parts, Body::from(body))
}

/// A failed request whose key an earlier request claimed: that request's
/// answer, or why there is none. `None` when the key is not claimed.
async fn repeat(app: &App, api: bool, user: UserId, submission: &Submission) -> Option<Response> {
    let deadline = tokio::time::Instant::now() + ANSWER_WAIT;
    loop {
        let claimed = match submissions::find(app, user, &submission.key).await {
            Ok(claimed) => claimed?,
            Err(e) => return Some(refused(api, e)),
        };
        if claimed.fingerprint != submission.fingerprint {
            return Some(refused(api, reused(api)));
        }
        if let Some(answer) = claimed.answer {
            return Some(replay(answer));
        }
        if tokio::time::Instant::now() >= deadline {
            return Some(refused(
                api,
                AppError::Conflict(
                    "this was already sent and recorded; reload the page to see it".into(),
                ),
            ));
        }
        tokio::time::sleep(ANSWER_POLL).await;
    }
}

fn reused(api: bool) -> AppError {
    if api {
        AppError::Invalid(Invalid::one(
            "Idempotency-Key",
            "this key was already used for a different request; send a new key",
        ))
    } else {
        AppError::Conflict(
            "this form was already sent with other values; reload the page to send it again".into(),
        )
    }
}

fn replay(answer: Answer) -> Response {
    let status = u16::try_from(answer.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let mut set = |name, value: Option<String>| {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    };
    set(LOCATION, answer.location);
    set(CONTENT_TYPE, answer.content_type);
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}
