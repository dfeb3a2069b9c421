//! Typed identifiers: a `PersonId` can never be passed where a `CaseId` is meant.

use uuid::Uuid;

macro_rules! id_types {
    ($($name:ident),+ $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new id, ordered by the time it was made (UUID version 7).
            /// Rows made together sit together in every index keyed by id:
            /// each insert extends the right edge of the primary key and of
            /// the child tables' foreign keys, instead of touching a random
            /// page of an index that outgrows the cache.
            pub fn new() -> Self { Self(Uuid::now_v7()) }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid { id.0 }
        }

        impl Default for $name {
            fn default() -> Self { Self::new() }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { self.0.fmt(f) }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Uuid::parse_str(s).map(Self) }
        }
    )+};
}

id_types!(
    UserId,
    SessionId,
    TokenId,
    PersonId,
    ProgramId,
    OfficeId,
    CaseId,
    RowId,
    AuditId,
    ConditionId,
    TemplateId,
    AppointmentId,
    ContactId,
    DrugTestId,
    AlertId,
    NoteId,
    AddendumId,
    MessageId,
    InstrumentId,
    AssessmentId,
    OverrideId,
    PlanId,
    PlanItemId,
    PlanUpdateId
);

/// Applies `$m!` to every id type (used by the store to give each a column codec).
#[macro_export]
macro_rules! for_each_id_type {
    ($m:ident) => {
        $m!(
            $crate::domain::ids::UserId,
            $crate::domain::ids::SessionId,
            $crate::domain::ids::TokenId,
            $crate::domain::ids::PersonId,
            $crate::domain::ids::ProgramId,
            $crate::domain::ids::OfficeId,
            $crate::domain::ids::CaseId,
            $crate::domain::ids::RowId,
            $crate::domain::ids::AuditId,
            $crate::domain::ids::ConditionId,
            $crate::domain::ids::TemplateId,
            $crate::domain::ids::AppointmentId,
            $crate::domain::ids::ContactId,
            $crate::domain::ids::DrugTestId,
            $crate::domain::ids::AlertId,
            $crate::domain::ids::InstrumentId,
            $crate::domain::ids::AssessmentId,
            $crate::domain::ids::OverrideId,
            $crate::domain::ids::PlanId,
            $crate::domain::ids::PlanItemId,
            $crate::domain::ids::PlanUpdateId,
            $crate::domain::ids::NoteId,
            $crate::domain::ids::AddendumId,
            $crate::domain::ids::MessageId
        );
    };
}
