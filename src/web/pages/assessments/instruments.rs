//! The administrators' page of assessment instruments: what is loaded,
//! loading a definition (pasted whole) and retiring a version.

use crate::app::assessments::instruments::{self, Loaded};
use crate::app::{policy, App};
use crate::store::assessments::instruments::InstrumentRow;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render_with, Nav, When as _};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "assessments/instruments.html")]
struct InstrumentsPage {
    nav: Nav,
    instruments: Vec<InstrumentRow>,
    form: FormState,
    /// What loading just did.
    loaded: Option<String>,
}

async fn show(
    app: &App,
    user: &PageUser,
    status: StatusCode,
    form: FormState,
    loaded: Option<String>,
) -> PageResult<Response> {
    policy::assessments::manage_instruments(&user.actor)?;
    Ok(render_with(
        status,
        &InstrumentsPage {
            nav: Nav::new(app.settings.zone(), &user.actor, "instruments"),
            instruments: instruments::list(app, Some(&user.actor)).await?,
            form,
            loaded,
        },
    ))
}

pub async fn page(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    show(&app, &user, StatusCode::OK, FormState::default(), None).await
}

/// Loads a pasted definition; its problems are listed on the page.
pub async fn load(
    State(app): State<App>,
    user: PageUser,
    Form(mut form): Form,
) -> PageResult<Response> {
    let text = form.v("definition").to_owned();
    let said = match instruments::import(&app, Some(&user.actor), &text).await {
        Ok(Loaded::Added(r)) => format!("Loaded {} version {}.", r.name, r.version),
        Ok(Loaded::Unchanged(r)) => {
            format!(
                "{} version {} was loaded already, unchanged.",
                r.name, r.version
            )
        }
        Err(e) => {
            let status = form.absorb(e)?;
            return show(&app, &user, status, form, None).await;
        }
    };
    show(
        &app,
        &user,
        StatusCode::OK,
        FormState::default(),
        Some(said),
    )
    .await
}

pub async fn retire(
    State(app): State<App>,
    user: PageUser,
    PagePath((instrument, version)): PagePath<(String, i32)>,
) -> PageResult<Response> {
    instruments::retire(&app, Some(&user.actor), &instrument, version).await?;
    Ok(Redirect::to("/admin/instruments").into_response())
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/admin/instruments", page)
        .post("/admin/instruments", load)
        .post("/admin/instruments/{instrument}/{version}/retire", retire)
}
