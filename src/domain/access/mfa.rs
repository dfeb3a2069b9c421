//! The second factor: time-based one-time passwords (RFC 6238: SHA-1,
//! 6 digits, 30-second steps) and single-use recovery codes.

use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECONDS: u64 = 30;
pub const ISSUER: &str = "Bridgeway";

/// A TOTP shared secret (160 bits).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpKey(Vec<u8>);

impl std::fmt::Debug for TotpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpKey(***)")
    }
}

/// Why a code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    Wrong,
    /// The code's time step was already used: a replay.
    Replayed,
}

impl TotpKey {
    pub fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes.to_vec())
    }

    pub fn from_base32(text: &str) -> Option<Self> {
        Secret::Encoded(text.to_owned())
            .to_bytes()
            .ok()
            .filter(|b| b.len() >= 16)
            .map(Self)
    }

    pub fn base32(&self) -> String {
        Secret::Raw(self.0.clone()).to_encoded().to_string()
    }

    fn totp(&self, account: &str) -> TOTP {
        TOTP::new_unchecked(
            Algorithm::SHA1,
            6,
            0,
            STEP_SECONDS,
            self.0.clone(),
            Some(ISSUER.to_owned()),
            account.to_owned(),
        )
    }

    /// The code for the step containing `unix_time`.
    pub fn code_at(&self, unix_time: u64) -> String {
        self.totp("").generate(unix_time)
    }

    /// The `otpauth://` URL an authenticator app reads from the QR code.
    pub fn provisioning_url(&self, account: &str) -> String {
        self.totp(account).get_url()
    }

    /// Checks `code` at `unix_time`, allowing one step of clock drift either
    /// way. Returns the step it belongs to; a step at or before `last_used` is a replay.
    pub fn verify(
        &self,
        code: &str,
        unix_time: u64,
        last_used: Option<i64>,
    ) -> Result<i64, CodeError> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::Wrong);
        }
        let now = (unix_time / STEP_SECONDS) as i64;
        let step = [now - 1, now, now + 1]
            .into_iter()
            .find(|s| u64::try_from(*s).is_ok_and(|s| self.code_at(s * STEP_SECONDS) == code))
            .ok_or(CodeError::Wrong)?;
        if last_used.is_some_and(|last| step <= last) {
            return Err(CodeError::Replayed);
        }
        Ok(step)
    }
}

/// Is this shaped like a recovery code (`xxxxx-xxxxx`, base32)?
pub fn looks_like_recovery_code(text: &str) -> bool {
    let t = text.trim();
    t.len() == 11
        && t.as_bytes().get(5) == Some(&b'-')
        && t.chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_alphanumeric())
}

/// A recovery code as stored and compared: lower-case, without the dash.
pub fn normalize_recovery_code(text: &str) -> String {
    text.trim().to_lowercase().replace('-', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, "12345678901234567890".
    fn rfc_key() -> TotpKey {
        TotpKey::from_bytes(*b"12345678901234567890")
    }

    #[test]
    fn codes_match_the_rfc_test_vectors() {
        // The RFC lists 8-digit codes; a 6-digit code is their last six digits.
        for (time, eight) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
        ] {
            assert_eq!(rfc_key().code_at(time), eight[2..], "t={time}");
        }
    }

    #[test]
    fn one_step_of_drift_is_allowed_and_a_used_step_is_refused() {
        let k = rfc_key();
        let now = 1_700_000_000;
        let step = (now / STEP_SECONDS) as i64;
        assert_eq!(k.verify(&k.code_at(now), now, None), Ok(step));
        assert_eq!(k.verify(&k.code_at(now - 30), now, None), Ok(step - 1));
        assert_eq!(k.verify(&k.code_at(now + 30), now, None), Ok(step + 1));
        assert_eq!(
            k.verify(&k.code_at(now - 60), now, None),
            Err(CodeError::Wrong)
        );
        assert_eq!(
            k.verify(&k.code_at(now), now, Some(step)),
            Err(CodeError::Replayed)
        );
        assert_eq!(
            k.verify(&k.code_at(now + 30), now, Some(step)),
            Ok(step + 1)
        );
        assert_eq!(k.verify("12345", now, None), Err(CodeError::Wrong));
        assert_eq!(k.verify("abcdef", now, None), Err(CodeError::Wrong));
    }

    #[test]
    fn secrets_round_trip_through_base32_and_hide_from_debug() {
        let k = rfc_key();
        assert_eq!(TotpKey::from_base32(&k.base32()), Some(k.clone()));
        assert_eq!(format!("{k:?}"), "TotpKey(***)");
        assert!(TotpKey::from_base32("not base32!").is_none());
        assert!(k
            .provisioning_url("officer")
            .starts_with("otpauth://totp/Bridgeway:officer?secret="));
    }

    #[test]
    fn recovery_codes_are_recognized_and_normalized() {
        assert!(looks_like_recovery_code("abcde-12345"));
        assert!(!looks_like_recovery_code("123456"));
        assert_eq!(normalize_recovery_code(" ABCDE-12345 "), "abcde12345");
    }
}
