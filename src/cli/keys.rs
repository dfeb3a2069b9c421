//! `bridgeway keys`: the key file and re-sealing under a new key.

use super::open::{open, DbArgs};
use crate::keyring::{self, KeyRing};
use clap::Subcommand;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum KeysCommand {
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

pub async fn run(config: Option<&Path>, command: KeysCommand) -> anyhow::Result<()> {
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
                "key {} added to {} and made current; restart every server with it, then run \
                 `bridgeway keys rotate`",
                ring.current(),
                file.display()
            );
        }
        KeysCommand::Rotate(db) => {
            let s = db.settings(config)?;
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
