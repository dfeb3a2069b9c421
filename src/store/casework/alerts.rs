//! Alerts: the rules, each one set-based SQL that raises what is missing
//! (the unique `(rule, occurrence)` index makes raising idempotent), and the
//! work queue's reads.

use crate::domain::casework::alerts::{Rule, Severity};
use crate::domain::casework::cases::CaseStatus;
use crate::domain::casework::supervision::AppointmentKind;
use crate::domain::ids::{AlertId, AppointmentId, CaseId, PersonId, UserId};
use crate::store::casework::cases::Scope;
use crate::store::sql::status_in;
use crate::store::{exec, fetch};
use crate::store::{Dialect, Tx};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// What the rules compare with.
#[derive(Debug, Clone, Copy)]
pub struct SweepAt {
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    /// Midnight starting the day `no_contact_days` ago: a contact since then
    /// keeps the no-contact rule quiet (a day's granularity, so that the
    /// rule's answer changes only when the day does).
    pub no_contact_since: DateTime<Utc>,
    /// Midnight starting tomorrow and the day after, in the agency's zone.
    pub tomorrow: (DateTime<Utc>, DateTime<Utc>),
    pub no_contact_days: i64,
    pub case_ending_days: i64,
    pub due_soon_days: i64,
    /// The first day of this month and when it began (the agency's calendar).
    pub month: (NaiveDate, DateTime<Utc>),
    /// Whether the month is late enough (its last ten days) to warn that a
    /// contact standard will not be met.
    pub late_in_month: bool,
    /// Contacts and home visits a month for high, moderate, low and
    /// administrative supervision.
    pub standards: [(u32, u32); 4],
}

/// Each rule: what it selects (case id, occurrence, detail) from which rows.
/// Parameters: `$1` and `$7` the span of cases, `$2`.. the rule's own.
/// The rule's query, or `None` when it does not apply now (the contact
/// standard warns only late in the month).
fn rule_sql(rule: Rule, at: &SweepAt, dialect: Dialect) -> Option<String> {
    match rule {
        Rule::ContactStandard => at
            .late_in_month
            .then(|| contact_standard_sql(&at.standards)),
        Rule::NoContact => Some(no_contact_sql()),
        _ => fixed_rule_sql(rule, dialect),
    }
}

/// Cases under supervision since before `$3` with no contact with the
/// participant since `$2`; the occurrence is the last contact, so a new
/// silence after a contact raises a new alert.
fn no_contact_sql() -> String {
    let last_contact =
        "(SELECT CAST(MAX(x.occurred_at) AS TEXT) FROM contacts x WHERE x.case_id = c.id AND \
         x.collateral IS NULL)";
    format!(
        "SELECT c.id AS case_id, CAST(c.id AS TEXT) || ':' || COALESCE({last_contact}, 'none') AS \
         occurrence, COALESCE({last_contact}, 'never') AS detail FROM cases c WHERE {supervised} \
         AND c.start_date <= $3 AND NOT EXISTS (SELECT 1 FROM contacts x WHERE x.case_id = c.id \
         AND x.collateral IS NULL AND x.occurred_at >= $2)",
        supervised = status_in("c", CaseStatus::SUPERVISED),
    )
}

/// Active cases whose contacts this month (from `$2`; `$3` is the month's
/// first day) fall short of their level's standard.
fn contact_standard_sql(standards: &[(u32, u32); 4]) -> String {
    let by_level = |pick: fn(&(u32, u32)) -> u32| {
        let [h, m, l, a] = standards.map(|s| pick(&s));
        format!(
            "CASE c.supervision_level WHEN 'high' THEN {h} WHEN 'moderate' THEN {m} WHEN 'low' \
             THEN {l} ELSE {a} END"
        )
    };
    let count = |kind: &str| {
        format!(
            "(SELECT COUNT(*) FROM contacts x WHERE x.case_id = c.id AND x.collateral IS NULL AND \
             {kind} AND x.occurred_at >= $2)"
        )
    };
    format!(
        "SELECT c.id AS case_id, CAST(c.id AS TEXT) || ':' || CAST($3 AS TEXT) AS occurrence, \
         c.supervision_level AS detail FROM cases c WHERE {supervised} AND c.supervision_level IS \
         NOT NULL AND ({} < {} OR {} < {})",
        count("x.kind <> 'written'"),
        by_level(|s| s.0),
        count("x.kind = 'home'"),
        by_level(|s| s.1),
        supervised = status_in("c", CaseStatus::SUPERVISED),
    )
}

/// The rules whose query is fixed but for how a case's rows are reached.
///
/// Each starts from `cases c`, which the sweep bounds to a span of ids, and
/// reaches the case's rows through their `case_id` index ([`case_rows`]).
fn fixed_rule_sql(rule: Rule, dialect: Dialect) -> Option<String> {
    let rows = |table, alias| case_rows(dialect, table, alias);
    Some(match rule {
        Rule::ContactStandard | Rule::NoContact => return None,
        Rule::AppointmentMissed => format!(
            "SELECT a.case_id AS case_id, CAST(a.id AS TEXT) AS occurrence, a.kind AS detail FROM \
             cases c {} WHERE a.case_id = c.id AND a.outcome = 'missed' AND a.starts_at >= $2",
            rows("appointments", "a")
        ),
        Rule::TestAdverse => format!(
            "SELECT t.case_id AS case_id, CAST(t.id AS TEXT) AS occurrence, t.outcome AS detail \
             FROM cases c {} WHERE t.case_id = c.id AND t.adverse AND t.collected_at >= $2",
            rows("drug_tests", "t")
        ),
        Rule::ConditionOverdue => format!(
            "SELECT k.case_id AS case_id, CAST(k.id AS TEXT) || ':' || CAST(k.due_date AS TEXT) AS \
             occurrence, k.title AS detail FROM cases c {} WHERE k.case_id = c.id AND k.due_date < \
             $3 AND k.marked_met_at IS NULL AND (k.court_action IS NULL OR k.court_action <> \
             'waived') AND (k.target IS NULL OR COALESCE((SELECT SUM(p.amount) FROM \
             condition_progress p WHERE p.condition_id = k.id), 0) < k.target)",
            rows("conditions", "k")
        ),
        Rule::ConditionBehind => format!(
            "SELECT k.case_id AS case_id, CAST(k.id AS TEXT) || ':' || CAST(k.due_date AS TEXT) AS \
             occurrence, k.title AS detail FROM cases c {} WHERE k.case_id = c.id AND k.due_date >= \
             $3 AND k.due_date <= $4 AND k.target IS NOT NULL AND (k.court_action IS NULL OR \
             k.court_action <> 'waived') AND COALESCE((SELECT SUM(p.amount) FROM \
             condition_progress p WHERE p.condition_id = k.id), 0) < k.target",
            rows("conditions", "k")
        ),
        Rule::CaseEnding => "SELECT c.id AS case_id, CAST(c.id AS TEXT) || ':' || \
                             CAST(c.expected_end_date AS TEXT) AS occurrence, \
                             CAST(c.expected_end_date AS TEXT) AS detail FROM cases c WHERE \
                             c.expected_end_date >= $3 AND c.expected_end_date <= $4"
            .to_owned(),
        Rule::AssessmentDue => due_day("reassess_by", "c.reassess_by >= $3 AND c.reassess_by <= $4"),
        Rule::AssessmentOverdue => due_day("reassess_by", "c.reassess_by < $3"),
        Rule::PlanReviewDue => due_day(
            "plan_review_by",
            "c.plan_review_by >= $3 AND c.plan_review_by <= $4",
        ),
        Rule::PlanReviewOverdue => due_day("plan_review_by", "c.plan_review_by < $3"),
        Rule::CourtTomorrow => format!(
            "SELECT a.case_id AS case_id, CAST(a.id AS TEXT) AS occurrence, COALESCE(a.location, \
             '') AS detail FROM cases c {} WHERE a.case_id = c.id AND a.kind = 'court_date' AND \
             a.starts_at >= $2 AND a.starts_at < $3",
            rows("appointments", "a")
        ),
        Rule::PlanCountersign => format!(
            "SELECT p.case_id AS case_id, CAST(p.id AS TEXT) AS occurrence, 'Version ' || \
             CAST(p.number AS TEXT) AS detail FROM cases c {} WHERE p.case_id = c.id AND \
             p.countersign_needed AND p.countersigned_at IS NULL AND p.signed_at >= $2",
            rows("case_plans", "p")
        ),
        Rule::FlaggedNote => format!(
            "SELECT n.case_id AS case_id, CAST(n.id AS TEXT) || ':' || CAST(n.flags AS TEXT) AS \
             occurrence, n.kind AS detail FROM cases c {} WHERE n.case_id = c.id AND n.flags > 0 \
             AND n.signed_at IS NOT NULL AND n.updated_at >= $2",
            rows("case_notes", "n")
        ),
    })
}

/// The rows of `table` (as `alias`) on the case `c`, to be read through
/// their `case_id` index once `c` is known. `CROSS JOIN` makes SQLite keep
/// that order: left to choose, it read tomorrow's court dates of the whole
/// agency through the start-time index for every span (2.4 s a span at
/// 1,000,000 participants instead of 1 ms). PostgreSQL treats `CROSS JOIN`
/// as an inner join and plans by its statistics: for the conditions-behind
/// rule it read every condition due soon in the agency once a span (0.5-0.7
/// s a span, a quarter of an hour a full sweep at 1,000,000), so there the
/// rows are a `LATERAL` subquery, which `OFFSET 0` keeps from being pulled
/// up into the join (5 ms a span).
/// A rule on a day kept on the case (`column`), raised once for each day
/// it is set to while `when` holds.
fn due_day(column: &str, when: &str) -> String {
    format!(
        "SELECT c.id AS case_id, CAST(c.id AS TEXT) || ':' || CAST(c.{column} AS TEXT) AS \
         occurrence, CAST(c.{column} AS TEXT) AS detail FROM cases c WHERE {when}"
    )
}

fn case_rows(dialect: Dialect, table: &str, alias: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("CROSS JOIN {table} {alias}"),
        Dialect::Postgres => format!(
            "CROSS JOIN LATERAL (SELECT * FROM {table} {alias} WHERE {alias}.case_id = c.id OFFSET \
             0) {alias}"
        ),
    }
}

/// The rule's own parameters ($2..$4), as times or dates.
#[derive(Clone, Copy)]
enum Params {
    Since(DateTime<Utc>),
    Dates(NaiveDate, NaiveDate, NaiveDate),
    SinceAndDate(DateTime<Utc>, NaiveDate),
    Between(DateTime<Utc>, DateTime<Utc>),
}

fn params(rule: Rule, at: &SweepAt) -> Params {
    let days = Duration::days;
    match rule {
        Rule::AppointmentMissed | Rule::TestAdverse | Rule::FlaggedNote | Rule::PlanCountersign => {
            Params::Since(at.now - days(30))
        }
        Rule::ConditionOverdue => Params::Dates(at.today, at.today, at.today),
        Rule::ConditionBehind => {
            Params::Dates(at.today, at.today, at.today + days(at.due_soon_days))
        }
        Rule::NoContact => {
            Params::SinceAndDate(at.no_contact_since, at.today - days(at.no_contact_days))
        }
        Rule::CaseEnding => Params::Dates(at.today, at.today, at.today + days(at.case_ending_days)),
        Rule::AssessmentDue => Params::Dates(at.today, at.today, at.today + days(at.due_soon_days)),
        Rule::AssessmentOverdue => Params::Dates(at.today, at.today, at.today),
        Rule::PlanReviewDue => Params::Dates(at.today, at.today, at.today + days(at.due_soon_days)),
        Rule::PlanReviewOverdue => Params::Dates(at.today, at.today, at.today),
        Rule::CourtTomorrow => Params::Between(at.tomorrow.0, at.tomorrow.1),
        Rule::ContactStandard => Params::SinceAndDate(at.month.1, at.month.0),
    }
}

/// Which cases one raising looks at.
#[derive(Debug, Clone, Copy)]
pub enum Among {
    /// The cases with ids in a span.
    Span(CaseSpan),
    /// The cases whose rows of one kind have their date or time in a window:
    /// what the passing of days brings into a rule's reach.
    Reached(Reach, Window),
}

impl Among {
    /// The condition on the rule's cases `c`, in terms of `$1` and `$7`:
    /// always a list of ids, which SQLite takes first and reaches each case
    /// from by its primary key. Written as a range on `c.id`, SQLite chose
    /// the end-date index for the case-ending rule and read every case
    /// ending soon in the agency once a span (58 ms a span at 1,000,000
    /// participants, 85 s a full sweep).
    fn sql(self) -> String {
        let ids = match self {
            Self::Span(_) => "SELECT id FROM cases WHERE id >= $1 AND id <= $7",
            Self::Reached(reach, _) => reach.sql(),
        };
        format!("c.id IN ({ids})")
    }
}

/// Rows whose date or time, falling in a window, brings their case into a
/// rule's reach. Each is read through its own index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Conditions by due date.
    ConditionsDue,
    /// Cases by expected end date.
    CasesEnding,
    /// Cases by the date supervision started.
    CasesStarted,
    /// Cases by the date their next assessment is due.
    CasesReassessed,
    /// Cases by the date their plan is next due for review.
    PlansReviewed,
    /// Court dates by their start.
    CourtDates,
    /// Contacts with the participant, by when they happened.
    Contacts,
}

impl Reach {
    /// The cases whose rows fall in `[$1, $7)`.
    fn sql(self) -> &'static str {
        match self {
            Self::ConditionsDue => {
                "SELECT case_id FROM conditions WHERE due_date >= $1 AND due_date < $7"
            }
            Self::CasesEnding => {
                "SELECT id FROM cases WHERE expected_end_date >= $1 AND expected_end_date < $7"
            }
            Self::CasesStarted => "SELECT id FROM cases WHERE start_date >= $1 AND start_date < $7",
            Self::CasesReassessed => {
                "SELECT id FROM cases WHERE reassess_by >= $1 AND reassess_by < $7"
            }
            Self::PlansReviewed => {
                "SELECT id FROM cases WHERE plan_review_by >= $1 AND plan_review_by < $7"
            }
            Self::CourtDates => {
                "SELECT case_id FROM appointments WHERE kind = 'court_date' AND starts_at >= $1 \
                 AND starts_at < $7"
            }
            Self::Contacts => {
                "SELECT case_id FROM contacts WHERE collateral IS NULL AND occurred_at >= $1 AND \
                 occurred_at < $7"
            }
        }
    }
}

/// A half-open window `[from, until)` of dates or of times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Days(NaiveDate, NaiveDate),
    Times(DateTime<Utc>, DateTime<Utc>),
}

impl Window {
    /// The window a day (dates) or an hour (times) at a time, so that one
    /// write reads a bounded share of the rows however long the gap since
    /// the last sweep.
    pub fn slices(self) -> Vec<Window> {
        match self {
            Self::Days(from, until) => from
                .iter_days()
                .take_while(|d| *d < until)
                .map(|d| Self::Days(d, d + Duration::days(1)))
                .collect(),
            Self::Times(from, until) => {
                let mut slices = Vec::new();
                let mut start = from;
                while start < until {
                    let end = (start + Duration::hours(1)).min(until);
                    slices.push(Self::Times(start, end));
                    start = end;
                }
                slices
            }
        }
    }
}

/// What the days after `since` (the last day every case was swept to) up to
/// `at` bring into the rules' reach. The rules raised by events (a missed
/// appointment, an adverse test, a flagged note) are raised as they are
/// recorded, and so are the changes a write makes (a condition added, a court
/// date set, an end date moved): what remains is the passing of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayChanges {
    /// Each rule with the rows whose dates the days passed over.
    pub reached: Vec<(Rule, Reach, Window)>,
    /// Rules whose answer changes for every case at once: the contact
    /// standard, on the first sweep late in a month.
    pub every_case: Vec<Rule>,
}

/// The dates that entered a rule's window bounded by `today + lead` as the
/// day went from `since` to `at`: `[since + lead, at + lead)`.
fn moved(since: &SweepAt, at: &SweepAt, lead: i64) -> Window {
    Window::Days(
        since.today + Duration::days(lead),
        at.today + Duration::days(lead),
    )
}

pub fn day_changes(since: &SweepAt, at: &SweepAt) -> DayChanges {
    let mut reached = Vec::new();
    if since.today >= at.today {
        return DayChanges {
            reached,
            every_case: Vec::new(),
        };
    }
    // Overdue: due before today, so due in [since.today, at.today).
    reached.push((
        Rule::ConditionOverdue,
        Reach::ConditionsDue,
        moved(since, at, 0),
    ));
    // Behind: due by today + due_soon_days inclusive.
    let soon = at.due_soon_days + 1;
    reached.push((
        Rule::ConditionBehind,
        Reach::ConditionsDue,
        moved(since, at, soon),
    ));
    // Ending: expected to end by today + case_ending_days inclusive.
    let ending = at.case_ending_days + 1;
    reached.push((
        Rule::CaseEnding,
        Reach::CasesEnding,
        moved(since, at, ending),
    ));
    // An assessment overdue (due before today) or due soon (by today +
    // due_soon_days inclusive).
    reached.push((
        Rule::AssessmentOverdue,
        Reach::CasesReassessed,
        moved(since, at, 0),
    ));
    reached.push((
        Rule::AssessmentDue,
        Reach::CasesReassessed,
        moved(since, at, soon),
    ));
    // The same for a plan's review.
    reached.push((
        Rule::PlanReviewOverdue,
        Reach::PlansReviewed,
        moved(since, at, 0),
    ));
    reached.push((
        Rule::PlanReviewDue,
        Reach::PlansReviewed,
        moved(since, at, soon),
    ));
    // Court tomorrow: a new tomorrow.
    let (from, until) = at.tomorrow;
    reached.push((
        Rule::CourtTomorrow,
        Reach::CourtDates,
        Window::Times(from, until),
    ));
    // No contact: supervision that started long enough ago, and contacts
    // that fell out of the window (the case's last one may have been it).
    let started = 1 - at.no_contact_days;
    reached.push((
        Rule::NoContact,
        Reach::CasesStarted,
        moved(since, at, started),
    ));
    reached.push((
        Rule::NoContact,
        Reach::Contacts,
        Window::Times(since.no_contact_since, at.no_contact_since),
    ));
    let new_late = at.late_in_month && !(since.late_in_month && since.month == at.month);
    DayChanges {
        reached,
        every_case: if new_late {
            vec![Rule::ContactStandard]
        } else {
            Vec::new()
        },
    }
}

/// The cases a sweep looks at: ids from `first` to `last`, both included
/// (a range of the primary key, so each rule reads only these cases).
#[derive(Debug, Clone, Copy)]
pub struct CaseSpan {
    pub first: CaseId,
    pub last: CaseId,
}

impl CaseSpan {
    pub fn one(case: CaseId) -> Self {
        Self {
            first: case,
            last: case,
        }
    }
}

/// The next `size` cases in id order after `after` (from the first without),
/// or `None` when no case follows.
pub async fn next_span(
    tx: &mut Tx,
    after: Option<CaseId>,
    size: i64,
) -> Result<Option<CaseSpan>, sqlx::Error> {
    let sql = format!(
        "SELECT id FROM cases {} ORDER BY id LIMIT $1",
        if after.is_some() { "WHERE id > $2" } else { "" }
    );
    let ids: Vec<CaseId> = fetch!(tx, fetch_all, {
        let q = sqlx::query_scalar(&sql).bind(size);
        match after {
            Some(after) => q.bind(after),
            None => q,
        }
    })?;
    Ok(ids.first().zip(ids.last()).map(|(first, last)| CaseSpan {
        first: *first,
        last: *last,
    }))
}

/// Raises every alert the rules find on the cases in `span` that was never
/// raised before. Returns how many were raised.
pub async fn sweep(tx: &mut Tx, at: &SweepAt, span: CaseSpan) -> Result<u64, sqlx::Error> {
    let mut raised = 0;
    for rule in Rule::all() {
        raised += raise(tx, at, *rule, Among::Span(span)).await?;
    }
    Ok(raised)
}

/// Raises the alerts `rule` finds on the cases `among` that were never
/// raised before. Returns how many were raised.
pub async fn raise(
    tx: &mut Tx,
    at: &SweepAt,
    rule: Rule,
    among: Among,
) -> Result<u64, sqlx::Error> {
    let Some(select) = rule_sql(rule, at, tx.dialect()) else {
        return Ok(0);
    };
    let new_id = new_id_sql(tx.dialect());
    let due = at.today + Duration::days(rule.days_to_act());
    let sql = format!(
        "INSERT INTO alerts (id, case_id, officer_id, rule, occurrence, severity, priority, \
         detail, due_on, raised_at) SELECT {new_id}, f.case_id, (SELECT c.officer_id FROM cases c \
         WHERE c.id = f.case_id), '{rule}', f.occurrence, '{severity}', {priority}, f.detail, $5, \
         $6 FROM ({select} AND {in_program} AND {among}) AS f WHERE TRUE ON CONFLICT DO NOTHING",
        rule = rule.label(),
        severity = rule.severity().label(),
        priority = priority(rule.severity()),
        in_program = status_in("c", CaseStatus::IN_PROGRAM),
        among = among.sql(),
    );
    let p = params(rule, at);
    // Built inside the macro: it expands the query once per backend.
    exec!(tx, {
        let q = sqlx::query(&sql);
        let q = match among {
            Among::Span(s) => q.bind(s.first),
            Among::Reached(_, Window::Days(from, _)) => q.bind(from),
            Among::Reached(_, Window::Times(from, _)) => q.bind(from),
        };
        let q = match p {
            Params::Since(t) => q.bind(t).bind(None::<NaiveDate>).bind(None::<NaiveDate>),
            Params::Dates(a, b, c) => q.bind(a).bind(b).bind(c),
            Params::SinceAndDate(t, d) => q.bind(t).bind(d).bind(None::<NaiveDate>),
            Params::Between(a, b) => q.bind(a).bind(b).bind(None::<NaiveDate>),
        };
        let q = q.bind(due).bind(at.now);
        match among {
            Among::Span(s) => q.bind(s.last),
            Among::Reached(_, Window::Days(_, until)) => q.bind(until),
            Among::Reached(_, Window::Times(_, until)) => q.bind(until),
        }
    })
}

/// A version-7 UUID made by the database (what `AlertId::new` makes in
/// Rust): time-ordered, so that the alerts a sweep raises land at the end of
/// the id index instead of at random places in it.
fn new_id_sql(dialect: Dialect) -> &'static str {
    match dialect {
        // The hyphenated lower-case text SQLite stores ids in: 48 bits of
        // milliseconds, the version, random bits with the RFC 9562 variant.
        Dialect::Sqlite => {
            "lower(printf('%08x-%04x-7', CAST((julianday('now') - 2440587.5) * 86400000 AS \
             INTEGER) / 65536, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) % \
             65536) || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) \
             % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
        }
        // A random UUID with its first 48 bits replaced by the milliseconds
        // and its version nibble set from 4 to 7.
        Dialect::Postgres => {
            "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING \
             substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM \
             3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid"
        }
    }
}

/// The last day every case was swept to, if any sweep finished.
pub async fn swept_on(tx: &mut Tx) -> Result<Option<NaiveDate>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_scalar("SELECT swept_on FROM alert_sweeps WHERE id = 1")
    )
}

/// Records that every case is swept to `day` (never moving the mark back:
/// another server may have finished a later day first).
pub async fn mark_swept(tx: &mut Tx, day: NaiveDate, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    exec!(
        tx,
        sqlx::query(
            "INSERT INTO alert_sweeps (id, swept_on, swept_at) VALUES (1, $1, $2) ON CONFLICT \
             (id) DO UPDATE SET swept_on = excluded.swept_on, swept_at = excluded.swept_at WHERE \
             alert_sweeps.swept_on < excluded.swept_on"
        )
        .bind(day)
        .bind(at)
    )?;
    Ok(())
}

/// An open alert as the work queue shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub id: AlertId,
    pub case_id: CaseId,
    pub case_number: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub rule: Rule,
    pub severity: Severity,
    /// What the rule found: the appointment kind, the condition, the last contact…
    pub detail: String,
    /// Which occurrence of the rule raised it (the note a review is of…).
    pub occurrence: String,
    pub due_on: NaiveDate,
    pub raised_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub officer_name: Option<String>,
    /// The severity's rank, as the queue's index orders it.
    priority: i16,
}

/// Where an alert stands in the queue: most severe first, then soonest due,
/// then longest open; the id breaks ties. A page continues after one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub struct QueueKey {
    priority: i16,
    due_on: NaiveDate,
    raised_at: DateTime<Utc>,
    id: AlertId,
}

impl AlertRow {
    pub fn key(&self) -> QueueKey {
        QueueKey {
            priority: self.priority,
            due_on: self.due_on,
            raised_at: self.raised_at,
            id: self.id,
        }
    }
}

/// The queue's rank of a severity (the `priority` column).
pub fn priority(severity: Severity) -> i16 {
    match severity {
        Severity::High => 0,
        Severity::Medium => 1,
        Severity::Low => 2,
    }
}

/// One part of a scope's alerts that the queue's index (or, for a court, the
/// court's cases) yields in queue order.
#[derive(Debug, Clone)]
enum Part {
    /// The cases one officer holds.
    HeldBy(UserId),
    /// The cases nobody holds yet.
    Unassigned,
    /// The cases shared with a user that the rest of the scope does not
    /// already cover (`covered` says what does, in terms of `$1`, the user).
    SharedWith {
        user: UserId,
        covered: &'static str,
    },
    Court(String),
}

impl Part {
    /// The condition on alerts `a` and whether it binds `$1`.
    fn filter(&self) -> (String, bool) {
        match self {
            Self::HeldBy(_) => ("a.officer_id = $1".into(), true),
            Self::Unassigned => ("a.officer_id IS NULL".into(), false),
            Self::SharedWith { covered, .. } => (
                format!(
                    "a.case_id IN (SELECT case_id FROM case_shares WHERE user_id = $1) AND NOT \
                     COALESCE({covered}, FALSE)"
                ),
                true,
            ),
            Self::Court(_) => (
                "a.case_id IN (SELECT id FROM cases WHERE court = $1)".into(),
                true,
            ),
        }
    }
}

/// The parts of a scope's alerts: an officer's own and shared cases; a
/// supervisor's own, their officers', the unassigned and their shared ones.
/// Each is read from the index, so a page costs the same however many alerts
/// the agency holds.
async fn parts(tx: &mut Tx, scope: &Scope) -> Result<Vec<Part>, sqlx::Error> {
    Ok(match scope {
        Scope::Officer(u) => vec![
            Part::HeldBy(*u),
            Part::SharedWith {
                user: *u,
                covered: "a.officer_id = $1",
            },
        ],
        Scope::Team(u) => {
            let officers = crate::store::access::users::team_of(tx, *u).await?;
            let mut parts = vec![Part::HeldBy(*u), Part::Unassigned];
            parts.extend(officers.into_iter().map(Part::HeldBy));
            parts.push(Part::SharedWith {
                user: *u,
                covered: "a.officer_id IS NULL OR a.officer_id = $1 OR a.officer_id IN (SELECT id \
                          FROM users WHERE supervisor_id = $1)",
            });
            parts
        }
        Scope::Court(name) => vec![Part::Court(name.clone())],
        Scope::Nothing => Vec::new(),
    })
}

/// A page of the open alerts in a scope and how many there are in all.
pub struct QueuePage {
    pub alerts: Vec<AlertRow>,
    pub total: i64,
}

/// Which of a queue's alerts to list: of one rule, of one severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub rule: Option<Rule>,
    pub severity: Option<Severity>,
}

impl QueueFilter {
    /// The condition on `alerts a`; the labels are the vocabularies' own.
    fn sql(self) -> String {
        let rule = self
            .rule
            .map_or("TRUE".to_owned(), |r| format!("a.rule = '{}'", r.label()));
        let severity = self.severity.map_or("TRUE".to_owned(), |s| {
            format!("a.severity = '{}'", s.label())
        });
        format!("{rule} AND {severity}")
    }
}

/// Open alerts on the cases in `scope` that `only` lets through, in queue
/// order, `limit` of them after `after` (from the start without), and how
/// many such are open in all.
pub async fn open_in(
    tx: &mut Tx,
    scope: &Scope,
    only: QueueFilter,
    after: Option<QueueKey>,
    limit: i64,
) -> Result<QueuePage, sqlx::Error> {
    let mut alerts = Vec::new();
    let mut total = 0;
    for part in parts(tx, scope).await? {
        alerts.extend(part_page(tx, &part, only, after, limit).await?);
        total += part_count(tx, &part, only).await?;
    }
    alerts.sort_by_key(AlertRow::key);
    alerts.dedup_by_key(|a| a.id);
    alerts.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(QueuePage { alerts, total })
}

const QUEUE_ORDER: &str = "a.priority, a.due_on, a.raised_at, a.id";

/// One part's first `limit` open alerts after `after`, from its index.
async fn part_page(
    tx: &mut Tx,
    part: &Part,
    only: QueueFilter,
    after: Option<QueueKey>,
    limit: i64,
) -> Result<Vec<AlertRow>, sqlx::Error> {
    let (filter, binds_user) = part.filter();
    let only = only.sql();
    let mut n = usize::from(binds_user);
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let after_sql = match after {
        Some(_) => format!(
            "({QUEUE_ORDER}) > ({}, {}, {}, {})",
            next(),
            next(),
            next(),
            next()
        ),
        None => "TRUE".into(),
    };
    let sql = format!(
        "SELECT a.id, a.case_id, c.case_number, c.person_id, p.last_name || ', ' || p.first_name \
         AS person_name, a.rule, a.severity, a.detail, a.occurrence, a.due_on, a.raised_at, \
         a.acknowledged_at, u.full_name AS officer_name, a.priority FROM alerts a JOIN cases c ON \
         c.id = a.case_id \
         JOIN people p ON p.id = c.person_id LEFT JOIN users u ON u.id = c.officer_id WHERE \
         a.resolved_at IS NULL AND {filter} AND {only} AND {after_sql} ORDER BY {QUEUE_ORDER} \
         LIMIT {}",
        next()
    );
    // Built inside the macro: it expands the query once per backend.
    fetch!(tx, fetch_all, {
        let q = sqlx::query_as(&sql);
        let q = match part {
            Part::HeldBy(u) | Part::SharedWith { user: u, .. } => q.bind(*u),
            Part::Court(name) => q.bind(name.clone()),
            Part::Unassigned => q,
        };
        let q = match after {
            Some(k) => q
                .bind(k.priority)
                .bind(k.due_on)
                .bind(k.raised_at)
                .bind(k.id),
            None => q,
        };
        q.bind(limit)
    })
}

/// How many open alerts one part holds (an index count, no sort, no case
/// read).
async fn part_count(tx: &mut Tx, part: &Part, only: QueueFilter) -> Result<i64, sqlx::Error> {
    let (filter, _) = part.filter();
    let only = only.sql();
    let sql = format!(
        "SELECT COUNT(*) FROM alerts a WHERE a.resolved_at IS NULL AND {filter} AND {only}"
    );
    fetch!(tx, fetch_one, {
        let q = sqlx::query_scalar(&sql);
        match part {
            Part::HeldBy(u) | Part::SharedWith { user: u, .. } => q.bind(*u),
            Part::Court(name) => q.bind(name.clone()),
            Part::Unassigned => q,
        }
    })
}

/// Where an alert stands in the queue, to continue a page after it.
pub async fn queue_key(tx: &mut Tx, id: AlertId) -> Result<Option<QueueKey>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_as("SELECT priority, due_on, raised_at, id FROM alerts WHERE id = $1").bind(id)
    )
}

/// Which case an alert is on, and whether it is resolved.
/// What settling an alert needs to know of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRef {
    pub case_id: CaseId,
    pub rule: Rule,
    pub occurrence: String,
    pub resolved_at: Option<DateTime<Utc>>,
}

pub async fn alert_ref(tx: &mut Tx, id: AlertId) -> Result<Option<AlertRef>, sqlx::Error> {
    fetch!(
        tx,
        fetch_optional,
        sqlx::query_as("SELECT case_id, rule, occurrence, resolved_at FROM alerts WHERE id = $1")
            .bind(id)
    )
}

pub async fn acknowledge(
    tx: &mut Tx,
    id: AlertId,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE alerts SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND \
             acknowledged_at IS NULL AND resolved_at IS NULL"
        )
        .bind(at)
        .bind(by)
        .bind(id)
    )?;
    Ok(n == 1)
}

/// Resolves a case's open alerts of `rules` (what they warned of is done:
/// an assessment was completed); returns how many.
pub async fn resolve_rules(
    tx: &mut Tx,
    case: CaseId,
    rules: &[Rule],
    by: UserId,
    at: DateTime<Utc>,
    note: &str,
) -> Result<u64, sqlx::Error> {
    let marks: Vec<String> = (5..rules.len() + 5).map(|n| format!("${n}")).collect();
    let sql = format!(
        "UPDATE alerts SET resolved_at = $1, resolved_by = $2, resolution = $3, acknowledged_at = \
         COALESCE(acknowledged_at, $1), acknowledged_by = COALESCE(acknowledged_by, $2) WHERE \
         case_id = $4 AND resolved_at IS NULL AND rule IN ({})",
        marks.join(", ")
    );
    exec!(
        tx,
        rules.iter().fold(
            sqlx::query(&sql).bind(at).bind(by).bind(note).bind(case),
            |q, r| q.bind(*r)
        )
    )
}

pub async fn resolve(
    tx: &mut Tx,
    id: AlertId,
    by: UserId,
    at: DateTime<Utc>,
    note: &str,
) -> Result<bool, sqlx::Error> {
    let n = exec!(
        tx,
        sqlx::query(
            "UPDATE alerts SET resolved_at = $1, resolved_by = $2, resolution = $3, \
             acknowledged_at = COALESCE(acknowledged_at, $1), acknowledged_by = \
             COALESCE(acknowledged_by, $2) WHERE id = $4 AND resolved_at IS NULL"
        )
        .bind(at)
        .bind(by)
        .bind(note)
        .bind(id)
    )?;
    Ok(n == 1)
}

/// An appointment on the day's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayAppointment {
    pub id: AppointmentId,
    pub case_id: CaseId,
    pub case_number: String,
    pub person_name: String,
    pub person_number: String,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub outcome: Option<crate::domain::casework::supervision::Outcome>,
    /// Counts changes: a calendar takes a higher one as the newer event.
    pub version: i64,
}

/// Appointments on the cases in `scope` between two times, in order.
///
/// The day's appointments are found first (each case's through its index)
/// and only their cases and people read: joined in one query, SQLite read
/// every case in the scope and its participant to look for appointments.
pub async fn appointments_between(
    tx: &mut Tx,
    scope: &Scope,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<DayAppointment>, sqlx::Error> {
    let (scope_sql, user, court) = scope.sql("a.case_id");
    let sql = format!(
        "WITH day AS MATERIALIZED (SELECT a.id, a.case_id, a.kind, a.starts_at, \
         a.duration_minutes, a.location, a.outcome, a.version FROM appointments a WHERE \
         a.starts_at >= $3 AND a.starts_at < $4 AND {scope_sql} ORDER BY a.starts_at, a.id LIMIT 2000) SELECT d.id, \
         d.case_id, c.case_number, p.last_name || ', ' || p.first_name AS person_name, \
         p.person_number, d.kind, d.starts_at, d.duration_minutes, d.location, d.outcome, d.version FROM day \
         d JOIN cases c ON c.id = d.case_id JOIN people p ON p.id = c.person_id ORDER BY \
         d.starts_at, d.id"
    );
    fetch!(
        tx,
        fetch_all,
        sqlx::query_as(&sql)
            .bind(user)
            .bind(court)
            .bind(from)
            .bind(until)
    )
}

/// One officer's load, for their supervisor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficerLoad {
    pub officer_id: UserId,
    pub full_name: String,
    pub open_cases: i64,
    pub open_alerts: i64,
}

/// The supervisor's own and their officers' open cases and alerts.
pub async fn team_load(tx: &mut Tx, supervisor: UserId) -> Result<Vec<OfficerLoad>, sqlx::Error> {
    let sql = format!(
        "SELECT u.id AS officer_id, u.full_name, (SELECT COUNT(*) FROM cases c WHERE c.officer_id \
         = u.id AND {in_program}) AS open_cases, (SELECT COUNT(*) FROM alerts a WHERE a.officer_id = \
         u.id AND a.resolved_at IS NULL) AS open_alerts FROM \
         users u WHERE (u.supervisor_id = $1 OR u.id = $1) AND u.active ORDER BY u.full_name",
        in_program = status_in("c", CaseStatus::IN_PROGRAM),
    );
    fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(supervisor))
}

/// A case's alerts, raised and resolved, newest first.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseAlert {
    pub rule: Rule,
    pub detail: String,
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
}

pub async fn of_case(tx: &mut Tx, case: CaseId, limit: i64) -> Result<Vec<CaseAlert>, sqlx::Error> {
    case_alerts(tx, case, "TRUE", "a.raised_at DESC, a.id DESC", limit).await
}

/// A case's open alerts, the most pressing first.
pub async fn open_of_case(tx: &mut Tx, case: CaseId) -> Result<Vec<CaseAlert>, sqlx::Error> {
    let order = "a.priority, a.due_on, a.raised_at, a.id";
    case_alerts(tx, case, "a.resolved_at IS NULL", order, 50).await
}

async fn case_alerts(
    tx: &mut Tx,
    case: CaseId,
    only: &str,
    order: &str,
    limit: i64,
) -> Result<Vec<CaseAlert>, sqlx::Error> {
    let sql = format!(
        "SELECT a.rule, a.detail, a.raised_at, a.resolved_at, a.resolution, u.full_name AS \
         resolved_by FROM alerts a LEFT JOIN users u ON u.id = a.resolved_by WHERE a.case_id = $1 \
         AND {only} ORDER BY {order} LIMIT $2"
    );
    fetch!(tx, fetch_all, sqlx::query_as(&sql).bind(case).bind(limit))
}
