//! `bridgeway backup`, `restore` and `check`: a consistent copy of a SQLite
//! database taken while it is in use, putting one back, and checking a
//! database whole (its pages, the audit trail, the keys). PostgreSQL is
//! backed up with its own tools; `check` works on both.

use super::open::{key_file_beside, key_ring, open_unchecked, sqlite_path, DbArgs};
use crate::app::health::{self, Checked};
use crate::config::Settings;
use crate::store::audit::Verification;
use anyhow::Context;
use clap::Args;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The file to write (it must not exist yet).
    #[arg(long)]
    to: PathBuf,
    /// Seal the backup with a passphrase read from standard input (at
    /// least 16 characters), for copies that leave the machine.
    #[arg(long)]
    encrypt: bool,
}

#[derive(Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The backup to restore (a sealed archive's passphrase is read from
    /// standard input).
    #[arg(long)]
    from: PathBuf,
    /// Replace the database if it exists (stop every server using it first).
    #[arg(long)]
    replace: bool,
}

/// Where the keys that open the database's sealed values are, for the
/// reminder that a backup is useless without them.
fn key_reminder(settings: &Settings, database: &Path) -> String {
    let keys = std::env::var_os("BRIDGEWAY_KEYS")
        .map(|_| "the BRIDGEWAY_KEYS value".to_owned())
        .or_else(|| settings.key_file.as_ref().map(|f| f.display().to_string()))
        .unwrap_or_else(|| key_file_beside(database).display().to_string());
    format!(
        "the backup holds sealed values that only the field-encryption keys open: keep a copy of \
         {keys} apart from it (not beside it: whoever has both has everything)"
    )
}

fn sqlite_only(settings: &Settings, what: &str) -> anyhow::Result<PathBuf> {
    sqlite_path(settings)?.ok_or_else(|| {
        anyhow::anyhow!(
            "{what} is for SQLite; back up and restore PostgreSQL with pg_dump and pg_restore, or \
             base backups with WAL archiving (docs/OPERATIONS.md), then run `bridgeway check`"
        )
    })
}

pub async fn backup(config: Option<&Path>, args: &BackupArgs) -> anyhow::Result<()> {
    let settings = args.db.settings(config)?;
    let database = sqlite_only(&settings, "bridgeway backup")?;
    let db = super::open::open_db(&settings).await?;
    if args.encrypt {
        let passphrase = passphrase()?;
        // The plain snapshot stays beside the database, never where the
        // archive goes, and is removed whatever happens.
        let snapshot = beside(&database, "backup");
        let sealed = db
            .backup_to(&snapshot)
            .await
            .and_then(|()| crate::archive::seal(&snapshot, &args.to, &passphrase));
        let _ = std::fs::remove_file(&snapshot);
        sealed?;
    } else {
        db.backup_to(&args.to).await?;
    }
    db.close().await;
    let sealed = if args.encrypt {
        " (sealed with the passphrase)"
    } else {
        ""
    };
    println!(
        "backed up {} to {}{sealed}",
        database.display(),
        args.to.display()
    );
    println!("{}", key_reminder(&settings, &database));
    Ok(())
}

pub async fn restore(config: Option<&Path>, args: &RestoreArgs) -> anyhow::Result<()> {
    let settings = args.db.settings(config)?;
    let database = sqlite_only(&settings, "bridgeway restore")?;
    anyhow::ensure!(
        args.replace || !database.exists(),
        "{} exists; stop every server using it and add --replace to put the backup in its place",
        database.display()
    );
    // The backup opens only with the keys it was sealed under: no new key
    // file is made up for it.
    let beside_database = key_file_beside(&database);
    anyhow::ensure!(
        settings.key_file.is_some()
            || std::env::var_os("BRIDGEWAY_KEYS").is_some()
            || beside_database.exists(),
        "no field-encryption keys for the restored database: put the backup's key file at {} \
         (or name it with `key_file` or BRIDGEWAY_KEYS) first",
        beside_database.display()
    );
    let opened = if crate::archive::is_archive(&args.from)? {
        let plain = beside(&database, "restore");
        crate::archive::open(&args.from, &plain, &passphrase()?)?;
        Some(plain)
    } else {
        None
    };
    let from = opened.as_deref().unwrap_or(&args.from);
    let check_with = settings.clone();
    let restored = crate::store::backup::restore_sqlite(from, &database, |copy| async move {
        copy.migrate().await?;
        let ring = key_ring(&check_with)?;
        let app = crate::app::App::new(copy, check_with, ring);
        let checked = health::check(&app).await?;
        let problems = checked.problems();
        anyhow::ensure!(problems.is_empty(), "{}", problems.join("; "));
        Ok(())
    })
    .await;
    if let Some(plain) = opened {
        let _ = std::fs::remove_file(plain);
    }
    restored?;
    println!(
        "restored {} from {}: its pages, audit trail and keys checked",
        database.display(),
        args.from.display()
    );
    Ok(())
}

/// A passphrase from standard input (its line ending dropped).
fn passphrase() -> anyhow::Result<String> {
    let mut passphrase = String::new();
    std::io::stdin()
        .read_to_string(&mut passphrase)
        .context("reading the passphrase from standard input")?;
    Ok(passphrase.trim_end_matches(['\r', '\n']).to_owned())
}

/// A working file beside the database, for `what`.
fn beside(database: &Path, what: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(format!(".{what}-{}", uuid::Uuid::new_v4().simple()));
    PathBuf::from(name)
}

pub async fn check(config: Option<&Path>, db: &DbArgs) -> anyhow::Result<()> {
    let settings = db.settings(config)?;
    let app = open_unchecked(&settings).await?;
    let checked = health::check(&app).await?;
    report(&checked);
    let problems = checked.problems();
    anyhow::ensure!(
        problems.is_empty(),
        "the database is not whole:\n  {}",
        problems.join("\n  ")
    );
    Ok(())
}

fn report(checked: &Checked) {
    if checked.integrity.is_empty() {
        println!("pages: whole");
    }
    if let Verification::Intact { events } = checked.audit {
        println!("audit trail: intact, {events} events verified");
    }
    if checked.staged > 0 {
        println!(
            "audit trail: {} events just written are staged, not yet chained",
            checked.staged
        );
    }
    if checked.keys.is_none() {
        println!("keys: every sealed column opens with the key ring");
    }
}
