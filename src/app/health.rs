//! The state of the server's surroundings and of its data: free space on
//! the SQLite database's disk, which administrators must hear of before it
//! stops the service, and a whole check of the database.

use crate::app::App;
use crate::store::audit::Verification;

const MIB: u64 = 1024 * 1024;

/// Free space on the database's disk, against the settings' thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disk {
    /// PostgreSQL (its server watches its own disk), or the system cannot tell.
    Unknown,
    Enough,
    /// Below `disk.warn_below_mb`: writes still succeed.
    Low {
        free_mb: u64,
    },
    /// Below `disk.not_ready_below_mb`: writes are about to fail.
    Full {
        free_mb: u64,
    },
}

impl Disk {
    /// What administrators are told, when there is something to tell.
    pub fn warning(self) -> Option<String> {
        match self {
            Self::Unknown | Self::Enough => None,
            Self::Low { free_mb } => Some(format!(
                "The database's disk has {free_mb} MiB free. Free space or add disk before it \
                 fills: when it does, nothing can be saved or shown."
            )),
            Self::Full { free_mb } => Some(format!(
                "The database's disk is full ({free_mb} MiB free): records cannot be saved or \
                 shown until space is freed. Service resumes by itself once it is."
            )),
        }
    }
}

/// Free space on the database's disk now.
pub fn disk(app: &App) -> Disk {
    let Some(free) = app.db.disk_free_bytes() else {
        return Disk::Unknown;
    };
    let free_mb = free / MIB;
    let limits = &app.settings.disk;
    if free < limits.not_ready_below_mb.saturating_mul(MIB) {
        Disk::Full { free_mb }
    } else if free < limits.warn_below_mb.saturating_mul(MIB) {
        Disk::Low { free_mb }
    } else {
        Disk::Enough
    }
}

/// What a whole check of the database found (`bridgeway check`, and a
/// restore before it replaces anything).
#[derive(Debug)]
pub struct Checked {
    /// SQLite's integrity check's complaints (none on PostgreSQL).
    pub integrity: Vec<String>,
    pub audit: Verification,
    /// Audit events written but not yet chained (PostgreSQL, between a
    /// write's commit and the appender's run).
    pub staged: i64,
    /// Why the key ring cannot open the database's sealed values, if it cannot.
    pub keys: Option<String>,
    /// Signed notes and addenda whose text is not the text that was signed.
    pub altered_texts: Vec<String>,
}

impl Checked {
    /// Everything wrong, in words; empty when the database is whole.
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .integrity
            .iter()
            .map(|p| format!("integrity: {p}"))
            .collect();
        if let Verification::Broken {
            seq, at, action, ..
        } = &self.audit
        {
            problems.push(format!(
                "audit trail broken at event #{seq} ({action} at {at}): it or an earlier event \
                 was changed, removed, inserted or reordered"
            ));
        }
        problems.extend(self.keys.iter().map(|k| format!("keys: {k}")));
        problems.extend(
            self.altered_texts
                .iter()
                .map(|t| format!("signed text changed since it was signed: {t}")),
        );
        problems
    }
}

/// Checks the database whole: its pages (SQLite), the audit trail's chain,
/// that the key ring opens every sealed column's values, and that every
/// signed note and addendum holds the text that was signed.
pub async fn check(app: &App) -> anyhow::Result<Checked> {
    let integrity = app.db.integrity_problems().await?;
    app.db.chain_staged_audit().await?;
    let mut tx = app.db.read().await?;
    let audit = crate::store::audit::verify(&mut tx).await?;
    let staged = crate::store::audit::staged(&mut tx).await?;
    let keys = match crate::store::sealed::check(&mut tx, &app.keys).await {
        Ok(()) => None,
        Err(crate::store::sealed::CheckError::Key(e)) => Some(e.to_string()),
        Err(crate::store::sealed::CheckError::Database(e)) => return Err(e.into()),
    };
    // Texts are opened to be checked: only with keys that open them.
    let altered_texts = match keys {
        None => crate::store::casework::notes::altered(&mut tx, &app.keys).await?,
        Some(_) => Vec::new(),
    };
    Ok(Checked {
        integrity,
        audit,
        staged,
        keys,
        altered_texts,
    })
}
