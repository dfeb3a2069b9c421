//! "My caseload": the officer's cases, filtered, sorted and paged.

use crate::app::access::users::StaffMember;
use crate::app::casework::cases::{self, CaseloadQuery};
use crate::app::programs::Program;
use crate::app::App;
use crate::domain::casework::cases::CaseStatus;
use crate::store::casework::cases::{CaseRow, CaseSort};
use crate::web::error::PageResult;
use crate::web::extract::PageUser;
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render, Nav, Show as _};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;

pub const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "casework/caseload.html")]
struct CaseloadPage {
    nav: Nav,
    cases: Vec<CaseRow>,
    total: i64,
    page: i64,
    pages: i64,
    programs: Vec<Program>,
    officers: Vec<StaffMember>,
    statuses: &'static [CaseStatus],
    filter: Filter,
}

/// The filter as given in the query string; unknown values are ignored.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub program: String,
    #[serde(default)]
    pub officer: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
}

impl Filter {
    /// The query string for another page of the same list.
    pub fn link(&self, page: i64) -> String {
        let pairs = [
            ("status", &self.status),
            ("program", &self.program),
            ("officer", &self.officer),
            ("sort", &self.sort),
        ];
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            out.append_pair(k, v);
        }
        out.append_pair("page", &page.to_string());
        format!("/caseload?{}", out.finish())
    }

    fn sort(&self) -> CaseSort {
        match self.sort.as_str() {
            "status" => CaseSort::Status,
            "end" => CaseSort::EndDate,
            "number" => CaseSort::CaseNumber,
            _ => CaseSort::Name,
        }
    }
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    Query(raw): Query<HashMap<String, String>>,
) -> PageResult<Response> {
    let get = |k: &str| raw.get(k).cloned().unwrap_or_default();
    let filter = Filter {
        status: get("status"),
        program: get("program"),
        officer: get("officer"),
        sort: get("sort"),
        page: get("page"),
    };
    let page = filter.page.parse::<i64>().unwrap_or(1).max(1);
    let status = match filter.status.as_str() {
        "all" | "" => None,
        s => s.parse::<CaseStatus>().ok(),
    };
    let query = CaseloadQuery {
        status,
        include_closed: filter.status == "all",
        program: filter.program.parse().ok(),
        officer: filter.officer.parse().ok(),
        sort: filter.sort(),
        after: None,
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let actor = &user.actor;
    let view = cases::caseload_view(&app, actor, &query).await?;
    let load = view.load;
    let pages = ((load.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    Ok(render(&CaseloadPage {
        nav: Nav::new(app.settings.zone(), actor, "caseload"),
        cases: load.cases,
        total: load.total,
        page,
        pages,
        programs: view.programs,
        officers: view.officers,
        statuses: CaseStatus::all(),
        filter,
    }))
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new().get("/caseload", page)
}
