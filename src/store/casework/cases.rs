//! Cases (one enrollment of one person in one program), their charges and
//! status history.

use crate::domain::casework::cases::{CaseStatus, ExitReason};
use crate::domain::casework::supervision::SupervisionLevel;
use crate::domain::ids::{CaseId, PersonId, ProgramId, RowId, UserId};
use crate::domain::programs::{Charge, ChargeLevel, ScreeningResult};
use crate::store::sql::status_in;
use crate::store::Tx;
use crate::store::{exec, fetch};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;

/// Referral and court details of a case, as entered at intake and edited later.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseFields {
    pub referral_source: String,
    pub referral_date: NaiveDate,
    pub court: Option<String>,
    pub docket_number: Option<String>,
    pub judge: Option<String>,
    pub prosecutor: Option<String>,
    pub prior_convictions: Option<i32>,
    pub victim_consent: Option<bool>,
    pub start_date: Option<NaiveDate>,
    pub expected_end_date: Option<NaiveDate>,
    pub officer_id: Option<UserId>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: CaseId,
    pub case_number: String,
    pub person_id: PersonId,
    pub program_id: ProgramId,
    pub status: CaseStatus,
    #[sqlx(flatten)]
    pub fields: CaseFields,
    pub screening: Option<Json<ScreeningResult>>,
    pub screening_override: Option<String>,
    pub exit_reason: Option<ExitReason>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    // Joined for display.
    pub person_name: String,
    pub program_name: String,
    pub officer_name: Option<String>,
}

const COLUMNS: &str = "c.id, c.case_number, c.person_id, c.program_id, c.status, \
                       c.referral_source, c.referral_date, c.court, c.docket_number, c.judge, \
                       c.prosecutor, c.prior_convictions, c.victim_consent, c.start_date, \
                       c.expected_end_date, c.officer_id, c.screening, c.screening_override, \
                       c.exit_reason, c.created_at, c.updated_at, c.version, p.last_name || ', \
                       ' || p.first_name AS person_name, g.name AS program_name, u.full_name AS \
                       officer_name";

const FROM: &str = "FROM cases c JOIN people p ON p.id = c.person_id JOIN programs g ON g.id = \
                    c.program_id LEFT JOIN users u ON u.id = c.officer_id";

/// What an officer works a caseload by, beside the case itself. Each is
/// read through the case's own index on its table. `$12` is now, `$13` the
/// start of this calendar month.
const WORKING: &str = "c.supervision_level AS level, (SELECT MAX(x.occurred_at) FROM contacts x \
                       WHERE x.case_id = c.id AND x.collateral IS NULL) AS last_contact_at, \
                       (SELECT MIN(a.starts_at) FROM appointments a WHERE a.case_id = c.id AND \
                       a.outcome IS NULL AND a.starts_at >= $12) AS next_appointment_at, (SELECT \
                       COUNT(*) FROM alerts z WHERE z.case_id = c.id AND z.resolved_at IS NULL) \
                       AS open_alerts, (SELECT COUNT(*) FROM contacts x WHERE x.case_id = c.id \
                       AND x.collateral IS NULL AND x.kind <> 'written' AND x.occurred_at >= $13) \
                       AS month_contacts, (SELECT COUNT(*) FROM contacts x WHERE x.case_id = c.id \
                       AND x.collateral IS NULL AND x.kind = 'home' AND x.occurred_at >= $13) AS \
                       month_home_visits";

/// A case in a caseload, with what it is worked by.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseloadRow {
    #[sqlx(flatten)]
    pub case: CaseRow,
    pub level: Option<SupervisionLevel>,
    /// The last contact with the participant (a collateral one is not).
    pub last_contact_at: Option<DateTime<Utc>>,
    /// The next appointment still to be kept.
    pub next_appointment_at: Option<DateTime<Utc>>,
    pub open_alerts: i64,
    /// This calendar month's contacts toward the level's standard.
    pub month_contacts: i64,
    pub month_home_visits: i64,
}

pub async fn next_case_number(tx: &mut Tx, year: i32) -> Result<String, sqlx::Error> {
    Ok(case_number(
        year,
        crate::store::sql::next_counter(tx, "case").await?,
    ))
}

pub fn case_number(year: i32, n: i64) -> String {
    format!("BW-{year}-{n:06}")
}

/// A case to store, with its screening result if it has been screened.
pub struct NewCase<'a> {
    pub id: CaseId,
    pub case_number: String,
    pub person_id: PersonId,
    pub program_id: ProgramId,
    pub status: CaseStatus,
    pub fields: &'a CaseFields,
    pub screening: Option<&'a ScreeningResult>,
    pub screening_override: Option<&'a str>,
    pub exit_reason: Option<ExitReason>,
    pub now: DateTime<Utc>,
}

const CASE_INSERT: &[&str] = &[
    "id",
    "case_number",
    "person_id",
    "program_id",
    "status",
    "referral_source",
    "referral_date",
    "court",
    "docket_number",
    "judge",
    "prosecutor",
    "prior_convictions",
    "victim_consent",
    "start_date",
    "expected_end_date",
    "officer_id",
    "screening",
    "screening_override",
    "exit_reason",
    "created_at",
    "updated_at",
];

pub async fn insert(tx: &mut Tx, c: NewCase<'_>) -> Result<(), sqlx::Error> {
    insert_many(tx, &[c]).await
}

/// Stores many cases with few statements.
pub async fn insert_many(tx: &mut Tx, cases: &[NewCase<'_>]) -> Result<(), sqlx::Error> {
    for chunk in cases.chunks(crate::store::sql::rows_per_insert(CASE_INSERT.len())) {
        let sql = crate::store::sql::insert_sql(tx.dialect(), "cases", CASE_INSERT, chunk.len());
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, c| {
                let f = c.fields;
                q.bind(c.id)
                    .bind(&c.case_number)
                    .bind(c.person_id)
                    .bind(c.program_id)
                    .bind(c.status)
                    .bind(&f.referral_source)
                    .bind(f.referral_date)
                    .bind(&f.court)
                    .bind(&f.docket_number)
                    .bind(&f.judge)
                    .bind(&f.prosecutor)
                    .bind(f.prior_convictions)
                    .bind(f.victim_consent)
                    .bind(f.start_date)
                    .bind(f.expected_end_date)
                    .bind(f.officer_id)
                    .bind(c.screening.map(Json))
                    .bind(c.screening_override)
                    .bind(c.exit_reason)
                    .bind(c.now)
                    .bind(c.now)
            })
        )?;
    }
    Ok(())
}

const CHARGE_INSERT: &[&str] = &[
    "id",
    "case_id",
    "position",
    "statute_code",
    "description",
    "level",
    "violent",
    "offense_date",
];

pub async fn insert_charges(
    tx: &mut Tx,
    case: CaseId,
    charges: &[Charge],
) -> Result<(), sqlx::Error> {
    let rows: Vec<(CaseId, i32, &Charge)> = (0..).zip(charges).map(|(i, c)| (case, i, c)).collect();
    insert_charge_rows(tx, &rows).await
}

/// Stores charges of one or many cases: (case, position on the case, charge).
pub async fn insert_charge_rows(
    tx: &mut Tx,
    rows: &[(CaseId, i32, &Charge)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(CHARGE_INSERT.len())) {
        let sql =
            crate::store::sql::insert_sql(tx.dialect(), "charges", CHARGE_INSERT, chunk.len());
        exec!(
            tx,
            chunk
                .iter()
                .fold(sqlx::query(&sql), |q, (case, position, ch)| {
                    q.bind(RowId::new())
                        .bind(*case)
                        .bind(*position)
                        .bind(&ch.statute_code)
                        .bind(&ch.description)
                        .bind(ch.level)
                        .bind(ch.violent)
                        .bind(ch.offense_date)
                })
        )?;
    }
    Ok(())
}

/// A case in a line: what a search result says of a person's cases.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseBrief {
    pub person_id: PersonId,
    pub id: CaseId,
    pub case_number: String,
    pub status: CaseStatus,
    pub program_name: String,
    pub officer_name: Option<String>,
}

/// The cases of `people`, newest first.
pub async fn briefs_of(tx: &mut Tx, people: &[PersonId]) -> Result<Vec<CaseBrief>, sqlx::Error> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=people.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT c.person_id, c.id, c.case_number, c.status, g.name AS program_name, u.full_name \
         AS officer_name FROM cases c JOIN programs g ON g.id = c.program_id LEFT JOIN users u \
         ON u.id = c.officer_id WHERE c.person_id IN ({}) ORDER BY c.created_at DESC, c.id DESC",
        marks.join(", ")
    );
    fetch!(
        tx,
        fetch_all,
        people
            .iter()
            .fold(sqlx::query_as(&sql), |q, id| q.bind(*id))
    )
}

pub async fn get(tx: &mut Tx, id: CaseId) -> Result<Option<CaseRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE c.id = $1");
    fetch!(tx, fetch_optional, sqlx::query_as(&sql).bind(id))
}

pub async fn for_person(tx: &mut Tx, person: PersonId) -> Result<Vec<CaseRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE c.person_id = $1 ORDER BY c.referral_date DESC, \
         c.case_number DESC"
    );
    fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(person))
}

#[derive(sqlx::FromRow)]
struct ChargeRow {
    statute_code: String,
    description: String,
    level: ChargeLevel,
    violent: bool,
    offense_date: Option<NaiveDate>,
}

/// Replaces a case's charges if `version` is current (the case's version
/// moves on); returns false when it is stale.
pub async fn replace_charges(
    tx: &mut Tx,
    case: CaseId,
    version: i64,
    charges: &[Charge],
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE cases SET updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3"
        )
        .bind(now)
        .bind(case)
        .bind(version)
    )?;
    if n != 1 {
        return Ok(false);
    }
    exec!(
        tx,
        sqlx::query("DELETE FROM charges WHERE case_id = $1").bind(case)
    )?;
    insert_charges(tx, case, charges).await?;
    Ok(true)
}

pub async fn charges(tx: &mut Tx, case: CaseId) -> Result<Vec<Charge>, sqlx::Error> {
    let rows: Vec<ChargeRow> = fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT statute_code, description, level, violent, offense_date FROM charges WHERE \
             case_id = $1 ORDER BY position"
        )
        .bind(case)
    )?;
    Ok(rows
        .into_iter()
        .map(|r| Charge {
            statute_code: r.statute_code,
            description: r.description,
            level: r.level,
            violent: r.violent,
            offense_date: r.offense_date,
        })
        .collect())
}

/// Updates referral and court details if `version` is current.
pub async fn update_fields(
    tx: &mut Tx,
    id: CaseId,
    version: i64,
    f: &CaseFields,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE cases SET referral_source = $1, referral_date = $2, court = $3, docket_number \
             = $4, judge = $5, prosecutor = $6, prior_convictions = $7, victim_consent = $8, \
             start_date = $9, expected_end_date = $10, officer_id = $11, updated_at = $12, version \
             = version + 1 WHERE id = $13 AND version = $14"
        )
        .bind(&f.referral_source)
        .bind(f.referral_date)
        .bind(&f.court)
        .bind(&f.docket_number)
        .bind(&f.judge)
        .bind(&f.prosecutor)
        .bind(f.prior_convictions)
        .bind(f.victim_consent)
        .bind(f.start_date)
        .bind(f.expected_end_date)
        .bind(f.officer_id)
        .bind(now)
        .bind(id)
        .bind(version)
    )?;
    Ok(n == 1)
}

/// Gives a case to another officer, whatever version it is at (its alerts
/// follow, by trigger).
pub async fn assign(
    tx: &mut Tx,
    id: CaseId,
    officer: UserId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "UPDATE cases SET officer_id = $1, updated_at = $2, version = version + 1 WHERE id = $3"
        )
        .bind(officer)
        .bind(now)
        .bind(id)
    )?;
    Ok(())
}

/// A status change as stored: the new status and what comes with it.
pub struct StatusChange<'a> {
    pub from: Option<CaseStatus>,
    pub to: CaseStatus,
    pub exit_reason: Option<ExitReason>,
    pub reason: &'a str,
    pub actor: Option<UserId>,
    pub at: DateTime<Utc>,
    /// Set when supervision starts.
    pub start_date: Option<NaiveDate>,
}

/// Moves a case to a new status if `version` is current, and records it in the history.
pub async fn change_status(
    tx: &mut Tx,
    id: CaseId,
    version: i64,
    ch: &StatusChange<'_>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE cases SET status = $1, exit_reason = $2, start_date = COALESCE(start_date, \
             $3), updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6"
        )
        .bind(ch.to)
        .bind(ch.exit_reason)
        .bind(ch.start_date)
        .bind(ch.at)
        .bind(id)
        .bind(version)
    )?;
    if n == 1 {
        record_history(tx, id, ch).await?;
    }
    Ok(n == 1)
}

pub async fn record_history(
    tx: &mut Tx,
    id: CaseId,
    ch: &StatusChange<'_>,
) -> Result<(), sqlx::Error> {
    record_histories(tx, &[(id, ch)]).await
}

const HISTORY_INSERT: &[&str] = &[
    "case_id",
    "from_status",
    "to_status",
    "exit_reason",
    "reason",
    "actor_id",
    "at",
];

/// Records status changes of one or many cases, in the order given.
pub async fn record_histories(
    tx: &mut Tx,
    rows: &[(CaseId, &StatusChange<'_>)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(crate::store::sql::rows_per_insert(HISTORY_INSERT.len())) {
        let sql = crate::store::sql::insert_sql(
            tx.dialect(),
            "case_status_history",
            HISTORY_INSERT,
            chunk.len(),
        );
        exec!(
            tx,
            chunk.iter().fold(sqlx::query(&sql), |q, (id, ch)| {
                q.bind(*id)
                    .bind(ch.from)
                    .bind(ch.to)
                    .bind(ch.exit_reason)
                    .bind(ch.reason)
                    .bind(ch.actor)
                    .bind(ch.at)
            })
        )?;
    }
    Ok(())
}

/// Stores a screening result (and an override reason, if staff overrode it).
pub async fn save_screening(
    tx: &mut Tx,
    id: CaseId,
    result: &ScreeningResult,
    override_reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query("UPDATE cases SET screening = $1, screening_override = $2 WHERE id = $3")
            .bind(Json(result))
            .bind(override_reason)
            .bind(id)
    )?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub from_status: Option<CaseStatus>,
    pub to_status: CaseStatus,
    pub exit_reason: Option<ExitReason>,
    pub reason: String,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
}

pub async fn history(tx: &mut Tx, case: CaseId) -> Result<Vec<HistoryRow>, sqlx::Error> {
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(
            "SELECT h.from_status, h.to_status, h.exit_reason, h.reason, u.full_name AS \
             actor_name, h.at FROM case_status_history h LEFT JOIN users u ON u.id = h.actor_id \
             WHERE h.case_id = $1 ORDER BY h.seq"
        )
        .bind(case)
    )
}

/// Whose cases a list may show. The policy module decides which applies to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// An officer's own cases and those shared with them.
    Officer(UserId),
    /// A supervisor's own cases, those of the officers reporting to them,
    /// those nobody holds yet and those shared with them.
    Team(UserId),
    Court(String),
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseSort {
    #[default]
    Name,
    Status,
    EndDate,
    CaseNumber,
    /// The longest without a contact first, never contacted before all.
    LastContact,
    /// The soonest appointment first; none last.
    NextAppointment,
    /// The most open alerts first.
    OpenAlerts,
    /// From high to administrative; not set last.
    Level,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// Only cases still under supervision (the caseload default).
    pub open_only: bool,
    pub program: Option<ProgramId>,
    pub officer: Option<UserId>,
    /// Only cases with no contact with the participant since then.
    pub quiet_since: Option<DateTime<Utc>>,
    /// Only cases with open alerts.
    pub with_open_alerts: bool,
    pub level: Option<SupervisionLevel>,
}

pub struct ListRequest<'a> {
    pub scope: &'a Scope,
    pub filter: &'a CaseFilter,
    pub sort: CaseSort,
    /// Keyset cursor; honoured with `CaseSort::CaseNumber`.
    pub after: Option<&'a str>,
    pub offset: i64,
    pub limit: i64,
    /// Now, and the start of this calendar month, for the working columns.
    pub at: DateTime<Utc>,
    pub month_from: DateTime<Utc>,
}

impl Scope {
    /// The scope as a condition on `case_id`, the column of the list's query
    /// that holds a case's id, with the user (bound as `$1`) and court (`$2`)
    /// it names. Each part is its own lookup in an index that holds the
    /// cases' ids, joined by `UNION ALL` inside one `IN`: written as `OR`s,
    /// PostgreSQL scanned every case in the agency for each list (33 ms of a
    /// caseload page at 100,000 participants). Given a list's own column
    /// (`a.case_id`, not `c.id`), a count need not read the cases at all.
    pub fn sql(&self, case_id: &str) -> (String, Option<UserId>, Option<String>) {
        let (cases, user, court) = match self {
            Self::Officer(u) => (
                "SELECT id FROM cases WHERE officer_id = $1 UNION ALL SELECT case_id FROM \
                 case_shares WHERE user_id = $1",
                Some(*u),
                None,
            ),
            Self::Team(u) => (
                "SELECT id FROM cases WHERE officer_id IS NULL UNION ALL SELECT id FROM cases \
                 WHERE officer_id = $1 UNION ALL SELECT k.id FROM cases k JOIN users t ON t.id = \
                 k.officer_id WHERE t.supervisor_id = $1 UNION ALL SELECT case_id FROM \
                 case_shares WHERE user_id = $1",
                Some(*u),
                None,
            ),
            Self::Court(name) => (
                "SELECT id FROM cases WHERE court = $2",
                None,
                Some(name.clone()),
            ),
            Self::Nothing => return ("FALSE".to_owned(), None, None),
        };
        (format!("{case_id} IN ({cases})"), user, court)
    }
}

/// Binds a list's scope and filter, `$1` to `$8`, to the list and its count.
macro_rules! bind_filter {
    ($q:expr, $user:expr, $court:expr, $f:expr) => {
        $q.bind($user)
            .bind($court)
            .bind($f.status)
            .bind($f.program)
            .bind($f.officer)
            .bind($f.quiet_since)
            .bind($f.with_open_alerts)
            .bind($f.level)
    };
}

pub async fn list(tx: &mut Tx, r: ListRequest<'_>) -> Result<(Vec<CaseloadRow>, i64), sqlx::Error> {
    let (scope_sql, scope_user, scope_court) = r.scope.sql("c.id");
    let open = if r.filter.open_only {
        status_in("c", CaseStatus::OPEN)
    } else {
        "TRUE".to_owned()
    };
    let filter = format!(
        "WHERE {scope_sql} AND {open} AND ($3 IS NULL OR c.status = $3) AND ($4 IS NULL OR \
         c.program_id = $4) AND ($5 IS NULL OR c.officer_id = $5) AND ($6 IS NULL OR NOT EXISTS \
         (SELECT 1 FROM contacts x WHERE x.case_id = c.id AND x.collateral IS NULL AND \
         x.occurred_at >= $6)) AND (NOT $7 OR EXISTS (SELECT 1 FROM alerts z WHERE z.case_id = \
         c.id AND z.resolved_at IS NULL)) AND ($8 IS NULL OR c.supervision_level = $8)"
    );
    let order = match r.sort {
        CaseSort::Name => "lower(p.last_name), lower(p.first_name), c.case_number",
        CaseSort::Status => "c.status, lower(p.last_name), c.case_number",
        CaseSort::EndDate => "c.expected_end_date IS NULL, c.expected_end_date, c.case_number",
        CaseSort::CaseNumber => "c.case_number",
        CaseSort::LastContact => "last_contact_at ASC NULLS FIRST, c.case_number",
        CaseSort::NextAppointment => "next_appointment_at ASC NULLS LAST, c.case_number",
        CaseSort::OpenAlerts => "open_alerts DESC, c.case_number",
        CaseSort::Level => {
            "CASE c.supervision_level WHEN 'high' THEN 0 WHEN 'moderate' THEN 1 WHEN 'low' THEN 2 \
             WHEN 'administrative' THEN 3 ELSE 4 END, lower(p.last_name), c.case_number"
        }
    };
    let after = if r.sort == CaseSort::CaseNumber {
        r.after
    } else {
        None
    };
    let sql = format!(
        "SELECT {COLUMNS}, {WORKING} {FROM} {filter} AND ($9 IS NULL OR c.case_number > $9) ORDER \
         BY {order} LIMIT $10 OFFSET $11"
    );
    let count_sql = format!("SELECT COUNT(*) FROM cases c {filter}");
    let f = r.filter;
    let rows: Vec<CaseloadRow> = fetch!(
        tx,
        fetch_all,
        bind_filter!(sqlx::query_as(&sql), scope_user, scope_court.clone(), f)
            .bind(after)
            .bind(r.limit)
            .bind(r.offset)
            .bind(r.at)
            .bind(r.month_from)
    )?;
    let total: i64 = fetch!(
        tx,
        fetch_one,
        bind_filter!(sqlx::query_scalar(&count_sql), scope_user, scope_court, f)
    )?;
    Ok((rows, total))
}

/// A day kept on a case by which something is next due, for the alert
/// sweep to read through an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The next assessment, by the program's rule.
    Reassessment,
    /// The plan's next review (or its first plan).
    PlanReview,
}

impl Due {
    fn column(self) -> &'static str {
        match self {
            Self::Reassessment => "reassess_by",
            Self::PlanReview => "plan_review_by",
        }
    }
}

/// The day `what` is next due on a case (`None`: nothing asks for it).
pub async fn due(tx: &mut Tx, id: CaseId, what: Due) -> Result<Option<NaiveDate>, sqlx::Error> {
    let sql = format!("SELECT {} FROM cases WHERE id = $1", what.column());
    let due: Option<Option<NaiveDate>> =
        fetch!(tx, fetch_optional, sqlx::query_scalar(&sql).bind(id))?;
    Ok(due.flatten())
}

/// Sets the day `what` is next due on a case (not a change of the case's
/// details: its version stays).
pub async fn set_due(
    tx: &mut Tx,
    id: CaseId,
    what: Due,
    day: Option<NaiveDate>,
) -> Result<(), sqlx::Error> {
    set_due_of_many(tx, what, day, &[id]).await
}

/// Sets one due day on many cases at once (bulk loads).
pub async fn set_due_of_many(
    tx: &mut Tx,
    what: Due,
    day: Option<NaiveDate>,
    cases: &[CaseId],
) -> Result<(), sqlx::Error> {
    for chunk in cases.chunks(crate::store::sql::CASES_PER_UPDATE) {
        let sql = crate::store::sql::update_cases_sql(what.column(), chunk.len());
        exec!(
            tx,
            chunk
                .iter()
                .fold(sqlx::query(&sql).bind(day), |q, id| q.bind(*id))
        )?;
    }
    Ok(())
}
