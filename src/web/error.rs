//! One mapping from use-case errors to HTTP, for the API (JSON) and for pages (HTML).

use crate::app::AppError;
use crate::domain::validation::FieldError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;

/// The body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable: `invalid`, `not_found`, `forbidden`, `stale_version` (reload and
    /// retry), `conflict` (the record's state refuses it), `unauthenticated`, `unavailable`
    /// (the database cannot serve now: try again), `internal`, …
    pub code: &'static str,
    pub message: String,
    /// The offending fields, for `invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

pub fn status_and_code(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::StaleVersion(_) => (StatusCode::CONFLICT, "stale_version"),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        AppError::SecondFactorRequired => (StatusCode::UNAUTHORIZED, "second_factor_required"),
        AppError::ReauthenticationRequired(_) => {
            (StatusCode::UNAUTHORIZED, "reauthentication_required")
        }
        AppError::PasswordChangeRequired => (StatusCode::FORBIDDEN, "password_change_required"),
        AppError::TooManyAttempts => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// The public message: infrastructure failures are logged with their cause
/// chain and never shown.
pub fn public_message(e: &AppError) -> String {
    match e {
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "request failed");
            "something went wrong on our side; the failure has been logged".into()
        }
        other => other.to_string(),
    }
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl ApiError {
    pub fn body(
        status: StatusCode,
        code: &'static str,
        message: String,
        fields: Vec<FieldError>,
    ) -> Response {
        (
            status,
            Json(ErrorBody {
                code,
                message,
                fields,
            }),
        )
            .into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self.0);
        let fields = match &self.0 {
            AppError::Invalid(i) => i.0.clone(),
            _ => Vec::new(),
        };
        retry_later(Self::body(status, code, public_message(&self.0), fields))
    }
}

/// Seconds a client is asked to wait before trying an unavailable database again.
const RETRY_AFTER_SECONDS: &str = "5";

/// A 503 tells the client when to try again.
fn retry_later(mut response: Response) -> Response {
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
    response
}

/// An error answered as a page (or a redirect to sign in).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::Unauthenticated => return Redirect::to("/login").into_response(),
            AppError::SecondFactorRequired => return Redirect::to("/mfa").into_response(),
            AppError::ReauthenticationRequired(_) => {
                return Redirect::to("/reauth").into_response()
            }
            AppError::PasswordChangeRequired => {
                return Redirect::to("/account/password").into_response()
            }
            _ => {}
        }
        let (status, _) = status_and_code(&self.0);
        let message = public_message(&self.0);
        retry_later(super::render::error_page(status, &message))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T> = Result<T, PageError>;

/// Whether a request is the API's (answered in JSON) rather than a page's.
pub fn is_api(req: &axum::extract::Request) -> bool {
    req.uri().path().starts_with("/api/")
}

/// A refusal answered as the API's JSON or as a page.
pub fn refused(api: bool, e: AppError) -> Response {
    if api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}
