//! The participant page and the agency search.

use crate::app::people::{self, Found, PersonInput, PersonRecord, PersonUpdate};
use crate::app::people::{IdentifierInput, NameInput};
use crate::app::{App, AppError};
use crate::config::Demographics;
use crate::domain::casework::timeline::{Depth, MomentKind, TimelineQuery};
use crate::domain::ids::PersonId;
use crate::domain::people::{IdentifierKind, Language};
use crate::domain::validation::Invalid;
use crate::store::people::PersonRow;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::hits_or_problem;
use crate::web::form::Form;
use crate::web::form::FormState;
use crate::web::pages::routes::PageRoutes;
use crate::web::render::render_with;
use crate::web::render::{render, Nav, Show as _, When as _};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "participant.html")]
struct ParticipantPage {
    nav: Nav,
    r: PersonRecord,
    /// Each scale's history as an SVG chart (its text escaped).
    charts: Vec<String>,
    timeline: TimelineQuery,
    kinds: &'static [MomentKind],
}

impl ParticipantPage {
    /// The page with the timeline showing `kind` (every kind: `None`), as
    /// far back as it shows now.
    fn showing(&self, kind: Option<MomentKind>) -> String {
        self.link(kind, self.timeline.depth)
    }

    fn link(&self, kind: Option<MomentKind>, depth: Depth) -> String {
        self.link_before(kind, depth, None)
    }

    fn link_before(
        &self,
        kind: Option<MomentKind>,
        depth: Depth,
        before: Option<DateTime<Utc>>,
    ) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(k) = kind {
            q.append_pair("kind", k.label());
        }
        if depth == Depth::Whole {
            q.append_pair("history", "all");
        }
        if let Some(b) = before {
            q.append_pair("before", &b.to_rfc3339());
        }
        format!("/people/{}?{}#timeline", self.r.person.id, q.finish())
    }

    /// The page with the whole history of the kind shown.
    fn whole_history(&self) -> String {
        self.link(self.timeline.kind, Depth::Whole)
    }

    /// The next, older page of the whole history, if there is one.
    fn older(&self) -> Option<String> {
        let before = self.r.older?;
        Some(self.link_before(self.timeline.kind, Depth::Whole, Some(before)))
    }
}

/// `/people/{id}`; `kind` narrows the timeline, `history=all` reaches back
/// years.
pub async fn participant(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PersonId>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult<Response> {
    let timeline = TimelineQuery {
        kind: q.get("kind").and_then(|k| k.parse().ok()),
        depth: match q.get("history").map(String::as_str) {
            Some("all") => Depth::Whole,
            _ => Depth::Recent,
        },
        before: q
            .get("before")
            .map(|b| DateTime::parse_from_rfc3339(b).map(|t| t.with_timezone(&Utc)))
            .transpose()
            .map_err(|_| {
                AppError::from(Invalid::one(
                    "before",
                    "is not a time like 2026-11-18T19:00:00Z",
                ))
            })?,
    };
    let r = people::view(&app, &user.actor, id, timeline).await?;
    let charts = r
        .assessments
        .scales
        .iter()
        .enumerate()
        .map(|(i, h)| super::assessments::chart::scale_chart(h, i))
        .collect();
    Ok(render(&ParticipantPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "search"),
        charts,
        r,
        timeline,
        kinds: MomentKind::all(),
    }))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    q: String,
    hits: Option<Vec<Found>>,
    error: Option<String>,
}

/// Reads a person's details; the intake and edit forms share the input names.
pub(super) fn read_person(form: &mut FormState) -> Option<PersonInput> {
    let dob = form.date("person.date_of_birth");
    let language = form.parse::<Language>("person.preferred_language", "a language");
    let mut identifiers = Vec::new();
    if let Some(v) = form.opt("person.state_id") {
        identifiers.push(IdentifierInput {
            kind: IdentifierKind::StateId,
            value: v,
        });
    }
    let mut aliases = Vec::new();
    if ["person.alias_last_name", "person.alias_first_name"]
        .iter()
        .any(|name| form.opt::<String>(name).is_some())
    {
        aliases.push(NameInput {
            first_name: form.v("person.alias_first_name").into(),
            middle_name: None,
            last_name: form.v("person.alias_last_name").into(),
        });
    }
    Some(PersonInput {
        first_name: form.v("person.first_name").into(),
        middle_name: form.opt("person.middle_name"),
        last_name: form.v("person.last_name").into(),
        date_of_birth: dob?,
        aliases,
        identifiers,
        phone: form.opt("person.phone"),
        email: form.opt("person.email"),
        address: form.opt("person.address"),
        preferred_language: language?,
        may_text: form.checked("person.may_text"),
        may_email: form.checked("person.may_email"),
        race: form.opt("person.race"),
        ethnicity: form.opt("person.ethnicity"),
        sex: form.opt("person.sex"),
    })
}

/// The edit form filled from the record as stored.
fn filled(p: &PersonRow) -> FormState {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut form = FormState::default()
        .with("version", p.version.to_string())
        .with("person.first_name", p.first_name.clone())
        .with("person.middle_name", text(&p.middle_name))
        .with("person.last_name", p.last_name.clone())
        .with("person.date_of_birth", p.date_of_birth.to_string())
        .with("person.phone", text(&p.phone))
        .with("person.email", text(&p.email))
        .with("person.address", text(&p.address))
        .with("person.preferred_language", p.preferred_language.label())
        .with("person.race", text(&p.race))
        .with("person.ethnicity", text(&p.ethnicity))
        .with("person.sex", text(&p.sex));
    for (name, on) in [
        ("person.may_text", p.may_text),
        ("person.may_email", p.may_email),
    ] {
        if on {
            form = form.with(name, "on");
        }
    }
    form.opened()
}

#[derive(Template)]
#[template(path = "person_edit.html")]
struct EditPage {
    nav: Nav,
    id: PersonId,
    name: String,
    form: FormState,
    languages: &'static [Language],
    demographics: Demographics,
}

async fn edit_page(
    app: &App,
    user: &PageUser,
    id: PersonId,
    status: StatusCode,
    form: Option<FormState>,
) -> PageResult<Response> {
    let r = people::view(app, &user.actor, id, TimelineQuery::default()).await?;
    if !r.can_change {
        return Err(AppError::Forbidden("change this participant").into());
    }
    let stored = filled(&r.person);
    let form = match form {
        Some(mut form) => {
            form.reconcile(&stored);
            form
        }
        None => stored,
    };
    let page = EditPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "search"),
        id,
        name: r.person.name().display(),
        form,
        languages: Language::all(),
        demographics: app.settings.demographics.clone(),
    };
    Ok(render_with(status, &page))
}

pub async fn edit(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PersonId>,
) -> PageResult<Response> {
    edit_page(&app, &user, id, StatusCode::OK, None).await
}

pub async fn save(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PersonId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let person = read_person(&mut form);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some(person), false) = (version, person, form.has_errors()) {
        match people::update(&app, &user.actor, id, PersonUpdate { version, person }).await {
            Ok(()) => return Ok(Redirect::to(&format!("/people/{id}")).into_response()),
            Err(e) => status = form.absorb(e)?,
        }
    }
    edit_page(&app, &user, id, status, Some(form)).await
}

/// The empty search form.
pub async fn search_form(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    crate::app::policy::people::search_people(&user.actor)?;
    Ok(render(&SearchPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "search"),
        q: String::new(),
        hits: None,
        error: None,
    }))
}

/// A search, posted so that names and dates of birth stay out of URLs,
/// browser history and access logs.
pub async fn search(
    State(app): State<App>,
    user: PageUser,
    Form(form): Form,
) -> PageResult<Response> {
    let q = form.v("q").to_owned();
    let (hits, error) =
        hits_or_problem(people::search(&app, &user.actor, &q.as_str().into(), 100).await)?;
    Ok(render(&SearchPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "search"),
        q,
        hits,
        error,
    }))
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/search", search_form)
        .post("/search", search)
        .get("/people/{id}", participant)
        .get("/people/{id}/edit", edit)
        .post("/people/{id}/edit", save)
}
