//! The calendar page (day, week and month views), the feed's secret URL, and the
//! feed itself.

use crate::app::casework::calendar;
use crate::app::App;
use crate::domain::casework::supervision::first_of_month;
use crate::store::casework::alerts::DayAppointment;
use crate::web::error::{PageError, PageResult};
use crate::web::extract::{ClientAddr, PageUser};
use crate::web::pages::routes::PageRoutes;
use crate::web::render::{render, Nav};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike as _, Duration, Months, NaiveDate};
use std::collections::HashMap;

/// One day of the calendar, its appointments with their local times.
pub struct Day {
    pub date: NaiveDate,
    pub items: Vec<(String, DayAppointment)>,
}

/// How much of the calendar a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Day,
    Week,
    Month,
}

impl View {
    fn parse(text: Option<&str>) -> Self {
        match text {
            Some("day") => Self::Day,
            Some("month") => Self::Month,
            _ => Self::Week,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// The first day shown for `date`, and the first day of the next span.
    fn span(self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Self::Day => (date, date + Duration::days(1)),
            Self::Week => {
                let monday =
                    date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
                (monday, monday + Duration::days(7))
            }
            Self::Month => {
                let first = first_of_month(date);
                (first, first + Months::new(1))
            }
        }
    }

    /// The first day of the span before the one starting on `first`.
    fn before(self, first: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => first - Duration::days(1),
            Self::Week => first - Duration::days(7),
            Self::Month => first - Months::new(1),
        }
    }
}

#[derive(Template)]
#[template(path = "casework/calendar.html")]
struct CalendarPage {
    nav: Nav,
    view: View,
    days: Vec<Day>,
    /// The month view's grid: weeks from Monday, days outside the month
    /// left empty.
    weeks: Vec<Vec<Option<Day>>>,
    /// The month shown, e.g. "December 2026".
    month: String,
    previous: NaiveDate,
    next: NaiveDate,
    /// The feed's address, right after it was made (shown once).
    feed: Option<String>,
}

/// Most appointments a month view's day lists; the rest are counted.
pub const DAY_CELL_ITEMS: usize = 4;

/// The month's days in weeks from Monday, the days of other months empty.
fn month_grid(days: Vec<Day>) -> Vec<Vec<Option<Day>>> {
    let lead = days
        .first()
        .map_or(0, |d| d.date.weekday().num_days_from_monday() as usize);
    let mut cells: Vec<Option<Day>> = std::iter::repeat_with(|| None).take(lead).collect();
    cells.extend(days.into_iter().map(Some));
    while cells.len() % 7 != 0 {
        cells.push(None);
    }
    let mut weeks = Vec::new();
    let mut cells = cells.into_iter();
    loop {
        let week: Vec<Option<Day>> = cells.by_ref().take(7).collect();
        if week.is_empty() {
            return weeks;
        }
        weeks.push(week);
    }
}

async fn show(
    app: &App,
    user: &PageUser,
    query: &HashMap<String, String>,
    feed: Option<String>,
) -> PageResult<Response> {
    let zone = app.settings.zone();
    let date = query
        .get("date")
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .unwrap_or_else(|| app.today());
    let view = View::parse(query.get("view").map(String::as_str));
    let (first, after) = view.span(date);
    let count = (after - first).num_days();
    let list = calendar::days(app, &user.actor, first, count).await?;
    let days: Vec<Day> = (0..count)
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
    let (days, weeks) = match view {
        View::Month => (Vec::new(), month_grid(days)),
        View::Day | View::Week => (days, Vec::new()),
    };
    Ok(render(&CalendarPage {
        nav: Nav::new(zone, &user.actor, "calendar"),
        view,
        days,
        weeks,
        month: first.format("%B %Y").to_string(),
        previous: view.before(first),
        next: after,
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
