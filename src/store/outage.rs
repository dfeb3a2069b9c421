//! When the database cannot serve: it cannot be reached, or its disk has
//! no room. Such a failure is the operator's to mend and passes by itself
//! once mended, so a request meeting one is answered "unavailable, try
//! again" (503), not as a fault of Bridgeway's (500), and the error that
//! reaches it keeps that meaning however many hands it passed through
//! (a write batch's commit, the audit appender).

use std::io;

/// Why the database cannot serve now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// The disk the database writes to is full.
    DiskFull,
    /// The database cannot be reached, or is not taking work now.
    Unreachable,
}

/// SQLite's primary result codes that mean an outage (the low byte of an
/// extended code): `SQLITE_BUSY`, `SQLITE_IOERR`, `SQLITE_FULL`, `SQLITE_CANTOPEN`.
const SQLITE_BUSY: i64 = 5;
const SQLITE_IOERR: i64 = 10;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;

impl Outage {
    /// The outage `e` reports, if it is one.
    pub fn of(e: &sqlx::Error) -> Option<Self> {
        match e {
            sqlx::Error::Io(io) if io.kind() == io::ErrorKind::StorageFull => Some(Self::DiskFull),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => Some(Self::Unreachable),
            sqlx::Error::Database(db) => {
                let code = db.code()?;
                if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    Self::of_sqlite(code.parse().ok()?)
                } else {
                    Self::of_sqlstate(&code)
                }
            }
            _ => None,
        }
    }

    fn of_sqlite(extended: i64) -> Option<Self> {
        match extended & 0xff {
            SQLITE_FULL => Some(Self::DiskFull),
            SQLITE_BUSY | SQLITE_IOERR | SQLITE_CANTOPEN => Some(Self::Unreachable),
            _ => None,
        }
    }

    /// PostgreSQL's SQLSTATE: `53100` disk full; class `08` connection
    /// exceptions, `53300` too many connections, `57P01`–`57P03` the server
    /// shutting down or starting.
    fn of_sqlstate(state: &str) -> Option<Self> {
        match state {
            "53100" => Some(Self::DiskFull),
            "53300" | "57P01" | "57P02" | "57P03" => Some(Self::Unreachable),
            s if s.starts_with("08") => Some(Self::Unreachable),
            _ => None,
        }
    }

    /// What a person is told.
    pub fn message(self) -> &'static str {
        match self {
            Self::DiskFull => {
                "the database's disk is full, so nothing can be saved or shown for now; the \
                 administrator has been alerted. Try again in a few minutes"
            }
            Self::Unreachable => "the database cannot be reached right now; try again in a moment",
        }
    }

    fn io_kind(self) -> io::ErrorKind {
        match self {
            Self::DiskFull => io::ErrorKind::StorageFull,
            Self::Unreachable => io::ErrorKind::NotConnected,
        }
    }
}

/// `e` told on by another task (a request waiting on its batch, on the
/// appender): the same words, and the same outage if it was one.
pub fn relay(what: &str, e: &sqlx::Error) -> sqlx::Error {
    let message = format!("{what}: {e}");
    match Outage::of(e) {
        Some(outage) => sqlx::Error::Io(io::Error::new(outage.io_kind(), message)),
        None => sqlx::Error::Protocol(message),
    }
}

/// Bytes free to an unprivileged writer on the file system that holds `file`.
pub fn free_bytes(file: &std::path::Path) -> Option<u64> {
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let stats = rustix::fs::statvfs(dir).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes_are_read_by_their_low_byte() {
        assert_eq!(Outage::of_sqlite(13), Some(Outage::DiskFull));
        // SQLITE_IOERR_WRITE is 10 | (3 << 8).
        assert_eq!(Outage::of_sqlite(778), Some(Outage::Unreachable));
        assert_eq!(Outage::of_sqlite(5), Some(Outage::Unreachable));
        // SQLITE_CONSTRAINT_UNIQUE (2067) is the caller's, not an outage.
        assert_eq!(Outage::of_sqlite(2067), None);
    }

    #[test]
    fn a_real_directory_has_free_space() {
        let file = std::env::temp_dir().join("bridgeway.db");
        assert!(free_bytes(&file).is_some_and(|b| b > 0));
        assert!(free_bytes(std::path::Path::new("/no/such/place/db")).is_none());
    }

    #[test]
    fn sqlstates() {
        assert_eq!(Outage::of_sqlstate("53100"), Some(Outage::DiskFull));
        assert_eq!(Outage::of_sqlstate("08006"), Some(Outage::Unreachable));
        assert_eq!(Outage::of_sqlstate("57P01"), Some(Outage::Unreachable));
        assert_eq!(Outage::of_sqlstate("23505"), None);
        assert_eq!(Outage::of_sqlstate("22021"), None);
    }

    #[test]
    fn a_relayed_outage_stays_one() {
        let full = sqlx::Error::Io(io::Error::new(io::ErrorKind::StorageFull, "no room"));
        let relayed = relay("the write could not be committed", &full);
        assert_eq!(Outage::of(&relayed), Some(Outage::DiskFull));
        assert!(relayed.to_string().contains("could not be committed"));
        let other = relay("x", &sqlx::Error::RowNotFound);
        assert_eq!(Outage::of(&other), None);
        assert_eq!(
            Outage::of(&sqlx::Error::PoolClosed),
            Some(Outage::Unreachable)
        );
    }
}
