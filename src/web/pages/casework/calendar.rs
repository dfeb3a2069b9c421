//! The calendar page (day and week views), the feed's secret URL, and the
//! feed itself.

use crate::app::casework::calendar;
use crate::app::App;
use crate::store::casework::alerts::DayAppointment;
use crate::web::error::{PageError, PageResult};
use crate::web::extract::{ClientAddr, PageUser};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render, Nav};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike as _, Duration, NaiveDate};
use std::collections::HashMap;

/// One day of the calendar, its appointments with their local times.
pub struct Day {
    pub date: NaiveDate,
    pub items: Vec<(String, DayAppointment)>,
}

#[derive(Template)]
#[template(path = "casework/calendar.html")]
struct CalendarPage {
    nav: Nav,
    week: bool,
    days: Vec<Day>,
    previous: NaiveDate,
    next: NaiveDate,
    /// The feed's address, right after it was made (shown once).
    feed: Option<String>,
}

async fn show(
    app: &App,
    user: &PageUser,
    query: &HashMap<String, String>,
    feed: Option<String>,
) -> PageResult<Response> {
    let zone = app.settings.zone();
    let today = app.today();
    let date = query
        .get("date")
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or(today);
    let week = query.get("view").map(String::as_str) != Some("day");
    let (first, count) = if week {
        (
            date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
            7,
        )
    } else {
        (date, 1)
    };
    let list = calendar::days(app, &user.actor, first, count).await?;
    let days = (0..count)
        .map(|i| {
            let day = first + Duration::days(i);
            let items = list
                .iter()
                .filter(|a| a.starts_at.with_timezone(&zone).date_naive() == day)
                .map(|a| {
                    (
                        a.starts_at.with_timezone(&zone).format("%H:%M").to_string(),
                        a.clone(),
                    )
                })
                .collect();
            Day { date: day, items }
        })
        .collect();
    Ok(render(&CalendarPage {
        nav: Nav::new(zone, &user.actor, "calendar"),
        week,
        days,
        previous: first - Duration::days(count),
        next: first + Duration::days(count),
        feed,
    }))
}

pub async fn page(
    State(app): State<App>,
    user: PageUser,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult<Response> {
    show(&app, &user, &query, None).await
}

/// Makes a new feed address (the old one stops working) and shows it once,
/// whole: the address this server was reached at, then the feed's path.
pub async fn new_feed(
    State(app): State<App>,
    user: PageUser,
    headers: axum::http::HeaderMap,
) -> PageResult<Response> {
    let path = calendar::new_feed(&app, &user.actor).await?;
    let scheme = if app.settings.https() {
        "https"
    } else {
        "http"
    };
    let address = match headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
    {
        Some(host) => format!("{scheme}://{host}{}", path.expose()),
        None => path.expose().to_owned(),
    };
    show(&app, &user, &HashMap::new(), Some(address)).await
}

pub async fn revoke_feed(State(app): State<App>, user: PageUser) -> PageResult<Response> {
    calendar::revoke_feed(&app, &user.actor).await?;
    Ok(axum::response::Redirect::to("/calendar").into_response())
}

/// The iCalendar feed, for calendar apps (no session: the secret is the key).
pub async fn feed(
    State(app): State<App>,
    ClientAddr(source): ClientAddr,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let text = calendar::feed(&app, token, source).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}

/// This page's routes.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .get("/calendar", page)
        .post("/calendar/feed", new_feed)
        .post("/calendar/feed/revoke", revoke_feed)
        .get("/calendar/{file}", feed)
}
