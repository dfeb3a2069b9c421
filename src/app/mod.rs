//! Application services: each use case authorizes, loads, applies the domain
//! rule, stores and audits in one transaction. Pages and the API both call these.

pub mod access;
pub mod assessments;
pub mod audit;
pub mod casework;
pub mod health;
pub mod intake;
pub mod keys;
pub mod offices;
pub mod outreach;
pub mod people;
pub mod policy;
pub mod programs;
pub mod submissions;

use crate::config::Settings;
use crate::domain::access::users::Role;
use crate::domain::ids::UserId;
use crate::domain::validation::Invalid;
use crate::keyring::KeyRing;
use crate::store::outage::Outage;
use crate::store::Db;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// Everything a use case needs: the database, the settings and the keys
/// that seal designated fields.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub keys: Arc<KeyRing>,
    /// The risk lexicon that flags notes, from the settings.
    pub lexicon: Arc<crate::domain::casework::notes::Matcher>,
    /// Demo log-ins shown on the sign-in page; empty unless the database
    /// is a demo database.
    pub demo_logins: Arc<Vec<DemoLogin>>,
    /// The demo accounts' authenticator secret, whose current code the sign-in
    /// pages show; `None` unless the database is a demo database.
    pub demo_totp: Option<crate::domain::access::mfa::TotpKey>,
}

impl App {
    pub fn new(db: Db, settings: Settings, keys: KeyRing) -> Self {
        Self {
            db,
            lexicon: Arc::new(crate::domain::casework::notes::Matcher::lexicon(
                &settings.notes.lexicon,
            )),
            settings: Arc::new(settings),
            keys: Arc::new(keys),
            demo_logins: Arc::default(),
            demo_totp: None,
        }
    }

    pub fn with_demo(
        mut self,
        logins: Vec<DemoLogin>,
        totp: crate::domain::access::mfa::TotpKey,
    ) -> Self {
        self.demo_logins = Arc::new(logins);
        self.demo_totp = Some(totp);
        self
    }

    /// The demo authenticator's current code, on a demo database only.
    pub fn demo_code(&self) -> Option<String> {
        self.demo_totp
            .as_ref()
            .map(|k| k.code_at(self.now().timestamp().max(0) as u64))
    }

    /// The time now, by the clock the database handle carries (tests fix it).
    pub fn now(&self) -> DateTime<Utc> {
        self.db.clock().now()
    }

    /// The agency's calendar date now: due dates, birthdays and "overdue"
    /// are reckoned in the agency's time zone, not in UTC.
    pub fn today(&self) -> NaiveDate {
        self.settings.date_at(self.now())
    }
}

/// A demo account, as the sign-in page and the demo's start list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    pub role: crate::domain::access::users::Role,
    pub full_name: String,
}

/// The signed-in user on whose behalf a use case runs.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// The court a court liaison works for.
    pub court: Option<String>,
    /// Officers reporting to this user (supervisors).
    pub team: Vec<UserId>,
    /// Cases shared with this user explicitly.
    pub shared_cases: Vec<crate::domain::ids::CaseId>,
    /// Network address the request came from, for the audit trail.
    pub source: Option<String>,
    /// The API token's scope; `None` for a person signed in to a session.
    pub scope: Option<crate::domain::access::users::TokenScope>,
    /// When a signed-in person last gave password and code (`None` for tokens).
    pub authenticated_at: Option<DateTime<Utc>>,
    /// An administrator reset the password: until the user chooses a new
    /// one, only the password change (and signing out) is open to them.
    pub password_change_required: bool,
    /// The one-time submission the request carries (a form's key or the
    /// API's `Idempotency-Key`): the write this actor's use case records
    /// claims it (`audit::record`), so a repeat cannot write again.
    pub submission: Option<std::sync::Arc<crate::store::submissions::Submission>>,
}

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Invalid(Invalid),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("you do not have permission to {0}")]
    Forbidden(&'static str),
    /// A write named a version of the record that is no longer current:
    /// reload and apply the change again.
    #[error(
        "this {0} was changed by someone else since you loaded it; reload it and apply your change \
         again"
    )]
    StaleVersion(&'static str),
    /// The record's state refuses the change ("already resolved", "already shared").
    #[error("{0}")]
    Conflict(String),
    #[error("sign-in required")]
    Unauthenticated,
    #[error("the second sign-in step (authenticator code) is required")]
    SecondFactorRequired,
    #[error("confirm your password and authenticator code again to {0}")]
    ReauthenticationRequired(&'static str),
    #[error("choose a new password first: an administrator reset yours")]
    PasswordChangeRequired,
    #[error("too many attempts; wait a minute and try again")]
    TooManyAttempts,
    /// The database cannot serve now (unreachable, its disk full): try again.
    #[error("{}", .0.message())]
    Unavailable(Outage),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::store::sql::is_unique_violation(&e) {
            // Two requests wrote the same thing at once (or a one-time
            // submission came again): the later one is refused whole.
            return Self::Conflict(
                "this was recorded by another request at the same moment; reload to see it".into(),
            );
        }
        match Outage::of(&e) {
            Some(outage) => {
                tracing::warn!(error = %e, "the database cannot serve");
                Self::Unavailable(outage)
            }
            None => Self::Internal(e.into()),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        Self::Invalid(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A write refused for a name another record holds (`what` names the kind,
/// e.g. "a program") becomes a 422 on the `name` field; any other failure
/// stays what it was.
pub(crate) fn name_taken(what: &'static str, name: &str) -> impl FnOnce(sqlx::Error) -> AppError {
    let name = name.to_owned();
    move |e| {
        if crate::store::sql::is_unique_violation(&e) {
            Invalid::one("name", format!("{what} named '{name}' already exists")).into()
        } else {
            e.into()
        }
    }
}
