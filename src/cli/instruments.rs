//! `bridgeway instruments`: checking an instrument definition against its
//! published examples before an agency uses it.

use crate::domain::assessments::examples;
use crate::domain::assessments::instrument::Definition;
use anyhow::Context;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum InstrumentsCommand {
    /// Score every example of CASES (answer sets with their expected
    /// results) with the definition in FILE and print each mismatch; exits
    /// non-zero on any, or when FILE is not a valid definition.
    Test { file: PathBuf, cases: PathBuf },
}

pub fn run(command: InstrumentsCommand) -> anyhow::Result<()> {
    match command {
        InstrumentsCommand::Test { file, cases } => {
            let read = |p: &PathBuf| {
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
            };
            let def = Definition::from_toml(&read(&file)?).map_err(|problems| {
                anyhow::anyhow!(
                    "{} is not a valid instrument definition:\n  {}",
                    file.display(),
                    problems.join("\n  ")
                )
            })?;
            let (count, mismatches) = examples::run(&def, &read(&cases)?)
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
    }
}
