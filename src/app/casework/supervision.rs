//! Supervising a case day to day: its level and contact standard,
//! appointments (one-off or weekly) and their outcomes, and contacts.
//! Whoever may see a case sees these; whoever holds it records them.

use super::appointments::{check_start, refuse_double_booking};
use super::guard::{case_of, held_case, visible_case};
use crate::app::assessments::case_assessments::recommended_level;
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::assessments::recommendation::{departure, Departure};
use crate::domain::audit::Action;
use crate::domain::casework::supervision::{
    local_to_utc, month_bounds, weekly, AppointmentKind, Booking, Collateral, ContactKind,
    ContactStandard, Minutes, MonthContacts, Occurrences, Outcome, SupervisionLevel,
};
use crate::domain::ids::{AppointmentId, CaseId, ContactId};
use crate::domain::input::Text;
use crate::domain::validation::{DateKind, Errors, Invalid};
use crate::store::casework::supervision::{
    self as store, AppointmentRow, ContactRow, LevelSet, NewAppointment, NewContact, NewLevelSet,
    When,
};
use crate::store::outreach::messages::withdraw_appointment_reminders;
use crate::store::Tx;
use chrono::NaiveDateTime;
use serde::Deserialize;

/// A case's supervision at a glance.
#[derive(Debug, Clone)]
pub struct Overview {
    pub level: Option<SupervisionLevel>,
    /// The case's version, which setting the level names.
    pub case_version: i64,
    /// The level's contact standard (from the agency's settings).
    pub standard: Option<ContactStandard>,
    /// Contacts with the participant this calendar month.
    pub this_month: MonthContacts,
    /// Whether this month's contacts meet the standard so far.
    pub standard_met: Option<bool>,
    pub upcoming: Vec<AppointmentRow>,
    pub recent: Vec<AppointmentRow>,
    pub contacts: Vec<ContactRow>,
    /// The level the latest completed assessment recommends.
    pub recommended: Option<SupervisionLevel>,
    /// The levels set on the case, newest first (the last ten).
    pub history: Vec<LevelSet>,
}

/// The overview of a case's supervision; the read is audited.
pub async fn overview(app: &App, actor: &Actor, case: CaseId) -> AppResult<Overview> {
    let mut tx = app.db.read().await?;
    visible_case(&mut tx, actor, case).await?;
    let overview = load(&mut tx, app, case).await?;
    audit::record(&mut tx, actor, Action::SupervisionView.on(case));
    tx.commit().await?;
    Ok(overview)
}

/// A case's supervision, read in the caller's transaction.
pub(super) async fn load(tx: &mut Tx, app: &App, case: CaseId) -> Result<Overview, sqlx::Error> {
    let at = app.now();
    let (level, case_version) = store::level(tx, case).await?;
    let (from, until) = month_bounds(at, app.settings.zone());
    let this_month = store::month_contacts(tx, case, from, until).await?;
    let standard = level.map(|l| app.settings.contact_standards.for_level(l));
    Ok(Overview {
        level,
        case_version,
        standard,
        this_month,
        standard_met: standard.map(|s| s.met_by(this_month)),
        upcoming: store::appointments(tx, case, When::From(at), 20).await?,
        recent: store::appointments(tx, case, When::Before(at), 10).await?,
        contacts: store::contacts(tx, &app.keys, case, 50).await?,
        recommended: recommended_level(tx, app, case).await?,
        history: store::level_history(tx, case, 10).await?,
    })
}

/// A supervision level to set (or clear).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelChange {
    /// The case's version you loaded; a stale one is refused with 409.
    pub version: i64,
    /// `null` clears it.
    pub level: Option<SupervisionLevel>,
    /// Why, when the level differs from the one the latest assessment
    /// recommends (required then).
    #[serde(default)]
    pub reason: Option<Text<500>>,
}

/// Sets (or clears) a case's supervision level. A level other than the one
/// the latest assessment recommends needs a reason; one more than a step
/// away, a supervisor. Each level set is kept in the case's history.
pub async fn set_level(
    app: &App,
    actor: &Actor,
    case: CaseId,
    change: LevelChange,
) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    held_case(&mut tx, actor, case).await?;
    let reason = Text::checked(change.reason.as_ref()).map_err(|e| Invalid::one("reason", e))?;
    let recommended = recommended_level(&mut tx, app, case).await?;
    let needs = departure(recommended, change.level);
    if needs == Departure::Supervisor {
        policy::casework::depart_from_recommendation(actor)?;
    }
    if needs != Departure::None && reason.is_none() {
        let recommended = recommended.map_or("none", SupervisionLevel::label);
        return Err(Invalid::one(
            "reason",
            format!("the latest assessment recommends {recommended}: say why this level differs"),
        )
        .into());
    }
    let at = app.now();
    if !store::set_level(&mut tx, case, change.version, change.level, at).await? {
        return Err(AppError::StaleVersion("case"));
    }
    let set = NewLevelSet {
        case,
        level: change.level,
        recommended,
        reason: reason.as_deref(),
        actor: actor.id,
        at,
    };
    store::record_level(&mut tx, &set).await?;
    super::alerts::raise_for_case(&mut tx, app, case).await?;
    let label = change.level.map_or("none", SupervisionLevel::label);
    audit::record(
        &mut tx,
        actor,
        Action::SupervisionLevel.on(case).because(label),
    );
    tx.commit().await?;
    Ok(())
}

/// An appointment to schedule.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentInput {
    pub kind: AppointmentKind,
    /// Local wall-clock time in the agency's time zone, e.g. `2026-12-07T09:00`.
    #[schema(value_type = String, example = "2026-12-07T09:00")]
    #[serde(with = "crate::domain::casework::supervision::local_time")]
    pub starts_at: NaiveDateTime,
    /// Minutes (default 30).
    #[serde(default)]
    pub duration_minutes: Option<Minutes>,
    #[serde(default)]
    pub location: Option<Text<200>>,
    /// Repeat weekly at the same local time: how many occurrences in all
    /// (default 1).
    #[serde(default)]
    pub weekly_occurrences: Option<Occurrences>,
    /// Book it even though it double-books the participant or the officer
    /// (refused with 422 naming the clash otherwise).
    #[serde(default)]
    pub book_anyway: bool,
}

/// Schedules an appointment, or a weekly series of them.
pub async fn schedule(
    app: &App,
    actor: &Actor,
    case: CaseId,
    input: AppointmentInput,
) -> AppResult<Vec<AppointmentRow>> {
    let mut tx = app.db.write().await?;
    let held = held_case(&mut tx, actor, case).await?;
    let mut errors = Errors::new();
    let duration = errors.check(
        "duration_minutes",
        input.duration_minutes.unwrap_or(30.into()).checked(),
    );
    let location = errors.check("location", Text::checked(input.location.as_ref()));
    let count = errors.check(
        "weekly_occurrences",
        input.weekly_occurrences.unwrap_or(1.into()).checked(),
    );
    check_start(&mut errors, app, input.starts_at);
    let (location, duration, count) = errors.finish(|| Some((location?, duration?, count?)))?;
    let times = weekly(input.starts_at, count, app.settings.zone());
    let series = (times.len() > 1).then(AppointmentId::new);
    let rows: Vec<NewAppointment> = times
        .iter()
        .map(|t| NewAppointment {
            id: AppointmentId::new(),
            case_id: case,
            series_id: series,
            kind: input.kind,
            starts_at: *t,
            duration_minutes: duration,
            location: location.as_deref(),
            created_by: actor.id,
            outcome: None,
        })
        .collect();
    if !input.book_anyway {
        let bookings: Vec<Booking> = rows.iter().map(NewAppointment::booking).collect();
        refuse_double_booking(&mut tx, app, &held, &bookings, &[]).await?;
    }
    store::insert_appointments(&mut tx, &rows, app.now()).await?;
    super::alerts::raise_for_case(&mut tx, app, case).await?;
    let note = format!("{} {}", rows.len(), input.kind.label());
    audit::record(
        &mut tx,
        actor,
        Action::AppointmentCreate.on(case).because(&note),
    );
    let mut made = Vec::with_capacity(rows.len());
    for r in &rows {
        made.extend(store::appointment(&mut tx, r.id).await?);
    }
    tx.commit().await?;
    Ok(made)
}

/// What happened at an appointment.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    pub version: i64,
    pub outcome: Outcome,
    #[serde(default)]
    pub note: Option<Text<500>>,
}

/// Records an appointment's outcome. An attended visit or call also counts
/// as a contact with the participant.
pub async fn record_outcome(
    app: &App,
    actor: &Actor,
    id: AppointmentId,
    input: OutcomeInput,
) -> AppResult<AppointmentRow> {
    let mut tx = app.db.write().await?;
    let appointment = store::appointment(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    let case = case_of(&mut tx, actor, appointment.case_id, "appointment").await?;
    policy::casework::change_case(actor, &case)?;
    let note = Text::checked(input.note.as_ref()).map_err(|e| Invalid::one("note", e))?;
    let at = app.now();
    if appointment.starts_at > at && !input.outcome.before_it() {
        return Err(Invalid::one(
            "outcome",
            "the appointment has not happened yet; only 'rescheduled' or 'cancelled' can be \
             recorded before it",
        )
        .into());
    }
    if appointment.version != input.version
        || !store::set_outcome(
            &mut tx,
            id,
            input.version,
            input.outcome,
            note.as_deref(),
            actor.id,
            at,
        )
        .await?
    {
        return Err(AppError::StaleVersion("appointment"));
    }
    if input.outcome.before_it() {
        withdraw_appointment_reminders(&mut tx, &[id], at).await?;
    }
    let newly_attended =
        input.outcome == Outcome::Attended && appointment.outcome != Some(Outcome::Attended);
    if let Some(kind) = appointment.kind.contact().filter(|_| newly_attended) {
        let contact = NewContact {
            id: ContactId::new(),
            case_id: appointment.case_id,
            kind,
            occurred_at: appointment.starts_at,
            place: appointment.location.as_deref(),
            collateral: None,
            collateral_name: None,
            note: None,
            recorded_by: actor.id,
        };
        store::insert_contacts(&mut tx, &app.keys, &[contact], at).await?;
    }
    super::alerts::raise_for_case(&mut tx, app, appointment.case_id).await?;
    audit::record(
        &mut tx,
        actor,
        Action::AppointmentOutcome
            .on(id)
            .because(input.outcome.label()),
    );
    let updated = store::appointment(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    tx.commit().await?;
    Ok(updated)
}

/// A contact to log.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub kind: ContactKind,
    /// Local wall-clock time in the agency's time zone.
    #[schema(value_type = String, example = "2026-11-23T14:30")]
    #[serde(with = "crate::domain::casework::supervision::local_time")]
    pub occurred_at: NaiveDateTime,
    #[serde(default)]
    pub place: Option<Text<200>>,
    /// Who, when it was not the participant.
    #[serde(default)]
    pub collateral: Option<Collateral>,
    /// Only with `collateral`.
    #[serde(default)]
    pub collateral_name: Option<Text<120>>,
    /// What was said or seen (sealed at rest).
    #[serde(default)]
    pub note: Option<Text<4000>>,
}

/// Logs a contact with the participant or a collateral contact.
pub async fn log_contact(
    app: &App,
    actor: &Actor,
    case: CaseId,
    input: ContactInput,
) -> AppResult<ContactRow> {
    let mut tx = app.db.write().await?;
    held_case(&mut tx, actor, case).await?;
    let mut errors = Errors::new();
    let place = errors.check("place", Text::checked(input.place.as_ref()));
    let name = errors.check(
        "collateral_name",
        Text::checked(input.collateral_name.as_ref()),
    );
    let note = errors.check("note", Text::checked(input.note.as_ref()));
    if input.collateral.is_none() && matches!(name, Some(Some(_))) {
        errors.add(
            "collateral",
            "is required with the collateral contact's name",
        );
    }
    let at = app.now();
    let occurred_at = local_to_utc(input.occurred_at, app.settings.zone());
    if occurred_at > at + chrono::Duration::minutes(5) {
        errors.add("occurred_at", "must not be in the future");
    } else {
        let day = input.occurred_at.date().min(app.today());
        errors.check("occurred_at", DateKind::Happened.check(day, app.today()));
    }
    let (place, name, note) = errors.finish(|| Some((place?, name?, note?)))?;
    // What was written is what is returned: no read of the case's contacts.
    let logged = ContactRow {
        id: ContactId::new(),
        kind: input.kind,
        occurred_at,
        place,
        collateral: input.collateral,
        collateral_name: name,
        note,
        recorded_by: Some(actor.full_name.clone()),
    };
    let contact = NewContact {
        id: logged.id,
        case_id: case,
        kind: logged.kind,
        occurred_at,
        place: logged.place.as_deref(),
        collateral: logged.collateral,
        collateral_name: logged.collateral_name.as_deref(),
        note: logged.note.as_deref(),
        recorded_by: actor.id,
    };
    store::insert_contacts(&mut tx, &app.keys, &[contact], at).await?;
    audit::record(
        &mut tx,
        actor,
        Action::ContactCreate
            .on(logged.id)
            .because(input.kind.label()),
    );
    tx.commit().await?;
    Ok(logged)
}
