//! The caseload: the cases a member of staff works, with what they are
//! worked by (last contact, next appointment, open alerts, this month
//! against the level's standard), filtered, ordered, paged or downloaded,
//! and the views each person saves of it.

use crate::app::access::users::{self, StaffMember};
use crate::app::programs::{self, Program};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::casework::cases::CaseStatus;
use crate::domain::casework::supervision::{
    days_since, month_bounds, ContactStandard, MonthContacts, SupervisionLevel,
};
use crate::domain::csv;
use crate::domain::ids::{CaseId, ProgramId, UserId};
use crate::domain::input::RequiredText;
use crate::domain::validation::Invalid;
use crate::store::casework::caseload_views::{self as view_store, SavedView};
use crate::store::casework::cases::{
    self as store, CaseFilter, CaseSort, CaseloadRow, ListRequest,
};
use crate::store::Tx;
use chrono::{DateTime, Utc};

/// What a caseload list asks for.
#[derive(Debug, Clone, Default)]
pub struct CaseloadQuery {
    pub status: Option<CaseStatus>,
    /// Include cases that have ended.
    pub include_closed: bool,
    pub program: Option<ProgramId>,
    pub officer: Option<UserId>,
    /// Only cases silent as long as raises the no-contact alert.
    pub silent: bool,
    /// Only cases with open alerts.
    pub with_open_alerts: bool,
    pub level: Option<SupervisionLevel>,
    pub sort: CaseSort,
    pub after: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

/// A case in a caseload, with what it is worked by: the contact standard
/// its level holds it to this month, and the days since its last contact.
#[derive(Debug, Clone)]
pub struct CaseloadLine {
    pub row: CaseloadRow,
    pub standard: Option<ContactStandard>,
    pub days_since_contact: Option<i64>,
}

impl CaseloadLine {
    fn new(app: &App, row: CaseloadRow) -> Self {
        let zone = app.settings.zone();
        Self {
            standard: row
                .level
                .map(|l| app.settings.contact_standards.for_level(l)),
            days_since_contact: row
                .last_contact_at
                .map(|at| days_since(at, app.now(), zone)),
            row,
        }
    }

    /// This month's contacts toward the standard.
    pub fn this_month(&self) -> MonthContacts {
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        MonthContacts {
            contacts: count(self.row.month_contacts),
            home_visits: count(self.row.month_home_visits),
        }
    }

    pub fn standard_met(&self) -> Option<bool> {
        self.standard.map(|s| s.met_by(self.this_month()))
    }
}

pub struct Caseload {
    pub cases: Vec<CaseloadLine>,
    pub total: i64,
    pub next_cursor: Option<String>,
}

pub async fn caseload(app: &App, actor: &Actor, q: &CaseloadQuery) -> AppResult<Caseload> {
    let mut tx = app.db.read().await?;
    let load = caseload_in(&mut tx, app, actor, q, Listing::Page).await?;
    tx.commit().await?;
    Ok(load)
}

/// The caseload page: the caseload with what its filters offer, read in one
/// transaction.
pub struct CaseloadView {
    pub load: Caseload,
    pub programs: Vec<Program>,
    /// The officers it may be filtered by ([`users::case_staff`]).
    pub officers: Vec<StaffMember>,
    /// The reader's saved views.
    pub views: Vec<SavedView>,
}

pub async fn caseload_view(app: &App, actor: &Actor, q: &CaseloadQuery) -> AppResult<CaseloadView> {
    let mut tx = app.db.read().await?;
    let load = caseload_in(&mut tx, app, actor, q, Listing::Page).await?;
    let view = CaseloadView {
        load,
        programs: programs::list_in(&mut tx).await?,
        officers: users::case_staff_in(&mut tx, actor, None).await?,
        views: view_store::of_user(&mut tx, actor.id).await?,
    };
    tx.commit().await?;
    Ok(view)
}

/// How a caseload is read: a page to look at, every case for a bulk
/// action, or a download.
#[derive(Clone, Copy)]
enum Listing {
    Page,
    Whole,
    Download,
}

impl Listing {
    /// Most cases one read holds.
    fn most(self) -> i64 {
        match self {
            Self::Page => 200,
            Self::Whole | Self::Download => 10_000,
        }
    }

    fn action(self) -> Action {
        match self {
            Self::Page | Self::Whole => Action::CaseList,
            Self::Download => Action::CaseListExport,
        }
    }
}

/// Every case of the caseload as filtered (up to 10,000), in its
/// order, as CSV with the working columns; a privileged action (a fresh
/// sign-in), audited as a download.
pub async fn caseload_csv(app: &App, actor: &Actor, q: &CaseloadQuery) -> AppResult<String> {
    // Names and case numbers leave the system in bulk: as the audit
    // trail's export, it asks the person to have just signed in.
    policy::privileged(actor, "download a caseload", app.now())?;
    let all = CaseloadQuery {
        after: None,
        offset: 0,
        limit: Listing::Download.most(),
        ..q.clone()
    };
    let mut tx = app.db.read().await?;
    let load = caseload_in(&mut tx, app, actor, &all, Listing::Download).await?;
    tx.commit().await?;
    let zone = app.settings.zone();
    let local = |at: Option<DateTime<Utc>>| {
        at.map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let text = |v: Option<String>| v.unwrap_or_default();
    let mut out = csv::record(&[
        "case_number",
        "participant",
        "program",
        "status",
        "officer",
        "level",
        "contacts_this_month",
        "contacts_required",
        "standard_met",
        "last_contact",
        "days_since_contact",
        "next_appointment",
        "open_alerts",
        "start_date",
        "expected_end_date",
    ]);
    for line in &load.cases {
        let (r, c) = (&line.row, &line.row.case);
        out.push_str(&csv::record(&[
            c.case_number.clone(),
            c.person_name.clone(),
            c.program_name.clone(),
            c.status.label().to_owned(),
            text(c.officer_name.clone()),
            r.level.map_or("", SupervisionLevel::label).to_owned(),
            r.month_contacts.to_string(),
            text(line.standard.map(|s| s.contacts.to_string())),
            text(
                line.standard_met()
                    .map(|m| if m { "yes" } else { "no" }.to_owned()),
            ),
            local(r.last_contact_at),
            text(line.days_since_contact.map(|d| d.to_string())),
            local(r.next_appointment_at),
            r.open_alerts.to_string(),
            text(c.fields.start_date.map(|d| d.to_string())),
            text(c.fields.expected_end_date.map(|d| d.to_string())),
        ]));
    }
    Ok(out)
}

/// Every case of the caseload as filtered (up to 10,000), for a bulk
/// action on them all; audited as a list.
pub async fn case_ids(app: &App, actor: &Actor, q: &CaseloadQuery) -> AppResult<Vec<CaseId>> {
    let all = CaseloadQuery {
        after: None,
        offset: 0,
        limit: Listing::Whole.most(),
        ..q.clone()
    };
    let mut tx = app.db.read().await?;
    let load = caseload_in(&mut tx, app, actor, &all, Listing::Whole).await?;
    tx.commit().await?;
    Ok(load.cases.iter().map(|l| l.row.case.id).collect())
}

/// The caseload (audited as listed or downloaded) in the caller's
/// transaction.
async fn caseload_in(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    q: &CaseloadQuery,
    listing: Listing,
) -> AppResult<Caseload> {
    let scope = policy::casework::caseload_scope(actor);
    let at = app.now();
    let silence = chrono::Duration::days(app.settings.alerts.no_contact_days);
    let filter = CaseFilter {
        status: q.status,
        open_only: !q.include_closed && q.status.is_none(),
        program: q.program,
        officer: q.officer,
        quiet_since: q.silent.then(|| at - silence),
        with_open_alerts: q.with_open_alerts,
        level: q.level,
    };
    let limit = q.limit.clamp(1, listing.most());
    let (cases, total) = store::list(
        tx,
        ListRequest {
            scope: &scope,
            filter: &filter,
            sort: q.sort,
            after: q.after.as_deref(),
            offset: q.offset.max(0),
            limit: limit + 1,
            at,
            month_from: month_bounds(at, app.settings.zone()).0,
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        listing
            .action()
            .because(format!("{} results", cases.len().min(limit as usize))),
    );
    let (cases, next_cursor) =
        crate::store::sql::page(cases, limit, |c| c.case.case_number.clone());
    Ok(Caseload {
        cases: cases
            .into_iter()
            .map(|r| CaseloadLine::new(app, r))
            .collect(),
        total,
        next_cursor,
    })
}

/// A saved view's name.
pub type ViewName = RequiredText<60>;

/// Most views one person keeps.
pub const MOST_VIEWS: usize = 20;

/// Longest query string a view keeps.
const MOST_QUERY: usize = 500;

/// Saves the caseload's `query` (its filters and order) under `name`,
/// replacing the reader's view of that name.
pub async fn save_view(app: &App, actor: &Actor, name: &ViewName, query: &str) -> AppResult<()> {
    policy::casework::keep_caseload_views(actor)?;
    let name = name.checked().map_err(|e| Invalid::one("name", e))?;
    if query.len() > MOST_QUERY {
        return Err(
            Invalid::one("query", format!("is longer than {MOST_QUERY} characters")).into(),
        );
    }
    let mut tx = app.db.write().await?;
    let kept = view_store::of_user(&mut tx, actor.id).await?;
    if kept.len() >= MOST_VIEWS && !kept.iter().any(|v| v.name == name) {
        return Err(Invalid::one(
            "name",
            format!("you keep {MOST_VIEWS} views already: delete one first"),
        )
        .into());
    }
    let view = SavedView {
        name,
        query: query.to_owned(),
    };
    view_store::save(&mut tx, actor.id, &view, app.now()).await?;
    audit::record(&mut tx, actor, Action::CaseloadViewSave.because(view.name));
    tx.commit().await?;
    Ok(())
}

/// Deletes one of the reader's saved views.
pub async fn delete_view(app: &App, actor: &Actor, name: &str) -> AppResult<()> {
    policy::casework::keep_caseload_views(actor)?;
    let mut tx = app.db.write().await?;
    if !view_store::delete(&mut tx, actor.id, name).await? {
        return Err(AppError::NotFound("saved view"));
    }
    audit::record(&mut tx, actor, Action::CaseloadViewDelete.because(name));
    tx.commit().await?;
    Ok(())
}
