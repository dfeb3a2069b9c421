//! Staff accounts: roles, usernames and the password policy.

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

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Length rules for a new password (NIST SP 800-63B: length, no composition rules).
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
        assert!(check_password("short", &u).is_err());
        assert!(check_password("my name is JSMITH ok", &u).is_err());
        assert!(check_password(&"x".repeat(129), &u).is_err());
        assert!(
            check_password("ñandú ñandú ñandú", &u).is_ok(),
            "any unicode"
        );
    }
}
