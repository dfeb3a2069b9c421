//! Encrypted backup archives: a backup that leaves the machine (tape, a
//! cloud bucket, another office) is sealed with a passphrase, so the copy
//! alone reads as noise.
//!
//! The passphrase gives a 256-bit key through argon2id (a random salt per
//! archive). The file is cut in chunks of 1 MiB, each sealed with
//! AES-256-GCM under its own random nonce; a chunk's associated data is its
//! number and whether it is the last, so chunks cannot be reordered, dropped
//! or cut off without the archive failing to open.
//!
//! Layout: `MAGIC`, the salt (16 bytes), then per chunk the nonce (12
//! bytes), the sealed length (4 bytes, big-endian) and the sealed chunk.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::Context;
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

/// What an archive starts with.
const MAGIC: &[u8; 16] = b"bridgeway-arch1\n";
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const CHUNK: usize = 1 << 20;
/// Shortest passphrase taken: one that must withstand guessing offline.
pub const MIN_PASSPHRASE: usize = 16;

/// Is the file at `path` an encrypted archive?
pub fn is_archive(path: &Path) -> anyhow::Result<bool> {
    let mut head = [0u8; MAGIC.len()];
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    Ok(file.read_exact(&mut head).is_ok() && &head == MAGIC)
}

/// The archive's key: argon2id over the passphrase, 64 MiB and 3 passes
/// (made once per archive, so it may cost a second).
fn key(passphrase: &str, salt: &[u8]) -> anyhow::Result<Aes256Gcm> {
    let params = Params::new(64 * 1024, 3, 1, Some(32))
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let mut key = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| anyhow::anyhow!("deriving the archive key: {e}"))?;
    Aes256Gcm::new_from_slice(&key).context("the archive key")
}

/// The associated data of chunk `n`.
fn chunk_context(n: u64, last: bool) -> [u8; 9] {
    let mut context = [0u8; 9];
    let (number, flag) = context.split_at_mut(8);
    number.copy_from_slice(&n.to_be_bytes());
    flag.fill(u8::from(last));
    context
}

/// Reads as much of `CHUNK` as `from` holds.
fn read_chunk(from: &mut impl Read, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    from.take(CHUNK as u64).read_to_end(buf).map(drop)
}

/// Seals the file `plain` into the archive `sealed` under `passphrase`.
pub fn seal(plain: &Path, sealed: &Path, passphrase: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        passphrase.chars().count() >= MIN_PASSPHRASE,
        "the passphrase must be at least {MIN_PASSPHRASE} characters"
    );
    let mut salt = [0u8; SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let cipher = key(passphrase, &salt)?;
    let mut input = BufReader::new(File::open(plain)?);
    let mut output = BufWriter::new(
        File::create_new(sealed)
            .with_context(|| format!("creating {} (it must not exist yet)", sealed.display()))?,
    );
    output.write_all(MAGIC)?;
    output.write_all(&salt)?;
    let (mut this, mut next) = (Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK));
    read_chunk(&mut input, &mut this)?;
    for n in 0_u64.. {
        read_chunk(&mut input, &mut next)?;
        let last = next.is_empty();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let context = chunk_context(n, last);
        let payload = Payload {
            msg: &this,
            aad: &context,
        };
        let chunk = cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| anyhow::anyhow!("sealing chunk {n}"))?;
        output.write_all(&nonce)?;
        output.write_all(&u32::try_from(chunk.len())?.to_be_bytes())?;
        output.write_all(&chunk)?;
        if last {
            break;
        }
        std::mem::swap(&mut this, &mut next);
    }
    let file = output.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(())
}

/// Opens the archive `sealed` into the file `plain` with `passphrase`;
/// refuses a wrong passphrase and an archive changed, reordered or cut off,
/// leaving no part of `plain` behind.
pub fn open(sealed: &Path, plain: &Path, passphrase: &str) -> anyhow::Result<()> {
    let opened = open_into(sealed, plain, passphrase);
    if opened.is_err() {
        let _ = std::fs::remove_file(plain);
    }
    opened
}

fn open_into(sealed: &Path, plain: &Path, passphrase: &str) -> anyhow::Result<()> {
    let mut input = BufReader::new(File::open(sealed)?);
    let mut head = [0u8; MAGIC.len() + SALT_LEN];
    input
        .read_exact(&mut head)
        .context("the archive is too short")?;
    let (magic, salt) = head.split_at(MAGIC.len());
    anyhow::ensure!(
        magic == MAGIC,
        "{} is not a Bridgeway archive",
        sealed.display()
    );
    let cipher = key(passphrase, salt)?;
    let mut output = BufWriter::new(File::create_new(plain)?);
    for n in 0_u64.. {
        let mut frame = [0u8; NONCE_LEN + 4];
        input
            .read_exact(&mut frame)
            .with_context(|| format!("the archive ends before its last part (part {n})"))?;
        let (nonce, len) = frame.split_at(NONCE_LEN);
        let len = u32::from_be_bytes(len.try_into()?) as usize;
        anyhow::ensure!(len <= CHUNK + 16, "part {n} of the archive is malformed");
        let mut chunk = vec![0u8; len];
        input
            .read_exact(&mut chunk)
            .with_context(|| format!("the archive ends inside part {n}"))?;
        let last = std::io::BufRead::fill_buf(&mut input)?.is_empty();
        let context = chunk_context(n, last);
        let payload = Payload {
            msg: &chunk,
            aad: &context,
        };
        let opened = cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| {
                anyhow::anyhow!(
                    "the archive does not open: a wrong passphrase, or the archive was changed, \
                     reordered or cut off (part {n})"
                )
            })?;
        output.write_all(&opened)?;
        if last {
            break;
        }
    }
    let file = output.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &str = "a long archive passphrase";

    fn sealed_copy(content: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, content).unwrap();
        let sealed = dir.path().join("sealed");
        seal(&plain, &sealed, PASSPHRASE).unwrap();
        (dir, sealed)
    }

    #[test]
    fn an_archive_opens_to_what_was_sealed() {
        for size in [0, 10, CHUNK, CHUNK + 1, 2 * CHUNK + 5] {
            let content: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let (dir, sealed) = sealed_copy(&content);
            assert!(is_archive(&sealed).unwrap());
            let bytes = std::fs::read(&sealed).unwrap();
            assert!(
                size < 64 || !bytes.windows(64).any(|w| w == &content[..64]),
                "nothing of the content shows"
            );
            let opened = dir.path().join("opened");
            open(&sealed, &opened, PASSPHRASE).unwrap();
            assert_eq!(std::fs::read(&opened).unwrap(), content, "{size} bytes");
        }
    }

    #[test]
    fn a_wrong_passphrase_or_a_cut_archive_does_not_open() {
        let content = vec![7u8; 2 * CHUNK + 100];
        let (dir, sealed) = sealed_copy(&content);
        let wrong = open(&sealed, &dir.path().join("a"), "not the passphrase at all");
        assert!(format!("{:#}", wrong.unwrap_err()).contains("does not open"));
        let bytes = std::fs::read(&sealed).unwrap();
        let part = NONCE_LEN + 4 + CHUNK + 16;
        let cut = dir.path().join("cut");
        std::fs::write(&cut, &bytes[..MAGIC.len() + SALT_LEN + 2 * part]).unwrap();
        let refused = open(&cut, &dir.path().join("b"), PASSPHRASE).unwrap_err();
        assert!(
            format!("{refused:#}").contains("does not open"),
            "{refused:#}"
        );
        assert!(!dir.path().join("b").exists(), "no part of it is left");
        assert!(seal(&cut, &dir.path().join("c"), "short").is_err());
    }
}
