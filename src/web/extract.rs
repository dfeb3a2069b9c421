//! Request extractors: who is asking (session cookie or API token), and JSON
//! bodies whose errors name the offending field.

use crate::app::access::auth;
use crate::app::{Actor, App, AppError};
use crate::domain::ids::SessionId;
use crate::web::error::{ApiError, PageError};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// The client's address, when the server knows it.
pub fn source(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
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
        let actor = match bearer(parts) {
            Some(token) => {
                let actor = auth::token_actor(app, token, src).await?;
                if !parts.method.is_safe() && !READS_BY_POST.contains(&path) {
                    crate::app::policy::write_with_token(&actor)?;
                }
                actor
            }
            None => session_of(parts, app).await?.0,
        };
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
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|err| invalid_input(err.path().to_string(), &err.into_inner().to_string()))
    }
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
