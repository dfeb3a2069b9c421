//! The work queue: alerts, today's appointments, undelivered messages, the team's load.

use crate::app::casework::alerts as app_alerts;
use crate::domain::casework::alerts::{Rule, Severity};
use crate::domain::casework::supervision::AppointmentKind;
use crate::domain::ids::{AlertId, AppointmentId, CaseId, PersonId, UserId};
use crate::domain::outreach::messages::{Channel, Purpose};
use crate::store::casework::alerts as store_alerts;
use crate::store::outreach::messages as store_messages;
use crate::web::api::views::all;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// An officer's (or a supervisor's team's) working day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkQueue {
    /// A page of the open alerts, most severe and soonest due first.
    pub alerts: Vec<Alert>,
    /// How many alerts are open in all.
    pub open_alerts: i64,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<AlertId>,
    /// Today's appointments (the agency's calendar day).
    pub today: Vec<DayAppointment>,
    /// Reminders and follow-ups sent to the participants today.
    pub messages_sent_today: i64,
    /// Messages that could not be delivered this past week (a wrong number,
    /// a mailbox that does not exist): the participant did not hear from us.
    pub undelivered: Vec<Undelivered>,
    /// For a supervisor: each officer's open cases and alerts.
    pub team: Vec<OfficerLoad>,
}

impl From<app_alerts::WorkQueue> for WorkQueue {
    fn from(r: app_alerts::WorkQueue) -> Self {
        Self {
            alerts: all(r.alerts),
            open_alerts: r.open_alerts,
            next_after: r.next_after,
            today: all(r.today),
            messages_sent_today: r.messages_sent_today,
            undelivered: all(r.undelivered),
            team: all(r.team),
        }
    }
}

/// An open alert as the work queue shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Alert {
    pub id: AlertId,
    pub case_id: CaseId,
    pub case_number: String,
    pub person_id: PersonId,
    pub person_name: String,
    pub rule: Rule,
    pub severity: Severity,
    /// What the rule found: the appointment kind, the condition, the last contact…
    pub detail: String,
    pub due_on: NaiveDate,
    pub raised_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub officer_name: Option<String>,
}

impl From<store_alerts::AlertRow> for Alert {
    fn from(r: store_alerts::AlertRow) -> Self {
        Self {
            id: r.id,
            case_id: r.case_id,
            case_number: r.case_number,
            person_id: r.person_id,
            person_name: r.person_name,
            rule: r.rule,
            severity: r.severity,
            detail: r.detail,
            due_on: r.due_on,
            raised_at: r.raised_at,
            acknowledged_at: r.acknowledged_at,
            officer_name: r.officer_name,
        }
    }
}

/// An appointment on the day's list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayAppointment {
    pub id: AppointmentId,
    pub case_id: CaseId,
    pub case_number: String,
    pub person_name: String,
    pub person_number: String,
    pub kind: AppointmentKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub outcome: Option<crate::domain::casework::supervision::Outcome>,
}

impl From<store_alerts::DayAppointment> for DayAppointment {
    fn from(r: store_alerts::DayAppointment) -> Self {
        Self {
            id: r.id,
            case_id: r.case_id,
            case_number: r.case_number,
            person_name: r.person_name,
            person_number: r.person_number,
            kind: r.kind,
            starts_at: r.starts_at,
            duration_minutes: r.duration_minutes,
            location: r.location,
            outcome: r.outcome,
        }
    }
}

/// One officer's load, for their supervisor.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfficerLoad {
    pub officer_id: UserId,
    pub full_name: String,
    pub open_cases: i64,
    pub open_alerts: i64,
}

impl From<store_alerts::OfficerLoad> for OfficerLoad {
    fn from(r: store_alerts::OfficerLoad) -> Self {
        Self {
            officer_id: r.officer_id,
            full_name: r.full_name,
            open_cases: r.open_cases,
            open_alerts: r.open_alerts,
        }
    }
}

/// A message that could not be delivered, for the officer to act on.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Undelivered {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub person_name: String,
    pub channel: Channel,
    pub purpose: Purpose,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<store_messages::Undelivered> for Undelivered {
    fn from(r: store_messages::Undelivered) -> Self {
        Self {
            case_id: r.case_id,
            person_id: r.person_id,
            person_name: r.person_name,
            channel: r.channel,
            purpose: r.purpose,
            error: r.error,
            at: r.at,
        }
    }
}
