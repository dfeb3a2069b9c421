//! Field-encryption key operations run from the server's command line:
//! checking the key ring against the database, sealing values stored before
//! their column was sealed, and re-sealing everything under the current key.

use super::App;
use crate::store::audit::{self, NewEvent, Outcome};
use crate::store::sealed::{self, KeyUse, Pass};

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    pub resealed: u64,
    pub current: u32,
    /// Values now sealed under each key of the ring.
    pub usage: KeyUse,
}

/// Refuses a key ring that cannot open the database's sealed values, then
/// seals any values still stored in the clear (written before their column
/// was sealed). Runs at every start.
pub async fn prepare(app: &App) -> anyhow::Result<()> {
    let mut tx = app.db.read().await?;
    sealed::check(&mut tx, &app.keys).await?;
    drop(tx);
    let n = sealed::reseal(&app.db, &app.keys, Pass::Plaintext).await?;
    if n > 0 {
        record(app, "keys.sealed_plaintext", n).await?;
        tracing::info!(
            values = n,
            "sealed values stored before their column was sealed"
        );
    }
    Ok(())
}

/// Re-seals every value not under the current key, in short batches while
/// the service keeps running; audited.
pub async fn rotate(app: &App) -> anyhow::Result<Rotation> {
    let resealed = sealed::reseal(&app.db, &app.keys, Pass::Rotate).await?;
    record(app, "keys.rotated", resealed).await?;
    let mut tx = app.db.read().await?;
    let usage = sealed::key_use(&mut tx, app.keys.ids()).await?;
    Ok(Rotation {
        resealed,
        current: app.keys.current(),
        usage,
    })
}

async fn record(app: &App, action: &str, values: u64) -> Result<(), sqlx::Error> {
    let (actor, source) = super::audit::origin(None);
    let reason = format!("{values} values, key {}", app.keys.current());
    let mut tx = app.db.write().await?;
    audit::append(
        &mut tx,
        NewEvent {
            at: super::now(),
            actor,
            source,
            action,
            object: None,
            outcome: Outcome::Success,
            reason: Some(&reason),
        },
    )
    .await?;
    tx.commit().await
}
