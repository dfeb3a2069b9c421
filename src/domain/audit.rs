//! The audit trail's hash chain: each event's hash covers the previous
//! event's hash and this event's fields, so changing, removing, inserting or
//! reordering any event breaks every hash after it.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::domain::ids::{
    AlertId, AppointmentId, AssessmentId, CaseId, ConditionId, ContactId, DrugTestId, InstrumentId,
    MessageId, NoteId, OfficeId, PersonId, PlanId, PlanItemId, ProgramId, SessionId, TokenId,
    UserId,
};
use std::borrow::Cow;
use uuid::Uuid;

crate::labelled_enum! {
    /// What an audit event records that someone (or the system) did. The
    /// labels are stored in the trail and read by auditors: a label, once
    /// written, never changes meaning.
    pub enum Action ("audit action") {
        AuthLogin => ("auth.login", "Signed in with a password"),
        AuthMfa => ("auth.mfa", "Gave the authenticator code"),
        AuthMfaEnrolled => ("auth.mfa_enrolled", "Enrolled an authenticator"),
        AuthReauthenticate => ("auth.reauthenticate", "Confirmed password and code again"),
        AuthLogout => ("auth.logout", "Signed out"),
        AuthLockout => ("auth.lockout", "Account locked after failed attempts"),
        AuthAccountDisabled => ("auth.account_disabled", "Account disabled after 90 days unused"),
        AuthSessionExpired => ("auth.session_expired", "Session ended as idle or too old"),
        AuthSessionEnd => ("auth.session_end", "Ended a session"),
        AuthPasswordChange => ("auth.password_change", "Changed own password"),
        AuthPasswordReset => ("auth.password_reset", "Reset a user's password"),
        AuthUnlock => ("auth.unlock", "Restored access to an account"),
        AuthToken => ("auth.token", "Presented an API token"),
        AuthTokenCreated => ("auth.token_created", "Created an API token"),
        AuthTokenRevoked => ("auth.token_revoked", "Revoked an API token"),
        AuthRecoveryCodes => ("auth.recovery_codes", "Made new recovery codes"),
        AuthMfaReset => ("auth.mfa_reset", "Reset a user's authenticator"),
        AccessDenied => ("access.denied", "Was refused a request"),
        UserCreate => ("user.create", "Created a staff account"),
        UserDisable => ("user.disable", "Disabled a staff account"),
        UserRoleChange => ("user.role_change", "Changed a user's role"),
        UserOffice => ("user.office", "Placed a user in an office"),
        UserAccessReview => ("user.access_review", "Viewed the access review"),
        InstrumentImport => ("instrument.import", "Loaded an assessment instrument's version"),
        InstrumentRetire => ("instrument.retire", "Retired an assessment instrument's version"),
        ProgramCreate => ("program.create", "Created a program"),
        ProgramUpdate => ("program.update", "Changed a program"),
        ProgramConditions => ("program.conditions", "Set a program's standard conditions"),
        OfficeCreate => ("office.create", "Opened an office"),
        OfficeUpdate => ("office.update", "Changed an office"),
        PersonCreate => ("person.create", "Entered a participant"),
        PersonView => ("person.view", "Viewed a participant's record"),
        PersonUpdate => ("person.update", "Changed a participant's record"),
        PersonList => ("person.list", "Listed participants"),
        PersonSearch => ("person.search", "Searched for participants"),
        PersonTextsStopped => ("person.texts_stopped", "Participant stopped text messages"),
        PersonTextsResumed => ("person.texts_resumed", "Participant resumed text messages"),
        CaseCreate => ("case.create", "Opened a case"),
        CaseView => ("case.view", "Viewed a case"),
        CaseUpdate => ("case.update", "Changed a case's details"),
        CaseCharges => ("case.charges", "Corrected a case's charges"),
        CaseStatusChange => ("case.status_change", "Changed a case's status"),
        CaseList => ("case.list", "Listed a caseload"),
        CaseListExport => ("case.list_export", "Downloaded a caseload (CSV)"),
        CaseloadViewSave => ("caseload.view_save", "Saved a caseload view"),
        CaseloadViewDelete => ("caseload.view_delete", "Deleted a saved caseload view"),
        CaseShare => ("case.share", "Shared a case"),
        CaseReassign => ("case.reassign", "Moved a case to another officer"),
        CaseUnshare => ("case.unshare", "Ended a case's sharing"),
        ConditionCreate => ("condition.create", "Added a condition"),
        ConditionView => ("condition.view", "Viewed a condition"),
        ConditionList => ("condition.list", "Listed a case's conditions"),
        ConditionUpdate => ("condition.update", "Changed a condition"),
        ConditionProgress => ("condition.progress", "Recorded progress on a condition"),
        SupervisionView => ("supervision.view", "Viewed a case's supervision"),
        SupervisionLevel => ("supervision.level", "Set a supervision level"),
        AppointmentCreate => ("appointment.create", "Scheduled an appointment"),
        AppointmentOutcome => ("appointment.outcome", "Recorded an appointment's outcome"),
        AppointmentChange => ("appointment.change", "Moved or edited appointments"),
        AppointmentCancel => ("appointment.cancel", "Cancelled appointments"),
        ContactCreate => ("contact.create", "Recorded a contact"),
        DrugTestCreate => ("drug_test.create", "Recorded a drug test"),
        DrugTestList => ("drug_test.list", "Listed a case's drug tests"),
        DrugTestUpdate => ("drug_test.update", "Changed a drug test's results"),
        AssessmentCreate => ("assessment.create", "Started an assessment"),
        AssessmentView => ("assessment.view", "Viewed an assessment"),
        AssessmentList => ("assessment.list", "Listed a case's assessments"),
        AssessmentUpdate => ("assessment.update", "Saved answers to a draft assessment"),
        AssessmentComplete => ("assessment.complete", "Completed and signed an assessment"),
        AssessmentOverride => ("assessment.override", "Proposed another level than an assessment's"),
        AssessmentOverrideDecision => ("assessment.override_decision", "Approved or rejected a proposed level"),
        CasePlanCreate => ("case_plan.create", "Started a version of a case plan"),
        CasePlanView => ("case_plan.view", "Viewed a version of a case plan"),
        CasePlanList => ("case_plan.list", "Listed a case's plan versions"),
        CasePlanUpdate => ("case_plan.update", "Saved a draft case plan"),
        CasePlanSign => ("case_plan.sign", "Signed a case plan"),
        CasePlanCountersign => ("case_plan.countersign", "Countersigned a case plan"),
        CasePlanAgreement => ("case_plan.agreement", "Recorded the participant's agreement to a plan"),
        CasePlanProgress => ("case_plan.progress", "Recorded progress on a plan's goal or step"),
        NoteCreate => ("note.create", "Wrote a case note"),
        NoteAnchored => ("note.anchored", "Kept the digests of texts signed before digests were kept"),
        NoteView => ("note.view", "Viewed a case note"),
        NoteList => ("note.list", "Listed a case's notes"),
        NoteUpdate => ("note.update", "Changed a draft note"),
        NoteSign => ("note.sign", "Signed a case note"),
        NoteAddendum => ("note.addendum", "Added an addendum to a note"),
        NoteSearch => ("note.search", "Searched case notes"),
        AlertSweep => ("alert.sweep", "Raised alerts in a sweep"),
        AlertAcknowledge => ("alert.acknowledge", "Acknowledged an alert"),
        AlertResolve => ("alert.resolve", "Resolved an alert"),
        WorkQueueView => ("work_queue.view", "Viewed the work queue"),
        CalendarView => ("calendar.view", "Viewed the calendar"),
        CalendarFeed => ("calendar.feed", "Calendar feed read"),
        CalendarFeedCreated => ("calendar.feed_created", "Created a calendar feed"),
        CalendarFeedRevoked => ("calendar.feed_revoked", "Revoked a calendar feed"),
        MessagePlan => ("message.plan", "Queued reminders"),
        MessageSend => ("message.send", "Sent a message"),
        AuditSearch => ("audit.search", "Searched the audit trail"),
        AuditExport => ("audit.export", "Exported the audit trail"),
        AuditPurge => ("audit.purge", "Purged events past retention"),
        KeysRotated => ("keys.rotated", "Re-sealed values under the current key"),
        KeysSealedPlaintext => ("keys.sealed_plaintext", "Sealed values stored before sealing"),
        DemoGenerate => ("demo.generate", "Generated the demo agency"),
    }
}

crate::labelled_enum! {
    /// The kind of record an audit event is about.
    pub enum ObjectKind ("audited record") {
        User => ("user", "Staff account"),
        Session => ("session", "Session"),
        ApiToken => ("api_token", "API token"),
        Program => ("program", "Program"),
        Office => ("office", "Office"),
        Person => ("person", "Participant"),
        Case => ("case", "Case"),
        Condition => ("condition", "Condition"),
        Appointment => ("appointment", "Appointment"),
        Contact => ("contact", "Contact"),
        DrugTest => ("drug_test", "Drug test"),
        Note => ("note", "Case note"),
        Alert => ("alert", "Alert"),
        Message => ("message", "Message"),
        Instrument => ("instrument", "Assessment instrument"),
        Assessment => ("assessment", "Assessment"),
        CasePlan => ("case_plan", "Case plan version"),
        PlanItem => ("plan_item", "Case plan goal or step"),
    }
}

/// An auditor's filter on actions: one action, or every action of a
/// family (`auth.`: sign-in, sessions, tokens, passwords).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionFilter {
    One(Action),
    /// The family's prefix, with its dot.
    Family(&'static str),
}

impl ActionFilter {
    /// Every family, each followed by its actions, in the vocabulary's order.
    pub fn all() -> Vec<Self> {
        let mut out: Vec<Self> = Vec::new();
        for action in Action::all() {
            let family = Self::Family(action.family());
            if !out.contains(&family) {
                out.push(family);
            }
            out.push(Self::One(*action));
        }
        out
    }

    /// As typed and stored: `auth.` or `auth.login`.
    pub fn label(self) -> &'static str {
        match self {
            Self::One(a) => a.label(),
            Self::Family(f) => f,
        }
    }

    pub fn title(self) -> String {
        match self {
            Self::One(a) => format!("{}: {}", a.label(), a.title()),
            Self::Family(f) => format!("Every {f}… event"),
        }
    }
}

impl Action {
    /// The family an action belongs to, with its dot: `auth.` for `auth.login`.
    pub fn family(self) -> &'static str {
        let label = self.label();
        label.find('.').map_or(label, |dot| &label[..=dot])
    }
}

impl std::str::FromStr for ActionFilter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(action) = s.parse::<Action>() {
            return Ok(Self::One(action));
        }
        let family = s.trim_end_matches('.');
        Self::all()
            .into_iter()
            .find(|f| matches!(f, Self::Family(p) if p.trim_end_matches('.') == family))
            .ok_or_else(|| {
                format!(
                    "'{s}' is neither an audit action nor a family of them (such as auth. or \
                     case.view)"
                )
            })
    }
}

/// The record an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Object {
    pub kind: ObjectKind,
    pub id: Uuid,
}

/// Each typed id names its kind of record, so an event cannot be filed
/// under the wrong one.
macro_rules! audited {
    ($($id:ident => $kind:ident),+ $(,)?) => {$(
        impl From<$id> for Object {
            fn from(id: $id) -> Self {
                Self { kind: ObjectKind::$kind, id: id.0 }
            }
        }
    )+};
}

audited!(
    UserId => User,
    SessionId => Session,
    TokenId => ApiToken,
    ProgramId => Program,
    OfficeId => Office,
    PersonId => Person,
    CaseId => Case,
    ConditionId => Condition,
    AppointmentId => Appointment,
    ContactId => Contact,
    DrugTestId => DrugTest,
    NoteId => Note,
    AlertId => Alert,
    MessageId => Message,
    InstrumentId => Instrument,
    AssessmentId => Assessment,
    PlanId => CasePlan,
    PlanItemId => PlanItem,
);

/// What an event says: the action, the record it is about, and why (a
/// short note: a count, a status, a refusal's reason; never record contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'a> {
    pub action: Action,
    pub object: Option<Object>,
    pub reason: Option<Cow<'a, str>>,
}

impl Action {
    /// This action done to `object`.
    pub fn on(self, object: impl Into<Object>) -> Event<'static> {
        Event::from(self).about(object)
    }

    /// This action, with a note on why or how much.
    pub fn because<'a>(self, reason: impl Into<Cow<'a, str>>) -> Event<'a> {
        Event::from(self).because(reason)
    }
}

impl From<Action> for Event<'static> {
    fn from(action: Action) -> Self {
        Self {
            action,
            object: None,
            reason: None,
        }
    }
}

impl<'a> Event<'a> {
    pub fn about(self, object: impl Into<Object>) -> Self {
        self.about_if(Some(object))
    }

    /// About `object` when there is one.
    pub fn about_if(self, object: Option<impl Into<Object>>) -> Self {
        Self {
            object: object.map(Into::into),
            ..self
        }
    }

    pub fn because(self, reason: impl Into<Cow<'a, str>>) -> Self {
        self.because_if(Some(reason))
    }

    /// With a note when there is one.
    pub fn because_if(self, reason: Option<impl Into<Cow<'a, str>>>) -> Self {
        Self {
            reason: reason.map(Into::into),
            ..self
        }
    }
}

/// The hash the first event chains from.
pub const GENESIS: &str = "bridgeway-audit-genesis";

/// The fields of an event that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedFields<'a> {
    pub id: &'a str,
    pub at: DateTime<Utc>,
    pub actor_id: Option<&'a str>,
    pub actor_role: Option<&'a str>,
    pub source: Option<&'a str>,
    pub action: &'a str,
    pub object_type: Option<&'a str>,
    pub object_id: Option<&'a str>,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
}

/// SHA-256 (hex) of the previous hash and the fields, unambiguously framed.
pub fn chain_hash(previous: &str, e: &ChainedFields<'_>) -> String {
    let at = e.at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let parts = [
        Some(previous),
        Some(e.id),
        Some(at.as_str()),
        e.actor_id,
        e.actor_role,
        e.source,
        Some(e.action),
        e.object_type,
        e.object_id,
        Some(e.outcome),
        e.reason,
    ];
    let mut hasher = Sha256::new();
    for part in parts {
        match part {
            // Length-prefixed, so no two different events frame to the same bytes.
            Some(p) => hasher.update(format!("{}:{p};", p.len())),
            None => hasher.update("-;"),
        }
    }
    hex::encode(hasher.finalize())
}

/// A signed statement of the chain's head at one moment, written to a file
/// outside the database: a later `bridgeway audit verify --checkpoints` shows
/// whether the trail still holds that event with that hash and count, so a
/// rewritten chain or removed newest events are caught too.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub seq: i64,
    /// Events appended up to and including `seq` (kept and purged).
    pub events: i64,
    pub hash: String,
    pub written_at: DateTime<Utc>,
    /// The Ed25519 public key (base64) that signed it.
    pub key: String,
    /// Signature (base64) of [`Checkpoint::statement`].
    pub signature: String,
}

impl Checkpoint {
    /// The signed text: every field but the key and signature.
    pub fn statement(&self) -> String {
        format!(
            "bridgeway-audit-checkpoint v1 seq={} events={} hash={} at={}",
            self.seq,
            self.events,
            self.hash,
            self.written_at.to_rfc3339_opts(SecondsFormat::Millis, true)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_name_one_action_or_a_family() {
        assert_eq!(
            "auth.login".parse(),
            Ok(ActionFilter::One(Action::AuthLogin))
        );
        assert_eq!("auth.".parse(), Ok(ActionFilter::Family("auth.")));
        assert_eq!(" case ".parse(), Ok(ActionFilter::Family("case.")));
        let refused = "cases.view".parse::<ActionFilter>().unwrap_err();
        assert!(refused.contains("'cases.view'"), "{refused}");
        let all = ActionFilter::all();
        assert_eq!(all.first(), Some(&ActionFilter::Family("auth.")));
        let families = all
            .iter()
            .filter(|f| matches!(f, ActionFilter::Family(_)))
            .count();
        assert_eq!(all.len(), Action::all().len() + families);
        for a in Action::all() {
            assert!(a.label().starts_with(a.family()) && a.family().ends_with('.'));
        }
    }

    #[test]
    fn every_action_is_listed_for_auditors_in_security_md() {
        let doc = include_str!("../../docs/SECURITY.md");
        for a in Action::all() {
            assert!(
                doc.contains(&format!("`{}`", a.label())),
                "docs/SECURITY.md does not list the audit action {}",
                a.label()
            );
        }
    }

    #[test]
    fn events_name_their_record_by_its_typed_id() {
        let case = crate::domain::ids::CaseId::new();
        let event = Action::CaseView.on(case).because("12 results");
        assert_eq!(
            event.object,
            Some(Object {
                kind: ObjectKind::Case,
                id: case.0
            })
        );
        assert_eq!(event.reason.as_deref(), Some("12 results"));
        assert_eq!(Event::from(Action::AuthLogout).object, None);
    }

    fn event(reason: Option<&str>) -> ChainedFields<'_> {
        ChainedFields {
            id: "e1",
            at: "2026-11-23T10:00:00.123Z".parse().unwrap(),
            actor_id: Some("u1"),
            actor_role: Some("officer"),
            source: Some("127.0.0.1"),
            action: "person.view",
            object_type: Some("person"),
            object_id: Some("p1"),
            outcome: "success",
            reason,
        }
    }

    #[test]
    fn every_field_and_the_previous_hash_matter() {
        let base = chain_hash(GENESIS, &event(None));
        assert_eq!(base.len(), 64);
        assert_eq!(base, chain_hash(GENESIS, &event(None)), "deterministic");
        assert_ne!(base, chain_hash("other", &event(None)));
        assert_ne!(
            base,
            chain_hash(GENESIS, &event(Some(""))),
            "absent differs from empty"
        );
        let mut moved = event(None);
        moved.at = "2026-11-23T10:00:00.124Z".parse().unwrap();
        assert_ne!(base, chain_hash(GENESIS, &moved));
    }

    #[test]
    fn framing_is_unambiguous() {
        let mut a = event(None);
        a.action = "ab";
        a.object_type = Some("c");
        let mut b = event(None);
        b.action = "a";
        b.object_type = Some("bc");
        assert_ne!(chain_hash(GENESIS, &a), chain_hash(GENESIS, &b));
    }
}
