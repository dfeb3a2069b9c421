//! The `bridgeway` command: serve, migrate, demo, admin.

use crate::app::audit_integrity;
use crate::app::auth::{self, TokenRequest};
use crate::app::users::{self, Creator, UserInput};
use crate::app::App;
use crate::config::Settings;
use crate::domain::users::{Role, TokenScope};
use crate::keyring::{self, KeyRing};
use crate::store::audit::Verification;
use crate::store::Db;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "bridgeway",
    version,
    about = "Case management for probation, pretrial services and diversion programs"
)]
struct Cli {
    /// Settings file (TOML).
    #[arg(long, global = true, env = "BRIDGEWAY_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// `sqlite://file.db` (created if missing) or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Args, Clone)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "BRIDGEWAY_BIND")]
    bind: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the JSON API (runs migrations first).
    Serve(ServeArgs),
    /// Run database migrations and exit.
    Migrate(DbArgs),
    /// Create (or reuse) a database of realistic synthetic data and serve it.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// How many participants to generate.
        #[arg(long, default_value_t = 320)]
        participants: usize,
    },
    /// Administer accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage the keys that seal identifiers and authenticator secrets.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Raise the alerts the rules find now (a running server also sweeps
    /// every `alerts.sweep_minutes`).
    SweepAlerts(DbArgs),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Write a new key file holding one key.
    Init {
        #[arg(long)]
        file: PathBuf,
    },
    /// Add a new key to a key file and make it current. Then restart every
    /// server with the file and run `bridgeway keys rotate`.
    Add {
        #[arg(long)]
        file: PathBuf,
    },
    /// Re-seal every sealed value under the current key, in short batches,
    /// while the service keeps running.
    Rotate(DbArgs),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the audit trail's hash chain; exits non-zero at the first
    /// event that was changed, removed, inserted or reordered, or when a
    /// signed checkpoint no longer matches the trail.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// A checkpoint file to compare the trail with (default: the
        /// `audit_checkpoint_file` setting, if any).
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Append a signed checkpoint of the chain's head to a file kept apart
    /// from the database (default: the `audit_checkpoint_file` setting).
    Checkpoint {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Remove events older than `audit_retention_days` (at least six years).
    Purge(DbArgs),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a staff account; the password is read from standard input.
    CreateUser {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// admin, supervisor, officer, provider, court or auditor.
        #[arg(long)]
        role: Role,
        #[arg(long)]
        full_name: Option<String>,
        /// Username of the supervisor this officer reports to.
        #[arg(long)]
        supervisor: Option<String>,
        /// The court a court liaison works for.
        #[arg(long)]
        court: Option<String>,
    },
    /// Unlock an account locked after failed sign-ins.
    Unlock {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
    },
    /// Create an API token and print it once.
    CreateToken {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        name: String,
        /// read, write or admin (admin only for an administrator).
        #[arg(long, default_value = "read")]
        scope: String,
        /// Days until the token expires (1 to 365).
        #[arg(long, default_value_t = 90)]
        expires_in_days: i64,
    },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        Role::all()
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.label()))
    }
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=error,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn settings(
    cli_config: Option<&PathBuf>,
    db: &DbArgs,
    bind: Option<&String>,
    default_db: &str,
) -> anyhow::Result<Settings> {
    let mut s = Settings::load(cli_config.map(PathBuf::as_path))?;
    // The command line or environment wins, then the file, then the command's own default.
    s.database_url = db
        .database_url
        .clone()
        .or(s.database_url)
        .or_else(|| Some(default_db.to_owned()));
    if let Some(b) = bind {
        s.bind = b.clone();
    }
    Ok(s)
}

fn database_url(settings: &Settings) -> anyhow::Result<&str> {
    settings.database_url.as_deref().context("no database URL")
}

/// The database, migrated.
async fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(database_url(settings)?).await?;
    db.migrate().await?;
    Ok(db)
}

/// The database with its key ring, checked against each other, and any values
/// stored before their column was sealed sealed now.
async fn open(settings: &Settings) -> anyhow::Result<App> {
    let db = open_db(settings).await?;
    let app = App::new(db, settings.clone(), key_ring(settings)?);
    crate::app::keys::prepare(&app).await?;
    Ok(app)
}

/// The field-encryption keys: `BRIDGEWAY_KEYS`, else the `key_file` setting,
/// else (SQLite only) a key file beside the database, created on first use.
fn key_ring(settings: &Settings) -> anyhow::Result<KeyRing> {
    if let Ok(text) = std::env::var("BRIDGEWAY_KEYS") {
        return KeyRing::parse(&text).context("reading BRIDGEWAY_KEYS");
    }
    if let Some(path) = &settings.key_file {
        return keyring::read_file(path);
    }
    let url = database_url(settings)?;
    let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
    else {
        anyhow::bail!(
            "a PostgreSQL database needs field-encryption keys kept apart from it: set `key_file` in the \
             settings or BRIDGEWAY_KEYS (create a key file with `bridgeway keys init --file PATH`)"
        );
    };
    if path.is_empty() || path == ":memory:" {
        return Ok(KeyRing::generate());
    }
    let key_file = PathBuf::from(format!("{path}.keys"));
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

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.as_ref();
    match cli.command {
        Command::Serve(args) => {
            let s = settings(
                config,
                &args.db,
                args.bind.as_ref(),
                "sqlite://bridgeway.db",
            )?;
            crate::server::serve(open(&s).await?, &s.bind).await
        }
        Command::Migrate(db) => {
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            open(&s).await?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Demo {
            serve,
            participants,
        } => {
            let s = settings(
                config,
                &serve.db,
                serve.bind.as_ref(),
                "sqlite://bridgeway-demo.db",
            )?;
            let app = open(&s).await?;
            let logins = crate::demo::ensure(&app, participants).await?;
            println!();
            println!("Bridgeway demo: http://{}/", s.bind);
            println!("Sign in as (username / password):");
            for (u, p) in &logins {
                println!("  {u:<12} {p}");
            }
            println!();
            println!("Every demo account uses the authenticator secret {} (the sign-in page also shows the current code).", crate::demo::DEMO_TOTP_SECRET);
            println!();
            crate::server::serve(app.with_demo(logins, crate::demo::demo_totp()), &s.bind).await
        }
        Command::Admin(AdminCommand::CreateUser {
            db,
            username,
            role,
            full_name,
            supervisor,
            court,
        }) => {
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            let app = open(&s).await?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let input = UserInput {
                full_name: full_name.unwrap_or_else(|| username.clone()),
                username,
                role,
                password,
                supervisor,
                court,
            };
            let user = users::create(&app, Creator::Console, input)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created {} ({})", user.username, user.role.title());
            Ok(())
        }
        Command::Admin(AdminCommand::Unlock { db, username }) => {
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            let app = open(&s).await?;
            auth::unlock(&app, None, &username)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("unlocked {username}");
            Ok(())
        }
        Command::Audit(command) => audit(config, command).await,
        Command::Keys(command) => keys(config, command).await,
        Command::SweepAlerts(db) => {
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            let raised = crate::app::alerts::sweep(&open(&s).await?)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("raised {raised} alerts");
            Ok(())
        }
        Command::Admin(AdminCommand::CreateToken {
            db,
            username,
            name,
            scope,
            expires_in_days,
        }) => {
            let scope: TokenScope = scope.parse().map_err(|e| anyhow::anyhow!("--scope: {e}"))?;
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            let app = open(&s).await?;
            let request = TokenRequest {
                name,
                scope,
                expires_in_days,
            };
            let issued = auth::create_token(&app, None, &username, request)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", issued.token.expose());
            eprintln!("This {} token expires {} and is shown once. Send it as: Authorization: Bearer <token>", scope.label(), issued.expires_at);
            Ok(())
        }
    }
}

async fn keys(config: Option<&PathBuf>, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Init { file } => {
            keyring::write_file(&file, &KeyRing::generate(), true)?;
            println!(
                "wrote {}; set key_file to it (or BRIDGEWAY_KEYS to its text)",
                file.display()
            );
        }
        KeysCommand::Add { file } => {
            let ring = keyring::read_file(&file)?.with_new_key();
            keyring::write_file(&file, &ring, false)?;
            println!(
                "key {} added to {} and made current; restart every server with it, then run `bridgeway keys rotate`",
                ring.current(),
                file.display()
            );
        }
        KeysCommand::Rotate(db) => {
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            let rotation = crate::app::keys::rotate(&open(&s).await?).await?;
            println!(
                "re-sealed {} values under key {}",
                rotation.resealed, rotation.current
            );
            for (id, n) in &rotation.usage.by_key {
                let note = if *n == 0 && *id != rotation.current {
                    " (unused: it may be removed once every server runs with this key file)"
                } else {
                    ""
                };
                println!("  key {id}: {n} values{note}");
            }
        }
    }
    Ok(())
}

async fn audit(config: Option<&PathBuf>, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { db, checkpoints } => {
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            let checkpoints = checkpoints.or_else(|| s.audit_checkpoint_file.clone());
            let chain = {
                let db = open_db(&s).await?;
                let mut tx = db.read().await?;
                crate::store::audit::verify(&mut tx).await?
            };
            match chain {
                Verification::Intact { events } => {
                    println!("audit trail intact: {events} events verified")
                }
                Verification::Broken { events_checked, seq, at, action } => anyhow::bail!(
                    "audit trail broken at event #{seq} ({action} at {at}): its hash does not follow from the \
                     {events_checked} events before it; it or an earlier event was changed, removed, inserted or reordered"
                ),
            }
            let Some(file) = checkpoints else {
                return Ok(());
            };
            let report = audit_integrity::check_checkpoints(&open(&s).await?, &file).await?;
            println!(
                "checkpoints: {} match the trail, {} precede the retention purge",
                report.held, report.purged
            );
            anyhow::ensure!(
                report.problems.is_empty(),
                "the trail contradicts {} of the checkpoints in {}:\n  {}",
                report.problems.len(),
                file.display(),
                report.problems.join("\n  ")
            );
        }
        AuditCommand::Checkpoint { db, file } => {
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            let file = file
                .or_else(|| s.audit_checkpoint_file.clone())
                .context("give --file or set audit_checkpoint_file")?;
            match audit_integrity::write_checkpoint(&open(&s).await?, &file).await? {
                Some(c) => println!(
                    "checkpoint: event #{} ({} events) written to {}",
                    c.seq,
                    c.events,
                    file.display()
                ),
                None => println!(
                    "no new events since the last checkpoint in {}",
                    file.display()
                ),
            }
        }
        AuditCommand::Purge(db) => {
            let s = settings(config, &db, None, "sqlite://bridgeway.db")?;
            match audit_integrity::purge(&open(&s).await?).await? {
                Some(p) => println!(
                    "purged {} events through #{} (older than {} days)",
                    p.events, p.through_seq, s.audit_retention_days
                ),
                None => println!("no events are older than {} days", s.audit_retention_days),
            }
        }
    }
    Ok(())
}
