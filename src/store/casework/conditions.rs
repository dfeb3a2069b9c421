//! Conditions of supervision, their progress entries, and per-program templates.

use crate::domain::casework::conditions::{
    ConditionKind, CourtAction, Quantity, Unit, Verification,
};
use crate::domain::ids::{CaseId, ConditionId, ProgramId, RowId, TemplateId, UserId};
use crate::keyring::KeyRing;
use crate::store::sealed::{CONDITION_DETAILS, PROGRESS_NOTE};
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, NaiveDate, Utc};

/// The terms of a condition: what, how much, by when.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub kind: ConditionKind,
    pub title: String,
    pub details: Option<String>,
    pub target: Option<(Quantity, Unit)>,
    pub due_date: Option<NaiveDate>,
}

/// A condition as stored, with its progress totals.
#[derive(Debug, Clone)]
pub struct ConditionRow {
    pub id: ConditionId,
    pub case_id: CaseId,
    pub terms: Terms,
    pub start_date: NaiveDate,
    pub marked_met_at: Option<DateTime<Utc>>,
    pub court_action: Option<CourtAction>,
    pub court_order_date: Option<NaiveDate>,
    pub court_order_reason: Option<String>,
    pub done: Quantity,
    pub entries: i64,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: ConditionId,
    case_id: CaseId,
    kind: ConditionKind,
    title: String,
    details: Option<String>,
    target: Option<i64>,
    unit: Option<Unit>,
    start_date: NaiveDate,
    due_date: Option<NaiveDate>,
    marked_met_at: Option<DateTime<Utc>>,
    court_action: Option<CourtAction>,
    court_order_date: Option<NaiveDate>,
    court_order_reason: Option<String>,
    done: i64,
    entries: i64,
    version: i64,
}

impl Stored {
    fn open(self, keys: &KeyRing) -> Result<ConditionRow, sqlx::Error> {
        let details = self
            .details
            .map(|d| CONDITION_DETAILS.open(keys, self.id, &d))
            .transpose()?;
        Ok(ConditionRow {
            id: self.id,
            case_id: self.case_id,
            terms: Terms {
                kind: self.kind,
                title: self.title,
                details,
                target: self.target.zip(self.unit).map(|(t, u)| (Quantity(t), u)),
                due_date: self.due_date,
            },
            start_date: self.start_date,
            marked_met_at: self.marked_met_at,
            court_action: self.court_action,
            court_order_date: self.court_order_date,
            court_order_reason: self.court_order_reason,
            done: Quantity(self.done),
            entries: self.entries,
            version: self.version,
        })
    }
}

const SELECT: &str = "SELECT c.id, c.case_id, c.kind, c.title, c.details, c.target, c.unit, \
                      c.start_date, c.due_date, c.marked_met_at, c.court_action, \
                      c.court_order_date, c.court_order_reason, c.version, \
                      CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) AS done, COUNT(p.id) AS entries \
                      FROM conditions c LEFT JOIN condition_progress p ON p.condition_id = c.id";

const GROUP: &str = "GROUP BY c.id, c.case_id, c.kind, c.title, c.details, c.target, c.unit, \
                     c.start_date, c.due_date, c.marked_met_at, c.court_action, \
                     c.court_order_date, c.court_order_reason, c.version";

/// A case's conditions, by due date (undated last), then title.
pub async fn of_case(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
) -> Result<Vec<ConditionRow>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE c.case_id = $1 {GROUP} ORDER BY c.due_date IS NULL, c.due_date, c.title, c.id"
    );
    let rows: Vec<Stored> = fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(case))?;
    rows.into_iter().map(|r| r.open(keys)).collect()
}

pub async fn get(
    tx: &mut Tx,
    keys: &KeyRing,
    id: ConditionId,
) -> Result<Option<ConditionRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE c.id = $1 {GROUP}");
    let row: Option<Stored> = fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))?;
    row.map(|r| r.open(keys)).transpose()
}

/// A condition to store.
pub struct NewCondition<'a> {
    pub id: ConditionId,
    pub case_id: CaseId,
    pub template_id: Option<TemplateId>,
    pub terms: &'a Terms,
    pub start_date: NaiveDate,
}

const CONDITION_INSERT: &[&str] = &[
    "id",
    "case_id",
    "template_id",
    "kind",
    "title",
    "details",
    "target",
    "unit",
    "start_date",
    "due_date",
    "created_at",
    "updated_at",
];

pub async fn insert_many(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[NewCondition<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(CONDITION_INSERT.len())) {
        let sql = crate::store::sql::insert_sql(
            tx.dialect(),
            "conditions",
            CONDITION_INSERT,
            chunk.len(),
        );
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, c| {
                let t = c.terms;
                q.bind(c.id)
                    .bind(c.case_id)
                    .bind(c.template_id)
                    .bind(t.kind)
                    .bind(&t.title)
                    .bind(
                        t.details
                            .as_ref()
                            .map(|d| CONDITION_DETAILS.seal(keys, c.id, d)),
                    )
                    .bind(t.target.map(|(q, _)| q.0))
                    .bind(t.target.map(|(_, u)| u))
                    .bind(c.start_date)
                    .bind(t.due_date)
                    .bind(now)
                    .bind(now)
            })
        )?;
    }
    Ok(())
}

/// Replaces a condition's terms and court action if `version` is current.
pub async fn update(
    tx: &mut Tx,
    keys: &KeyRing,
    id: ConditionId,
    version: i64,
    terms: &Terms,
    court: Option<(CourtAction, NaiveDate, &str)>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE conditions SET kind = $1, title = $2, details = $3, target = $4, unit = $5, \
             due_date = $6, court_action = $7, court_order_date = $8, court_order_reason = $9, \
             updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12"
        )
        .bind(terms.kind)
        .bind(&terms.title)
        .bind(
            terms
                .details
                .as_ref()
                .map(|d| CONDITION_DETAILS.seal(keys, id, d))
        )
        .bind(terms.target.map(|(q, _)| q.0))
        .bind(terms.target.map(|(_, u)| u))
        .bind(terms.due_date)
        .bind(court.map(|c| c.0))
        .bind(court.map(|c| c.1))
        .bind(court.map(|c| c.2))
        .bind(now)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// Marks (or unmarks) a condition without a measurable target as met.
pub async fn set_marked_met(
    tx: &mut Tx,
    id: ConditionId,
    version: i64,
    at: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE conditions SET marked_met_at = $1, updated_at = COALESCE($1, updated_at), \
             version = version + 1 WHERE id = $2 AND version = $3"
        )
        .bind(at)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// One dated step toward a condition.
#[derive(Debug, Clone)]
pub struct ProgressRow {
    pub id: RowId,
    pub occurred_on: NaiveDate,
    pub amount: Option<Quantity>,
    pub verification: Verification,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// A progress entry to store.
pub struct NewProgress<'a> {
    pub condition: ConditionId,
    pub occurred_on: NaiveDate,
    pub amount: Option<Quantity>,
    pub verification: Verification,
    pub note: Option<&'a str>,
    pub recorded_by: UserId,
}

const PROGRESS_INSERT: &[&str] = &[
    "id",
    "condition_id",
    "occurred_on",
    "amount",
    "verification",
    "note",
    "recorded_by",
    "recorded_at",
];

pub async fn insert_progress(
    tx: &mut Tx,
    keys: &KeyRing,
    rows: &[NewProgress<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(PROGRESS_INSERT.len())) {
        let sql = crate::store::sql::insert_sql(
            tx.dialect(),
            "condition_progress",
            PROGRESS_INSERT,
            chunk.len(),
        );
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, p| {
                let id = RowId::new();
                q.bind(id)
                    .bind(p.condition)
                    .bind(p.occurred_on)
                    .bind(p.amount.map(|a| a.0))
                    .bind(p.verification)
                    .bind(p.note.map(|n| PROGRESS_NOTE.seal(keys, id, n)))
                    .bind(p.recorded_by)
                    .bind(now)
            })
        )?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredProgress {
    id: RowId,
    occurred_on: NaiveDate,
    amount: Option<i64>,
    verification: Verification,
    note: Option<String>,
    recorded_by: Option<String>,
    recorded_at: DateTime<Utc>,
}

/// A condition's progress, newest first.
pub async fn progress(
    tx: &mut Tx,
    keys: &KeyRing,
    condition: ConditionId,
) -> Result<Vec<ProgressRow>, sqlx::Error> {
    let rows: Vec<StoredProgress> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT p.id, p.occurred_on, p.amount, p.verification, p.note, u.full_name AS \
             recorded_by, p.recorded_at FROM condition_progress p LEFT JOIN users u ON u.id = \
             p.recorded_by WHERE p.condition_id = $1 ORDER BY p.occurred_on DESC, p.recorded_at \
             DESC, p.id DESC"
        )
        .bind(condition)
    )?;
    rows.into_iter().map(|r| r.open(keys)).collect()
}

impl StoredProgress {
    fn open(self, keys: &KeyRing) -> Result<ProgressRow, sqlx::Error> {
        Ok(ProgressRow {
            note: self
                .note
                .map(|n| PROGRESS_NOTE.open(keys, self.id, &n))
                .transpose()?,
            id: self.id,
            occurred_on: self.occurred_on,
            amount: self.amount.map(Quantity),
            verification: self.verification,
            recorded_by: self.recorded_by,
            recorded_at: self.recorded_at,
        })
    }
}

/// A program's standard condition.
#[derive(Debug, Clone)]
pub struct TemplateRow {
    pub id: TemplateId,
    pub kind: ConditionKind,
    pub title: String,
    pub target: Option<(Quantity, Unit)>,
    pub due_days: Option<i32>,
}

#[derive(sqlx::FromRow)]
struct StoredTemplate {
    id: TemplateId,
    kind: ConditionKind,
    title: String,
    target: Option<i64>,
    unit: Option<Unit>,
    due_days: Option<i32>,
}

pub async fn templates(tx: &mut Tx, program: ProgramId) -> Result<Vec<TemplateRow>, sqlx::Error> {
    let rows: Vec<StoredTemplate> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT id, kind, title, target, unit, due_days FROM condition_templates WHERE \
             program_id = $1 ORDER BY position"
        )
        .bind(program)
    )?;
    Ok(rows
        .into_iter()
        .map(|r| TemplateRow {
            id: r.id,
            kind: r.kind,
            title: r.title,
            target: r.target.zip(r.unit).map(|(t, u)| (Quantity(t), u)),
            due_days: r.due_days,
        })
        .collect())
}

/// Replaces a program's templates. Conditions made from the old ones keep
/// their terms (their link to the template is cleared).
pub async fn replace_templates(
    tx: &mut Tx,
    program: ProgramId,
    rows: &[TemplateRow],
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("DELETE FROM condition_templates WHERE program_id = $1").bind(program)
    )?;
    for (position, t) in rows.iter().enumerate() {
        exec!(
            tx,
            sqlx::query(
                "INSERT INTO condition_templates (id, program_id, position, kind, title, target, \
                 unit, due_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind(t.id)
            .bind(program)
            .bind(position as i32)
            .bind(t.kind)
            .bind(&t.title)
            .bind(t.target.map(|(q, _)| q.0))
            .bind(t.target.map(|(_, u)| u))
            .bind(t.due_days)
        )?;
    }
    Ok(())
}

/// Which templates a case already has conditions from.
pub async fn applied_templates(tx: &mut Tx, case: CaseId) -> Result<Vec<TemplateId>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_scalar(
            "SELECT template_id FROM conditions WHERE case_id = $1 AND template_id IS NOT NULL"
        )
        .bind(case)
    )
}

/// A case's latest progress entries with the condition each counts toward.
pub async fn progress_of_case(
    tx: &mut Tx,
    keys: &KeyRing,
    case: CaseId,
    limit: i64,
) -> Result<Vec<(String, Option<Unit>, ProgressRow)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        title: String,
        unit: Option<Unit>,
        #[sqlx(flatten)]
        entry: StoredProgress,
    }
    let rows: Vec<Row> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT k.title, k.unit, p.id, p.occurred_on, p.amount, p.verification, p.note, \
             u.full_name AS recorded_by, p.recorded_at FROM condition_progress p JOIN conditions k \
             ON k.id = p.condition_id LEFT JOIN users u ON u.id = p.recorded_by WHERE k.case_id = \
             $1 ORDER BY p.recorded_at DESC, p.id DESC LIMIT $2"
        )
        .bind(case)
        .bind(limit)
    )?;
    rows.into_iter()
        .map(|r| Ok((r.title, r.unit, r.entry.open(keys)?)))
        .collect()
}
