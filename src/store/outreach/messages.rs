//! Messages and their durable queue. Claiming is one statement that moves
//! due messages to `sending` under a lease and the claiming server's name
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite), so
//! two servers never take the same message; finishing is conditional on
//! still holding the claim.

use crate::domain::casework::cases::CaseStatus;
use crate::domain::casework::supervision::AppointmentKind;
use crate::domain::ids::{AppointmentId, CaseId, ConditionId, MessageId, PersonId};
use crate::domain::outreach::messages::{Channel, Purpose, Status};
use crate::domain::people::Language;
use crate::keyring::KeyRing;
use crate::store::casework::cases::Scope;
use crate::store::sealed::{MESSAGE_ADDRESS, MESSAGE_BODY, MESSAGE_SUBJECT};
use crate::store::sql::status_in;
use crate::store::{exec, fetch};
use crate::store::{Dialect, Tx};
use chrono::{DateTime, NaiveDate, Utc};

/// A message to store.
pub struct NewMessage<'a> {
    pub id: MessageId,
    pub person_id: PersonId,
    pub case_id: Option<CaseId>,
    pub channel: Channel,
    pub purpose: Purpose,
    /// Names a reminder so that planning it again stores nothing.
    pub dedupe_key: Option<String>,
    pub address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub language: Language,
    /// `Queued` (sent when `at` comes), `Received`, or (the demo's history)
    /// `Delivered` at `at`.
    pub status: Status,
    pub at: DateTime<Utc>,
}

const INSERT: &[&str] = &[
    "id",
    "person_id",
    "case_id",
    "channel",
    "purpose",
    "dedupe_key",
    "address",
    "address_index",
    "subject",
    "body",
    "language",
    "status",
    "next_attempt_at",
    "sent_at",
    "created_at",
    "updated_at",
];

/// Stores messages, skipping any whose `dedupe_key` is already stored;
/// returns how many were stored.
pub async fn insert_many(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[NewMessage<'_>],
) -> Result<u64, sqlx::Error> {
    let mut stored = 0;
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(INSERT.len())) {
        let sql = format!(
            "{} ON CONFLICT DO NOTHING",
            crate::store::sql::insert_sql(tx.dialect(), "messages", INSERT, chunk.len())
        );
        stored += exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, m| {
                let queued = m.status == Status::Queued;
                let sent = matches!(m.status, Status::Sent | Status::Delivered);
                q.bind(m.id)
                    .bind(m.person_id)
                    .bind(m.case_id)
                    .bind(m.channel)
                    .bind(m.purpose)
                    .bind(m.dedupe_key.as_deref())
                    .bind(MESSAGE_ADDRESS.seal(keys, m.id, m.address))
                    .bind(keys.blind_index(m.address))
                    .bind(MESSAGE_SUBJECT.seal(keys, m.id, m.subject))
                    .bind(MESSAGE_BODY.seal(keys, m.id, m.body))
                    .bind(m.language)
                    .bind(m.status)
                    .bind(queued.then_some(m.at))
                    .bind(sent.then_some(m.at))
                    .bind(m.at)
                    .bind(m.at)
            })
        )?;
    }
    Ok(stored)
}

/// How to reach a participant, as their record says.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reach {
    pub person_id: PersonId,
    pub case_id: CaseId,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub preferred_language: Language,
    pub may_text: bool,
    pub may_email: bool,
}

/// An appointment to remind of (or to follow up when missed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentDue {
    pub id: AppointmentId,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub location: Option<String>,
    #[sqlx(flatten)]
    pub reach: Reach,
}

const REACH: &str = "c.id AS case_id, c.person_id, p.phone, p.email, p.preferred_language, \
                     p.may_text, p.may_email";

/// Whom reminders reach: people with a case keeping appointments (not
/// suspended, not ended) who agreed to texts or e-mail.
fn reachable() -> String {
    format!(
        "{} AND (p.may_text OR p.may_email)",
        status_in("c", CaseStatus::KEEPING_APPOINTMENTS)
    )
}

/// How to reach the participant of `case`, if they agreed to texts or e-mail.
pub async fn reach_of(tx: &mut Tx, case: CaseId) -> Result<Option<Reach>, sqlx::Error> {
    let sql = format!(
        "SELECT {REACH} FROM cases c JOIN people p ON p.id = c.person_id WHERE c.id = $1 AND \
         (p.may_text OR p.may_email)"
    );
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(case))
}

/// Withdraws the reminders of `case` still waiting to be sent; returns how
/// many.
pub async fn withdraw_reminders(
    tx: &mut Tx,
    case: CaseId,
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let reminders: Vec<String> = Purpose::REMINDERS
        .iter()
        .map(|p| format!("'{}'", p.label()))
        .collect();
    let sql = format!(
        "UPDATE messages SET status = 'cancelled', next_attempt_at = NULL, updated_at = $1 \
         WHERE case_id = $2 AND status = 'queued' AND purpose IN ({})",
        reminders.join(", ")
    );
    exec!(tx, sqlx::query(&sql).bind(at).bind(case))
}

/// Withdraws the reminders still waiting to be sent for `appointments`
/// (moved or called off one by one); returns how many.
pub async fn withdraw_appointment_reminders(
    tx: &mut Tx,
    appointments: &[AppointmentId],
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let mut withdrawn = 0;
    for id in appointments {
        withdrawn += exec!(
            tx,
            sqlx::query(
                "UPDATE messages SET status = 'cancelled', next_attempt_at = NULL, updated_at = \
                 $1 WHERE status = 'queued' AND dedupe_key >= $2 AND dedupe_key < $3"
            )
            .bind(at)
            // Every key starting `appointment:{id}:` (';' follows ':').
            .bind(format!("appointment:{id}:"))
            .bind(format!("appointment:{id};"))
        )?;
    }
    Ok(withdrawn)
}

/// Appointments starting in `(after, until]`; with `pending`, only those
/// without an outcome yet.
pub async fn appointments_between(
    tx: &mut Tx,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
    pending: bool,
) -> Result<Vec<AppointmentDue>, sqlx::Error> {
    let sql = format!(
        "SELECT a.id, a.kind, a.starts_at, a.location, {REACH} FROM appointments a JOIN cases c ON \
         c.id = a.case_id JOIN people p ON p.id = c.person_id WHERE {reachable} AND ($3 = FALSE OR \
         a.outcome IS NULL) AND a.starts_at > $1 AND a.starts_at <= $2",
        reachable = reachable()
    );
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql).bind(after).bind(until).bind(pending)
    )
}

/// Appointments recorded as missed in `(after, until]`.
pub async fn missed_between(
    tx: &mut Tx,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<AppointmentDue>, sqlx::Error> {
    let sql = format!(
        "SELECT a.id, a.kind, a.starts_at, a.location, {REACH} FROM appointments a JOIN cases c ON \
         c.id = a.case_id JOIN people p ON p.id = c.person_id WHERE {reachable} AND a.outcome = \
         'missed' AND a.outcome_at > $1 AND a.outcome_at <= $2",
        reachable = reachable()
    );
    fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(after).bind(until))
}

/// A condition falling due, not yet met.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConditionDue {
    pub id: ConditionId,
    pub due_date: NaiveDate,
    #[sqlx(flatten)]
    pub reach: Reach,
}

/// Unmet conditions due from `from` to `to`.
pub async fn conditions_due(
    tx: &mut Tx,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ConditionDue>, sqlx::Error> {
    let sql = format!(
        "SELECT k.id, k.due_date, {REACH} FROM conditions k JOIN cases c ON c.id = k.case_id JOIN \
         people p ON p.id = c.person_id WHERE {reachable} AND k.due_date >= $1 AND k.due_date <= \
         $2 AND k.marked_met_at IS NULL AND (k.court_action IS NULL OR k.court_action <> 'waived') \
         AND (k.target IS NULL OR COALESCE((SELECT SUM(x.amount) FROM condition_progress x WHERE \
         x.condition_id = k.id), 0) < k.target)",
        reachable = reachable()
    );
    fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(from).bind(to))
}

/// Cancels due messages to people who have since withdrawn consent for
/// the channel (replies to STOP and the like still go). Driven by the due
/// queue, so each pass costs what is about to be sent, not the people table.
pub async fn cancel_withdrawn(tx: &mut Tx, at: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE messages SET status = 'cancelled', error = 'the participant withdrew consent \
             for this channel', next_attempt_at = NULL, updated_at = $1 WHERE status = 'queued' \
             AND next_attempt_at <= $1 AND purpose <> 'reply' AND EXISTS (SELECT 1 FROM people p \
             WHERE p.id = messages.person_id AND CASE messages.channel WHEN 'sms' THEN NOT \
             p.may_text ELSE NOT p.may_email END)"
        )
        .bind(at)
    )
}

/// Fails messages whose sender stopped mid-send (the lease ran out): they
/// may have gone, so they are not sent again.
pub async fn expire_leases(tx: &mut Tx, at: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE messages SET status = 'failed', error = 'outcome unknown: the sending server \
             stopped before recording it; not sent again, to avoid a duplicate', claimed_by = \
             NULL, lease_until = NULL, updated_at = $1 WHERE status = 'sending' AND lease_until < \
             $1"
        )
        .bind(at)
    )
}

/// A message claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: MessageId,
    pub channel: Channel,
    pub address: String,
    pub subject: String,
    pub body: String,
    /// Including this one.
    pub attempts: i32,
}

#[derive(sqlx::FromRow)]
struct StoredClaim {
    id: MessageId,
    channel: Channel,
    address: String,
    subject: Option<String>,
    body: String,
    attempts: i32,
}

/// Claims up to `limit` due messages for `worker` until `lease_until`.
pub async fn claim(
    tx: &mut Tx,
    keys: &KeyRing,
    worker: &str,
    at: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let lock = match tx.dialect() {
        Dialect::Sqlite => "",
        Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    let sql = format!(
        "UPDATE messages SET status = 'sending', claimed_by = $1, lease_until = $2, attempts = \
         attempts + 1, updated_at = $3 WHERE status = 'queued' AND id IN (SELECT id FROM messages \
         WHERE status = 'queued' AND next_attempt_at <= $3 ORDER BY next_attempt_at LIMIT $4 \
         {lock}) RETURNING id, channel, address, subject, body, CAST(attempts AS INTEGER) AS \
         attempts"
    );
    let rows: Vec<StoredClaim> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql)
            .bind(worker)
            .bind(lease_until)
            .bind(at)
            .bind(limit)
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(Claimed {
                address: MESSAGE_ADDRESS.open(keys, r.id, &r.address)?,
                subject: r
                    .subject
                    .map(|s| MESSAGE_SUBJECT.open(keys, r.id, &s))
                    .transpose()?
                    .unwrap_or_default(),
                body: MESSAGE_BODY.open(keys, r.id, &r.body)?,
                id: r.id,
                channel: r.channel,
                attempts: r.attempts,
            })
        })
        .collect()
}

/// How a send ended.
pub struct Finished<'a> {
    pub id: MessageId,
    pub worker: &'a str,
    pub status: Status,
    pub provider_id: Option<&'a str>,
    pub error: Option<&'a str>,
    /// When to try again (`status` is then `Queued`).
    pub retry_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// Records how a send ended, if `worker` still holds the message.
pub async fn finish(tx: &mut Tx, f: &Finished<'_>) -> Result<bool, sqlx::Error> {
    let sent_at = matches!(f.status, Status::Sent).then_some(f.at);
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE messages SET status = $1, provider_id = $2, error = $3, next_attempt_at = $4, \
             sent_at = $5, claimed_by = NULL, lease_until = NULL, updated_at = $6 WHERE id = $7 \
             AND claimed_by = $8 AND status = 'sending'"
        )
        .bind(f.status)
        .bind(f.provider_id)
        .bind(f.error)
        .bind(f.retry_at)
        .bind(sent_at)
        .bind(f.at)
        .bind(f.id)
        .bind(f.worker)
    )?;
    Ok(n == 1)
}

/// Records a gateway's delivery report on a sent message.
pub async fn report_delivery(
    tx: &mut Tx,
    provider_id: &str,
    status: Status,
    error: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Option<MessageId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar(
            "UPDATE messages SET status = $1, error = COALESCE($2, error), updated_at = $3 WHERE \
             provider_id = $4 AND status IN ('sent', 'delivered') RETURNING id"
        )
        .bind(status)
        .bind(error)
        .bind(at)
        .bind(provider_id)
    )
}

/// Whose case the latest text to this number was about.
pub async fn latest_texted(
    tx: &mut Tx,
    keys: &KeyRing,
    phone: &str,
) -> Result<Option<(PersonId, Option<CaseId>, Language)>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_as(
            "SELECT person_id, case_id, language FROM messages WHERE address_index = $1 AND \
             channel = 'sms' AND purpose <> 'inbound' ORDER BY created_at DESC, id DESC LIMIT 1"
        )
        .bind(keys.blind_index(phone))
    )
}

/// A message as the timeline shows it.
#[derive(Debug, Clone)]
pub struct MessageRow {
    pub id: MessageId,
    pub channel: Channel,
    pub purpose: Purpose,
    pub status: Status,
    pub body: String,
    pub attempts: i32,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    id: MessageId,
    channel: Channel,
    purpose: Purpose,
    status: Status,
    body: String,
    attempts: i32,
    error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

/// A case's messages, newest first.
pub async fn of_case(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
    limit: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let rows: Vec<StoredRow> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT id, channel, purpose, status, body, CAST(attempts AS INTEGER) AS attempts, \
             error, created_at, sent_at FROM messages WHERE case_id = $1 ORDER BY created_at DESC, \
             id DESC LIMIT $2"
        )
        .bind(case)
        .bind(limit)
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(MessageRow {
                body: MESSAGE_BODY.open(keys, r.id, &r.body)?,
                id: r.id,
                channel: r.channel,
                purpose: r.purpose,
                status: r.status,
                attempts: r.attempts,
                error: r.error,
                created_at: r.created_at,
                sent_at: r.sent_at,
            })
        })
        .collect()
}

/// A message that could not be delivered, for the officer to act on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Undelivered {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub person_name: String,
    pub channel: Channel,
    pub purpose: Purpose,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

/// How many messages to the participants of the cases in `scope` went out
/// since `sent_since`, and those that failed since `failed_since` (newest first).
pub async fn outcomes(
    tx: &mut Tx,
    scope: &Scope,
    sent_since: DateTime<Utc>,
    failed_since: DateTime<Utc>,
    limit: i64,
) -> Result<(i64, Vec<Undelivered>), sqlx::Error> {
    let (scope_sql, user, court) = scope.sql("m.case_id");
    // From the index alone: `messages_sent` holds the case, time and status.
    let sent_sql = format!(
        "SELECT COUNT(*) FROM messages m WHERE m.sent_at IS NOT NULL AND m.sent_at >= $3 AND \
         m.status IN ('sent', 'delivered') AND {scope_sql}"
    );
    let sent: i64 = fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar(&sent_sql)
            .bind(user)
            .bind(court.as_deref())
            .bind(sent_since)
    )?;
    let failed_sql = format!(
        "SELECT m.case_id, c.person_id, (SELECT p.last_name || ', ' || p.first_name FROM people p \
         WHERE p.id = c.person_id) AS person_name, m.channel, m.purpose, m.error, m.updated_at AS \
         at FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.status = 'failed' AND \
         m.updated_at >= $3 AND {scope_sql} ORDER BY m.updated_at DESC, m.id DESC LIMIT $4"
    );
    let failed = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&failed_sql)
            .bind(user)
            .bind(court.as_deref())
            .bind(failed_since)
            .bind(limit)
    )?;
    Ok((sent, failed))
}
