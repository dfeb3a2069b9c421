//! One-time submissions: the key a form or an API request carries, claimed
//! in the same transaction as the write it made (`Tx::commit`), and the
//! answer that request got, so that a repeat is answered with it.

use crate::domain::ids::{RowId, UserId};
use crate::keyring::KeyRing;
use crate::store::sealed::SUBMISSION_BODY;
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, Ordering};

/// A request's submission key and what it asked for. Shared between the
/// web layer, which reads it off the request and keeps the answer, and the
/// transaction that claims it.
#[derive(Debug)]
pub struct Submission {
    /// The row its claim is stored as (its sealed answer is bound to it).
    id: RowId,
    pub key: String,
    /// SHA-256 (hex) of the method, the path and the body: a repeat asks
    /// for the same thing.
    pub fingerprint: String,
    claimed: AtomicBool,
}

impl Submission {
    pub fn new(key: String, fingerprint: String) -> Self {
        Self {
            id: RowId::new(),
            key,
            fingerprint,
            claimed: AtomicBool::new(false),
        }
    }

    /// Did a write of this request commit, claiming the key?
    pub fn claimed(&self) -> bool {
        self.claimed.load(Ordering::Acquire)
    }

    pub(super) fn set_claimed(&self) {
        self.claimed.store(true, Ordering::Release);
    }
}

/// The answer a claimed submission got.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: i32,
    pub location: Option<String>,
    pub content_type: Option<String>,
    /// Kept sealed: an answer repeats the record it made (a contact's note,
    /// a test's results).
    pub body: String,
}

/// A submission already claimed: what it asked for, and its answer once
/// kept.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub fingerprint: String,
    pub answer: Option<Answer>,
}

/// Claims `submission` for `user` in the caller's transaction; a key
/// already claimed fails as a unique violation (on PostgreSQL after the
/// first claim's transaction ends, so two at once cannot both write).
pub(super) async fn claim(
    tx: &mut Tx,
    user: UserId,
    submission: &Submission,
) -> Result<(), sqlx::Error> {
    let now = tx.now();
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO submissions (id, user_id, key, fingerprint, created_at) VALUES ($1, $2, \
             $3, $4, $5)"
        )
        .bind(submission.id)
        .bind(user)
        .bind(&submission.key)
        .bind(&submission.fingerprint)
        .bind(now)
    )?;
    Ok(())
}

/// Keeps the answer a claimed submission got.
pub async fn keep_answer(
    tx: &mut Tx,
    keys: &KeyRing,
    user: UserId,
    submission: &Submission,
    answer: &Answer,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE submissions SET status = $1, location = $2, content_type = $3, body = $4 \
             WHERE user_id = $5 AND key = $6"
        )
        .bind(answer.status)
        .bind(&answer.location)
        .bind(&answer.content_type)
        .bind(SUBMISSION_BODY.seal(keys, submission.id, &answer.body))
        .bind(user)
        .bind(&submission.key)
    )?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: RowId,
    fingerprint: String,
    status: Option<i32>,
    location: Option<String>,
    content_type: Option<String>,
    body: Option<String>,
}

/// The submission `user` claimed with `key`, if any.
pub async fn find(
    tx: &mut Tx,
    keys: &KeyRing,
    user: UserId,
    key: &str,
) -> Result<Option<Claimed>, sqlx::Error> {
    let row: Option<Row> = fetch!(
        tx,
        fetch_optional,
        sqlx::query_as(
            "SELECT id, fingerprint, status, location, content_type, body FROM submissions \
             WHERE user_id = $1 AND key = $2"
        )
        .bind(user)
        .bind(key)
    )?;
    let Some(r) = row else {
        return Ok(None);
    };
    let body = match r.body {
        Some(sealed) => SUBMISSION_BODY.open(keys, r.id, &sealed)?,
        None => String::new(),
    };
    Ok(Some(Claimed {
        fingerprint: r.fingerprint,
        answer: r.status.map(|status| Answer {
            status,
            location: r.location,
            content_type: r.content_type,
            body,
        }),
    }))
}

/// Forgets the submissions claimed before `before`; returns how many.
pub async fn purge(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    exec!(
        tx,
        sqlx::query("DELETE FROM submissions WHERE created_at < $1").bind(before)
    )
}
