//! The server's surroundings that administrators must hear of before they
//! stop the service: free space on the SQLite database's disk.

use crate::app::App;

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
