//! HTTP: server-rendered pages, the JSON API under `/api/v1`, health checks,
//! and the security middleware every response passes through.

pub mod api;
pub mod error;
pub mod extract;
pub mod form;
pub mod pages;
pub mod render;
mod sms;

use crate::app::{App, AppError};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
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
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(app.settings.http.request_seconds),
        ))
        .layer(middleware::from_fn(refuse_nul_in_query))
        .layer(middleware::from_fn_with_state(
            Scheme::of(&app.settings),
            same_origin_writes,
        ))
        .layer(middleware::from_fn_with_state(app.clone(), audit_denials))
        .layer(middleware::from_fn_with_state(
            Arc::<[ipnet::IpNet]>::from(app.settings.trusted_proxies.as_slice()),
            find_client,
        ))
        .layer(middleware::from_fn(security_headers))
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
    let what = if is_api(&req) { "route" } else { "page" };
    refused(is_api(&req), AppError::NotFound(what))
}

fn is_api(req: &Request) -> bool {
    req.uri().path().starts_with("/api/")
}

/// A refusal answered as the API's JSON or as a page.
fn refused(api: bool, e: AppError) -> Response {
    if api {
        error::ApiError(e).into_response()
    } else {
        error::PageError(e).into_response()
    }
}

/// Refuses a query string that holds a NUL character, naming the parameter
/// (422), before any handler reads it.
async fn refuse_nul_in_query(req: Request, next: Next) -> Response {
    let Some(name) = req.uri().query().and_then(extract::nul_in_query) else {
        return next.run(req).await;
    };
    let nul = crate::domain::validation::Invalid::one(name, extract::NUL_REFUSED);
    refused(is_api(&req), AppError::Invalid(nul))
}

/// Finds who sent the request (`extract::Client`) once, for everything after.
async fn find_client(
    State(trusted): State<Arc<[ipnet::IpNet]>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = extract::peer(req.extensions());
    let client = extract::Client::resolve(peer, req.headers(), &trusted);
    req.extensions_mut().insert(client);
    next.run(req).await
}

/// Audits every refused request (403) as an unsuccessful access attempt,
/// naming the user when one was signed in and the route asked for; repeats
/// within a minute are counted into one event (`app::audit::refusals`).
async fn audit_denials(State(app): State<App>, req: Request, next: Next) -> Response {
    let client = req.extensions().get::<extract::Client>().cloned();
    let api = is_api(&req);
    let route = format!(
        "{} {}",
        req.method(),
        req.extensions()
            .get::<axum::extract::MatchedPath>()
            .map_or(req.uri().path(), |p| p.as_str())
    );
    let response = next.run(req).await;
    if response.status() != StatusCode::FORBIDDEN {
        return response;
    }
    let client = client.unwrap_or_default();
    let address = client.address();
    let by = crate::app::audit::Origin {
        user: client.user(),
        source: address.as_deref(),
    };
    let denied = crate::domain::audit::Action::AccessDenied;
    match crate::app::audit::refusals::count(&app, by, denied, &route).await {
        Ok(()) | Err(AppError::TooManyAttempts) => response,
        // Nothing is answered unless its audit event is kept.
        Err(e) => refused(api, e),
    }
}

/// The scheme browsers reach this server by: `https` when it serves TLS or
/// sits behind a TLS-terminating proxy.
#[derive(Debug, Clone, Copy)]
struct Scheme(&'static str);

impl Scheme {
    fn of(settings: &crate::config::Settings) -> Self {
        Self(if settings.https() { "https" } else { "http" })
    }
}

/// Refuses state-changing requests from another site (CSRF): a browser names
/// the requesting origin in `Origin` or `Sec-Fetch-Site`, and it must be this
/// one, scheme included.
async fn same_origin_writes(State(scheme): State<Scheme>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !is_same_origin(&req, scheme) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

fn is_same_origin(req: &Request, Scheme(scheme): Scheme) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            let host = host.to_str().unwrap_or_default();
            origin
                .strip_prefix(scheme)
                .and_then(|rest| rest.strip_prefix("://"))
                == Some(host)
        }
        // Not a browser request made on behalf of another site.
        _ => true,
    }
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    if h.get(header::CACHE_CONTROL).is_none() {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    res
}
