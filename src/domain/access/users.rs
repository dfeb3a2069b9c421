//! Staff accounts: roles, usernames and the password policy.

use crate::domain::input::Whole;
use crate::labelled_enum;

labelled_enum! {
    pub enum Role ("role") {
        Admin => ("admin", "Administrator"),
        Supervisor => ("supervisor", "Supervisor"),
        Officer => ("officer", "Officer"),
        Provider => ("provider", "Community provider"),
        Court => ("court", "Court liaison"),
        Auditor => ("auditor", "Auditor"),
    }
}

labelled_enum! {
    /// What an API token may do: `read` only reads; `write` also changes case
    /// work; `admin` also manages accounts and programs (for an administrator).
    pub enum TokenScope ("token scope") {
        Read => ("read", "Read only"),
        Write => ("write", "Read and write"),
        Admin => ("admin", "Administration"),
    }
}

impl TokenScope {
    /// Why an account of `role` may not hold a token of this scope, naming
    /// what the role may do; `None` when it may.
    pub fn refused_for(self, role: Role) -> Option<&'static str> {
        match (self, role) {
            (Self::Admin, Role::Admin) | (Self::Read, _) => None,
            (Self::Admin, _) => Some("only an administrator's token may have the admin scope"),
            (Self::Write, Role::Court) => Some(
                "a court liaison reads the cases before their court and changes nothing; make \
                 it a read token",
            ),
            (Self::Write, Role::Provider) => Some(
                "a community provider's account reads what is shared with it and changes \
                 nothing; make it a read token",
            ),
            (Self::Write, Role::Auditor) => {
                Some("an auditor reads the audit trail and changes nothing; make it a read token")
            }
            (Self::Write, Role::Admin | Role::Supervisor | Role::Officer) => None,
        }
    }
}

/// How many days an API token lives: at most a year.
pub type TokenDays = Whole<1, 365>;

/// A username: 3 to 32 lower-case letters, digits, '.', '_' or '-'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let v = raw.trim().to_lowercase();
        if !(3..=32).contains(&v.len()) {
            return Err("must be 3 to 32 characters".into());
        }
        if !v
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err("may contain only letters, digits, '.', '_' and '-'".into());
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

use zxcvbn::feedback::{Feedback, Warning};

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Rules for a new password, after NIST SP 800-63B: 12 to 128 characters of
/// any kind, no composition rules; refused when it contains the username, or
/// when zxcvbn (whose bundled lists hold the 30,000 passwords most common in
/// breaches, plus names and words) estimates it falls to fewer than 10^8
/// guesses (score below 3): a listed password, even reversed, capitalised or
/// with digits for letters, a keyboard row, a repeated word or a date.
pub fn check_password(password: &str, username: &Username) -> Result<(), String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(format!("must be at least {PASSWORD_MIN_CHARS} characters"));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(format!("must be at most {PASSWORD_MAX_CHARS} characters"));
    }
    if password.to_lowercase().contains(username.as_str()) {
        return Err("must not contain the username".into());
    }
    // zxcvbn gives feedback only below score 3, and names the common-password
    // list when the password is (a variant of) one of its entries.
    let estimate = zxcvbn::zxcvbn(password, &[username.as_str(), "bridgeway"]);
    if estimate.score() < zxcvbn::Score::Three {
        let warning = estimate.feedback().and_then(Feedback::warning);
        return Err(match warning {
            Some(
                Warning::ThisIsATop10Password
                | Warning::ThisIsATop100Password
                | Warning::ThisIsACommonPassword
                | Warning::ThisIsSimilarToACommonlyUsedPassword,
            ) => "is on a list of common or breached passwords; choose another".into(),
            Some(w) => {
                format!("is too easy to guess ({w}); a few unrelated words make a strong one")
            }
            None => "is too easy to guess; a few unrelated words make a strong one".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" JSmith ").unwrap().as_str(), "jsmith");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("a b c").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn passwords() {
        let u = Username::parse("jsmith").unwrap();
        assert!(check_password("correct horse battery", &u).is_ok());
        for common in [
            "qwertyuiop123",
            "Password1234",
            "1q2w3e4r5t6y",
            "1234567890qwerty",
        ] {
            let err = check_password(common, &u).unwrap_err();
            assert!(
                err.contains("common or breached") || err.contains("too easy"),
                "{common}: {err}"
            );
        }
        assert!(check_password("qwertyuiop12", &u)
            .unwrap_err()
            .contains("list of common or breached passwords"));
        assert!(check_password("aaaaaaaaaaaaaaaa", &u)
            .unwrap_err()
            .contains("too easy to guess"));
        assert!(check_password("short", &u).is_err());
        assert!(check_password("my name is JSMITH ok", &u).is_err());
        assert!(check_password(&"x".repeat(129), &u).is_err());
        assert!(
            check_password("ñandú ñandú ñandú", &u).is_ok(),
            "any unicode"
        );
    }
}

/// Has an account gone more than `days` without a sign-in (CJIS: disable after 90)?
pub fn inactive_too_long(
    last_activity: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
    days: i64,
) -> bool {
    now - last_activity > chrono::Duration::days(days)
}

/// Consecutive failures within this window lock an account (CJIS: 5 in 15 minutes).
pub const LOCKOUT_FAILURES: i32 = 5;
pub const LOCKOUT_WINDOW_MINUTES: i64 = 15;

/// An account's record of failed sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lockout {
    pub failures: i32,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// When the last failure was.
    pub last_failure: Option<chrono::DateTime<chrono::Utc>>,
    pub locked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Lockout {
    /// Is the account locked at `now`? With `auto_unlock`, a lock lapses after that long.
    pub fn is_locked(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        auto_unlock: Option<chrono::Duration>,
    ) -> bool {
        match (self.locked_at, auto_unlock) {
            (None, _) => false,
            (Some(at), Some(after)) => now - at < after,
            (Some(_), None) => true,
        }
    }

    /// The record after one more failure at `now`; the count restarts when
    /// the last run of failures began outside the window.
    pub fn after_failure(self, now: chrono::DateTime<chrono::Utc>) -> Self {
        let window = chrono::Duration::minutes(LOCKOUT_WINDOW_MINUTES);
        let (failures, since) = match self.since {
            Some(since) if now - since <= window && self.locked_at.is_none() => {
                (self.failures + 1, since)
            }
            _ => (1, now),
        };
        let locked_at = (failures >= LOCKOUT_FAILURES).then_some(now);
        Self {
            failures,
            since: Some(since),
            last_failure: Some(now),
            locked_at,
        }
    }

    /// When the next attempt may be made: at once after one failure (a
    /// slip), then each failure doubles the wait, 2, 4 and 8 seconds, so
    /// guesses slow down well before the fifth failure locks the account.
    /// `None`: an attempt may be made now (a lock is [`Self::is_locked`]'s).
    pub fn wait_until(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let window = chrono::Duration::minutes(LOCKOUT_WINDOW_MINUTES);
        let (last, since) = (self.last_failure?, self.since?);
        if self.failures < 2 || self.locked_at.is_some() || now - since > window {
            return None;
        }
        let until = last + chrono::Duration::seconds(1_i64 << (self.failures - 1).min(10));
        (now < until).then_some(until)
    }
}

#[cfg(test)]
mod lockout_tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn each_failure_makes_the_next_attempt_wait_longer() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let mut l = Lockout::default().after_failure(t0);
        assert_eq!(l.wait_until(t0), None, "a slip costs nothing");
        let mut at = t0;
        for (failures, wait) in [(2, 2), (3, 4), (4, 8)] {
            at += Duration::seconds(30);
            l = l.after_failure(at);
            assert_eq!(l.failures, failures);
            let until = at + Duration::seconds(wait);
            assert_eq!(l.wait_until(at), Some(until), "after {failures} failures");
            assert_eq!(l.wait_until(until - Duration::milliseconds(1)), Some(until));
            assert_eq!(l.wait_until(until), None);
        }
        let locked = l.after_failure(at + Duration::seconds(30));
        assert_eq!(
            locked.wait_until(at + Duration::seconds(30)),
            None,
            "locked instead"
        );
        assert_eq!(
            l.wait_until(t0 + Duration::minutes(16)),
            None,
            "failures past the window are forgotten"
        );
    }

    #[test]
    fn five_failures_within_fifteen_minutes_lock() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let mut l = Lockout::default();
        for i in 0..4 {
            l = l.after_failure(t0 + Duration::minutes(i * 3));
            assert!(
                !l.is_locked(t0 + Duration::minutes(13), None),
                "after {} failures",
                i + 1
            );
        }
        l = l.after_failure(t0 + Duration::minutes(14));
        assert_eq!(l.failures, 5);
        assert!(
            l.is_locked(t0 + Duration::days(30), None),
            "until an administrator unlocks it"
        );
        assert!(
            !l.is_locked(t0 + Duration::minutes(45), Some(Duration::minutes(30))),
            "or a configured period passes"
        );
        assert!(l.is_locked(t0 + Duration::minutes(40), Some(Duration::minutes(30))));
    }

    #[test]
    fn read_only_roles_get_no_token_that_writes() {
        for role in [Role::Court, Role::Provider, Role::Auditor] {
            assert!(TokenScope::Write.refused_for(role).is_some(), "{role:?}");
            assert!(TokenScope::Admin.refused_for(role).is_some(), "{role:?}");
            assert_eq!(TokenScope::Read.refused_for(role), None, "{role:?}");
        }
        for role in [Role::Officer, Role::Supervisor, Role::Admin] {
            assert_eq!(TokenScope::Write.refused_for(role), None, "{role:?}");
        }
        assert_eq!(TokenScope::Admin.refused_for(Role::Admin), None);
        assert!(TokenScope::Admin.refused_for(Role::Supervisor).is_some());
    }

    #[test]
    fn accounts_unused_past_the_limit_are_inactive() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
        assert!(!inactive_too_long(t0, t0 + Duration::days(90), 90));
        assert!(inactive_too_long(
            t0,
            t0 + Duration::days(90) + Duration::seconds(1),
            90
        ));
    }

    #[test]
    fn failures_spread_over_more_than_the_window_do_not_lock() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let mut l = Lockout::default();
        for i in 0..10 {
            l = l.after_failure(t0 + Duration::minutes(i * 4));
        }
        assert!(
            l.locked_at.is_none(),
            "no five fell within one 15-minute window: {l:?}"
        );
        let mut slow = Lockout::default();
        for i in 0..10 {
            slow = slow.after_failure(t0 + Duration::minutes(i * 16));
        }
        assert_eq!(slow.failures, 1);
        assert!(!slow.is_locked(t0 + Duration::hours(3), None));
    }
}
