//! HTTP: server-rendered pages, the JSON API under `/api/v1`, health checks,
//! and the security middleware every response passes through.

pub mod api;
pub mod error;
pub mod extract;
pub mod form;
pub mod pages;
pub mod render;
mod sms;

use crate::app::App;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// HSTS for a year, subdomains included, once browsers reach Bridgeway over HTTPS.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub fn router(app: App) -> Router {
    let hsts = app.settings.https().then(|| HeaderValue::from_static(HSTS));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .merge(api::router())
        .merge(pages::routes().into_router())
        .merge(sms::router())
        .fallback(not_found)
        .layer(middleware::from_fn(same_origin_writes))
        .layer(middleware::from_fn(security_headers))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            hsts,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(app)
}

/// How long readiness waits for a write to begin.
const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Ready when a write can begin: the database is reachable and its writer
/// is not held (by start-up work, or anything stuck).
async fn ready(State(app): State<App>) -> Response {
    match app.db.ping_writer(READY_WAIT).await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database cannot take a write now",
            )
                .into_response()
        }
    }
}

async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        error::ApiError(crate::app::AppError::NotFound("route")).into_response()
    } else {
        error::PageError(crate::app::AppError::NotFound("page")).into_response()
    }
}

/// Refuses state-changing requests from another site (CSRF): a browser names
/// the requesting origin in `Origin` or `Sec-Fetch-Site`, and it must be this one.
async fn same_origin_writes(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !is_same_origin(&req) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

fn is_same_origin(req: &Request) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or_default();
            let host = host.to_str().unwrap_or_default();
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
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
