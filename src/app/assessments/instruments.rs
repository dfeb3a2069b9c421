//! Loading, listing, exporting and retiring instrument definitions. A
//! definition is checked whole before it is kept; a version once loaded is
//! never changed (loading the same text again changes nothing, other text
//! under the same version is refused: an edit is a new version).

use crate::app::audit::{self, Origin};
use crate::app::{policy, Actor, App, AppError, AppResult};
use crate::domain::assessments::instrument::Definition;
use crate::domain::audit::Action;
use crate::domain::ids::InstrumentId;
use crate::domain::validation::{FieldError, Invalid};
use crate::store::assessments::instruments::{self as store, InstrumentRow, NewInstrument};
use crate::store::audit::Outcome;

/// What loading a definition did.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// A new version, now available.
    Added(InstrumentRow),
    /// This exact text was loaded already.
    Unchanged(InstrumentRow),
}

/// Loads a definition's text, by an administrator (`by`) or the console.
pub async fn import(app: &App, by: Option<&Actor>, text: &str) -> AppResult<Loaded> {
    if let Some(actor) = by {
        policy::assessments::manage_instruments(actor)?;
    }
    let def = Definition::from_toml(text).map_err(|problems| {
        Invalid(
            problems
                .into_iter()
                .map(|message| FieldError {
                    field: "definition".into(),
                    message,
                })
                .collect(),
        )
    })?;
    let digest = Definition::digest(text);
    let version = i32::try_from(def.version)
        .map_err(|_| Invalid::one("definition", "version is too large"))?;
    let mut tx = app.db.write().await?;
    if let Some(held) = store::version(&mut tx, &def.id, version).await? {
        return if held.digest == digest {
            Ok(Loaded::Unchanged(held))
        } else {
            Err(AppError::Conflict(format!(
                "version {} of {} is loaded already with other content; an edit is a new version",
                def.version, def.id
            )))
        };
    }
    let id = InstrumentId::new();
    let row = NewInstrument {
        id,
        instrument_id: &def.id,
        version,
        name: &def.name,
        digest: &digest,
        definition: text,
        imported_by: by.map(|a| a.id),
    };
    store::insert(&mut tx, &row, app.now()).await?;
    let event = Action::InstrumentImport
        .on(id)
        .because(format!("{} v{}", def.id, def.version));
    audit::write(
        &mut tx,
        Origin::actor_or_console(by),
        Outcome::Success,
        event,
    );
    let added = store::version(&mut tx, &def.id, version)
        .await?
        .ok_or(AppError::NotFound("instrument"))?;
    tx.commit().await?;
    Ok(Loaded::Added(added))
}

/// Every version loaded (staff who may read them, or the console).
pub async fn list(app: &App, by: Option<&Actor>) -> AppResult<Vec<InstrumentRow>> {
    if let Some(actor) = by {
        policy::assessments::read_instruments(actor)?;
    }
    let mut tx = app.db.read().await?;
    Ok(store::all(&mut tx).await?)
}

/// One version with its definition as read (staff who may read them): what
/// an API client asks and scores by.
pub async fn definition(
    app: &App,
    by: &Actor,
    instrument_id: &str,
    version: i32,
) -> AppResult<(InstrumentRow, Definition)> {
    policy::assessments::read_instruments(by)?;
    let mut tx = app.db.read().await?;
    let row = chosen(&mut tx, instrument_id, Some(version)).await?;
    let text = store::definition(&mut tx, row.id)
        .await?
        .ok_or(AppError::NotFound("instrument"))?;
    let def = Definition::from_toml(&text).map_err(|problems| {
        AppError::Internal(anyhow::anyhow!(
            "instrument {instrument_id} v{version} no longer reads: {}",
            problems.join("; ")
        ))
    })?;
    Ok((row, def))
}

/// The text of one version, as loaded (the console).
pub async fn export(app: &App, instrument_id: &str, version: Option<i32>) -> AppResult<String> {
    let mut tx = app.db.read().await?;
    let row = chosen(&mut tx, instrument_id, version).await?;
    store::definition(&mut tx, row.id)
        .await?
        .ok_or(AppError::NotFound("instrument"))
}

/// A version by number, or the newest.
async fn chosen(
    tx: &mut crate::store::Tx,
    instrument_id: &str,
    version: Option<i32>,
) -> AppResult<InstrumentRow> {
    let found = match version {
        Some(v) => store::version(tx, instrument_id, v).await?,
        None => store::all(tx)
            .await?
            .into_iter()
            .find(|r| r.instrument_id == instrument_id),
    };
    found.ok_or(AppError::NotFound("instrument"))
}

/// Retires a version: it starts no new assessment; those made under it
/// keep it.
pub async fn retire(
    app: &App,
    by: Option<&Actor>,
    instrument_id: &str,
    version: i32,
) -> AppResult<InstrumentRow> {
    if let Some(actor) = by {
        policy::assessments::manage_instruments(actor)?;
    }
    let mut tx = app.db.write().await?;
    let row = chosen(&mut tx, instrument_id, Some(version)).await?;
    if !store::retire(&mut tx, row.id, app.now()).await? {
        return Err(AppError::Conflict(format!(
            "version {version} of {instrument_id} is retired already"
        )));
    }
    let event = Action::InstrumentRetire
        .on(row.id)
        .because(format!("{instrument_id} v{version}"));
    audit::write(
        &mut tx,
        Origin::actor_or_console(by),
        Outcome::Success,
        event,
    );
    let retired = chosen(&mut tx, instrument_id, Some(version)).await?;
    tx.commit().await?;
    Ok(retired)
}
