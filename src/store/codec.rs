//! How domain types are stored: ids as UUID (text on SQLite), closed
//! vocabularies as their labels.

use crate::domain::labels::Labelled;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use uuid::Uuid;

macro_rules! uuid_columns {
    ($($t:ty),+ $(,)?) => {$(
        impl Type<Sqlite> for $t {
            fn type_info() -> SqliteTypeInfo { <String as Type<Sqlite>>::type_info() }
            fn compatible(ty: &SqliteTypeInfo) -> bool { <String as Type<Sqlite>>::compatible(ty) }
        }
        impl<'q> Encode<'q, Sqlite> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut Vec<SqliteArgumentValue<'q>>,
            ) -> Result<IsNull, BoxDynError> {
                <String as Encode<'q, Sqlite>>::encode(self.0.to_string(), buf)
            }
        }
        impl<'r> Decode<'r, Sqlite> for $t {
            fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<'r, Sqlite>>::decode(value)?;
                Ok(Self(Uuid::parse_str(text)?))
            }
        }
        impl Type<Postgres> for $t {
            fn type_info() -> PgTypeInfo { <Uuid as Type<Postgres>>::type_info() }
        }
        impl<'q> Encode<'q, Postgres> for $t {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <Uuid as Encode<'q, Postgres>>::encode_by_ref(&self.0, buf)
            }
        }
        impl<'r> Decode<'r, Postgres> for $t {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(Self(<Uuid as Decode<'r, Postgres>>::decode(value)?))
            }
        }
    )+};
}

crate::for_each_id_type!(uuid_columns);

macro_rules! label_columns {
    ($($t:ty),+ $(,)?) => {$(
        label_columns!(
            @backend $t, Sqlite, Vec<SqliteArgumentValue<'q>>, SqliteTypeInfo, SqliteValueRef<'r>
        );
        label_columns!(@backend $t, Postgres, PgArgumentBuffer, PgTypeInfo, PgValueRef<'r>);
    )+};
    (@backend $t:ty, $db:ty, $buf:ty, $info:ty, $value:ty) => {
        impl Type<$db> for $t {
            fn type_info() -> $info { <str as Type<$db>>::type_info() }
            fn compatible(ty: &$info) -> bool { <str as Type<$db>>::compatible(ty) }
        }
        impl<'q> Encode<'q, $db> for $t {
            fn encode_by_ref(&self, buf: &mut $buf) -> Result<IsNull, BoxDynError> {
                <&str as Encode<'q, $db>>::encode(Labelled::label(*self), buf)
            }
        }
        impl<'r> Decode<'r, $db> for $t {
            fn decode(value: $value) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<'r, $db>>::decode(value)?;
                Ok(<$t as Labelled>::from_label(text)?)
            }
        }
    };
}

label_columns!(
    crate::domain::casework::cases::CaseStatus,
    crate::domain::casework::cases::ExitReason,
    crate::domain::people::IdentifierKind,
    crate::domain::people::Language,
    crate::domain::people::NameField,
    crate::domain::programs::ProgramKind,
    crate::domain::programs::ChargeLevel,
    crate::domain::access::users::Role,
    crate::domain::access::users::TokenScope,
    crate::domain::casework::conditions::ConditionKind,
    crate::domain::casework::conditions::Unit,
    crate::domain::casework::conditions::Verification,
    crate::domain::casework::conditions::CourtAction,
    crate::domain::casework::supervision::SupervisionLevel,
    crate::domain::casework::supervision::AppointmentKind,
    crate::domain::casework::supervision::Outcome,
    crate::domain::casework::supervision::ContactKind,
    crate::domain::casework::supervision::Collateral,
    crate::domain::casework::drug_tests::Specimen,
    crate::domain::casework::drug_tests::Collection,
    crate::domain::casework::alerts::Rule,
    crate::domain::casework::alerts::Severity,
    crate::domain::casework::notes::NoteKind,
    crate::domain::assessments::recommendation::OverrideDecision,
    crate::domain::assessments::case_plans::PlanKind,
    crate::domain::assessments::case_plans::ItemKind,
    crate::domain::assessments::case_plans::Agreement,
    crate::domain::outreach::messages::Channel,
    crate::domain::outreach::messages::Purpose,
    crate::domain::outreach::messages::Status,
);
