//! The audit trail: append-only (nothing here updates or deletes an event,
//! and triggers refuse it) and hash-chained (see `domain::audit`).

pub mod refusals;

use crate::domain::access::users::Role;
use crate::domain::audit::{
    chain_hash, Action, ActionFilter, ChainedFields, Object, ObjectKind, GENESIS,
};
use crate::domain::ids::{AuditId, UserId};
use crate::domain::labels::Labelled as _;
use crate::store::{exec, fetch};
use crate::store::{Dialect, Tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One audited action. No secrets and no record contents.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub actor: Option<(UserId, Role)>,
    pub source: Option<String>,
    pub action: Action,
    pub object: Option<Object>,
    pub outcome: Outcome,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// The hash of the newest event, which the next one chains from. On
/// PostgreSQL a transaction-scoped advisory lock makes concurrent appenders
/// (from any server) take their turn; SQLite's single writer already does.
async fn chain_head(tx: &mut Tx) -> Result<String, sqlx::Error> {
    if tx.dialect() == Dialect::Postgres {
        exec!(
            tx,
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(AUDIT_CHAIN_LOCK)
        )?;
    }
    let head: Option<String> = fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    )?;
    match head {
        Some(hash) => Ok(hash),
        None => Ok(anchor(tx)
            .await?
            .map_or_else(|| GENESIS.to_owned(), |a| a.hash)),
    }
}

/// Where the retained chain starts: the newest purged event.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

/// The latest anchor, if events were ever purged.
pub async fn anchor(tx: &mut Tx) -> Result<Option<Anchor>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_as("SELECT seq, hash FROM audit_anchors ORDER BY seq DESC LIMIT 1")
    )
}

/// The chain's head and how many events were ever appended (kept and purged),
/// for a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub events: i64,
}

pub async fn head(tx: &mut Tx) -> Result<Option<Head>, sqlx::Error> {
    let newest: Option<(i64, String)> = fetch!(
        tx,
        fetch_optional,
        sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    )?;
    let Some((seq, hash)) = newest else {
        return Ok(None);
    };
    Ok(Some(Head {
        seq,
        hash,
        events: events_through(tx, seq).await?,
    }))
}

/// How many events were appended up to and including `seq`, counting those
/// purged since.
pub async fn events_through(tx: &mut Tx, seq: i64) -> Result<i64, sqlx::Error> {
    let kept: i64 = fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE seq <= $1").bind(seq)
    )?;
    let purged: Option<i64> = fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar("SELECT CAST(SUM(events) AS BIGINT) FROM audit_anchors WHERE seq <= $1")
            .bind(seq)
    )?;
    Ok(kept + purged.unwrap_or(0))
}

/// The hash of the event `seq`, if it is kept.
pub async fn hash_of(tx: &mut Tx, seq: i64) -> Result<Option<String>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1").bind(seq)
    )
}

/// What a purge removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purge {
    pub events: i64,
    pub through_seq: i64,
}

/// Removes the events older than `cutoff`, after recording the newest of
/// them as the anchor the chain continues from. The database refuses
/// anchors younger than six years, whatever `cutoff` says.
pub async fn purge_before(
    tx: &mut Tx,
    cutoff: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Option<Purge>, sqlx::Error> {
    let newest: Option<(i64, String, DateTime<Utc>)> = fetch!(
        tx,
        fetch_optional,
        sqlx::query_as(
            "SELECT seq, hash, at FROM audit_events WHERE at < $1 ORDER BY seq DESC LIMIT 1"
        )
        .bind(cutoff)
    )?;
    let Some((seq, hash, event_at)) = newest else {
        return Ok(None);
    };
    let events: i64 = fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE seq <= $1").bind(seq)
    )?;
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO audit_anchors (seq, hash, at, purged_at, events) VALUES ($1, $2, $3, $4, \
             $5)"
        )
        .bind(seq)
        .bind(&hash)
        .bind(event_at)
        .bind(at)
        .bind(events)
    )?;
    exec!(
        tx,
        sqlx::query("DELETE FROM audit_events WHERE seq <= $1").bind(seq)
    )?;
    Ok(Some(Purge {
        events,
        through_seq: seq,
    }))
}

/// Advisory lock key serializing audit appends on PostgreSQL.
const AUDIT_CHAIN_LOCK: i64 = 0x0042_5741_5544_4954;

/// One event as its row holds it, without its hash.
struct Row<'a> {
    id: AuditId,
    at: DateTime<Utc>,
    actor_id: Option<UserId>,
    actor_role: Option<&'a str>,
    source: Option<&'a str>,
    action: &'a str,
    object_type: Option<&'a str>,
    object_id: Option<AuditId>,
    outcome: &'a str,
    reason: Option<&'a str>,
}

/// The columns of [`Row`], in the order its values are bound.
const ROW_COLUMNS: &[&str] = &[
    "id",
    "at",
    "actor_id",
    "actor_role",
    "source",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "reason",
];

/// Binds a [`Row`]'s values, in [`ROW_COLUMNS`] order, to a query on
/// either backend (a macro, as each backend's query is its own type).
macro_rules! bind_row {
    ($q:expr, $r:expr) => {{
        let r = $r;
        $q.bind(r.id)
            .bind(r.at)
            .bind(r.actor_id)
            .bind(r.actor_role)
            .bind(r.source)
            .bind(r.action)
            .bind(r.object_type)
            .bind(r.object_id)
            .bind(r.outcome)
            .bind(r.reason)
    }};
}

impl NewEvent {
    fn row(&self, id: AuditId) -> Row<'_> {
        let (object_type, object_id) = self.object.map(|o| (o.kind.label(), AuditId(o.id))).unzip();
        Row {
            id,
            at: self.at,
            actor_id: self.actor.map(|a| a.0),
            actor_role: self.actor.map(|a| a.1.label()),
            source: self.source.as_deref(),
            action: self.action.label(),
            object_type,
            object_id,
            outcome: self.outcome.label(),
            reason: self.reason.as_deref(),
        }
    }
}

impl Row<'_> {
    /// The hash of this event chained to `previous`.
    fn hash(&self, previous: &str) -> String {
        let (id, actor, object) = (
            self.id.to_string(),
            self.actor_id.map(|a| a.to_string()),
            self.object_id.map(|o| o.to_string()),
        );
        chain_hash(
            previous,
            &ChainedFields {
                id: &id,
                at: self.at,
                actor_id: actor.as_deref(),
                actor_role: self.actor_role,
                source: self.source,
                action: self.action,
                object_type: self.object_type,
                object_id: object.as_deref(),
                outcome: self.outcome,
                reason: self.reason,
            },
        )
    }
}

/// A chained event as the trail holds it.
#[derive(sqlx::FromRow)]
struct StoredEvent {
    #[sqlx(flatten)]
    fields: StoredFields,
    hash: String,
}

/// An event's stored fields, as the trail and the staging table hold them.
#[derive(sqlx::FromRow)]
struct StoredFields {
    seq: i64,
    id: AuditId,
    at: DateTime<Utc>,
    actor_id: Option<UserId>,
    actor_role: Option<String>,
    source: Option<String>,
    action: String,
    object_type: Option<String>,
    object_id: Option<AuditId>,
    outcome: String,
    reason: Option<String>,
}

impl StoredFields {
    fn row(&self) -> Row<'_> {
        Row {
            id: self.id,
            at: self.at,
            actor_id: self.actor_id,
            actor_role: self.actor_role.as_deref(),
            source: self.source.as_deref(),
            action: &self.action,
            object_type: self.object_type.as_deref(),
            object_id: self.object_id,
            outcome: &self.outcome,
            reason: self.reason.as_deref(),
        }
    }
}

/// Appends events in order, reading the chain's head (and, on PostgreSQL,
/// taking its lock) once for all of them; SQLite's writer batch remembers
/// the head between its turns. SQLite's writes chain their events with it
/// (`Tx::commit`), and its audited reads in a short write after their
/// snapshot; PostgreSQL chains through [`chain_staged`] instead.
pub(in crate::store) async fn append_many(
    tx: &mut Tx,
    events: &[NewEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    let previous = match tx.known_chain_head() {
        Some(head) => head,
        None => chain_head(tx).await?,
    };
    let rows: Vec<Row<'_>> = events.iter().map(|e| e.row(AuditId::new())).collect();
    let head = insert_chained(tx, previous, &rows).await?;
    tx.remember_chain_head(&head);
    Ok(())
}

/// Stages a PostgreSQL write's events, unchained, in its own transaction:
/// they commit with what they record, and the appender chains them
/// afterwards ([`chain_staged`]). No lock is taken, so writes commit in
/// parallel.
pub(in crate::store) async fn stage(tx: &mut Tx, events: &[NewEvent]) -> Result<(), sqlx::Error> {
    stage_into(tx, "audit_staged", events).await
}

/// Stages a SQLite read's events in the reads' file, where they wait to be
/// chained ([`chain_reads`], `store::reads`).
pub(in crate::store) async fn stage_read(
    tx: &mut Tx,
    events: &[NewEvent],
) -> Result<(), sqlx::Error> {
    let table = format!("{}.audit_staged", crate::store::reads::SCHEMA);
    stage_into(tx, &table, events).await
}

async fn stage_into(tx: &mut Tx, table: &str, events: &[NewEvent]) -> Result<(), sqlx::Error> {
    let rows: Vec<Row<'_>> = events.iter().map(|e| e.row(AuditId::new())).collect();
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(ROW_COLUMNS.len())) {
        let sql = crate::store::sql::insert_sql(tx.dialect(), table, ROW_COLUMNS, chunk.len());
        exec!(
            tx,
            chunk
                .iter()
                .fold(sqlx::query(&sql), |q, row| bind_row!(q, row))
        )?;
    }
    Ok(())
}

/// The most staged events one chaining transaction takes.
const MOST_STAGED: i64 = 2_000;

/// Chains the staged events (oldest first), then `events`, onto the trail,
/// under the chain's lock; returns whether staged events are left for
/// another pass. Staged events committed before the lock was taken are all
/// visible here, whichever server staged them.
pub(in crate::store) async fn chain_staged(
    tx: &mut Tx,
    events: &[NewEvent],
) -> Result<bool, sqlx::Error> {
    let previous = chain_head(tx).await?;
    let staged: Vec<StoredFields> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT seq, id, at, actor_id, actor_role, source, action, object_type, object_id, \
             outcome, reason FROM audit_staged ORDER BY seq LIMIT $1"
        )
        .bind(MOST_STAGED)
    )?;
    let rows: Vec<Row<'_>> = staged
        .iter()
        .map(StoredFields::row)
        .chain(events.iter().map(|e| e.row(AuditId::new())))
        .collect();
    if rows.is_empty() {
        return Ok(false);
    }
    insert_chained(tx, previous, &rows).await?;
    if let Some(last) = staged.last() {
        // Only what was chained: a sequence number is taken at insert, not
        // at commit, so an event staged below `last` may have committed
        // since the read above and is not chained yet.
        exec!(
            tx,
            sqlx::query(
                "DELETE FROM audit_staged s WHERE s.seq <= $1 AND EXISTS (SELECT 1 FROM \
                 audit_events e WHERE e.id = s.id)"
            )
            .bind(last.seq)
        )?;
    }
    Ok(staged.len() as i64 == MOST_STAGED)
}

/// SQLite: chains the reads' staged events (oldest first, as many as one
/// transaction takes), after letting go of those an earlier chaining put on
/// the trail; returns whether more wait. An event leaves the reads' file
/// only once the chaining that chained it has committed (chainings take
/// turns, `store::reads`), so a crash at any moment loses none and chains
/// none twice.
pub(in crate::store) async fn chain_reads(tx: &mut Tx) -> Result<bool, sqlx::Error> {
    let staged_table = format!("{}.audit_staged", crate::store::reads::SCHEMA);
    exec!(
        tx,
        sqlx::query(&format!(
            "DELETE FROM {staged_table} WHERE id IN (SELECT s.id FROM {staged_table} s JOIN \
             audit_events e ON e.id = s.id)"
        ))
    )?;
    let staged: Vec<StoredFields> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&format!(
            "SELECT seq, id, at, actor_id, actor_role, source, action, object_type, object_id, \
             outcome, reason FROM {staged_table} ORDER BY seq LIMIT $1"
        ))
        .bind(MOST_STAGED)
    )?;
    if staged.is_empty() {
        return Ok(false);
    }
    let previous = match tx.known_chain_head() {
        Some(head) => head,
        None => chain_head(tx).await?,
    };
    let rows: Vec<Row<'_>> = staged.iter().map(StoredFields::row).collect();
    let head = insert_chained(tx, previous, &rows).await?;
    tx.remember_chain_head(&head);
    Ok(staged.len() as i64 == MOST_STAGED)
}

/// How many staged events wait to be chained (PostgreSQL; none on SQLite).
pub async fn staged(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    match tx.dialect() {
        Dialect::Sqlite => Ok(0),
        Dialect::Postgres => fetch!(
            tx,
            fetch_one,
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_staged")
        ),
    }
}

/// Inserts `rows` chained from `previous`, in order; returns the new head.
async fn insert_chained(
    tx: &mut Tx,
    mut previous: String,
    rows: &[Row<'_>],
) -> Result<String, sqlx::Error> {
    let hashes: Vec<String> = rows
        .iter()
        .map(|r| {
            previous = r.hash(&previous);
            previous.clone()
        })
        .collect();
    let mut columns = ROW_COLUMNS.to_vec();
    columns.push("hash");
    let per_insert = crate::store::sql::rows_per_insert(columns.len());
    for (chunk, hashes) in rows.chunks(per_insert).zip(hashes.chunks(per_insert)) {
        let sql =
            crate::store::sql::insert_sql(tx.dialect(), "audit_events", &columns, chunk.len());
        exec!(
            tx,
            chunk
                .iter()
                .zip(hashes)
                .fold(sqlx::query(&sql), |q, (row, hash)| bind_row!(q, row)
                    .bind(hash))
        )?;
    }
    Ok(previous)
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact {
        events: u64,
    },
    /// The first event whose hash does not follow from the events before it:
    /// it, or one before it, was changed, removed, inserted or reordered.
    Broken {
        events_checked: u64,
        seq: i64,
        at: DateTime<Utc>,
        action: String,
    },
}

/// Recomputes the whole retained chain, a page at a time, from the genesis
/// or from the anchor of the latest purge.
pub async fn verify(tx: &mut Tx) -> Result<Verification, sqlx::Error> {
    const PAGE: i64 = 5_000;
    let (mut previous, mut after) = match anchor(tx).await? {
        Some(a) => (a.hash, a.seq),
        None => (GENESIS.to_owned(), 0_i64),
    };
    let mut checked = 0_u64;
    loop {
        let rows: Vec<StoredEvent> = fetch!(
            tx,
            fetch_all,
            sqlx::query_as(
                "SELECT seq, id, at, actor_id, actor_role, source, action, object_type, object_id, \
                 outcome, reason, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
            )
            .bind(after)
            .bind(PAGE)
        )?;
        let Some(last) = rows.last() else {
            return Ok(Verification::Intact { events: checked });
        };
        after = last.fields.seq;
        for e in &rows {
            let expected = e.fields.row().hash(&previous);
            if expected != e.hash {
                return Ok(Verification::Broken {
                    events_checked: checked,
                    seq: e.fields.seq,
                    at: e.fields.at,
                    action: e.fields.action.clone(),
                });
            }
            previous = expected;
            checked += 1;
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub actor_role: Option<Role>,
    pub action: String,
    pub outcome: String,
    pub reason: Option<String>,
}

/// Who viewed or changed one record, newest first.
pub async fn for_object(
    tx: &mut Tx,
    object: impl Into<Object>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let object = object.into();
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT e.at, u.full_name AS actor_name, e.actor_role, e.action, e.outcome, e.reason \
             FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.object_type = $1 \
             AND e.object_id = $2 ORDER BY e.at DESC, e.seq DESC LIMIT $3"
        )
        .bind(object.kind.label())
        .bind(AuditId(object.id))
        .bind(limit)
    )
}

/// How many events one action has produced (used by tests and the demo summary).
pub async fn count(tx: &mut Tx, action: Action) -> Result<i64, sqlx::Error> {
    fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = $1")
            .bind(action.label())
    )
}

/// What an auditor asks of the trail. Every part narrows the result.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Events on this person's record or on any of their cases.
    pub person: Option<Uuid>,
    /// Events by this user.
    pub actor: Option<UserId>,
    /// One action, or a family of them.
    pub action: Option<ActionFilter>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only events before this sequence number (the next page, newest first).
    pub before_seq: Option<i64>,
}

/// One event as an auditor reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_username: Option<String>,
    pub actor_name: Option<String>,
    pub actor_role: Option<String>,
    pub source: Option<String>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<AuditId>,
    pub outcome: String,
    pub reason: Option<String>,
    /// What names the record to a person: a case or person number, a
    /// username, a program's name; for a case's records, the case's number.
    pub object_label: Option<String>,
}

impl AuditEntry {
    /// The record as people read it: "Case BW-2026-000001", "Condition on
    /// case BW-2026-000001", "Staff account jsmith".
    pub fn record(&self) -> String {
        let Some(kind) = self.object_type.as_deref() else {
            return String::new();
        };
        let title = match ObjectKind::from_label(kind) {
            Ok(k) => k.title(),
            Err(_) => kind,
        };
        match (&self.object_label, ON_A_CASE.contains(&kind)) {
            (Some(label), true) => format!("{title} on case {label}"),
            (Some(label), false) => format!("{title} {label}"),
            (None, _) => title.to_owned(),
        }
    }
}

/// The records of a case, named by the case's number: their kind and table.
const ON_A_CASE: [&str; 7] = [
    "condition",
    "appointment",
    "contact",
    "drug_test",
    "note",
    "alert",
    "assessment",
];

/// The SQL naming an event's record (`object_label`), one lookup by
/// primary key.
fn object_label_sql() -> String {
    let tables = [
        "conditions",
        "appointments",
        "contacts",
        "drug_tests",
        "case_notes",
        "alerts",
        "assessments",
    ];
    let on_a_case: String = ON_A_CASE
        .iter()
        .zip(tables)
        .map(|(kind, table)| {
            format!(
                " WHEN '{kind}' THEN (SELECT c.case_number FROM {table} r JOIN cases c ON c.id = \
                 r.case_id WHERE r.id = e.object_id)"
            )
        })
        .collect();
    format!(
        "CASE e.object_type WHEN 'person' THEN (SELECT person_number FROM people WHERE id = \
         e.object_id) WHEN 'case' THEN (SELECT case_number FROM cases WHERE id = e.object_id) WHEN \
         'user' THEN (SELECT username FROM users WHERE id = e.object_id) WHEN 'program' THEN \
         (SELECT name FROM programs WHERE id = e.object_id) WHEN 'office' THEN (SELECT name FROM \
         offices WHERE id = e.object_id) WHEN 'instrument' THEN (SELECT instrument_id || ' v' || \
         CAST(version AS TEXT) FROM instruments WHERE id = e.object_id){on_a_case} END AS \
         object_label"
    )
}

/// Events matching `q`, newest first.
pub async fn search(
    tx: &mut Tx,
    q: &EventQuery,
    limit: i64,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let mut clauses = vec!["TRUE".to_owned()];
    if q.person.is_some() {
        clauses.push(
            "((e.object_type = 'person' AND e.object_id = $1) OR (e.object_type = 'case' AND \
             e.object_id IN (SELECT id FROM cases WHERE person_id = $1)))"
                .to_owned(),
        );
    }
    if q.actor.is_some() {
        clauses.push("e.actor_id = $2".to_owned());
    }
    if q.action.is_some() {
        clauses.push("e.action LIKE $3 ESCAPE '\\'".to_owned());
    }
    if q.from.is_some() {
        clauses.push("e.at >= $4".to_owned());
    }
    if q.until.is_some() {
        clauses.push("e.at < $5".to_owned());
    }
    if q.before_seq.is_some() {
        clauses.push("e.seq < $6".to_owned());
    }
    let sql = format!(
        "SELECT e.seq, e.at, u.username AS actor_username, u.full_name AS actor_name, \
         e.actor_role, e.source, e.action, e.object_type, e.object_id, e.outcome, e.reason, {} \
         FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id WHERE {} ORDER BY e.seq DESC \
         LIMIT $7",
        object_label_sql(),
        clauses.join(" AND ")
    );
    let action = q.action.map(|f| match f {
        ActionFilter::One(a) => crate::store::people::escape_like(a.label()),
        ActionFilter::Family(f) => format!("{}%", crate::store::people::escape_like(f)),
    });
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql)
            .bind(q.person.map(AuditId))
            .bind(q.actor)
            .bind(action)
            .bind(q.from)
            .bind(q.until)
            .bind(q.before_seq)
            .bind(limit)
    )
}
