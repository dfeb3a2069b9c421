//! "My caseload": the cases with the columns they are worked by, filtered,
//! sorted and paged as the address says, downloaded as CSV, and the views
//! each person saves of it.

use crate::app::access::users::StaffMember;
use crate::app::casework::caseload::{self, CaseloadLine, CaseloadQuery, ViewName};
use crate::app::casework::cases;
use crate::app::programs::Program;
use crate::app::{App, AppError};
use crate::domain::casework::cases::CaseStatus;
use crate::domain::casework::supervision::SupervisionLevel;
use crate::domain::ids::{CaseId, UserId};
use crate::store::casework::caseload_views::SavedView;
use crate::store::casework::cases::CaseSort;
use crate::web::error::PageResult;
use crate::web::extract::PageUser;
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{csv_download, render_with, Nav, Show as _};
use askama::Template;
use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

/// An order the caseload offers.
pub struct SortChoice {
    /// The address's word for it.
    pub key: &'static str,
    pub title: &'static str,
    sort: CaseSort,
    /// How a sorted column announces itself (`aria-sort`).
    pub aria: &'static str,
}

const fn choice(
    key: &'static str,
    title: &'static str,
    sort: CaseSort,
    aria: &'static str,
) -> SortChoice {
    SortChoice {
        key,
        title,
        sort,
        aria,
    }
}

/// The order unless another is named.
const BY_NAME: SortChoice = choice("name", "Name", CaseSort::Name, "ascending");

const SORTS: &[SortChoice] = &[
    BY_NAME,
    choice(
        "contact",
        "Last contact, longest ago first",
        CaseSort::LastContact,
        "ascending",
    ),
    choice(
        "next",
        "Next appointment, soonest first",
        CaseSort::NextAppointment,
        "ascending",
    ),
    choice(
        "alerts",
        "Open alerts, most first",
        CaseSort::OpenAlerts,
        "descending",
    ),
    choice(
        "level",
        "Supervision level, highest first",
        CaseSort::Level,
        "other",
    ),
    choice("status", "Status", CaseSort::Status, "other"),
    choice("end", "Expected end date", CaseSort::EndDate, "ascending"),
    choice("number", "Case number", CaseSort::CaseNumber, "ascending"),
];

/// Rows a page may show; the first unless another is named.
const PAGE_SIZES: &[i64] = &[DEFAULT_PAGE_SIZE, 100, 200];
const DEFAULT_PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "casework/caseload.html")]
struct CaseloadPage {
    nav: Nav,
    lines: Vec<Line>,
    total: i64,
    page: i64,
    pages: i64,
    programs: Vec<Program>,
    officers: Vec<StaffMember>,
    statuses: &'static [CaseStatus],
    levels: &'static [SupervisionLevel],
    sorts: &'static [SortChoice],
    sizes: &'static [i64],
    no_contact_days: i64,
    filter: Filter,
    views: Vec<SavedView>,
    /// The save-a-view form, as submitted.
    saving: FormState,
    /// The move-cases form (supervisors), as submitted.
    moving: FormState,
}

/// A caseload line with its times in the agency's zone.
struct Line {
    line: CaseloadLine,
    last_contact: Option<String>,
    next_appointment: Option<String>,
}

impl Line {
    fn new(line: CaseloadLine, zone: Tz) -> Self {
        let local = |at: Option<DateTime<Utc>>| {
            at.map(|t| {
                t.with_timezone(&zone)
                    .format("%a %Y-%m-%d %H:%M")
                    .to_string()
            })
        };
        Self {
            last_contact: local(line.row.last_contact_at),
            next_appointment: local(line.row.next_appointment_at),
            line,
        }
    }
}

/// The caseload's filters, order and page as the address gives them;
/// values it does not know are ignored.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub status: String,
    pub program: String,
    pub officer: String,
    pub level: String,
    /// `silent` (no contact for the no-contact alert's days) or `alerts`.
    pub attention: String,
    pub sort: String,
    pub per: String,
    pub page: String,
}

impl Filter {
    fn from_pairs(pairs: &HashMap<String, String>) -> Self {
        let get = |k: &str| pairs.get(k).cloned().unwrap_or_default();
        Self {
            status: get("status"),
            program: get("program"),
            officer: get("officer"),
            level: get("level"),
            attention: get("attention"),
            sort: get("sort"),
            per: get("per"),
            page: get("page"),
        }
    }

    /// Reads a saved or submitted query string.
    fn from_query(query: &str) -> Self {
        let pairs = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        Self::from_pairs(&pairs)
    }

    /// The filters and order as a query string, without the page: what a
    /// view saves, and what every link of the page carries.
    pub fn query(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("program", &self.program),
            ("officer", &self.officer),
            ("level", &self.level),
            ("attention", &self.attention),
            ("sort", &self.sort),
            ("per", &self.per),
        ];
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            out.append_pair(k, v);
        }
        out.finish()
    }

    /// Another page of the same list.
    pub fn link(&self, page: i64) -> String {
        let query = self.query();
        let and = if query.is_empty() { "" } else { "&" };
        format!("/caseload?{query}{and}page={page}")
    }

    /// The same list in another order.
    pub fn sorted_by(&self, key: &str) -> String {
        let other = Self {
            sort: key.to_owned(),
            page: String::new(),
            ..self.clone()
        };
        format!("/caseload?{}", other.query())
    }

    /// The same list as CSV.
    pub fn csv_link(&self) -> String {
        format!("/caseload.csv?{}", self.query())
    }

    /// The order chosen; by name unless another is named.
    fn sorting(&self) -> &'static SortChoice {
        SORTS
            .iter()
            .find(|s| s.key == self.sort)
            .unwrap_or(&BY_NAME)
    }

    /// `aria-sort` for the column ordered by `key`: how it is sorted, or
    /// `none`.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        let sorting = self.sorting();
        if sorting.key == key {
            sorting.aria
        } else {
            "none"
        }
    }

    fn per_page(&self) -> i64 {
        self.per
            .parse()
            .ok()
            .filter(|n| PAGE_SIZES.contains(n))
            .unwrap_or(DEFAULT_PAGE_SIZE)
    }

    fn page(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).max(1)
    }

    fn caseload_query(&self) -> CaseloadQuery {
        let per = self.per_page();
        CaseloadQuery {
            status: match self.status.as_str() {
                "all" | "" => None,
                s => s.parse().ok(),
            },
            include_closed: self.status == "all",
            program: self.program.parse().ok(),
            officer: self.officer.parse().ok(),
            silent: self.attention == "silent",
            with_open_alerts: self.attention == "alerts",
            level: self.level.parse().ok(),
            sort: self.sorting().sort,
            after: None,
            offset: (self.page() - 1) * per,
            limit: per,
        }
    }
}

/// Which of the page's forms was submitted, with its errors.
enum Submitted {
    Nothing,
    SaveView(FormState),
    Move(FormState),
}

async fn show(
    app: &App,
    user: &PageUser,
    filter: Filter,
    status: StatusCode,
    submitted: Submitted,
) -> PageResult<Response> {
    let (saving, moving) = match submitted {
        Submitted::Nothing => (FormState::default(), FormState::default()),
        Submitted::SaveView(f) => (f, FormState::default()),
        Submitted::Move(f) => (FormState::default(), f),
    };
    let actor = &user.actor;
    let view = caseload::caseload_view(app, actor, &filter.caseload_query()).await?;
    let load = view.load;
    let per = filter.per_page();
    let zone = app.settings.zone();
    Ok(render_with(
        status,
        &CaseloadPage {
            nav: Nav::new(zone, actor, "caseload"),
            lines: load.cases.into_iter().map(|l| Line::new(l, zone)).collect(),
            total: load.total,
            page: filter.page(),
            pages: ((load.total + per - 1) / per).max(1),
            programs: view.programs,
            officers: view.officers,
            statuses: CaseStatus::all(),
            levels: SupervisionLevel::all(),
            sorts: SORTS,
            sizes: PAGE_SIZES,
            no_contact_days: app.settings.alerts.no_contact_days,
            filter,
            views: view.views,
            saving,
            moving,
        },
    ))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    Query(raw): Query<HashMap<String, String>>,
) -> PageResult<Response> {
    let filter = Filter::from_pairs(&raw);
    show(&app, &user, filter, StatusCode::OK, Submitted::Nothing).await
}

/// The caseload as filtered and ordered, every page of it, as CSV.
pub async fn download(
    State(app): State<App>,
    user: PageUser,
    RawQuery(query): RawQuery,
) -> PageResult<Response> {
    let filter = Filter::from_query(query.as_deref().unwrap_or_default());
    let csv = caseload::caseload_csv(&app, &user.actor, &filter.caseload_query()).await?;
    Ok(csv_download("caseload", app.today(), csv))
}

/// Saves the caseload's filters and order under a name.
pub async fn save_view(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    let filter = Filter::from_query(form.v("query"));
    let query = filter.query();
    let name = ViewName::from(form.v("name"));
    match caseload::save_view(&app, &user.actor, &name, &query).await {
        Ok(()) => Ok(Redirect::to(&format!("/caseload?{query}")).into_response()),
        Err(e) => {
            let status = form.absorb(e)?;
            show(&app, &user, filter, status, Submitted::SaveView(form)).await
        }
    }
}

/// Moves the ticked cases (`case.<id>`), or every case the list holds
/// (`everything`), to the ticked officers (`to.<id>`): one, or several to
/// split them evenly.
pub async fn reassign(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    let filter = Filter::from_query(form.v("query"));
    let unknown = |_| AppError::NotFound("case or officer");
    let to: Vec<UserId> = form.ticked("to.").map_err(unknown)?;
    let cases: Vec<CaseId> = if form.checked("everything") {
        caseload::case_ids(&app, &user.actor, &filter.caseload_query()).await?
    } else {
        form.ticked("case.").map_err(unknown)?
    };
    match cases::reassign(&app, &user.actor, &cases, &to).await {
        Ok(_) => Ok(Redirect::to(&format!("/caseload?{}", filter.query())).into_response()),
        Err(e) => {
            let status = form.absorb(e)?;
            show(&app, &user, filter, status, Submitted::Move(form)).await
        }
    }
}

/// Deletes a saved view.
pub async fn delete_view(
    State(app): State<App>,
    user: PageUser,
    Form(form): Form,
) -> PageResult<Response> {
    caseload::delete_view(&app, &user.actor, form.v("name")).await?;
    Ok(Redirect::to("/caseload").into_response())
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/caseload", page)
        .get("/caseload.csv", download)
        .post("/caseload/views", save_view)
        .post("/caseload/views/delete", delete_view)
        .post("/cases/reassign", reassign)
}
