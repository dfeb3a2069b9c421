//! HTTP: server-rendered pages, the JSON API under `/api/v1`, health checks,
//! and the security middleware every response passes through.

pub mod api;
pub mod error;
pub mod extract;
pub mod form;
mod middleware;
pub mod once;
pub mod pages;
pub mod render;
mod sms;

use crate::app::{App, AppError};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// HSTS for a year, subdomains included, once browsers reach Bridgeway over HTTPS.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub fn router(app: App) -> Router {
    let hsts = app.settings.https().then(|| HeaderValue::from_static(HSTS));
    let readiness = Arc::new(Readiness::default());
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(move |State(app): State<App>| ready(app, Arc::clone(&readiness))),
        )
        .merge(api::router())
        .merge(pages::routes().into_router())
        .merge(sms::router())
        .fallback(not_found)
        // Innermost first: every answer, a refused body's 413 too, passes
        // through the security headers on its way out.
        .layer(from_fn_with_state(app.clone(), once::once_only))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(app.settings.http.request_seconds),
        ))
        .layer(from_fn(middleware::refuse_nul_in_query))
        .layer(from_fn_with_state(
            middleware::Scheme::of(&app.settings),
            middleware::same_origin_writes,
        ))
        .layer(from_fn_with_state(app.clone(), middleware::audit_denials))
        .layer(from_fn_with_state(
            Arc::<[ipnet::IpNet]>::from(app.settings.trusted_proxies.as_slice()),
            middleware::find_client,
        ))
        .layer(from_fn(middleware::security_headers))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            hsts,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

/// How long readiness waits for a write to begin.
const READY_WAIT: Duration = Duration::from_secs(2);

/// How long a readiness check's answer stands for the probes after it, in
/// milliseconds.
const READY_FRESH_MS: i64 = 1_000;

/// The readiness checks of one server. `/readyz` needs no sign-in and its
/// check takes SQLite's one writer for a moment, so it must not become a
/// lever on the writer: one check runs at a time, probes that arrive during
/// it wait for its answer, and an answer stands for a second.
#[derive(Default)]
struct Readiness {
    /// When the last check ended (the app's clock), and whether the
    /// database took the write.
    last: std::sync::Mutex<Option<(DateTime<Utc>, bool)>>,
    /// Held while a check runs.
    checking: tokio::sync::Mutex<()>,
}

impl Readiness {
    /// The last check's answer, while it stands.
    fn fresh(&self, now: DateTime<Utc>) -> Option<bool> {
        let last = *self.last.lock().ok()?;
        last.filter(|(at, _)| (now - *at).num_milliseconds() < READY_FRESH_MS)
            .map(|(_, ready)| ready)
    }

    fn record(&self, at: DateTime<Utc>, ready: bool) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some((at, ready));
        }
    }
}

/// Ready when a write can begin: the database is reachable and its writer
/// is not held (by start-up work, or anything stuck).
async fn ready(app: App, readiness: Arc<Readiness>) -> Response {
    let answer = |ready: bool, why: &'static str| {
        if ready {
            "ready".into_response()
        } else {
            (StatusCode::SERVICE_UNAVAILABLE, why).into_response()
        }
    };
    const CHECKED_BEFORE: &str = "the database could not take a write at the last check";
    if let Some(ready) = readiness.fresh(app.now()) {
        return answer(ready, CHECKED_BEFORE);
    }
    let _checking = readiness.checking.lock().await;
    // The check this probe waited for has answered for it.
    if let Some(ready) = readiness.fresh(app.now()) {
        return answer(ready, CHECKED_BEFORE);
    }
    let result = app.db.ping_writer(READY_WAIT).await;
    if let Err(e) = &result {
        tracing::warn!(error = %e, "readiness check failed");
    }
    let disk = crate::app::health::disk(&app);
    let full = matches!(disk, crate::app::health::Disk::Full { .. });
    let ready = result.is_ok() && !full;
    readiness.record(app.now(), ready);
    let why = if full {
        "the database's disk is full"
    } else {
        "the database cannot take a write now"
    };
    answer(ready, why)
}

async fn not_found(req: Request) -> Response {
    let what = if error::is_api(&req) { "route" } else { "page" };
    error::refused(error::is_api(&req), AppError::NotFound(what))
}
