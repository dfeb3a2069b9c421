//! Keeping the audit trail trustworthy over years: signed checkpoints of the
//! chain's head written outside the database, their verification, and the
//! retention purge.

use crate::app::audit::{self, Origin};
use crate::app::App;
use crate::domain::audit::Action;
use crate::domain::audit::Checkpoint;
use crate::store::audit::{self as store, Outcome, Purge};
use anyhow::Context as _;
use std::io::Write as _;
use std::path::Path;

/// Appends a signed checkpoint of the chain's head to `file`, unless the
/// trail is empty or has not grown since the file's last checkpoint.
pub async fn write_checkpoint(app: &App, file: &Path) -> anyhow::Result<Option<Checkpoint>> {
    app.db.chain_staged_audit().await?;
    let mut tx = app.db.read().await?;
    let Some(head) = store::head(&mut tx).await? else {
        return Ok(None);
    };
    drop(tx);
    let last = read_checkpoints(file)?.into_iter().last();
    if last.is_some_and(|(_, c)| c.map(|c| c.seq) == Ok(head.seq)) {
        return Ok(None);
    }
    let mut checkpoint = Checkpoint {
        seq: head.seq,
        events: head.events,
        hash: head.hash,
        written_at: app.now(),
        key: String::new(),
        signature: String::new(),
    };
    (checkpoint.key, checkpoint.signature) = app.keys.sign(&checkpoint.statement())?;
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .with_context(|| format!("opening the checkpoint file {}", file.display()))?;
    writeln!(out, "{}", serde_json::to_string(&checkpoint)?)
        .and_then(|()| out.sync_all())
        .with_context(|| format!("writing the checkpoint file {}", file.display()))?;
    Ok(Some(checkpoint))
}

/// Each line of a checkpoint file: its number and the checkpoint, or why it
/// cannot be read.
fn read_checkpoints(file: &Path) -> anyhow::Result<Vec<(usize, Result<Checkpoint, String>)>> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("reading the checkpoint file {}", file.display()))
        }
    };
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| (n + 1, serde_json::from_str(l).map_err(|e| e.to_string())))
        .collect())
}

/// What the checkpoints in a file say about the trail as it is now.
#[derive(Debug, Default)]
pub struct CheckpointReport {
    /// Checkpoints the trail still matches.
    pub held: usize,
    /// Checkpoints older than the retention purge, which can no longer be compared.
    pub purged: usize,
    /// Every checkpoint the trail contradicts (or that is itself bad), explained.
    pub problems: Vec<String>,
}

pub async fn check_checkpoints(app: &App, file: &Path) -> anyhow::Result<CheckpointReport> {
    anyhow::ensure!(
        file.exists(),
        "the checkpoint file {} does not exist",
        file.display()
    );
    let mut report = CheckpointReport::default();
    let mut tx = app.db.read().await?;
    let anchor = store::anchor(&mut tx).await?.map_or(0, |a| a.seq);
    for (line, checkpoint) in read_checkpoints(file)? {
        let c = match checkpoint {
            Ok(c) => c,
            Err(e) => {
                report
                    .problems
                    .push(format!("line {line}: not a checkpoint ({e})"));
                continue;
            }
        };
        let at = c
            .written_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if !app.keys.signed(&c.statement(), &c.signature)? {
            report.problems.push(format!(
                "line {line} ({at}): the signature does not verify with this key ring: the \
                 checkpoint was altered or forged"
            ));
            continue;
        }
        if c.seq <= anchor {
            report.purged += 1;
            continue;
        }
        let problem = match store::hash_of(&mut tx, c.seq).await? {
            None => Some(format!(
                "event #{} is gone: events were removed after the checkpoint recorded them",
                c.seq
            )),
            Some(hash) if hash != c.hash => Some(format!(
                "event #{} no longer has the hash the checkpoint recorded: the trail was rewritten",
                c.seq
            )),
            Some(_) => {
                let events = store::events_through(&mut tx, c.seq).await?;
                (events != c.events).then(|| {
                    format!(
                        "the trail holds {events} events up to #{}, the checkpoint counted {}: \
                         events were removed or inserted",
                        c.seq, c.events
                    )
                })
            }
        };
        match problem {
            Some(p) => report.problems.push(format!("line {line} ({at}): {p}")),
            None => report.held += 1,
        }
    }
    Ok(report)
}

/// Removes events older than the retention period (`audit_retention_days`,
/// at least six years), leaving an anchor the chain continues from; the
/// purge itself is audited.
pub async fn purge(app: &App) -> anyhow::Result<Option<Purge>> {
    let at = app.now();
    let cutoff = at - chrono::Duration::days(app.settings.audit_retention_days);
    let mut tx = app.db.write().await?;
    let purged = store::purge_before(&mut tx, cutoff, at).await?;
    if let Some(p) = &purged {
        let event = Action::AuditPurge.because(format!(
            "{} events through #{} (older than {} days)",
            p.events, p.through_seq, app.settings.audit_retention_days
        ));
        audit::write(&mut tx, Origin::system("cli"), Outcome::Success, event);
    }
    tx.commit().await?;
    Ok(purged)
}
