//! Server-rendered pages (askama templates), mirroring the API: each handler
//! calls the same service as its API counterpart and renders the result.

mod access;
mod assessments;
mod audit;
mod casework;
mod charges;
mod intake;
mod people;
mod programs;
pub mod routes;

use crate::domain::access::users::Role;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use routes::PageRoutes;

const CSS: &str = include_str!("../../../static/app.css");

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// Each role's home: the work queue for officers and supervisors, the audit
/// trail for auditors, the access review for administrators, the caseload
/// for everyone else.
async fn home(user: crate::web::extract::PageUser) -> Redirect {
    match user.actor.role {
        Role::Officer | Role::Supervisor => Redirect::to("/work"),
        Role::Auditor => Redirect::to("/audit"),
        Role::Admin => Redirect::to("/admin/access-review"),
        Role::Court | Role::Provider => Redirect::to("/caseload"),
    }
}

/// Every page: each context's file states its own routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/", home)
        .get("/static/app.css", stylesheet)
        .merge(access::account::routes())
        .merge(assessments::routes())
        .merge(access::auth::routes())
        .merge(access::mfa::routes())
        .merge(access::users::routes())
        .merge(audit::routes())
        .merge(casework::alerts::routes())
        .merge(casework::appointments::routes())
        .merge(casework::calendar::routes())
        .merge(casework::caseload::routes())
        .merge(casework::cases::routes())
        .merge(casework::conditions::routes())
        .merge(casework::drug_tests::routes())
        .merge(casework::notes::routes())
        .merge(casework::supervision::routes())
        .merge(intake::routes())
        .merge(people::routes())
        .merge(programs::routes())
}
