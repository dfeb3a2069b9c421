//! Offices: where the agency's staff work and its participants report.
//! Administrators open and change them and place staff in them; every
//! signed-in member of staff may read them.

use crate::app::people::{parse_phone, Phone};
use crate::app::{audit, name_taken, policy, Actor, App, AppError, AppResult};
use crate::domain::audit::Action;
use crate::domain::ids::OfficeId;
use crate::domain::input::{RequiredText, Text};
use crate::domain::validation::{Errors, Invalid};
use crate::store::access::users as user_store;
use crate::store::offices::{self as store, OfficeFields, OfficeRow};
use serde::Deserialize;

/// An office's details, as given.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeInput {
    /// Unique in the agency, e.g. "Northside District Office".
    pub name: RequiredText<120>,
    /// Where participants report.
    #[serde(default)]
    pub address: Option<Text<300>>,
    #[serde(default)]
    pub phone: Option<Phone>,
    /// A closed office keeps its history and takes no new staff.
    #[serde(default = "open")]
    pub active: bool,
}

fn open() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeUpdate {
    /// The version you loaded; a stale one is refused with 409.
    pub version: i64,
    pub office: OfficeInput,
}

/// Where a member of staff works.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// An open office, or `null` for none.
    pub office_id: Option<OfficeId>,
}

fn parse(input: &OfficeInput) -> Result<OfficeFields, Invalid> {
    let mut errors = Errors::new();
    let name = errors.check("name", input.name.checked());
    let address = errors.check("address", Text::checked(input.address.as_ref()));
    let phone = errors.check("phone", parse_phone(input.phone.as_ref()));
    errors.finish(|| {
        Some(OfficeFields {
            name: name?,
            address: address?,
            phone: phone?,
            active: input.active,
        })
    })
}

/// Every office, by name (reference data every signed-in member of staff
/// may read).
pub async fn list(app: &App) -> AppResult<Vec<OfficeRow>> {
    let mut tx = app.db.read().await?;
    Ok(store::all(&mut tx).await?)
}

pub async fn create(app: &App, actor: &Actor, input: OfficeInput) -> AppResult<OfficeRow> {
    policy::access::manage_users(actor)?;
    let fields = parse(&input)?;
    let id = OfficeId::new();
    let mut tx = app.db.write().await?;
    store::insert(&mut tx, id, &fields, app.now())
        .await
        .map_err(name_taken("an office", &fields.name))?;
    audit::record(&mut tx, actor, Action::OfficeCreate.on(id));
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("office"))?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: OfficeId,
    input: OfficeUpdate,
) -> AppResult<OfficeRow> {
    policy::access::manage_users(actor)?;
    let fields = parse(&input.office)?;
    let mut tx = app.db.write().await?;
    store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("office"))?;
    let current = store::update(&mut tx, id, input.version, &fields)
        .await
        .map_err(name_taken("an office", &fields.name))?;
    if !current {
        return Err(AppError::StaleVersion("office"));
    }
    audit::record(&mut tx, actor, Action::OfficeUpdate.on(id));
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("office"))?;
    tx.commit().await?;
    Ok(row)
}

/// Places a member of staff in an open office, or in none; audited with
/// the office's name.
pub async fn place(
    app: &App,
    actor: &Actor,
    username: &str,
    placement: Placement,
) -> AppResult<()> {
    policy::access::manage_users(actor)?;
    let mut tx = app.db.write().await?;
    let user = user_store::by_username(&mut tx, username)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    let office = match placement.office_id {
        None => None,
        Some(id) => Some(
            store::get(&mut tx, id)
                .await?
                .filter(|o| o.active)
                .ok_or_else(|| Invalid::one("office_id", "is not an open office"))?,
        ),
    };
    user_store::set_office(&mut tx, user.id, placement.office_id).await?;
    let reason = office.map_or_else(|| "no office".to_owned(), |o| o.name);
    audit::record(
        &mut tx,
        actor,
        Action::UserOffice.on(user.id).because(&reason),
    );
    tx.commit().await?;
    Ok(())
}
