//! Cases after intake: viewing, details, and status changes
//! along the lifecycle.

use super::guard::{held_case, visible_case};
use crate::app::intake::{
    check_officer, parse_case_details, parse_charges, screen, CaseDetailsInput, ChargeInput,
};
use crate::app::{audit, policy, Actor, App, AppError, AppResult};
use crate::domain::access::users::Role;
use crate::domain::audit::Action;
use crate::domain::casework::cases::{CaseStatus, ExitReason};
use crate::domain::ids::{CaseId, UserId};
use crate::domain::input::{RequiredText, Text};
use crate::domain::programs::Charge;
use crate::domain::validation::{Errors, Invalid};
use crate::store::access::users::{self as user_store, UserRow};
use crate::store::casework::cases::{self as store, CaseFields, CaseRow, HistoryRow, StatusChange};
use crate::store::casework::shares::{self, Share};
use crate::store::casework::supervision as supervision_store;
use crate::store::{audit as audit_store, people as people_store, programs as program_store, Tx};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

/// Everything shown about one case.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub case: CaseRow,
    pub charges: Vec<Charge>,
    pub history: Vec<HistoryRow>,
    pub access: Vec<audit_store::EventRow>,
    pub shares: Vec<Share>,
    pub can_change: bool,
}

/// Opens a case; the view is audited. A case the actor may not see is "not found".
pub async fn view(app: &App, actor: &Actor, id: CaseId) -> AppResult<CaseRecord> {
    let mut tx = app.db.read().await?;
    let record = record_in(&mut tx, actor, id).await?;
    tx.commit().await?;
    Ok(record)
}

/// The case (audited as viewed) in the caller's transaction.
pub(super) async fn record_in(tx: &mut Tx, actor: &Actor, id: CaseId) -> AppResult<CaseRecord> {
    let case = visible_case(tx, actor, id).await?;
    audit::record(tx, actor, Action::CaseView.on(id));
    Ok(CaseRecord {
        charges: store::charges(tx, id).await?,
        history: store::history(tx, id).await?,
        access: audit_store::for_object(tx, id, 20).await?,
        shares: shares::of_case(tx, id).await?,
        can_change: policy::casework::change_case(actor, &case).is_ok(),
        case,
    })
}

/// A requested status change.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// The version you loaded; a stale one is refused with 409.
    pub version: i64,
    pub to: CaseStatus,
    /// Why (recorded in the status history).
    pub reason: RequiredText<500>,
    /// Required when the case is completed, terminated or closed.
    #[serde(default)]
    pub exit_reason: Option<ExitReason>,
    /// Required to enroll a referral that screening found not eligible.
    #[serde(default)]
    pub override_reason: Option<Text<500>>,
}

/// Moves a case along its lifecycle; a move the lifecycle does not allow is
/// refused with the allowed ones named.
pub async fn transition(
    app: &App,
    actor: &Actor,
    id: CaseId,
    input: TransitionInput,
) -> AppResult<CaseRow> {
    let mut errors = Errors::new();
    let reason = errors.check("reason", input.reason.checked());
    let override_reason = errors.check(
        "override_reason",
        Text::checked(input.override_reason.as_ref()),
    );
    let (reason, override_reason) = errors.finish(|| Some((reason?, override_reason?)))?;

    let mut tx = app.db.write().await?;
    let case = held_case(&mut tx, actor, id).await?;
    if case.version != input.version {
        return Err(AppError::StaleVersion("case"));
    }
    let exit_reason = case
        .status
        .check_transition(input.to, input.exit_reason)
        .map_err(|e| {
            let field = if matches!(
                e,
                crate::domain::casework::cases::TransitionError::NotAllowed { .. }
            ) {
                "to"
            } else {
                "exit_reason"
            };
            Invalid::one(field, e.to_string())
        })?;
    if input.to == CaseStatus::Enrolled {
        enrolment_screening(&mut tx, &case, override_reason.as_deref()).await?;
    }
    let today = app.today();
    let start_date = (input.to == CaseStatus::Active).then_some(today);
    let change = StatusChange {
        from: Some(case.status),
        to: input.to,
        exit_reason,
        reason: &reason,
        actor: Some(actor.id),
        at: app.now(),
        start_date,
    };
    if !store::change_status(&mut tx, id, input.version, &change).await? {
        return Err(AppError::StaleVersion("case"));
    }
    if input.to == CaseStatus::Active && case.fields.expected_end_date.is_none() {
        set_expected_end(&mut tx, &case, today).await?;
    }
    crate::app::assessments::reassessment::after_status_change(&mut tx, app, &case, input.to)
        .await?;
    let called_off = call_off_appointments(&mut tx, app, actor, &case, input.to, &reason).await?;
    super::alerts::raise_for_case(&mut tx, app, id).await?;
    let because = match called_off {
        0 => input.to.label().to_owned(),
        n => format!("{}; {n} appointments ahead called off", input.to.label()),
    };
    audit::record(
        &mut tx,
        actor,
        Action::CaseStatusChange.on(id).because(because),
    );
    let updated = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    tx.commit().await?;
    Ok(updated)
}

/// Enrolment needs an eligible screening, or an override with its reason.
async fn enrolment_screening(
    tx: &mut crate::store::Tx,
    case: &CaseRow,
    override_reason: Option<&str>,
) -> AppResult<()> {
    let eligible = case.screening.as_ref().is_some_and(|s| s.0.eligible);
    match (eligible, override_reason) {
        (true, _) => Ok(()),
        (false, Some(why)) => {
            let result = case
                .screening
                .as_ref()
                .map(|s| s.0.clone())
                .unwrap_or_else(|| crate::domain::programs::ScreeningResult {
                    eligible: false,
                    findings: vec![],
                    missing: vec![],
                });
            store::save_screening(tx, case.id, &result, Some(why)).await?;
            Ok(())
        }
        (false, None) => {
            let reasons: Vec<String> = case
                .screening
                .iter()
                .flat_map(|s| s.0.findings.iter().chain(&s.0.missing))
                .map(|f| f.reason.clone())
                .collect();
            Err(Invalid::one(
                "override_reason",
                format!(
                    "screening found this referral not eligible ({}); give a reason to enroll \
                     anyway",
                    reasons.join("; ")
                ),
            )
            .into())
        }
    }
}

/// When supervision starts without an end date, it runs the program's
/// default length from its start (or from `today` when none is recorded).
async fn set_expected_end(
    tx: &mut crate::store::Tx,
    case: &CaseRow,
    today: NaiveDate,
) -> AppResult<()> {
    let program = program_store::get(tx, case.program_id)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let updated = store::get(tx, case.id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    let start = updated.fields.start_date.unwrap_or(today);
    let mut fields = updated.fields.clone();
    fields.expected_end_date = Some(start + Duration::days(i64::from(program.default_length_days)));
    let at = tx.now();
    store::update_fields(tx, case.id, updated.version, &fields, at).await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseUpdate {
    /// The version you loaded; a stale one is refused with 409.
    pub version: i64,
    pub case: CaseDetailsInput,
}

/// A move out of keeping appointments (a suspension, an ending) calls off
/// the appointments still ahead, court dates apart, withdraws the case's
/// reminders and tells the participant; returns how many were called off.
async fn call_off_appointments(
    tx: &mut Tx,
    app: &App,
    actor: &Actor,
    case: &CaseRow,
    to: CaseStatus,
    reason: &str,
) -> AppResult<u64> {
    let keeping = CaseStatus::KEEPING_APPOINTMENTS;
    if !keeping.contains(&case.status) || keeping.contains(&to) {
        return Ok(0);
    }
    let note = format!("case {}: {reason}", to.title().to_lowercase());
    let n = supervision_store::call_off_ahead(tx, case.id, app.now(), &note, actor.id).await?;
    crate::app::outreach::reminders::called_off(tx, app, case.id, n).await?;
    Ok(n)
}

/// Corrects referral and court details, or reassigns the officer. While the
/// case is in screening, screening is run again on the new details.
pub async fn update(app: &App, actor: &Actor, id: CaseId, input: CaseUpdate) -> AppResult<CaseRow> {
    let mut errors = Errors::new();
    let fields = parse_case_details(&mut errors, &input.case, app.today());
    let fields = errors.finish(|| fields)?;
    let mut tx = app.db.write().await?;
    let case = held_case(&mut tx, actor, id).await?;
    if fields.officer_id != case.fields.officer_id {
        check_officer(&mut tx, actor, fields.officer_id).await?;
    }
    if !store::update_fields(&mut tx, id, input.version, &fields, app.now()).await? {
        return Err(AppError::StaleVersion("case"));
    }
    let charges = store::charges(&mut tx, id).await?;
    screen_again(&mut tx, &case, &fields, &charges).await?;
    super::alerts::raise_for_case(&mut tx, app, id).await?;
    audit::record(&mut tx, actor, Action::CaseUpdate.on(id));
    let updated = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    tx.commit().await?;
    Ok(updated)
}

/// While a case is in screening, screens it again on details and charges
/// as they now stand.
async fn screen_again(
    tx: &mut Tx,
    case: &CaseRow,
    fields: &CaseFields,
    charges: &[Charge],
) -> AppResult<()> {
    if case.status != CaseStatus::Screening {
        return Ok(());
    }
    let program = program_store::get(tx, case.program_id)
        .await?
        .ok_or(AppError::NotFound("program"))?;
    let person = people_store::get(tx, case.person_id)
        .await?
        .ok_or(AppError::NotFound("participant"))?;
    let result = screen(&program, person.date_of_birth, fields, charges);
    store::save_screening(tx, case.id, &result, None).await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargesUpdate {
    /// The case's version you loaded; a stale one is refused with 409.
    pub version: i64,
    /// The charges as they should stand: they replace those recorded.
    #[schema(min_items = 1, max_items = 50)]
    pub charges: Vec<ChargeInput>,
}

/// Corrects a case's charges (a level chosen wrong at intake, a charge the
/// prosecutor amended). While the case is in screening, it is screened
/// again; the audit event names how many charges stand.
pub async fn correct_charges(
    app: &App,
    actor: &Actor,
    id: CaseId,
    input: ChargesUpdate,
) -> AppResult<(CaseRow, Vec<Charge>)> {
    let mut errors = Errors::new();
    let charges = parse_charges(&mut errors, &input.charges, app.today());
    let charges = errors.finish(|| charges)?;
    let mut tx = app.db.write().await?;
    let case = held_case(&mut tx, actor, id).await?;
    if !store::replace_charges(&mut tx, id, input.version, &charges, app.now()).await? {
        return Err(AppError::StaleVersion("case"));
    }
    screen_again(&mut tx, &case, &case.fields, &charges).await?;
    let reason = format!("{} charges", charges.len());
    audit::record(&mut tx, actor, Action::CaseCharges.on(id).because(reason));
    let updated = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("case"))?;
    tx.commit().await?;
    Ok((updated, charges))
}

/// Most cases one reassignment moves.
pub const MOST_REASSIGNED: usize = 500;

/// Moves `cases` to `to`: to one officer, or split evenly among several
/// (each case to whoever of them then holds the fewest open cases). A
/// supervisor's, within their team; all or nothing; each move audited.
/// Returns each case with its new officer.
pub async fn reassign(
    app: &App,
    actor: &Actor,
    cases: &[CaseId],
    to: &[UserId],
) -> AppResult<Vec<(CaseId, UserId)>> {
    policy::casework::reassign_cases(actor)?;
    if cases.is_empty() || cases.len() > MOST_REASSIGNED {
        let why = format!("choose from 1 to {MOST_REASSIGNED} cases");
        return Err(Invalid::one("cases", why).into());
    }
    if to.is_empty() {
        return Err(Invalid::one("to", "choose the officer (or officers) to move them to").into());
    }
    let mut tx = app.db.write().await?;
    // Each officer with the open cases they hold and their username.
    let mut load = Vec::with_capacity(to.len());
    for &officer in to {
        check_officer(&mut tx, actor, Some(officer)).await?;
        let held = user_store::open_cases_of(&mut tx, officer).await?;
        let username = user_store::by_id(&mut tx, officer)
            .await?
            .map(|u| u.username)
            .unwrap_or_default();
        load.push((officer, held, username));
    }
    let mut moved = Vec::with_capacity(cases.len());
    for &id in cases {
        let case = held_case(&mut tx, actor, id).await?;
        let Some(least) = load.iter_mut().min_by_key(|(_, held, _)| *held) else {
            break;
        };
        least.1 += 1;
        let officer = least.0;
        if case.fields.officer_id != Some(officer) {
            store::assign(&mut tx, id, officer, app.now()).await?;
            let event = Action::CaseReassign
                .on(id)
                .because(format!("to {}", least.2));
            audit::record(&mut tx, actor, event);
        }
        moved.push((id, officer));
    }
    tx.commit().await?;
    Ok(moved)
}

/// Sharing a case with another officer or supervisor.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// Their username, or their full name (any case) where no one else
    /// has it.
    pub username: String,
    /// Why, e.g. "covering during leave 12/1 to 12/15".
    pub reason: RequiredText<300>,
}

/// Shares a case with another officer or supervisor, who may then see and
/// work it like its own officer (covering for leave, joint supervision).
/// Whoever holds the case may share it; audited.
pub async fn share(
    app: &App,
    actor: &Actor,
    id: CaseId,
    input: ShareInput,
) -> AppResult<Vec<Share>> {
    let mut tx = app.db.write().await?;
    let case = held_case(&mut tx, actor, id).await?;
    let reason = input
        .reason
        .checked()
        .map_err(|e| Invalid::one("reason", e))?;
    let user = sharer(&mut tx, input.username.trim()).await?;
    let username = user.username.clone();
    if case.fields.officer_id == Some(user.id) {
        return Err(Invalid::one("username", "is already this case's officer").into());
    }
    if !shares::insert(&mut tx, id, user.id, actor.id, app.now(), &reason).await? {
        return Err(AppError::Conflict(format!(
            "this case is already shared with {username}"
        )));
    }
    let note = format!("with {username}");
    audit::record(&mut tx, actor, Action::CaseShare.on(id).because(&note));
    let all = shares::of_case(&mut tx, id).await?;
    tx.commit().await?;
    Ok(all)
}

/// The active officer or supervisor a share names, by username or by
/// full name (several with that name: the usernames to choose from).
async fn sharer(tx: &mut Tx, named: &str) -> AppResult<UserRow> {
    let staff = |u: &UserRow| u.active && matches!(u.role, Role::Officer | Role::Supervisor);
    if let Some(user) = user_store::by_username(tx, &named.to_lowercase())
        .await?
        .filter(staff)
    {
        return Ok(user);
    }
    let mut named_so = user_store::active_staff_named(tx, named).await?;
    match named_so.len() {
        1 => Ok(named_so.remove(0)),
        0 => Err(Invalid::one(
            "username",
            format!("no active officer or supervisor has the username or name '{named}'"),
        )
        .into()),
        _ => {
            let usernames: Vec<&str> = named_so.iter().map(|u| u.username.as_str()).collect();
            Err(Invalid::one(
                "username",
                format!(
                    "several staff are named '{named}' ({}): type the username",
                    usernames.join(", ")
                ),
            )
            .into())
        }
    }
}

/// Ends a share; whoever holds the case (the person it was shared with too).
pub async fn unshare(app: &App, actor: &Actor, id: CaseId, username: &str) -> AppResult<()> {
    let username = username.trim().to_lowercase();
    let mut tx = app.db.write().await?;
    held_case(&mut tx, actor, id).await?;
    let user = user_store::by_username(&mut tx, &username)
        .await?
        .ok_or(AppError::NotFound("share"))?;
    if !shares::delete(&mut tx, id, user.id).await? {
        return Err(AppError::NotFound("share"));
    }
    let note = format!("with {username}");
    audit::record(&mut tx, actor, Action::CaseUnshare.on(id).because(&note));
    tx.commit().await?;
    Ok(())
}
