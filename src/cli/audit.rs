//! `bridgeway audit`: verifying the hash chain and its signed checkpoints,
//! writing a checkpoint, purging past retention.

use super::open::{open, open_db, DbArgs};
use crate::app::audit::integrity;
use crate::store::audit::Verification;
use anyhow::Context;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum AuditCommand {
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

pub async fn run(config: Option<&Path>, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { db, checkpoints } => {
            let s = db.settings(config)?;
            let checkpoints = checkpoints.or_else(|| s.audit_checkpoint_file.clone());
            let (chain, staged) = {
                let db = open_db(&s).await?;
                let mut tx = db.read().await?;
                (
                    crate::store::audit::verify(&mut tx).await?,
                    crate::store::audit::staged(&mut tx).await?,
                )
            };
            match chain {
                Verification::Intact { events } => {
                    println!("audit trail intact: {events} events verified");
                    if staged > 0 {
                        // A running server's writes, between their commit and
                        // the appender's next run (milliseconds).
                        println!("{staged} events just written are staged, not yet chained");
                    }
                }
                Verification::Broken {
                    events_checked,
                    seq,
                    at,
                    action,
                } => anyhow::bail!(
                    "audit trail broken at event #{seq} ({action} at {at}): its hash does not \
                     follow from the {events_checked} events before it; it or an earlier event was \
                     changed, removed, inserted or reordered"
                ),
            }
            let Some(file) = checkpoints else {
                return Ok(());
            };
            let report = integrity::check_checkpoints(&open(&s).await?, &file).await?;
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
            let s = db.settings(config)?;
            let file = file
                .or_else(|| s.audit_checkpoint_file.clone())
                .context("give --file or set audit_checkpoint_file")?;
            match integrity::write_checkpoint(&open(&s).await?, &file).await? {
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
            let s = db.settings(config)?;
            match integrity::purge(&open(&s).await?).await? {
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
