//! The `bridgeway` command: one binary, a subcommand per job. Each family
//! lives in its own file: serving (`serve`, `migrate`, `demo`,
//! `sweep-alerts`), `admin`, `audit`, `keys`, and `backup` (`backup`,
//! `restore`, `check`), `instruments` (risk and needs instrument definitions:
//! load, list, export, retire, test); `open` reads the settings
//! and opens the database with its key ring for all of them.

mod admin;
mod audit;
mod backup;
mod instruments;
mod keys;
mod open;
mod serve;

use clap::{Parser, Subcommand};
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

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the JSON API (runs migrations first).
    Serve(open::ServeArgs),
    /// Run database migrations and exit.
    Migrate(open::DbArgs),
    /// Create (or reuse) a database of realistic synthetic data and serve it.
    Demo(serve::DemoArgs),
    /// Administer accounts.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Manage the keys that seal identifiers and authenticator secrets.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Raise the alerts the rules find now (a running server also sweeps
    /// every `alerts.sweep_minutes`).
    SweepAlerts(serve::SweepArgs),
    /// Copy a SQLite database, consistently, while it is in use.
    Backup(backup::BackupArgs),
    /// Put a SQLite backup in place of the database, once it checks whole.
    Restore(backup::RestoreArgs),
    /// Check a database whole: its pages, the audit trail, the keys.
    Check(open::DbArgs),
    /// Risk and needs instruments: load, list, export, retire, and check a
    /// definition against its examples.
    #[command(subcommand)]
    Instruments(instruments::InstrumentsCommand),
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

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Serve(args) => serve::serve(config, &args).await,
        Command::Migrate(db) => serve::migrate(config, &db).await,
        Command::Demo(args) => serve::demo(config, &args).await,
        Command::SweepAlerts(args) => serve::sweep_alerts(config, &args).await,
        Command::Admin(command) => admin::run(config, command).await,
        Command::Audit(command) => audit::run(config, command).await,
        Command::Keys(command) => keys::run(config, command).await,
        Command::Backup(args) => backup::backup(config, &args).await,
        Command::Restore(args) => backup::restore(config, &args).await,
        Command::Check(db) => backup::check(config, &db).await,
        Command::Instruments(command) => instruments::run(config, command).await,
    }
}
