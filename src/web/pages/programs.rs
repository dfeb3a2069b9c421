//! The programs the agency runs and their eligibility rules.

use crate::app::programs::{self, Program};
use crate::app::App;
use crate::web::error::PageResult;
use crate::web::extract::PageUser;
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render, Nav};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    nav: Nav,
    programs: Vec<Program>,
}

pub async fn list(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    Ok(render(&ProgramsPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "programs"),
        programs: programs::list(&app).await?,
    }))
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new().get("/programs", list)
}
