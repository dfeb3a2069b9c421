//! The audit trail's hash chain: each event's hash covers the previous
//! event's hash and this event's fields, so changing, removing, inserting or
//! reordering any event breaks every hash after it.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The hash the first event chains from.
pub const GENESIS: &str = "bridgeway-audit-genesis";

/// The fields of an event that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedFields<'a> {
    pub id: &'a str,
    pub at: DateTime<Utc>,
    pub actor_id: Option<&'a str>,
    pub actor_role: Option<&'a str>,
    pub source: Option<&'a str>,
    pub action: &'a str,
    pub object_type: Option<&'a str>,
    pub object_id: Option<&'a str>,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
}

/// SHA-256 (hex) of the previous hash and the fields, unambiguously framed.
pub fn chain_hash(previous: &str, e: &ChainedFields<'_>) -> String {
    let at = e.at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let parts = [
        Some(previous),
        Some(e.id),
        Some(at.as_str()),
        e.actor_id,
        e.actor_role,
        e.source,
        Some(e.action),
        e.object_type,
        e.object_id,
        Some(e.outcome),
        e.reason,
    ];
    let mut hasher = Sha256::new();
    for part in parts {
        match part {
            // Length-prefixed, so no two different events frame to the same bytes.
            Some(p) => hasher.update(format!("{}:{p};", p.len())),
            None => hasher.update("-;"),
        }
    }
    hex::encode(hasher.finalize())
}

/// A signed statement of the chain's head at one moment, written to a file
/// outside the database: a later `bridgeway audit verify --checkpoints` shows
/// whether the trail still holds that event with that hash and count, so a
/// rewritten chain or removed newest events are caught too.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub seq: i64,
    /// Events appended up to and including `seq` (kept and purged).
    pub events: i64,
    pub hash: String,
    pub written_at: DateTime<Utc>,
    /// The Ed25519 public key (base64) that signed it.
    pub key: String,
    /// Signature (base64) of [`Checkpoint::statement`].
    pub signature: String,
}

impl Checkpoint {
    /// The signed text: every field but the key and signature.
    pub fn statement(&self) -> String {
        format!(
            "bridgeway-audit-checkpoint v1 seq={} events={} hash={} at={}",
            self.seq,
            self.events,
            self.hash,
            self.written_at.to_rfc3339_opts(SecondsFormat::Millis, true)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(reason: Option<&str>) -> ChainedFields<'_> {
        ChainedFields {
            id: "e1",
            at: "2026-11-23T10:00:00.123Z".parse().unwrap(),
            actor_id: Some("u1"),
            actor_role: Some("officer"),
            source: Some("127.0.0.1"),
            action: "person.view",
            object_type: Some("person"),
            object_id: Some("p1"),
            outcome: "success",
            reason,
        }
    }

    #[test]
    fn every_field_and_the_previous_hash_matter() {
        let base = chain_hash(GENESIS, &event(None));
        assert_eq!(base.len(), 64);
        assert_eq!(base, chain_hash(GENESIS, &event(None)), "deterministic");
        assert_ne!(base, chain_hash("other", &event(None)));
        assert_ne!(
            base,
            chain_hash(GENESIS, &event(Some(""))),
            "absent differs from empty"
        );
        let mut moved = event(None);
        moved.at = "2026-11-23T10:00:00.124Z".parse().unwrap();
        assert_ne!(base, chain_hash(GENESIS, &moved));
    }

    #[test]
    fn framing_is_unambiguous() {
        let mut a = event(None);
        a.action = "ab";
        a.object_type = Some("c");
        let mut b = event(None);
        b.action = "a";
        b.object_type = Some("bc");
        assert_ne!(chain_hash(GENESIS, &a), chain_hash(GENESIS, &b));
    }
}
