//! The columns stored sealed (AES-256-GCM, see `crate::keyring`), and the
//! passes that seal values written before a column was sealed and re-seal
//! values under the current key. Each pass works in short batches, so the
//! service stays up while it runs.

use crate::domain::ids::RowId;
use crate::keyring::{self, KeyError, KeyRing};
use crate::store::{exec, fetch};
use crate::store::{Db, Tx};
use uuid::Uuid;

/// A column whose values are stored sealed; `index` is the column holding
/// the value's blind index, where lookups need one.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumn {
    pub table: &'static str,
    pub column: &'static str,
    pub index: Option<&'static str>,
}

/// Government identifiers (state ID, FBI number, driver's licence, …).
pub const IDENTIFIER_VALUE: SealedColumn = SealedColumn {
    table: "person_identifiers",
    column: "value",
    index: Some("value_index"),
};

/// Staff authenticator secrets.
pub const TOTP_SECRET: SealedColumn = SealedColumn {
    table: "users",
    column: "totp_secret",
    index: None,
};

/// A condition's details (treatment conditions name health information).
pub const CONDITION_DETAILS: SealedColumn = SealedColumn {
    table: "conditions",
    column: "details",
    index: None,
};

/// Notes on progress toward a condition.
pub const PROGRESS_NOTE: SealedColumn = SealedColumn {
    table: "condition_progress",
    column: "note",
    index: None,
};

/// What was said or seen at a contact.
pub const CONTACT_NOTE: SealedColumn = SealedColumn {
    table: "contacts",
    column: "note",
    index: None,
};

/// A drug test's per-substance results (JSON).
pub const TEST_RESULTS: SealedColumn = SealedColumn {
    table: "drug_tests",
    column: "results",
    index: None,
};

/// A case note's text.
pub const NOTE_TEXT: SealedColumn = SealedColumn {
    table: "case_notes",
    column: "body",
    index: None,
};

/// An addendum's text.
pub const ADDENDUM_TEXT: SealedColumn = SealedColumn {
    table: "note_addenda",
    column: "body",
    index: None,
};

/// Where a message went or came from (a phone number or an e-mail
/// address), with a blind index to find a sender's earlier messages.
pub const MESSAGE_ADDRESS: SealedColumn = SealedColumn {
    table: "messages",
    column: "address",
    index: Some("address_index"),
};

/// A message's subject (e-mail only).
pub const MESSAGE_SUBJECT: SealedColumn = SealedColumn {
    table: "messages",
    column: "subject",
    index: None,
};

/// A message's words.
pub const MESSAGE_BODY: SealedColumn = SealedColumn {
    table: "messages",
    column: "body",
    index: None,
};

/// An assessment's answers (JSON): substance use and mental health among them.
pub const ASSESSMENT_ANSWERS: SealedColumn = SealedColumn {
    table: "assessments",
    column: "answers",
    index: None,
};

/// An assessment's result kept at completion (JSON): its factors repeat answers.
pub const ASSESSMENT_RESULT: SealedColumn = SealedColumn {
    table: "assessments",
    column: "result",
    index: None,
};

/// A case plan version's goals and steps (JSON): they name treatment.
pub const PLAN_CONTENT: SealedColumn = SealedColumn {
    table: "case_plans",
    column: "content",
    index: None,
};

/// A note on progress toward a plan's goal or step.
pub const PLAN_PROGRESS_NOTE: SealedColumn = SealedColumn {
    table: "plan_progress",
    column: "note",
    index: None,
};

/// The answer kept for a one-time submission (it repeats what the request
/// recorded).
pub const SUBMISSION_BODY: SealedColumn = SealedColumn {
    table: "submissions",
    column: "body",
    index: None,
};

/// The columns that held values in the clear before they were sealed (the
/// others were sealed from their creation): the start-up pass scans only these.
const PLAINTEXT_BEFORE: &[SealedColumn] = &[IDENTIFIER_VALUE, TOTP_SECRET];

pub const ALL: &[SealedColumn] = &[
    IDENTIFIER_VALUE,
    TOTP_SECRET,
    CONDITION_DETAILS,
    PROGRESS_NOTE,
    CONTACT_NOTE,
    TEST_RESULTS,
    NOTE_TEXT,
    ADDENDUM_TEXT,
    MESSAGE_ADDRESS,
    MESSAGE_SUBJECT,
    MESSAGE_BODY,
    ASSESSMENT_ANSWERS,
    ASSESSMENT_RESULT,
    PLAN_CONTENT,
    PLAN_PROGRESS_NOTE,
    SUBMISSION_BODY,
];

impl SealedColumn {
    /// The associated data binding a sealed value to its table, column and row.
    fn context(&self, row: Uuid) -> String {
        format!("{}.{}:{}", self.table, self.column, row)
    }

    pub fn seal(&self, keys: &KeyRing, row: impl Into<Uuid>, plain: &str) -> String {
        keys.seal(&self.context(row.into()), plain)
    }

    /// The keyed digest of a value of this column's row, kept when a text is
    /// signed (`KeyRing::digest`).
    pub fn digest(&self, keys: &KeyRing, row: impl Into<Uuid>, plain: &str) -> String {
        keys.digest(&self.context(row.into()), plain)
    }

    pub fn open(
        &self,
        keys: &KeyRing,
        row: impl Into<Uuid>,
        sealed: &str,
    ) -> Result<String, sqlx::Error> {
        keys.open(&self.context(row.into()), sealed)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }
}

/// Which values a pass re-seals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Values stored before their column was sealed.
    Plaintext,
    /// Every value not sealed under the current key.
    Rotate,
}

const BATCH: i64 = 500;

/// Re-seals the values `pass` selects, in batches of short transactions;
/// returns how many values were re-sealed. A value changed by someone else
/// between read and write is left for the next batch.
pub async fn reseal(db: &Db, keys: &KeyRing, pass: Pass) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    let columns = match pass {
        Pass::Plaintext => PLAINTEXT_BEFORE,
        Pass::Rotate => ALL,
    };
    for col in columns {
        loop {
            let mut tx = db.write().await?;
            let n = reseal_batch(&mut tx, keys, *col, pass).await?;
            tx.commit().await?;
            total += n;
            if n == 0 {
                break;
            }
        }
    }
    Ok(total)
}

async fn reseal_batch(
    tx: &mut Tx,
    keys: &KeyRing,
    col: SealedColumn,
    pass: Pass,
) -> Result<u64, sqlx::Error> {
    let SealedColumn { table, column, .. } = col;
    let pattern = match pass {
        Pass::Plaintext => "$k%".to_owned(),
        Pass::Rotate => format!("$k{}$%", keys.current()),
    };
    let rows: Vec<(RowId, String)> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&format!(
            "SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE $1 \
             LIMIT $2"
        ))
        .bind(&pattern)
        .bind(BATCH)
    )?;
    let mut changed = 0;
    for (id, stored) in rows {
        let plain = match keyring::key_id(&stored) {
            Some(_) => col.open(keys, id, &stored)?,
            None => stored.clone(),
        };
        let sealed = col.seal(keys, id, &plain);
        let n = match col.index {
            Some(index) => exec!(
                tx,
                sqlx::query(&format!(
                    "UPDATE {table} SET {column} = $1, {index} = $2 WHERE id = $3 AND {column} = \
                     $4"
                ))
                .bind(&sealed)
                .bind(keys.blind_index(&plain))
                .bind(id)
                .bind(&stored)
            )?,
            None => exec!(
                tx,
                sqlx::query(&format!(
                    "UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3"
                ))
                .bind(&sealed)
                .bind(id)
                .bind(&stored)
            )?,
        };
        changed += n;
    }
    Ok(changed)
}

/// How many values are sealed under each key.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct KeyUse {
    pub by_key: Vec<(u32, i64)>,
}

pub async fn key_use(tx: &mut Tx, ids: impl Iterator<Item = u32>) -> Result<KeyUse, sqlx::Error> {
    let mut usage = KeyUse::default();
    for id in ids {
        let mut n = 0;
        for col in ALL {
            n += count_like(tx, *col, &format!("$k{id}$%")).await?;
        }
        usage.by_key.push((id, n));
    }
    Ok(usage)
}

async fn count_like(tx: &mut Tx, col: SealedColumn, pattern: &str) -> Result<i64, sqlx::Error> {
    let SealedColumn { table, column, .. } = col;
    fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} LIKE $1"
        ))
        .bind(pattern)
    )
}

/// Refuses a key ring that cannot open what the database holds, by a full
/// survey: no value may name a key the ring lacks, and one value under each
/// key of the ring that seals anything must open (a ring generated afresh
/// reuses key ids, so the ids alone prove nothing).
pub async fn check(tx: &mut Tx, keys: &KeyRing) -> Result<(), CheckError> {
    for col in ALL {
        let SealedColumn { table, column, .. } = *col;
        let held: Vec<String> = keys
            .ids()
            .map(|id| format!("{column} LIKE '$k{id}$%'"))
            .collect();
        let stranger: Option<String> = fetch!(
            tx,
            fetch_optional,
            sqlx::query_scalar(&format!(
                "SELECT {column} FROM {table} WHERE {column} LIKE '$k%' AND NOT ({}) LIMIT 1",
                held.join(" OR ")
            ))
        )?;
        if let Some(value) = stranger {
            let id = keyring::key_id(&value).ok_or(KeyError::Malformed)?;
            return Err(KeyError::MissingKey(id).into());
        }
    }
    let ids: Vec<u32> = keys.ids().collect();
    check_recorded(tx, keys, &ids).await
}

/// The check for a database whose keys in use are recorded (and held by
/// the ring): the first value found under each of `ids` (any column) must
/// open. A lookup per key, not a scan of every sealed column.
pub async fn check_recorded(tx: &mut Tx, keys: &KeyRing, ids: &[u32]) -> Result<(), CheckError> {
    for id in ids {
        for col in ALL {
            let SealedColumn { table, column, .. } = *col;
            let sample: Option<(RowId, String)> = fetch!(
                tx,
                fetch_optional,
                sqlx::query_as(&format!(
                    "SELECT id, {column} FROM {table} WHERE {column} LIKE $1 LIMIT 1"
                ))
                .bind(format!("$k{id}$%"))
            )?;
            if let Some((row, value)) = sample {
                keys.open(&col.context(row.into()), &value)?;
                break;
            }
        }
    }
    Ok(())
}

/// The key ids recorded as sealing values here; empty until surveyed.
pub async fn recorded_keys(tx: &mut Tx) -> Result<Vec<u32>, sqlx::Error> {
    let ids: Vec<i64> = fetch!(
        tx,
        fetch_all,
        sqlx::query_scalar("SELECT CAST(key_id AS BIGINT) FROM sealing_keys ORDER BY key_id")
    )?;
    Ok(ids
        .into_iter()
        .filter_map(|i| u32::try_from(i).ok())
        .collect())
}

/// Records keys as (possibly) sealing values here.
pub async fn record_keys(
    tx: &mut Tx,
    ids: &[u32],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    for id in ids {
        exec!(
            tx,
            sqlx::query(
                "INSERT INTO sealing_keys (key_id, recorded_at) VALUES ($1, $2) ON CONFLICT DO \
                 NOTHING"
            )
            .bind(i64::from(*id))
            .bind(at)
        )?;
    }
    Ok(())
}

/// Forgets keys that seal nothing any more (after a rotation).
pub async fn forget_keys(tx: &mut Tx, ids: &[u32]) -> Result<(), sqlx::Error> {
    for id in ids {
        exec!(
            tx,
            sqlx::query("DELETE FROM sealing_keys WHERE key_id = $1").bind(i64::from(*id))
        )?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the field-encryption keys do not match this database: {0}")]
    Key(#[from] KeyError),
}
