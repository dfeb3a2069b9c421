//! Request extractors: who is asking (session cookie or API token), and JSON
//! bodies whose errors name the offending field.

use crate::app::access::auth;
use crate::app::{Actor, App, AppError};
use crate::domain::access::users::Role;
use crate::domain::ids::SessionId;
use crate::domain::ids::UserId;
use crate::store::submissions::Submission;
use crate::web::error::{ApiError, PageError};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};

/// The client's address, when the server knows it (`Client::resolve`).
pub fn source(parts: &Parts) -> Option<String> {
    Client::of(&parts.extensions)
}

/// Who sent a request: its network address, found once per request
/// (`web::middleware::find_client`), and the user once an extractor has signed them in
/// (the denial audit, `web::middleware::audit_denials`, names them).
#[derive(Debug, Clone, Default)]
pub struct Client {
    address: Option<IpAddr>,
    user: Arc<OnceLock<(UserId, Role)>>,
}

impl Client {
    /// The client of a request that came from `peer`: the peer itself, or,
    /// when the peer is a trusted proxy, the nearest address in
    /// `X-Forwarded-For` that is not one (each proxy appends the address it
    /// heard from, so the entries left of the first untrusted one are the
    /// client's to write and are not believed).
    pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Self {
        let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
        let mut address = peer;
        if peer.as_ref().is_some_and(is_trusted) {
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|hop| hop.trim().parse::<IpAddr>().ok())
                .collect::<Vec<_>>();
            for hop in forwarded.into_iter().rev() {
                match hop {
                    Some(ip) if is_trusted(&ip) => address = Some(ip),
                    Some(ip) => {
                        address = Some(ip);
                        break;
                    }
                    // A hop that is not an address: nothing left of it is believed.
                    None => break,
                }
            }
        }
        Self {
            address,
            user: Arc::default(),
        }
    }

    /// The client's address, from a request's extensions.
    pub fn of(extensions: &Extensions) -> Option<String> {
        extensions
            .get::<Self>()
            .and_then(|c| c.address)
            .map(|ip| ip.to_string())
    }

    /// Notes who the request turned out to be from, and hands them the
    /// request's one-time submission (`web::once`), if it carries one.
    fn signed_in(parts: &Parts, mut actor: Actor) -> Actor {
        if let Some(client) = parts.extensions.get::<Self>() {
            let _ = client.user.set((actor.id, actor.role));
        }
        actor.submission = parts.extensions.get::<Arc<Submission>>().cloned();
        actor
    }

    /// The user the request was from, if an extractor signed them in.
    pub fn user(&self) -> Option<(UserId, Role)> {
        self.user.get().copied()
    }

    pub fn address(&self) -> Option<String> {
        self.address.map(|ip| ip.to_string())
    }
}

/// The address a connection came from.
pub fn peer(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The session cookie. Over HTTPS it is `__Host-` prefixed (so only this
/// host, over a secure connection, could have set it) and marked Secure.
#[derive(Debug, Clone, Copy)]
pub struct SessionCookie {
    https: bool,
}

impl SessionCookie {
    pub fn of(app: &App) -> Self {
        Self {
            https: app.settings.https(),
        }
    }

    fn name(self) -> &'static str {
        if self.https {
            "__Host-bridgeway_session"
        } else {
            "bridgeway_session"
        }
    }

    fn attributes(self) -> &'static str {
        if self.https {
            "Path=/; Secure; HttpOnly; SameSite=Strict"
        } else {
            "Path=/; HttpOnly; SameSite=Strict"
        }
    }

    /// The `Set-Cookie` value that starts a session.
    pub fn set(self, token: &str) -> String {
        format!("{}={token}; {}", self.name(), self.attributes())
    }

    /// The `Set-Cookie` value that removes it.
    pub fn clear(self) -> String {
        format!("{}=; {}; Max-Age=0", self.name(), self.attributes())
    }

    /// The session token the request carries.
    pub fn read(self, parts: &Parts) -> Option<String> {
        parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name())
            .map(|(_, value)| value.to_owned())
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// API routes that read but take their question in a POST body (to keep
/// personal data out of URLs): a read-only token may use them.
const READS_BY_POST: [&str; 3] = [
    "/api/v1/search",
    "/api/v1/people/duplicates",
    "/api/v1/notes/search",
];

/// A signed-in user of the API: a bearer token or the session cookie.
pub struct ApiUser(pub Actor);

impl FromRequestParts<App> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let src = source(parts);
        let path = original_path(parts);
        let (actor, by_token) = match bearer(parts) {
            Some(token) => (auth::token_actor(app, token, src).await?, true),
            None => (session_of(parts, app).await?.0, false),
        };
        let actor = Client::signed_in(parts, actor);
        if by_token && !parts.method.is_safe() && !READS_BY_POST.contains(&path) {
            crate::app::policy::write_with_token(&actor)?;
        }
        password_gate(&actor, path)?;
        Ok(Self(actor))
    }
}

/// The request path as the client sent it: inside the nested /api/v1 router
/// the URI has lost its prefix; the original has it.
fn original_path(parts: &Parts) -> &str {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(parts.uri.path(), |o| o.0.path())
}

async fn session_of(parts: &Parts, app: &App) -> Result<(Actor, SessionId), AppError> {
    let cookie = SessionCookie::of(app)
        .read(parts)
        .ok_or(AppError::Unauthenticated)?;
    auth::session_actor(app, &cookie, source(parts)).await
}

/// Where a user whose password an administrator reset may still go.
const PASSWORD_CHANGE_PATHS: [&str; 3] = ["/account/password", "/api/v1/me/password", "/logout"];

fn password_gate(actor: &Actor, path: &str) -> Result<(), AppError> {
    if actor.password_change_required && !PASSWORD_CHANGE_PATHS.contains(&path) {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(())
}

/// A person signed in to a session (cookie), for the API calls that act on
/// the session itself; an API token is refused.
pub struct ApiSession {
    pub actor: Actor,
    pub session: SessionId,
}

impl FromRequestParts<App> for ApiSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        if bearer(parts).is_some() {
            return Err(AppError::Forbidden("do this with an API token; sign in instead").into());
        }
        let (actor, session) = session_of(parts, app).await?;
        let actor = Client::signed_in(parts, actor);
        password_gate(&actor, original_path(parts))?;
        Ok(Self { actor, session })
    }
}

/// A signed-in user of the web pages, with their session.
pub struct PageUser {
    pub actor: Actor,
    pub session: SessionId,
}

impl FromRequestParts<App> for PageUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let (actor, session) = session_of(parts, app).await?;
        let actor = Client::signed_in(parts, actor);
        password_gate(&actor, parts.uri.path())?;
        Ok(Self { actor, session })
    }
}

/// A JSON body. Unknown fields, wrong types, impossible dates and missing
/// fields are answered with 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for ApiJson<T> {
    type Rejection = axum::response::Response;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::body(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json".into(),
                vec![],
            ));
        }
        let bytes = Bytes::from_request(req, app).await.map_err(|e| {
            ApiError::body(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                e.body_text(),
                vec![],
            )
        })?;
        let mut body: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| invalid_input(".".to_owned(), &e.to_string()))?;
        if let Some(field) = nul_path(&body, String::new()) {
            return Err(invalid_input(field, NUL_REFUSED));
        }
        integral_numbers_as_integers(&mut body);
        serde_path_to_error::deserialize(body)
            .map(ApiJson)
            .map_err(|err| invalid_input(err.path().to_string(), &err.into_inner().to_string()))
    }
}

/// JSON counts `5.0` an integer, as JSON Schema does; serde's integers do
/// not take it. A number with no fraction is read as the integer it is
/// (within the range a double holds exactly).
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < EXACT) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// Why a value holding a NUL character is refused: no database column takes
/// one (PostgreSQL refuses it outright), and no person types one.
pub const NUL_REFUSED: &str = "must not contain a NUL character (\\u0000)";

/// The path of the first string (or key) in a JSON body that holds a NUL
/// character.
fn nul_path(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    let named = |path: String| Some(if path.is_empty() { "body".into() } else { path });
    match value {
        Value::String(s) if s.contains('\0') => named(path),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_path(v, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let field = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                return named(path.clone());
            }
            nul_path(v, field)
        }),
        _ => None,
    }
}

/// The first query parameter whose name or value holds a NUL character
/// (every route's query passes this check: `web::middleware::refuse_nul_in_query`).
pub fn nul_in_query(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', ""))
}

/// Query-string parameters; bad ones are answered with 422 naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|err| invalid_input(err.path().to_string(), &err.into_inner().to_string()))
    }
}

/// A 422 naming the field a deserializer choked on. Unknown and missing
/// fields are named from the message.
fn invalid_input(path: String, message: &str) -> axum::response::Response {
    let message = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    let name_in = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
    };
    // serde reports an unknown field at its own path, a missing one at its parent's.
    let field = match (
        path.as_str(),
        name_in("unknown field `"),
        name_in("missing field `"),
    ) {
        (".", Some(name), _) | (".", _, Some(name)) => name.to_owned(),
        (".", None, None) => "body".to_owned(),
        (parent, _, Some(name)) => format!("{parent}.{name}"),
        (own, _, None) => own.to_owned(),
    };
    let fields = vec![crate::domain::validation::FieldError {
        field: field.clone(),
        message: message.to_owned(),
    }];
    ApiError::body(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        format!("{field}: {message}"),
        fields,
    )
}

/// A record id in the path; one that is not a well-formed id is simply not found.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|_| ApiError(AppError::NotFound("record")))
    }
}

/// The page counterpart of [`ApiPath`].
pub struct PagePath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|_| PageError(AppError::NotFound("page")))
    }
}

/// The client's network address, if known.
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(source(parts)))
    }
}

/// The device a request came from, as a person names it ("Firefox on
/// Windows"), from its User-Agent; the rest of that header is not kept.
pub struct Device(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Device {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let agent = parts.headers.get(axum::http::header::USER_AGENT);
        let text = agent.and_then(|a| a.to_str().ok());
        Ok(Self(text.and_then(crate::domain::access::devices::device)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_are_integers() {
        let mut body =
            serde_json::json!({"version": 3.0, "target": 2.5, "n": [7.0, -1.0], "s": "4.0"});
        integral_numbers_as_integers(&mut body);
        assert_eq!(
            body,
            serde_json::json!({"version": 3, "target": 2.5, "n": [7, -1], "s": "4.0"})
        );
        let mut huge = serde_json::json!(1e300);
        integral_numbers_as_integers(&mut huge);
        assert_eq!(
            huge,
            serde_json::json!(1e300),
            "past what a double holds exactly"
        );
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    fn client(peer: &str, headers: &HeaderMap, trusted: &[&str]) -> Option<String> {
        let trusted: Vec<IpNet> = trusted.iter().map(|n| n.parse().unwrap()).collect();
        Client::resolve(Some(peer.parse().unwrap()), headers, &trusted).address()
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let h = forwarded(&["198.51.100.7"]);
        assert_eq!(
            client("203.0.113.9", &h, &[]).as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(
            client("203.0.113.9", &h, &["10.0.0.0/8"]).as_deref(),
            Some("203.0.113.9"),
            "a client that is not a proxy cannot choose its address"
        );
        assert_eq!(
            client("10.1.2.3", &h, &["10.0.0.0/8"]).as_deref(),
            Some("198.51.100.7")
        );
        assert_eq!(
            client("10.1.2.3", &HeaderMap::new(), &["10.0.0.0/8"]).as_deref(),
            Some("10.1.2.3"),
            "no header: the proxy itself"
        );
    }

    #[test]
    fn addresses_the_client_wrote_are_not_believed() {
        // The client wrote 192.0.2.1; the proxy appended what it heard from.
        let h = forwarded(&["192.0.2.1, 198.51.100.7"]);
        assert_eq!(
            client("10.1.2.3", &h, &["10.0.0.0/8"]).as_deref(),
            Some("198.51.100.7")
        );
        // Two proxies in a row, each trusted, and headers split over lines.
        let h = forwarded(&["192.0.2.1, 198.51.100.7", "10.9.9.9"]);
        assert_eq!(
            client("10.1.2.3", &h, &["10.0.0.0/8"]).as_deref(),
            Some("198.51.100.7")
        );
        // Garbage nearest the proxy: nothing beyond it is believed.
        let h = forwarded(&["198.51.100.7, not-an-address"]);
        assert_eq!(
            client("10.1.2.3", &h, &["10.0.0.0/8"]).as_deref(),
            Some("10.1.2.3")
        );
    }
}
