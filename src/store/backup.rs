//! Copies of a SQLite database that can be restored, and the checks that
//! tell whether a database (or a copy) is whole. A plain copy of the file
//! while the server writes can catch it half-way (one was found malformed);
//! `VACUUM INTO` copies one consistent snapshot, read on a reader
//! connection, while writes go on. PostgreSQL is backed up with its own
//! tools (`pg_dump`, base backups with WAL archiving: docs/OPERATIONS.md).

use super::{Db, Pool};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// The file a copy is written to before it is whole; renamed when it is.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

impl Db {
    /// Writes a consistent copy of the SQLite database to `to`, which must
    /// not exist yet, while the database stays in use.
    pub async fn backup_to(&self, to: &Path) -> anyhow::Result<()> {
        let Pool::Sqlite { readers, .. } = &self.pool else {
            anyhow::bail!(
                "a PostgreSQL database is backed up with pg_dump or base backups and WAL \
                 archiving (see docs/OPERATIONS.md)"
            );
        };
        anyhow::ensure!(
            !to.exists(),
            "{} exists already; name a new file",
            to.display()
        );
        // The reads' events staged beside the database go into the copy.
        self.chain_staged_audit().await?;
        let writing = partial(to);
        let _ = std::fs::remove_file(&writing);
        let target = writing
            .to_str()
            .context("the backup's path is not valid UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(readers)
            .await
            .with_context(|| format!("copying the database to {}", writing.display()))?;
        durable_rename(&writing, to)
    }

    /// What SQLite's integrity check finds wrong (nothing: an empty list).
    /// PostgreSQL checks its own pages as it reads them; it has none to run.
    pub async fn integrity_problems(&self) -> Result<Vec<String>, sqlx::Error> {
        let Pool::Sqlite { readers, .. } = &self.pool else {
            return Ok(Vec::new());
        };
        let found: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(readers)
            .await?;
        Ok(found.into_iter().filter(|line| line != "ok").collect())
    }
}

/// Puts the backup `from` in place of the SQLite database at `to` (whose
/// servers must be stopped): the copy is written beside it, flushed, and
/// renamed over it, and the old database's journal files are removed, so
/// a stop at any moment leaves the old database or the restored one.
/// `check` is given the copy, opened, before it replaces anything.
pub async fn restore_sqlite<F, Fut>(from: &Path, to: &Path, check: F) -> anyhow::Result<()>
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    anyhow::ensure!(from.is_file(), "no backup at {}", from.display());
    let writing = partial(to);
    std::fs::copy(from, &writing)
        .with_context(|| format!("copying {} to {}", from.display(), writing.display()))?;
    let url = format!("sqlite://{}", writing.display());
    let copy = Db::connect(&url).await?;
    let checked = check(copy.clone()).await;
    copy.close().await;
    if let Err(e) = checked {
        remove_with_journal(&writing);
        return Err(e.context(format!("the backup {} was not restored", from.display())));
    }
    // The copy's own journal was checkpointed into it when it closed.
    remove_journal(&writing);
    remove_journal(to);
    durable_rename(&writing, to)
}

/// The files SQLite keeps beside a database (its write-ahead log and its
/// index), and the reads' file (`store::reads`) with its own.
fn journal_files(db: &Path) -> [PathBuf; 5] {
    ["-wal", "-shm", "-reads", "-reads-wal", "-reads-shm"].map(|suffix| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

fn remove_journal(db: &Path) {
    for file in journal_files(db) {
        let _ = std::fs::remove_file(file);
    }
}

fn remove_with_journal(db: &Path) {
    remove_journal(db);
    let _ = std::fs::remove_file(db);
}

/// Flushes `from` to disk, renames it to `to`, and flushes the directory
/// that holds the new name.
fn durable_rename(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::File::open(from)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("flushing {}", from.display()))?;
    std::fs::rename(from, to)
        .with_context(|| format!("renaming {} to {}", from.display(), to.display()))?;
    let dir = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("flushing the directory {}", dir.display()))
}
