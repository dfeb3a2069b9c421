//! Webhooks of the SMS gateway: replies from participants and delivery
//! reports. They carry no session; each request must bear the gateway's
//! signature (`X-Twilio-Signature`, keyed with the account's auth token)
//! over the public URL and its parameters, or it is refused.

use crate::app::outreach::reminders;
use crate::app::App;
use crate::domain::outreach::messages::webhook_signed;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use secrecy::ExposeSecret as _;

pub fn router() -> Router<App> {
    Router::new()
        .route("/sms/inbound", post(inbound))
        .route("/sms/status", post(status))
}

/// Why a webhook was refused.
enum Refused {
    /// No gateway (or no public URL) is configured: there is no webhook.
    NotConfigured,
    BadSignature,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Self::NotConfigured => StatusCode::NOT_FOUND.into_response(),
            Self::BadSignature => {
                (StatusCode::FORBIDDEN, "signature does not match").into_response()
            }
        }
    }
}

/// The request's parameters, if it is signed by the gateway.
fn verified(
    app: &App,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<(String, String)>, Refused> {
    let Some((sms, public)) = app
        .settings
        .sms
        .as_ref()
        .and_then(|s| s.public_url.as_deref().map(|u| (s, u)))
    else {
        return Err(Refused::NotConfigured);
    };
    let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let url = format!("{}{path}", public.trim_end_matches('/'));
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let same = webhook_signed(sms.auth_token.expose_secret(), &url, &params, given);
    if !same {
        tracing::warn!(
            path,
            "SMS webhook with a missing or wrong signature refused"
        );
        return Err(Refused::BadSignature);
    }
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An empty TwiML answer: replies go out through the message queue.
fn empty_twiml() -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>",
    )
        .into_response()
}

async fn inbound(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let params = match verified(&app, "/sms/inbound", &headers, &body) {
        Ok(p) => p,
        Err(refused) => return refused.into_response(),
    };
    let (Some(from), Some(text)) = (param(&params, "From"), param(&params, "Body")) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "From and Body are required",
        )
            .into_response();
    };
    match reminders::receive(&app, from, text).await {
        Ok(()) => empty_twiml(),
        Err(e) => crate::web::error::ApiError(e).into_response(),
    }
}

async fn status(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let params = match verified(&app, "/sms/status", &headers, &body) {
        Ok(p) => p,
        Err(refused) => return refused.into_response(),
    };
    let (Some(sid), Some(state)) = (
        param(&params, "MessageSid"),
        param(&params, "MessageStatus"),
    ) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "MessageSid and MessageStatus are required",
        )
            .into_response();
    };
    match reminders::delivery_report(&app, sid, state, param(&params, "ErrorCode")).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => crate::web::error::ApiError(e).into_response(),
    }
}
