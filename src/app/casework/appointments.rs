//! Changing appointments already scheduled: moving or editing one, or it
//! and the rest of its weekly series; cancelling them; and the
//! double-booking check every booking passes. The participant is told of
//! each change (where the agency wants it) and the reminders follow.

use super::guard::case_of;
use crate::app::outreach::reminders;
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::casework::supervision::{
    local_to_utc, moved_with, AppointmentKind, Booking, Minutes, Outcome, Span,
};
use crate::domain::ids::AppointmentId;
use crate::domain::input::{RequiredText, Text};
use crate::domain::outreach::messages::About;
use crate::domain::validation::{DateKind, Errors, Invalid};
use crate::store::casework::cases::CaseRow;
use crate::store::casework::supervision::{self as store, AppointmentRow, Booked, Moved};
use crate::store::Tx;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::Deserialize;

/// Checks a new appointment's start: not more than a day past (what
/// happened is a contact), and within the scheduling horizon.
pub(super) fn check_start(errors: &mut Errors, app: &App, starts_at: NaiveDateTime) {
    if local_to_utc(starts_at, app.settings.zone()) < app.now() - Duration::days(1) {
        errors.add(
            "starts_at",
            "is in the past; record what happened as a contact instead",
        );
    } else {
        let scheduled = DateKind::Scheduled.check(starts_at.date(), app.today());
        errors.check("starts_at", scheduled);
    }
}

/// How a booked appointment is named in a clash: "case 2026-000123's
/// office visit, Mon 7 Dec 09:00–09:30".
fn clash_message(app: &App, booked: &Booked, same_case: bool) -> String {
    let zone = app.settings.zone();
    let starts = booked.starts_at.with_timezone(&zone);
    let ends = starts + Duration::minutes(i64::from(booked.duration_minutes));
    let whose = if same_case {
        "this case's".to_owned()
    } else {
        format!("case {}'s", booked.case_number)
    };
    format!(
        "double booking: this clashes with {whose} {}, {}–{}; book it anyway to keep both",
        booked.kind.title().to_lowercase(),
        starts.format("%a %-d %b %H:%M"),
        ends.format("%H:%M"),
    )
}

/// Refuses `bookings` of `case` that would double-book its participant or
/// its officer, naming the first clash; `moving` are the appointments
/// being moved, which do not clash with their old times.
pub(super) async fn refuse_double_booking(
    tx: &mut Tx,
    app: &App,
    case: &CaseRow,
    bookings: &[Booking],
    moving: &[AppointmentId],
) -> AppResult<()> {
    let starts = bookings.iter().map(|b| b.starts_at).min();
    let ends = bookings.iter().map(Booking::ends_at).max();
    let (Some(from), Some(until)) = (starts, ends) else {
        return Ok(());
    };
    // Anything starting up to the longest appointment earlier may overlap.
    let longest = Duration::minutes(Minutes::HIGHEST);
    let officer = case.fields.officer_id;
    store::hold_bookings(tx, case.id, officer).await?;
    let booked = store::booked(tx, case.id, officer, from - longest, until).await?;
    let clash = booked
        .iter()
        .filter(|b| !moving.contains(&b.id))
        .find(|b| bookings.iter().any(|n| n.clashes_with(&b.booking())));
    match clash {
        Some(b) => {
            Err(Invalid::one("book_anyway", clash_message(app, b, b.case_id == case.id)).into())
        }
        None => Ok(()),
    }
}

/// A change to an appointment still to be kept: what it is, when and
/// where, for it alone or for it and the later ones of its series.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentChange {
    /// The appointment's version you loaded; a stale one is refused with 409.
    pub version: i64,
    pub kind: AppointmentKind,
    /// The new local wall-clock time in the agency's time zone. With
    /// `span: following`, the later occurrences move by the same difference.
    #[schema(value_type = String, example = "2026-12-08T10:30")]
    #[serde(with = "crate::domain::casework::supervision::local_time")]
    pub starts_at: NaiveDateTime,
    pub duration_minutes: Minutes,
    /// `null` or absent clears it.
    #[serde(default)]
    pub location: Option<Text<200>>,
    #[serde(default)]
    pub span: Span,
    /// Keep the change even though it double-books the participant or
    /// the officer (refused with 422 naming the clash otherwise).
    #[serde(default)]
    pub book_anyway: bool,
}

/// The appointment chosen for a change, if the actor holds its case and it
/// is still to be kept at `version`; with its case.
async fn still_to_keep(
    tx: &mut Tx,
    actor: &Actor,
    id: AppointmentId,
    version: i64,
) -> AppResult<(CaseRow, AppointmentRow)> {
    let chosen = store::appointment(tx, id)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    let case = case_of(tx, actor, chosen.case_id, "appointment").await?;
    policy::casework::change_case(actor, &case)?;
    if let Some(outcome) = chosen.outcome {
        return Err(AppError::Conflict(format!(
            "this appointment is recorded as {}; schedule a new one instead",
            outcome.title().to_lowercase()
        )));
    }
    if chosen.version != version {
        return Err(AppError::StaleVersion("appointment"));
    }
    Ok((case, chosen))
}

/// The appointments a change takes: the chosen one, and with
/// [`Span::Following`] the later occurrences of its series still to keep.
async fn spanned(
    tx: &mut Tx,
    chosen: AppointmentRow,
    span: Span,
) -> Result<Vec<AppointmentRow>, sqlx::Error> {
    match (span, chosen.series_id) {
        (Span::Following, Some(series)) => store::series_ahead(tx, series, chosen.starts_at).await,
        _ => Ok(vec![chosen]),
    }
}

/// Moves or edits an appointment, or it and the later occurrences of its
/// series (each keeps its place in the week, moved by the same local
/// difference). Returns the appointments as they now stand.
pub async fn reschedule(
    app: &App,
    actor: &Actor,
    id: AppointmentId,
    change: AppointmentChange,
) -> AppResult<Vec<AppointmentRow>> {
    let mut errors = Errors::new();
    let duration = errors.check("duration_minutes", change.duration_minutes.checked());
    let location = errors.check("location", Text::checked(change.location.as_ref()));
    check_start(&mut errors, app, change.starts_at);
    let (duration, location) = errors.finish(|| Some((duration?, location?)))?;
    let mut tx = app.db.write().await?;
    let (case, chosen) = still_to_keep(&mut tx, actor, id, change.version).await?;
    let zone = app.settings.zone();
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).naive_local();
    let was = local(chosen.starts_at);
    let targets = spanned(&mut tx, chosen, change.span).await?;
    let moves: Vec<Moved> = targets
        .iter()
        .map(|a| Moved {
            id: a.id,
            version: a.version,
            kind: change.kind,
            starts_at: local_to_utc(moved_with(local(a.starts_at), was, change.starts_at), zone),
            duration_minutes: duration,
            location: location.as_deref(),
        })
        .collect();
    let ids: Vec<AppointmentId> = moves.iter().map(|m| m.id).collect();
    if !change.book_anyway {
        let bookings: Vec<Booking> = moves.iter().map(|m| m.booking(case.id)).collect();
        refuse_double_booking(&mut tx, app, &case, &bookings, &ids).await?;
    }
    for m in &moves {
        if !store::reschedule(&mut tx, m).await? {
            return Err(AppError::StaleVersion("appointment"));
        }
    }
    let about = About::Moved {
        was,
        when: change.starts_at,
        place: location.as_deref(),
        later: moves.len().saturating_sub(1),
    };
    let key = format!("moved:{id}:{}", change.version);
    reminders::changed(&mut tx, app, case.id, &ids, key, about).await?;
    super::alerts::raise_for_case(&mut tx, app, case.id).await?;
    let note = format!("{} moved from {was} to {}", moves.len(), change.starts_at);
    audit::record(
        &mut tx,
        actor,
        Action::AppointmentChange.on(id).because(note),
    );
    let changed = reloaded(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(changed)
}

/// A cancellation of an appointment still to be kept, or of it and the
/// later ones of its series.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancellation {
    /// The appointment's version you loaded; a stale one is refused with 409.
    pub version: i64,
    /// Why (kept with each appointment cancelled).
    pub reason: RequiredText<500>,
    #[serde(default)]
    pub span: Span,
}

/// Cancels an appointment, or it and the later occurrences of its series;
/// returns them as they now stand.
pub async fn cancel(
    app: &App,
    actor: &Actor,
    id: AppointmentId,
    input: Cancellation,
) -> AppResult<Vec<AppointmentRow>> {
    let reason = input
        .reason
        .checked()
        .map_err(|e| Invalid::one("reason", e))?;
    let mut tx = app.db.write().await?;
    let (case, chosen) = still_to_keep(&mut tx, actor, id, input.version).await?;
    let when = chosen
        .starts_at
        .with_timezone(&app.settings.zone())
        .naive_local();
    let targets = spanned(&mut tx, chosen, input.span).await?;
    let at = app.now();
    for a in &targets {
        let cancelled = Outcome::Cancelled;
        let set = store::set_outcome(
            &mut tx,
            a.id,
            a.version,
            cancelled,
            Some(&reason),
            actor.id,
            at,
        );
        if !set.await? {
            return Err(AppError::StaleVersion("appointment"));
        }
    }
    let ids: Vec<AppointmentId> = targets.iter().map(|a| a.id).collect();
    let about = About::Cancelled {
        when,
        later: ids.len().saturating_sub(1),
    };
    let key = format!("cancelled:{id}:{}", input.version);
    reminders::changed(&mut tx, app, case.id, &ids, key, about).await?;
    super::alerts::raise_for_case(&mut tx, app, case.id).await?;
    let note = format!("{} cancelled", ids.len());
    audit::record(
        &mut tx,
        actor,
        Action::AppointmentCancel.on(id).because(note),
    );
    let cancelled = reloaded(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(cancelled)
}

/// `ids` read back after a change, in order.
async fn reloaded(tx: &mut Tx, ids: &[AppointmentId]) -> AppResult<Vec<AppointmentRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.extend(store::appointment(tx, *id).await?);
    }
    Ok(rows)
}

/// One appointment, as its page shows it.
#[derive(Debug, Clone)]
pub struct AppointmentRecord {
    pub appointment: AppointmentRow,
    pub case_number: String,
    pub person_name: String,
    /// The later occurrences of its series still to be kept.
    pub later: usize,
    /// Whether the reader may change it (it is still to be kept and they
    /// hold the case).
    pub can_change: bool,
}

/// One appointment for whoever may see its case; the read is audited as a
/// view of the case's supervision.
pub async fn view(app: &App, actor: &Actor, id: AppointmentId) -> AppResult<AppointmentRecord> {
    let mut tx = app.db.read().await?;
    let appointment = store::appointment(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    let case = case_of(&mut tx, actor, appointment.case_id, "appointment").await?;
    let later = match appointment.series_id {
        Some(series) => store::series_ahead(&mut tx, series, appointment.starts_at)
            .await?
            .iter()
            .filter(|a| a.starts_at > appointment.starts_at)
            .count(),
        None => 0,
    };
    audit::record(&mut tx, actor, Action::SupervisionView.on(case.id));
    tx.commit().await?;
    let can_change =
        appointment.outcome.is_none() && policy::casework::change_case(actor, &case).is_ok();
    Ok(AppointmentRecord {
        appointment,
        case_number: case.case_number,
        person_name: case.person_name,
        later,
        can_change,
    })
}
