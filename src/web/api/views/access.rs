//! The signed-in user, staff accounts, sessions and API tokens, as the API returns them.

use crate::app::access::{auth as app_auth, passwords as app_passwords, users as app_users};
use crate::domain::access::users::{Role, TokenScope};
use crate::domain::ids::{OfficeId, SessionId, TokenId, UserId};
use crate::store::access::users as store_users;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A staff member as others see them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffMember {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub supervisor_id: Option<UserId>,
    pub court: Option<String>,
    /// The office they work in (`GET /offices`).
    pub office_id: Option<OfficeId>,
    pub active: bool,
}

impl From<app_users::StaffMember> for StaffMember {
    fn from(r: app_users::StaffMember) -> Self {
        Self {
            id: r.id,
            username: r.username,
            full_name: r.full_name,
            role: r.role,
            supervisor_id: r.supervisor_id,
            court: r.court,
            office_id: r.office_id,
            active: r.active,
        }
    }
}

/// One line of the access review: who holds which role, and whether they still use it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessReviewLine {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `active`, `locked`, `inactive` (past the inactivity limit: disabled at next sign-in) or
    /// `disabled`.
    pub status: &'static str,
    pub mfa_enrolled: bool,
}

impl From<app_users::AccessReviewLine> for AccessReviewLine {
    fn from(r: app_users::AccessReviewLine) -> Self {
        Self {
            username: r.username,
            full_name: r.full_name,
            role: r.role,
            last_login_at: r.last_login_at,
            status: r.status,
            mfa_enrolled: r.mfa_enrolled,
        }
    }
}

/// A one-time password an administrator hands over; shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TemporaryPassword {
    pub username: String,
    #[schema(value_type = String, format = Password)]
    pub temporary_password: String,
}

impl From<app_passwords::TemporaryPassword> for TemporaryPassword {
    fn from(r: app_passwords::TemporaryPassword) -> Self {
        Self {
            username: r.username,
            temporary_password: r.temporary_password,
        }
    }
}

/// A token as its owner sees it (never the token itself).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<store_users::TokenInfo> for TokenInfo {
    fn from(r: store_users::TokenInfo) -> Self {
        Self {
            id: r.id,
            name: r.name,
            scope: r.scope,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A session as its owner sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub id: SessionId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub source: Option<String>,
    /// The device it was started from, as a person names it ("Firefox on
    /// Windows"), where the browser said.
    pub device: Option<String>,
    pub mfa_done: bool,
}

impl From<store_users::SessionInfo> for SessionInfo {
    fn from(r: store_users::SessionInfo) -> Self {
        Self {
            id: r.id,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            source: r.source,
            device: r.device,
            mfa_done: r.mfa_done,
        }
    }
}

/// The signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub role: Role,
}

impl From<&crate::app::Actor> for Me {
    fn from(a: &crate::app::Actor) -> Self {
        Self {
            id: a.id,
            username: a.username.clone(),
            full_name: a.full_name.clone(),
            role: a.role,
        }
    }
}

/// A new token: shown once, only its hash is kept.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub id: TokenId,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl From<app_auth::IssuedToken> for IssuedToken {
    fn from(t: app_auth::IssuedToken) -> Self {
        Self {
            id: t.id,
            token: t.token.expose().to_owned(),
            expires_at: t.expires_at,
        }
    }
}

/// Your calendar feed's address.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarFeed {
    /// Path of the iCalendar feed on this server; shown once.
    pub path: String,
}
