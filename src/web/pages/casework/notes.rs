//! Case notes: a case's notes with the form to write one, one note with its
//! draft and addendum forms, and the note search.

use crate::app::casework::notes::{
    self, AddendumInput, CaseNotes, DraftInput, NoteHit, NoteInput, NoteView, SearchInput,
    SignInput,
};
use crate::app::App;
use crate::domain::casework::notes::NoteKind;
use crate::domain::ids::{CaseId, ContactId, NoteId};
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use crate::web::form::hits_or_problem;
use crate::web::form::{Form, FormState};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render, render_with, Nav, When as _};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "casework/notes.html")]
struct NotesPage {
    nav: Nav,
    r: CaseNotes,
    form: FormState,
    kinds: &'static [NoteKind],
}

async fn show_case(
    app: &App,
    user: &PageUser,
    id: CaseId,
    status: StatusCode,
    form: FormState,
) -> PageResult<Response> {
    let r = notes::of_case(app, &user.actor, id).await?;
    let page = NotesPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "caseload"),
        r,
        form,
        kinds: NoteKind::all(),
    };
    Ok(render_with(status, &page))
}

pub async fn of_case(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
) -> PageResult<Response> {
    let form = FormState::default().with("kind", NoteKind::Contact.label());
    show_case(&app, &user, id, StatusCode::OK, form).await
}

/// The kind, text and contact the note forms share.
fn read_note(form: &mut FormState) -> Option<(NoteKind, Option<ContactId>)> {
    let kind = form.parse::<NoteKind>("kind", "a kind of note");
    let contact = form.parse_opt::<ContactId>("contact_id", "a contact");
    Some((kind?, contact?))
}

pub async fn write(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<CaseId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some((kind, contact_id)), false) = (read_note(&mut form), form.has_errors()) {
        let input = NoteInput {
            kind,
            text: form.v("text").into(),
            contact_id,
            sign: form.v("action") == "sign",
        };
        match notes::write(&app, &user.actor, id, input).await {
            Ok(v) if v.note.signed_at.is_some() => return Ok(to_case(id)),
            Ok(v) => return Ok(to_note(v.note.id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show_case(&app, &user, id, status, form).await
}

fn to_case(id: CaseId) -> Response {
    Redirect::to(&format!("/cases/{id}/notes")).into_response()
}

fn to_note(id: NoteId) -> Response {
    Redirect::to(&format!("/notes/{id}")).into_response()
}

#[derive(Template)]
#[template(path = "casework/note.html")]
struct NotePage {
    nav: Nav,
    v: NoteView,
    form: FormState,
    kinds: &'static [NoteKind],
}

async fn show_note(
    app: &App,
    user: &PageUser,
    id: NoteId,
    status: StatusCode,
    form: Option<FormState>,
) -> PageResult<Response> {
    let v = notes::get(app, &user.actor, id).await?;
    let form = form.unwrap_or_else(|| match v.can_edit {
        true => FormState::default()
            .with("kind", v.note.kind.label())
            .with("text", v.note.text.clone()),
        false => FormState::default(),
    });
    let page = NotePage {
        nav: Nav::new(app.settings.zone(), &user.actor, "caseload"),
        v,
        form,
        kinds: NoteKind::all(),
    };
    Ok(render_with(status, &page))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<NoteId>,
) -> PageResult<Response> {
    show_note(&app, &user, id, StatusCode::OK, None).await
}

pub async fn update(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<NoteId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let version = form.parse::<i64>("version", "a version number");
    let note = read_note(&mut form);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(version), Some((kind, contact_id)), false) = (version, note, form.has_errors()) {
        let input = DraftInput {
            version,
            kind,
            text: form.v("text").into(),
            contact_id,
        };
        match notes::update_draft(&app, &user.actor, id, input).await {
            Ok(_) => return Ok(to_note(id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show_note(&app, &user, id, status, Some(form)).await
}

pub async fn sign(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<NoteId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(version) = form.parse::<i64>("version", "a version number") {
        match notes::sign(&app, &user.actor, id, SignInput { version }).await {
            Ok(v) => return Ok(to_case(v.note.case_id)),
            Err(e) => status = form.absorb(e)?,
        }
    }
    show_note(&app, &user, id, status, Some(form)).await
}

pub async fn add_addendum(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<NoteId>,
    Form(mut form): Form,
) -> PageResult<Response> {
    let input = AddendumInput {
        text: form.v("text").into(),
    };
    match notes::add_addendum(&app, &user.actor, id, input).await {
        Ok(_) => Ok(to_note(id)),
        Err(e) => {
            let status = form.absorb(e)?;
            show_note(&app, &user, id, status, Some(form)).await
        }
    }
}

#[derive(Template)]
#[template(path = "casework/note_search.html")]
struct SearchPage {
    nav: Nav,
    query: String,
    hits: Option<Vec<NoteHit>>,
    error: Option<String>,
}

pub async fn search_form(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    crate::app::policy::casework::search_notes(&user.actor)?;
    Ok(render(&SearchPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "notes"),
        query: String::new(),
        hits: None,
        error: None,
    }))
}

/// A search, posted so that its words stay out of URLs and access logs.
pub async fn search(
    State(app): State<App>,
    user: PageUser,
    Form(form): Form,
) -> PageResult<Response> {
    let query = form.v("query").to_owned();
    let input = SearchInput {
        query: query.clone().into(),
    };
    let (hits, error) = hits_or_problem(notes::search(&app, &user.actor, input).await)?;
    Ok(render(&SearchPage {
        nav: Nav::new(app.settings.zone(), &user.actor, "notes"),
        query,
        hits,
        error,
    }))
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/cases/{id}/notes", of_case)
        .post("/cases/{id}/notes", write)
        .get("/notes/search", search_form)
        .post("/notes/search", search)
        .get("/notes/{id}", page)
        .post("/notes/{id}", update)
        .post("/notes/{id}/sign", sign)
        .post("/notes/{id}/addenda", add_addendum)
}
