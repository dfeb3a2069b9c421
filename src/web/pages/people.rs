//! The participant page and the agency search.

use super::form::Form;
use super::{render, Nav, Show as _, When as _};
use crate::app::people::{self, PersonRecord};
use crate::app::{App, AppError};
use crate::domain::ids::PersonId;
use crate::domain::validation::Invalid;
use crate::store::cases::HistoryRow;
use crate::store::people::SearchHit;
use crate::web::error::PageResult;
use crate::web::extract::{PagePath, PageUser};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

/// One entry of the participant's timeline.
pub struct TimelineEntry {
    pub case_number: String,
    pub entry: HistoryRow,
}

#[derive(Template)]
#[template(path = "participant.html")]
struct ParticipantPage {
    nav: Nav,
    r: PersonRecord,
    timeline: Vec<TimelineEntry>,
}

pub async fn participant(
    State(app): State<App>,
    user: PageUser,
    PagePath(id): PagePath<PersonId>,
) -> PageResult<Response> {
    let r = people::view(&app, &user.actor, id).await?;
    let mut timeline: Vec<TimelineEntry> = r
        .cases
        .iter()
        .zip(&r.histories)
        .flat_map(|(c, h)| {
            h.iter().map(|e| TimelineEntry {
                case_number: c.case_number.clone(),
                entry: e.clone(),
            })
        })
        .collect();
    timeline.sort_by_key(|t| std::cmp::Reverse(t.entry.at));
    Ok(render(&ParticipantPage {
        nav: Nav::new(&user.actor, "search"),
        r,
        timeline,
    }))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    q: String,
    hits: Option<Vec<SearchHit>>,
    error: Option<String>,
}

/// The empty search form.
pub async fn search_form(user: PageUser) -> PageResult<Response> {
    crate::app::policy::search_people(&user.actor)?;
    Ok(render(&SearchPage {
        nav: Nav::new(&user.actor, "search"),
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
    let (hits, error) = match people::search(&app, &user.actor, &q, 100).await {
        Ok(h) => (Some(h), None),
        Err(AppError::Invalid(Invalid(fields))) => {
            (None, fields.first().map(|f| f.message.clone()))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(render(&SearchPage {
        nav: Nav::new(&user.actor, "search"),
        q,
        hits,
        error,
    }))
}
