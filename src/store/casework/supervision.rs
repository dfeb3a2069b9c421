//! Supervision levels, appointments and contacts.

use crate::domain::casework::supervision::{
    AppointmentKind, Booking, Collateral, ContactKind, MonthContacts, Outcome, SupervisionLevel,
};
use crate::domain::ids::{AppointmentId, CaseId, ContactId, RowId, UserId};
use crate::keyring::KeyRing;
use crate::store::sealed::CONTACT_NOTE;
use crate::store::{exec, fetch};
use crate::store::{Dialect, Tx};
use chrono::{DateTime, Utc};

/// A case's supervision level and the case's version (which setting the
/// level names).
pub async fn level(
    tx: &mut Tx,
    case: CaseId,
) -> Result<(Option<SupervisionLevel>, i64), sqlx::Error> {
    fetch!(
        tx,
        fetch_one,
        sqlx::query_as("SELECT supervision_level, version FROM cases WHERE id = $1").bind(case)
    )
}

/// Sets one level on many cases at once (bulk loads), without touching
/// their versions.
pub async fn set_level_of_many(
    tx: &mut Tx,
    level: SupervisionLevel,
    cases: &[CaseId],
) -> Result<(), sqlx::Error> {
    for chunk in cases.chunks(crate::store::sql::CASES_PER_UPDATE) {
        let sql = crate::store::sql::update_cases_sql("supervision_level", chunk.len());
        exec!(
            tx,
            chunk
                .iter()
                .fold(sqlx::query(&sql).bind(level), |q, id| q.bind(*id))
        )?;
    }
    Ok(())
}

/// Sets a case's supervision level if the case is still at `version`;
/// false when someone changed it since.
pub async fn set_level(
    tx: &mut Tx,
    case: CaseId,
    version: i64,
    level: Option<SupervisionLevel>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = exec!(
        tx,
        sqlx::query(
            "UPDATE cases SET supervision_level = $1, updated_at = $2, version = version + 1 WHERE \
             id = $3 AND version = $4"
        )
        .bind(level)
        .bind(now)
        .bind(case)
        .bind(version)
    )?;
    Ok(changed == 1)
}

/// A supervision level set on a case, as its history keeps it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LevelSet {
    pub level: Option<SupervisionLevel>,
    /// What the latest assessment recommended then.
    pub recommended: Option<SupervisionLevel>,
    /// Why the level differs from the recommended one.
    pub reason: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A level set on a case, to keep.
pub struct NewLevelSet<'a> {
    pub case: CaseId,
    pub level: Option<SupervisionLevel>,
    pub recommended: Option<SupervisionLevel>,
    pub reason: Option<&'a str>,
    pub actor: UserId,
    pub at: DateTime<Utc>,
}

/// Keeps a level set on a case in its history.
pub async fn record_level(tx: &mut Tx, set: &NewLevelSet<'_>) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO supervision_levels (id, case_id, level, recommended, reason, actor_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(RowId::new())
        .bind(set.case)
        .bind(set.level)
        .bind(set.recommended)
        .bind(set.reason)
        .bind(set.actor)
        .bind(set.at)
    )?;
    Ok(())
}

/// The levels set on a case, newest first.
pub async fn level_history(
    tx: &mut Tx,
    case: CaseId,
    limit: i64,
) -> Result<Vec<LevelSet>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT s.level, s.recommended, s.reason, u.full_name AS actor, s.at FROM \
             supervision_levels s JOIN users u ON u.id = s.actor_id WHERE s.case_id = $1 ORDER BY \
             s.at DESC LIMIT $2"
        )
        .bind(case)
        .bind(limit)
    )
}

/// An appointment as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentRow {
    pub id: AppointmentId,
    pub case_id: CaseId,
    /// Shared by the occurrences of one weekly series.
    pub series_id: Option<AppointmentId>,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub outcome: Option<Outcome>,
    pub outcome_note: Option<String>,
    pub outcome_at: Option<DateTime<Utc>>,
    pub version: i64,
}

const APPOINTMENT_COLUMNS: &str = "id, case_id, series_id, kind, starts_at, duration_minutes, \
                                   location, outcome, outcome_note, outcome_at, version";

/// Appointments to store.
pub struct NewAppointment<'a> {
    pub id: AppointmentId,
    pub case_id: CaseId,
    pub series_id: Option<AppointmentId>,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: Option<&'a str>,
    pub created_by: UserId,
    /// Set when loading history (the demo); new appointments have none.
    pub outcome: Option<Outcome>,
}

impl NewAppointment<'_> {
    /// The appointment as double booking sees it.
    pub fn booking(&self) -> Booking {
        Booking {
            case: self.case_id,
            kind: self.kind,
            starts_at: self.starts_at,
            minutes: self.duration_minutes,
        }
    }
}

const APPOINTMENT_INSERT: &[&str] = &[
    "id",
    "case_id",
    "series_id",
    "kind",
    "starts_at",
    "duration_minutes",
    "location",
    "created_by",
    "created_at",
    "outcome",
    "outcome_by",
    "outcome_at",
];

pub async fn insert_appointments(
    tx: &mut Tx,
    rows: &[NewAppointment<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(APPOINTMENT_INSERT.len())) {
        let sql = crate::store::sql::insert_sql(
            tx.dialect(),
            "appointments",
            APPOINTMENT_INSERT,
            chunk.len(),
        );
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, a| {
                q.bind(a.id)
                    .bind(a.case_id)
                    .bind(a.series_id)
                    .bind(a.kind)
                    .bind(a.starts_at)
                    .bind(a.duration_minutes)
                    .bind(a.location)
                    .bind(a.created_by)
                    .bind(now)
                    .bind(a.outcome)
                    .bind(a.outcome.map(|_| a.created_by))
                    .bind(a.outcome.map(|_| a.starts_at))
            })
        )?;
    }
    Ok(())
}

pub async fn appointment(
    tx: &mut Tx,
    id: AppointmentId,
) -> Result<Option<AppointmentRow>, sqlx::Error> {
    let sql = format!("SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

/// Which side of a moment a list of appointments looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// At or after it, soonest first.
    From(DateTime<Utc>),
    /// Before it, latest first.
    Before(DateTime<Utc>),
}

/// A case's appointments on one side of a moment, at most `limit`.
pub async fn appointments(
    tx: &mut Tx,
    case: CaseId,
    when: When,
    limit: i64,
) -> Result<Vec<AppointmentRow>, sqlx::Error> {
    let (clause, at) = match when {
        When::From(at) => ("starts_at >= $2 ORDER BY starts_at, id", at),
        When::Before(at) => ("starts_at < $2 ORDER BY starts_at DESC, id DESC", at),
    };
    let sql = format!(
        "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE case_id = $1 AND {clause} LIMIT $3"
    );
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql).bind(case).bind(at).bind(limit)
    )
}

/// Records an outcome if `version` is current.
pub async fn set_outcome(
    tx: &mut Tx,
    id: AppointmentId,
    version: i64,
    outcome: Outcome,
    note: Option<&str>,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE appointments SET outcome = $1, outcome_note = $2, outcome_by = $3, outcome_at \
             = $4, version = version + 1 WHERE id = $5 AND version = $6"
        )
        .bind(outcome)
        .bind(note)
        .bind(by)
        .bind(at)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// The occurrences of `series` starting at or after `from` with no outcome
/// yet, in time order.
pub async fn series_ahead(
    tx: &mut Tx,
    series: AppointmentId,
    from: DateTime<Utc>,
) -> Result<Vec<AppointmentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE series_id = $1 AND starts_at >= $2 \
         AND outcome IS NULL ORDER BY starts_at, id"
    );
    fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(series).bind(from))
}

/// An appointment's new time and particulars.
pub struct Moved<'a> {
    pub id: AppointmentId,
    /// The version loaded: a change since refuses the move.
    pub version: i64,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: Option<&'a str>,
}

impl Moved<'_> {
    /// The move as double booking sees it.
    pub fn booking(&self, case: CaseId) -> Booking {
        Booking {
            case,
            kind: self.kind,
            starts_at: self.starts_at,
            minutes: self.duration_minutes,
        }
    }
}

/// Moves or edits an appointment still to be kept, if `version` is
/// current; false when it changed or got an outcome since.
pub async fn reschedule(tx: &mut Tx, m: &Moved<'_>) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE appointments SET kind = $1, starts_at = $2, duration_minutes = $3, location = \
             $4, version = version + 1 WHERE id = $5 AND version = $6 AND outcome IS NULL"
        )
        .bind(m.kind)
        .bind(m.starts_at)
        .bind(m.duration_minutes)
        .bind(m.location)
        .bind(m.id)
        .bind(m.version)
    )?;
    Ok(n == 1)
}

/// An appointment someone is booked for, as double booking sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Booked {
    pub id: AppointmentId,
    pub case_id: CaseId,
    pub case_number: String,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
}

impl Booked {
    pub fn booking(&self) -> Booking {
        Booking {
            case: self.case_id,
            kind: self.kind,
            starts_at: self.starts_at,
            minutes: self.duration_minutes,
        }
    }
}

/// The class of the advisory locks that serialize bookings (PostgreSQL's
/// two-number keys, a space apart from the audit chain's one-number key).
const BOOKINGS_LOCK: i32 = 7301;

/// Holds the bookings of `officer` (or, with none, of `case`) until the
/// transaction ends, so that two bookings at once cannot both find the time
/// free. SQLite's single writer serializes them already; on PostgreSQL a
/// transaction-scoped advisory lock keyed by the holder does.
pub async fn hold_bookings(
    tx: &mut Tx,
    case: CaseId,
    officer: Option<UserId>,
) -> Result<(), sqlx::Error> {
    if tx.dialect() != Dialect::Postgres {
        return Ok(());
    }
    let holder = officer.map_or_else(|| uuid::Uuid::from(case), uuid::Uuid::from);
    let bytes = holder.as_bytes();
    let key = i32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]);
    exec!(
        tx,
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(BOOKINGS_LOCK)
            .bind(key)
    )?;
    Ok(())
}

/// The appointments starting in `[from, until)` that are still to be kept
/// (or were kept), on `case` or on any case `officer` holds.
pub async fn booked(
    tx: &mut Tx,
    case: CaseId,
    officer: Option<UserId>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Booked>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT a.id, a.case_id, c.case_number, a.kind, a.starts_at, a.duration_minutes FROM \
             appointments a JOIN cases c ON c.id = a.case_id WHERE a.starts_at >= $1 AND \
             a.starts_at < $2 AND (a.outcome IS NULL OR a.outcome = $3) AND (a.case_id = $4 OR \
             c.officer_id = $5) ORDER BY a.starts_at"
        )
        .bind(from)
        .bind(until)
        .bind(Outcome::Attended)
        .bind(case)
        .bind(officer)
    )
}

/// Calls off the appointments of `case` still ahead of `after` with no
/// outcome, court dates apart (the court's to move); returns how many.
pub async fn call_off_ahead(
    tx: &mut Tx,
    case: CaseId,
    after: DateTime<Utc>,
    note: &str,
    by: UserId,
) -> Result<u64, sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE appointments SET outcome = $1, outcome_note = $2, outcome_by = $3, \
             outcome_at = $4, version = version + 1 WHERE case_id = $5 AND outcome IS NULL AND \
             starts_at > $4 AND kind <> $6"
        )
        .bind(Outcome::Cancelled)
        .bind(note)
        .bind(by)
        .bind(after)
        .bind(case)
        .bind(AppointmentKind::CourtDate)
    )
}

/// A contact, as stored and shown.
#[derive(Debug, Clone)]
pub struct ContactRow {
    pub id: ContactId,
    pub kind: ContactKind,
    pub occurred_at: DateTime<Utc>,
    pub place: Option<String>,
    /// Absent for a contact with the participant.
    pub collateral: Option<Collateral>,
    pub collateral_name: Option<String>,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
}

/// A contact to store.
pub struct NewContact<'a> {
    pub id: ContactId,
    pub case_id: CaseId,
    pub kind: ContactKind,
    pub occurred_at: DateTime<Utc>,
    pub place: Option<&'a str>,
    pub collateral: Option<Collateral>,
    pub collateral_name: Option<&'a str>,
    pub note: Option<&'a str>,
    pub recorded_by: UserId,
}

const CONTACT_INSERT: &[&str] = &[
    "id",
    "case_id",
    "kind",
    "occurred_at",
    "place",
    "collateral",
    "collateral_name",
    "note",
    "recorded_by",
    "recorded_at",
];

pub async fn insert_contacts(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[NewContact<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(CONTACT_INSERT.len())) {
        let sql =
            crate::store::sql::insert_sql(tx.dialect(), "contacts", CONTACT_INSERT, chunk.len());
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, c| {
                q.bind(c.id)
                    .bind(c.case_id)
                    .bind(c.kind)
                    .bind(c.occurred_at)
                    .bind(c.place)
                    .bind(c.collateral)
                    .bind(c.collateral_name)
                    .bind(c.note.map(|n| CONTACT_NOTE.seal(keys, c.id, n)))
                    .bind(c.recorded_by)
                    .bind(now)
            })
        )?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredContact {
    id: ContactId,
    kind: ContactKind,
    occurred_at: DateTime<Utc>,
    place: Option<String>,
    collateral: Option<Collateral>,
    collateral_name: Option<String>,
    note: Option<String>,
    recorded_by: Option<String>,
}

/// A case's latest contacts, newest first.
pub async fn contacts(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
    limit: i64,
) -> Result<Vec<ContactRow>, sqlx::Error> {
    let rows: Vec<StoredContact> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT c.id, c.kind, c.occurred_at, c.place, c.collateral, c.collateral_name, c.note, \
             u.full_name AS recorded_by FROM contacts c LEFT JOIN users u ON u.id = c.recorded_by \
             WHERE c.case_id = $1 ORDER BY c.occurred_at DESC, c.id DESC LIMIT $2"
        )
        .bind(case)
        .bind(limit)
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(ContactRow {
                note: r
                    .note
                    .map(|n| CONTACT_NOTE.open(keys, r.id, &n))
                    .transpose()?,
                id: r.id,
                kind: r.kind,
                occurred_at: r.occurred_at,
                place: r.place,
                collateral: r.collateral,
                collateral_name: r.collateral_name,
                recorded_by: r.recorded_by,
            })
        })
        .collect()
}

/// Contacts with the participant (not collateral ones) between two times.
/// When the case's participant was last contacted, by any means (as the
/// no-contact alert counts: a collateral contact is not one).
pub async fn last_contact(tx: &mut Tx, case: CaseId) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    fetch!(
        tx,
        fetch_one,
        sqlx::query_scalar(
            "SELECT MAX(occurred_at) FROM contacts WHERE case_id = $1 AND collateral IS NULL"
        )
        .bind(case)
    )
}

pub async fn month_contacts(
    tx: &mut Tx,
    case: CaseId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<MonthContacts, sqlx::Error> {
    let (contacts, home): (i64, i64) = fetch!(
        tx,
        fetch_one,
        sqlx::query_as(
            "SELECT COUNT(*), COUNT(CASE WHEN kind = 'home' THEN 1 END) FROM contacts WHERE \
             case_id = $1 AND collateral IS NULL AND kind <> 'written' AND occurred_at >= $2 AND \
             occurred_at < $3"
        )
        .bind(case)
        .bind(from)
        .bind(until)
    )?;
    Ok(MonthContacts {
        contacts: u32::try_from(contacts).unwrap_or(u32::MAX),
        home_visits: u32::try_from(home).unwrap_or(u32::MAX),
    })
}

/// The case a contact was logged on.
pub async fn contact_case(tx: &mut Tx, contact: ContactId) -> Result<Option<CaseId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT case_id FROM contacts WHERE id = $1").bind(contact)
    )
}

/// A weekly series of a case, as a plan's step linked to it reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeriesRow {
    pub series_id: AppointmentId,
    pub kind: AppointmentKind,
    pub first_at: DateTime<Utc>,
    /// Occurrences attended or excused.
    pub kept: i64,
    pub missed: i64,
    /// Occurrences still ahead of `now`, not called off.
    pub ahead: i64,
}

/// A case's weekly series, oldest first.
pub async fn series_of_case(
    tx: &mut Tx,
    case: CaseId,
    now: DateTime<Utc>,
) -> Result<Vec<SeriesRow>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT series_id, MIN(kind) AS kind, MIN(starts_at) AS first_at, COALESCE(SUM(CASE \
             WHEN outcome IN ('attended', 'excused') THEN 1 ELSE 0 END), 0) AS kept, \
             COALESCE(SUM(CASE WHEN outcome = 'missed' THEN 1 ELSE 0 END), 0) AS missed, \
             COALESCE(SUM(CASE WHEN outcome IS NULL AND starts_at >= $2 THEN 1 ELSE 0 END), 0) \
             AS ahead FROM appointments WHERE case_id = $1 AND series_id IS NOT NULL GROUP BY \
             series_id ORDER BY MIN(starts_at)"
        )
        .bind(case)
        .bind(now)
    )
}
