//! What every subcommand starts from: the settings (the command line or
//! environment, then the file, then the command's default), the database,
//! migrated, and the field-encryption key ring checked against it.

use crate::app::App;
use crate::config::Settings;
use crate::keyring::{self, KeyRing};
use crate::store::Db;
use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};

/// The database every command but `demo` uses unless told otherwise.
const DEFAULT_DATABASE: &str = "sqlite://bridgeway.db";

#[derive(Args, Clone)]
pub struct DbArgs {
    /// `sqlite://file.db` (created if missing) or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "BRIDGEWAY_BIND")]
    pub bind: Option<String>,
}

impl DbArgs {
    /// The settings, with this database or else the default one.
    pub fn settings(&self, config: Option<&Path>) -> anyhow::Result<Settings> {
        self.settings_or(config, DEFAULT_DATABASE)
    }

    /// The settings, with this database, else the file's, else `default`.
    pub fn settings_or(&self, config: Option<&Path>, default: &str) -> anyhow::Result<Settings> {
        let mut s = Settings::load(config)?;
        s.database_url = self
            .database_url
            .clone()
            .or(s.database_url)
            .or_else(|| Some(default.to_owned()));
        Ok(s)
    }
}

impl ServeArgs {
    /// The settings, with this database (else `default`) and address.
    pub fn settings_or(&self, config: Option<&Path>, default: &str) -> anyhow::Result<Settings> {
        let mut s = self.db.settings_or(config, default)?;
        if let Some(b) = &self.bind {
            s.bind = b.clone();
        }
        Ok(s)
    }

    pub fn settings(&self, config: Option<&Path>) -> anyhow::Result<Settings> {
        self.settings_or(config, DEFAULT_DATABASE)
    }
}

fn database_url(settings: &Settings) -> anyhow::Result<&str> {
    settings.database_url.as_deref().context("no database URL")
}

/// The database, migrated.
pub async fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(database_url(settings)?).await?;
    db.migrate().await?;
    Ok(db)
}

/// The database with its key ring, checked against each other, and any values
/// stored before their column was sealed sealed now.
pub async fn open(settings: &Settings) -> anyhow::Result<App> {
    let app = open_unchecked(settings).await?;
    crate::app::keys::prepare(&app).await?;
    Ok(app)
}

/// The database with its key ring, not yet checked against each other
/// (`bridgeway check` reports a mismatch rather than stop at it).
pub async fn open_unchecked(settings: &Settings) -> anyhow::Result<App> {
    let db = open_db(settings).await?;
    Ok(App::new(db, settings.clone(), key_ring(settings)?))
}

/// The SQLite file a database URL names; `None` for PostgreSQL.
pub fn sqlite_path(settings: &Settings) -> anyhow::Result<Option<PathBuf>> {
    let url = database_url(settings)?;
    Ok(url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| PathBuf::from(rest.split('?').next().unwrap_or_default())))
}
/// The field-encryption keys: `BRIDGEWAY_KEYS`, else the `key_file` setting,
/// else (SQLite only) a key file beside the database, created on first use.
pub fn key_ring(settings: &Settings) -> anyhow::Result<KeyRing> {
    if let Ok(text) = std::env::var("BRIDGEWAY_KEYS") {
        return KeyRing::parse(&text).context("reading BRIDGEWAY_KEYS");
    }
    if let Some(path) = &settings.key_file {
        return keyring::read_file(path);
    }
    let Some(path) = sqlite_path(settings)? else {
        anyhow::bail!(
            "a PostgreSQL database needs field-encryption keys kept apart from it: set `key_file` \
             in the settings or BRIDGEWAY_KEYS (create a key file with `bridgeway keys init --file \
             PATH`)"
        );
    };
    if path.as_os_str().is_empty() || path == Path::new(":memory:") {
        return Ok(KeyRing::generate());
    }
    let key_file = key_file_beside(&path);
    if key_file.exists() {
        return keyring::read_file(&key_file);
    }
    let ring = KeyRing::generate();
    keyring::write_file(&key_file, &ring, true)?;
    tracing::warn!(
        "created the field-encryption key file {}; back it up apart from the database: without it \
         identifiers and authenticator secrets cannot be read",
        key_file.display()
    );
    Ok(ring)
}

/// The key file kept beside a SQLite database when no other is named.
pub fn key_file_beside(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".keys");
    PathBuf::from(name)
}
