//! What every request passes through on its way in and every answer on its
//! way out: who sent it, the same-origin check on writes, NUL characters in
//! queries, the audit of refusals, and the security headers.

use super::error::{is_api, refused};
use super::extract;
use crate::app::{App, AppError};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// Refuses a query string that holds a NUL character, naming the parameter
/// (422), before any handler reads it.
pub async fn refuse_nul_in_query(req: Request, next: Next) -> Response {
    let Some(name) = req.uri().query().and_then(extract::nul_in_query) else {
        return next.run(req).await;
    };
    let nul = crate::domain::validation::Invalid::one(name, extract::NUL_REFUSED);
    refused(is_api(&req), AppError::Invalid(nul))
}

/// Finds who sent the request (`extract::Client`) once, for everything after.
pub async fn find_client(
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
pub async fn audit_denials(State(app): State<App>, req: Request, next: Next) -> Response {
    let client = req.extensions().get::<extract::Client>().cloned();
    let api = is_api(&req);
    // Only the route's pattern and a standard method name the refusal: a
    // path or method the client made up would make every refusal a new kind.
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let method = KNOWN_METHODS
        .iter()
        .find(|m| req.method() == *m)
        .map_or("another method", Method::as_str);
    let response = next.run(req).await;
    if response.status() != StatusCode::FORBIDDEN {
        return response;
    }
    let path = matched
        .as_ref()
        .map_or("an unknown route", MatchedPath::as_str);
    let route = format!("{method} {path}");
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

/// The methods a refusal is named by; any other is "another method".
const KNOWN_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// The scheme browsers reach this server by: `https` when it serves TLS or
/// sits behind a TLS-terminating proxy.
#[derive(Debug, Clone, Copy)]
pub struct Scheme(&'static str);

impl Scheme {
    pub fn of(settings: &crate::config::Settings) -> Self {
        Self(if settings.https() { "https" } else { "http" })
    }
}

/// Refuses state-changing requests from another site (CSRF): a browser names
/// the requesting origin in `Origin` or `Sec-Fetch-Site`, and it must be this
/// one, scheme included.
pub async fn same_origin_writes(
    State(scheme): State<Scheme>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !is_same_origin(&req, scheme) {
        let cross_site = AppError::Forbidden("send this request from another site");
        return refused(is_api(&req), cross_site);
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

pub async fn security_headers(req: Request, next: Next) -> Response {
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
