//! Field encryption at rest: AES-256-GCM under a ring of numbered keys, and a
//! keyed blind index so sealed identifiers can still be looked up and kept
//! unique.
//!
//! Keys live outside the database, in a key file or the `BRIDGEWAY_KEYS`
//! environment variable, in this text form (one entry per line, `#` comments):
//!
//! ```text
//! index <base64 of 32 bytes>      # HMAC-SHA-256 key of the blind index; never rotated
//! signing <base64 of 32 bytes>    # Ed25519 seed that signs audit checkpoints
//! key 1 <base64 of 32 bytes>
//! key 2 <base64 of 32 bytes>
//! current 2                        # new values are sealed under this key
//! ```
//!
//! A sealed value is `$k<id>$<base64(nonce ‖ ciphertext ‖ tag)>`. The
//! associated data names the table, column and row, so a value copied to
//! another row or column no longer opens.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::Context as _;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

const NONCE_LEN: usize = 12;

/// Why a key ring or a sealed value could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("key ring line {line}: {problem}")]
    Syntax { line: usize, problem: String },
    #[error("the key ring has no `index` line")]
    NoIndexKey,
    #[error("the key ring has no keys")]
    NoKeys,
    #[error("the key ring's current key {0} is not one of its keys")]
    UnknownCurrent(u32),
    #[error("a value is sealed under key {0}, which the key ring does not hold")]
    MissingKey(u32),
    #[error(
        "the key ring has no `signing` key (key files made by `bridgeway keys init` have one)"
    )]
    NoSigningKey,
    #[error("a sealed value is malformed")]
    Malformed,
    #[error(
        "a sealed value does not open: it was altered, moved to another record, or the key is \
         wrong"
    )]
    Tampered,
}

/// The keys a Bridgeway process seals and opens fields with.
#[derive(Clone)]
pub struct KeyRing {
    keys: BTreeMap<u32, [u8; 32]>,
    current: u32,
    index: [u8; 32],
    signing: Option<[u8; 32]>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

fn random_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    k
}

fn parse_key(line: usize, text: &str) -> Result<[u8; 32], KeyError> {
    let bytes = B64.decode(text).map_err(|_| KeyError::Syntax {
        line,
        problem: "the key is not base64".into(),
    })?;
    bytes.try_into().map_err(|_| KeyError::Syntax {
        line,
        problem: "a key must be 32 bytes (256 bits)".into(),
    })
}

impl KeyRing {
    /// A new ring with one random key and a random index key.
    pub fn generate() -> Self {
        Self {
            keys: BTreeMap::from([(1, random_key())]),
            current: 1,
            index: random_key(),
            signing: Some(random_key()),
        }
    }

    /// Reads the text form; entries may also be separated by `;` so the ring
    /// fits in one environment variable.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut keys = BTreeMap::new();
        let mut current = None;
        let mut index = None;
        let mut signing = None;
        for (n, raw) in text.split(['\n', ';']).enumerate() {
            let line = n + 1;
            let entry = raw.split('#').next().unwrap_or("").trim();
            let words: Vec<&str> = entry.split_whitespace().collect();
            let bad = |problem: &str| KeyError::Syntax {
                line,
                problem: problem.into(),
            };
            let number = |w: &str| {
                w.parse::<u32>()
                    .map_err(|_| bad("a key id must be a number"))
            };
            match words.as_slice() {
                [] => {}
                ["index", key] => index = Some(parse_key(line, key)?),
                ["signing", key] => signing = Some(parse_key(line, key)?),
                ["key", id, key] => {
                    if keys.insert(number(id)?, parse_key(line, key)?).is_some() {
                        return Err(bad("this key id appears twice"));
                    }
                }
                ["current", id] => current = Some(number(id)?),
                _ => return Err(bad(
                    "expected `index <key>`, `signing <key>`, `key <id> <key>` or `current <id>`",
                )),
            }
        }
        let index = index.ok_or(KeyError::NoIndexKey)?;
        let newest = *keys.keys().next_back().ok_or(KeyError::NoKeys)?;
        let current = current.unwrap_or(newest);
        if !keys.contains_key(&current) {
            return Err(KeyError::UnknownCurrent(current));
        }
        Ok(Self {
            keys,
            current,
            index,
            signing,
        })
    }

    /// The text form, to be written to a key file.
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# Bridgeway field-encryption keys. Keep this file outside the database and its\n# \
             backups, readable only by the service account.\n",
        );
        out.push_str(&format!("index {}\n", B64.encode(self.index)));
        if let Some(seed) = &self.signing {
            out.push_str(&format!("signing {}\n", B64.encode(seed)));
        }
        for (id, key) in &self.keys {
            out.push_str(&format!("key {id} {}\n", B64.encode(key)));
        }
        out.push_str(&format!("current {}\n", self.current));
        out
    }

    /// The same ring with a new random key, which becomes current.
    pub fn with_new_key(&self) -> Self {
        let mut next = self.clone();
        let id = self.keys.keys().next_back().map_or(1, |n| n + 1);
        next.keys.insert(id, random_key());
        next.current = id;
        next
    }

    pub fn current(&self) -> u32 {
        self.current
    }

    /// The ids of the ring's keys, oldest first.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.keys().copied()
    }

    /// Seals `plain`; `context` names where it is stored (table, column, row).
    #[allow(
        clippy::indexing_slicing,
        clippy::expect_used,
        reason = "a ring always holds its current key (every constructor checks), and AES-GCM \
                  refuses only plaintexts over 64 GiB"
    )]
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let cipher = Aes256Gcm::new((&self.keys[&self.current]).into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory value does not fail");
        let mut body = nonce.to_vec();
        body.extend(sealed);
        format!("$k{}${}", self.current, B64.encode(body))
    }

    /// Opens a value sealed with the same `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<String, KeyError> {
        let id = key_id(sealed).ok_or(KeyError::Malformed)?;
        let key = self.keys.get(&id).ok_or(KeyError::MissingKey(id))?;
        let body = sealed
            .splitn(3, '$')
            .nth(2)
            .and_then(|b| B64.decode(b).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(KeyError::Malformed)?;
        let (nonce, ciphertext) = body.split_at(NONCE_LEN);
        let plain = Aes256Gcm::new(key.into())
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| KeyError::Tampered)?;
        String::from_utf8(plain).map_err(|_| KeyError::Malformed)
    }

    /// A keyed, deterministic digest of `value` for equality lookups and
    /// uniqueness: the same value always gives the same index, and the index
    /// tells nothing about the value without the index key.
    pub fn blind_index(&self, value: &str) -> String {
        hex::encode(&self.mac(&[value])[..16])
    }

    /// A keyed digest of a text as it stands in `context` (a record's
    /// column and row), whole: what a signed text was, so that a text put
    /// in its place later, by anyone without the index key, does not match.
    pub fn digest(&self, context: &str, text: &str) -> String {
        hex::encode(self.mac(&[context, "\u{1f}", text]))
    }

    #[allow(clippy::expect_used, reason = "HMAC accepts a key of any length")]
    fn mac(&self, parts: &[&str]) -> [u8; 32] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.index).expect("HMAC takes any key length");
        for part in parts {
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }
}

/// Reads a key file.
pub fn read_file(path: &Path) -> anyhow::Result<KeyRing> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key file {}", path.display()))?;
    KeyRing::parse(&text).with_context(|| format!("reading the key file {}", path.display()))
}

/// Writes a key file readable by its owner only, replacing it atomically;
/// with `create`, refuses to replace an existing file.
pub fn write_file(path: &Path, ring: &KeyRing, create: bool) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    anyhow::ensure!(
        !(create && path.exists()),
        "the key file {} already exists",
        path.display()
    );
    let temp = path.with_extension("keys-new");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .with_context(|| format!("creating {}", temp.display()))?;
    file.write_all(ring.to_text().as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| format!("replacing {}", path.display()))
}

impl KeyRing {
    fn signing_key(&self) -> Result<SigningKey, KeyError> {
        self.signing
            .as_ref()
            .map(SigningKey::from_bytes)
            .ok_or(KeyError::NoSigningKey)
    }

    /// Signs `message` (Ed25519); returns the public key and the signature, base64.
    pub fn sign(&self, message: &str) -> Result<(String, String), KeyError> {
        let key = self.signing_key()?;
        let signature = key.sign(message.as_bytes());
        Ok((
            B64.encode(key.verifying_key().to_bytes()),
            B64.encode(signature.to_bytes()),
        ))
    }

    /// Whether `signature` (base64) is this ring's signature of `message`.
    pub fn signed(&self, message: &str, signature: &str) -> Result<bool, KeyError> {
        let key = self.signing_key()?.verifying_key();
        let Some(bytes) = B64
            .decode(signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
        else {
            return Ok(false);
        };
        Ok(key
            .verify(message.as_bytes(), &Signature::from_bytes(&bytes))
            .is_ok())
    }
}

/// The key a sealed value names, or `None` if the value is not sealed.
pub fn key_id(value: &str) -> Option<u32> {
    let rest = value.strip_prefix("$k")?;
    let (id, _) = rest.split_once('$')?;
    id.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_open_only_where_they_were_sealed() {
        let ring = KeyRing::generate();
        let sealed = ring.seal("person_identifiers.value:1", "SID-123");
        assert!(!sealed.contains("SID-123"));
        assert_eq!(key_id(&sealed), Some(1));
        assert_eq!(
            ring.open("person_identifiers.value:1", &sealed).unwrap(),
            "SID-123"
        );
        assert_eq!(
            ring.open("person_identifiers.value:2", &sealed),
            Err(KeyError::Tampered)
        );
        let mut altered = sealed.clone();
        altered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert_eq!(
            ring.open("person_identifiers.value:1", &altered),
            Err(KeyError::Tampered)
        );
        assert_eq!(ring.open("x", "SID-123"), Err(KeyError::Malformed));
        // Two seals of one value differ (random nonce).
        assert_ne!(sealed, ring.seal("person_identifiers.value:1", "SID-123"));
    }

    #[test]
    fn a_new_key_becomes_current_and_old_values_still_open() {
        let ring = KeyRing::generate();
        let old = ring.seal("c", "secret");
        let next = KeyRing::parse(&ring.with_new_key().to_text()).unwrap();
        assert_eq!(next.current(), 2);
        assert_eq!(next.open("c", &old).unwrap(), "secret");
        assert_eq!(key_id(&next.seal("c", "secret")), Some(2));
        assert_eq!(next.blind_index("SID-1"), ring.blind_index("SID-1"));
        let without_old = KeyRing::parse(&next.to_text().replace("key 1 ", "# key 1 ")).unwrap();
        assert_eq!(without_old.open("c", &old), Err(KeyError::MissingKey(1)));
    }

    #[test]
    fn key_rings_are_read_strictly() {
        let ring = KeyRing::generate();
        let one_line = ring.to_text().replace('\n', ";");
        assert_eq!(KeyRing::parse(&one_line).unwrap().to_text(), ring.to_text());
        let no_index = ring
            .to_text()
            .lines()
            .filter(|l| !l.starts_with("index"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(KeyRing::parse(&no_index).unwrap_err(), KeyError::NoIndexKey);
        assert!(matches!(
            KeyRing::parse(&format!("{}key 3 c2hvcnQ=", ring.to_text())),
            Err(KeyError::Syntax { line: 7, .. })
        ));
        assert_eq!(
            KeyRing::parse(&ring.to_text().replace("current 1", "current 7")).unwrap_err(),
            KeyError::UnknownCurrent(7)
        );
        assert!(!format!("{ring:?}").contains(&B64.encode(ring.index)));
    }

    #[test]
    fn checkpoints_are_signed_by_the_ring() {
        let ring = KeyRing::parse(&KeyRing::generate().to_text()).unwrap();
        let (public, signature) = ring.sign("seq 7").unwrap();
        assert_eq!(B64.decode(public).unwrap().len(), 32);
        assert!(ring.signed("seq 7", &signature).unwrap());
        assert!(!ring.signed("seq 8", &signature).unwrap());
        assert!(!ring.signed("seq 7", "bm90IGEgc2lnbmF0dXJl").unwrap());
        assert!(!KeyRing::generate().signed("seq 7", &signature).unwrap());
        let unsigned = ring
            .to_text()
            .lines()
            .filter(|l| !l.starts_with("signing"))
            .collect::<Vec<_>>()
            .join("\n");
        let unsigned = KeyRing::parse(&unsigned).unwrap();
        assert_eq!(unsigned.sign("x"), Err(KeyError::NoSigningKey));
    }

    #[test]
    fn the_blind_index_is_keyed_and_deterministic() {
        let a = KeyRing::generate();
        let b = KeyRing::generate();
        assert_eq!(a.blind_index("SID-1"), a.blind_index("SID-1"));
        assert_ne!(a.blind_index("SID-1"), a.blind_index("SID-2"));
        assert_ne!(a.blind_index("SID-1"), b.blind_index("SID-1"));
    }
}
