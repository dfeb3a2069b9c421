use crate::app::access::auth;
use crate::app::access::auth::Secret;
use crate::app::access::auth::TokenRequest;
use crate::app::access::passwords;
use crate::app::access::users::{self, Creator, RoleChange, UserInput};
use crate::app::App;
use crate::domain::ids::{SessionId, TokenId};
use crate::web::api::views::access::{
    AccessReviewLine, CalendarFeed, IssuedToken, Me, SessionInfo, StaffMember, TemporaryPassword,
    TokenInfo,
};
use crate::web::api::views::all;
use crate::web::error::{ApiResult, ErrorBody};
use crate::web::extract::{ApiJson, ApiPath, ApiSession, ApiUser};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/me",
    tag = "users",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody))
)]
pub async fn me(ApiUser(actor): ApiUser) -> Json<Me> {
    Json(Me::from(&actor))
}

/// Staff accounts.
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    responses((status = 200, body = Vec<StaffMember>), (status = 403, body = ErrorBody))
)]
pub async fn list(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<StaffMember>>> {
    Ok(Json(all(users::list(&app, &actor).await?)))
}

/// Creates a staff account (administrators).
#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    request_body = UserInput,
    responses(
        (status = 201, body = StaffMember),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<(StatusCode, Json<StaffMember>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            users::create(&app, Creator::Admin(&actor), input)
                .await?
                .into(),
        ),
    ))
}

/// Unlocks an account locked after failed sign-ins (administrators).
#[utoipa::path(
    post,
    path = "/users/{username}/unlock",
    tag = "users",
    params(("username" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn unlock(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(username): ApiPath<String>,
) -> ApiResult<StatusCode> {
    auth::unlock(&app, Some(&actor), &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your own sessions, most recently used first.
#[utoipa::path(
    get,
    path = "/me/sessions",
    tag = "users",
    responses((status = 200, body = Vec<SessionInfo>))
)]
pub async fn sessions(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    Ok(Json(all(auth::my_sessions(&app, &actor).await?)))
}

/// Ends one of your own sessions.
#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "users", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn end_session(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<SessionId>,
) -> ApiResult<StatusCode> {
    auth::end_session(&app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your API tokens (never the tokens themselves).
#[utoipa::path(
    get,
    path = "/me/tokens",
    tag = "users",
    responses((status = 200, body = Vec<TokenInfo>))
)]
pub async fn tokens(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<TokenInfo>>> {
    Ok(Json(all(auth::my_tokens(&app, &actor).await?)))
}

/// Creates an API token for yourself; it is shown once. Only a signed-in
/// person (not another token) may create one.
#[utoipa::path(
    post,
    path = "/me/tokens",
    tag = "users",
    request_body = TokenRequest,
    responses(
        (status = 201, body = IssuedToken),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_token(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiJson(request): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let username = actor.username.clone();
    Ok((
        StatusCode::CREATED,
        Json(
            auth::create_token(&app, Some(&actor), &username, request)
                .await?
                .into(),
        ),
    ))
}

/// Revokes one of your API tokens.
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "users", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<TokenId>,
) -> ApiResult<StatusCode> {
    auth::revoke_token(&app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The access review: every account, its role, last sign-in and status (administrators).
#[utoipa::path(get, path = "/users/access-review", tag = "users",
    responses((status = 200, body = Vec<AccessReviewLine>), (status = 403, body = ErrorBody)))]
pub async fn access_review(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<AccessReviewLine>>> {
    Ok(Json(all(users::access_review(&app, &actor).await?)))
}

/// A new password for the signed-in person.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(value_type = String, format = Password)]
    pub current_password: String,
    #[schema(value_type = String, format = Password)]
    pub new_password: String,
}

/// Changes your password (signed-in session only, not a token); your other
/// sessions end. Required before anything else after an administrator's reset.
#[utoipa::path(post, path = "/me/password", tag = "users", request_body = PasswordChange,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(app): State<App>,
    user: ApiSession,
    ApiJson(change): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    passwords::change(
        &app,
        &user.actor,
        user.session,
        Secret::new(change.current_password),
        Secret::new(change.new_password),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resets an account's password to a one-time password, shown once; the
/// account's sessions end and it must choose a new password at its next
/// sign-in (administrators, after a fresh sign-in).
#[utoipa::path(
    post,
    path = "/users/{username}/password-reset",
    tag = "users",
    params(("username" = String, Path)),
    responses(
        (status = 200, body = TemporaryPassword),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn reset_password(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(username): ApiPath<String>,
) -> ApiResult<Json<TemporaryPassword>> {
    Ok(Json(
        passwords::reset(&app, &actor, &username).await?.into(),
    ))
}

/// Gives an account another role (administrators, after a fresh sign-in; never their own).
#[utoipa::path(
    put,
    path = "/users/{username}/role",
    tag = "users",
    params(("username" = String, Path)),
    request_body = RoleChange,
    responses(
        (status = 200, body = StaffMember),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn change_role(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
    ApiPath(username): ApiPath<String>,
    ApiJson(change): ApiJson<RoleChange>,
) -> ApiResult<Json<StaffMember>> {
    Ok(Json(
        users::change_role(&app, &actor, &username, change)
            .await?
            .into(),
    ))
}

/// Makes a new calendar feed address (signed-in session only); any older one stops working.
#[utoipa::path(post, path = "/me/calendar-feed", tag = "users",
    responses((status = 201, body = CalendarFeed), (status = 403, body = ErrorBody)))]
pub async fn new_calendar_feed(
    State(app): State<App>,
    user: ApiSession,
) -> ApiResult<(StatusCode, Json<CalendarFeed>)> {
    let path = crate::app::casework::calendar::new_feed(&app, &user.actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarFeed {
            path: path.expose().to_owned(),
        }),
    ))
}

/// Removes your calendar feed.
#[utoipa::path(delete, path = "/me/calendar-feed", tag = "users",
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_calendar_feed(
    State(app): State<App>,
    ApiUser(actor): ApiUser,
) -> ApiResult<StatusCode> {
    crate::app::casework::calendar::revoke_feed(&app, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This file's routes; each handler's `#[utoipa::path]` states its path once.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(sessions))
        .routes(routes!(tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(end_session))
        .routes(routes!(list, create))
        .routes(routes!(access_review))
        .routes(routes!(unlock))
        .routes(routes!(reset_password))
        .routes(routes!(change_role))
        .routes(routes!(change_password))
        .routes(routes!(new_calendar_feed, revoke_calendar_feed))
}
