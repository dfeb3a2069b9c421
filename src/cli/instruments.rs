//! `bridgeway instruments`: loading, listing, exporting and retiring risk
//! and needs instrument definitions, and checking one against its
//! published examples before an agency uses it.

use super::open::{open, DbArgs};
use crate::app::assessments::instruments::{self, Loaded};
use crate::domain::assessments::examples;
use crate::domain::assessments::instrument::Definition;
use anyhow::Context;
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum InstrumentsCommand {
    /// Load a definition (a TOML file, docs/INSTRUMENTS.md). The same text
    /// again changes nothing; other text under a version already loaded is
    /// refused: an edit is a new version.
    Import {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
    /// Every version loaded, newest first.
    List(DbArgs),
    /// Print a version's text as loaded (the newest without --version).
    Export {
        #[command(flatten)]
        db: DbArgs,
        id: String,
        #[arg(long)]
        version: Option<i32>,
    },
    /// Retire a version: it starts no new assessment.
    Retire {
        #[command(flatten)]
        db: DbArgs,
        id: String,
        #[arg(long)]
        version: i32,
    },
    /// Score every example of CASES (answer sets with their expected
    /// results) with the definition in FILE and print each mismatch; exits
    /// non-zero on any, or when FILE is not a valid definition.
    Test { file: PathBuf, cases: PathBuf },
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub async fn run(config: Option<&Path>, command: InstrumentsCommand) -> anyhow::Result<()> {
    match command {
        InstrumentsCommand::Import { db, file } => {
            let app = open(&db.settings(config)?).await?;
            match instruments::import(&app, None, &read(&file)?).await? {
                Loaded::Added(r) => {
                    println!("loaded {} v{} ({})", r.instrument_id, r.version, r.name)
                }
                Loaded::Unchanged(r) => {
                    println!(
                        "{} v{} is loaded already, unchanged",
                        r.instrument_id, r.version
                    );
                }
            }
        }
        InstrumentsCommand::List(db) => {
            let app = open(&db.settings(config)?).await?;
            for r in instruments::list(&app, None).await? {
                let state = r
                    .retired_at
                    .map_or("in use".to_owned(), |t| format!("retired {t}"));
                println!(
                    "{}\tv{}\t{}\t{state}\tsha256 {}",
                    r.instrument_id, r.version, r.name, r.digest
                );
            }
        }
        InstrumentsCommand::Export { db, id, version } => {
            let app = open(&db.settings(config)?).await?;
            print!("{}", instruments::export(&app, &id, version).await?);
        }
        InstrumentsCommand::Retire { db, id, version } => {
            let app = open(&db.settings(config)?).await?;
            let r = instruments::retire(&app, None, &id, version).await?;
            println!("retired {} v{}", r.instrument_id, r.version);
        }
        InstrumentsCommand::Test { file, cases } => test(&file, &cases)?,
    }
    Ok(())
}

fn test(file: &Path, cases: &Path) -> anyhow::Result<()> {
    let def = Definition::from_toml(&read(file)?).map_err(|problems| {
        anyhow::anyhow!(
            "{} is not a valid instrument definition:\n  {}",
            file.display(),
            problems.join("\n  ")
        )
    })?;
    let (count, mismatches) = examples::run(&def, &read(cases)?)
        .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", cases.display()))?;
    for m in &mismatches {
        println!("MISMATCH {}: {}", m.example, m.what);
    }
    let differ = match mismatches.len() {
        1 => "1 mismatch".to_owned(),
        n => format!("{n} mismatches"),
    };
    let verdict = if mismatches.is_empty() {
        "ok"
    } else {
        "FAILED"
    };
    println!(
        "{verdict} {} v{}: {count} examples, {differ}",
        def.id, def.version
    );
    anyhow::ensure!(mismatches.is_empty(), "{differ} in {count} examples");
    Ok(())
}
