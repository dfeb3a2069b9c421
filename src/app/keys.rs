//! Field-encryption key operations run from the server's command line:
//! checking the key ring against the database, sealing values stored before
//! their column was sealed, keeping the digests of texts signed before
//! digests were kept, and re-sealing everything under the current key.

use crate::app::audit::{self, Origin};
use crate::app::App;
use crate::domain::audit::Action;
use crate::store::audit::Outcome;
use crate::store::sealed::{self, KeyUse, Pass};

/// What a rotation did.
#[derive(Debug)]
pub struct Rotation {
    pub resealed: u64,
    pub current: u32,
    /// Values now sealed under each key of the ring.
    pub usage: KeyUse,
}

/// Refuses a key ring that cannot open the database's sealed values, and
/// records the current key as in use. Runs at every start. When keys are
/// recorded and the ring holds them all, it opens one value per key. Else
/// (a database from before keys were recorded, or a recorded key missing
/// from the ring) it surveys every sealed column, seals values still stored
/// in the clear (written before their column was sealed) and records the
/// keys it found in use.
pub async fn prepare(app: &App) -> anyhow::Result<()> {
    let mut tx = app.db.read().await?;
    let recorded = sealed::recorded_keys(&mut tx).await?;
    let held = |id: &u32| app.keys.ids().any(|k| k == *id);
    let mut in_use = vec![app.keys.current()];
    let mut stale = Vec::new();
    if !recorded.is_empty() && recorded.iter().all(held) {
        sealed::check_recorded(&mut tx, &app.keys, &recorded).await?;
        drop(tx);
    } else {
        sealed::check(&mut tx, &app.keys).await?;
        let usage = sealed::key_use(&mut tx, app.keys.ids()).await?;
        in_use.extend(
            usage
                .by_key
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(id, _)| *id),
        );
        // The survey found nothing under a recorded key the ring lacks.
        stale.extend(recorded.iter().copied().filter(|id| !held(id)));
        drop(tx);
        let n = sealed::reseal(&app.db, &app.keys, Pass::Plaintext).await?;
        if n > 0 {
            record(app, Action::KeysSealedPlaintext, n).await?;
            tracing::info!(
                values = n,
                "sealed values stored before their column was sealed"
            );
        }
    }
    let mut tx = app.db.write().await?;
    sealed::forget_keys(&mut tx, &stale).await?;
    sealed::record_keys(&mut tx, &in_use, app.now()).await?;
    tx.commit().await?;
    anchor_signed_texts(app).await
}

/// Keeps the digests of notes and addenda signed before digests were kept
/// (none after the first start of a version that keeps them; an index finds
/// that at once), so that from now on a change to their text shows.
async fn anchor_signed_texts(app: &App) -> anyhow::Result<()> {
    let n = crate::store::casework::notes::anchor_signed(&app.db, &app.keys).await?;
    if n > 0 {
        let mut tx = app.db.write().await?;
        let event = Action::NoteAnchored.because(format!("{n} signed texts"));
        audit::write(&mut tx, Origin::system("cli"), Outcome::Success, event);
        tx.commit().await?;
        tracing::info!(
            texts = n,
            "kept the digests of texts signed before digests were kept"
        );
    }
    Ok(())
}

/// Re-seals every value not under the current key, in short batches while
/// the service keeps running; audited.
pub async fn rotate(app: &App) -> anyhow::Result<Rotation> {
    let resealed = sealed::reseal(&app.db, &app.keys, Pass::Rotate).await?;
    record(app, Action::KeysRotated, resealed).await?;
    let mut tx = app.db.write().await?;
    let usage = sealed::key_use(&mut tx, app.keys.ids()).await?;
    let unused: Vec<u32> = usage
        .by_key
        .iter()
        .filter(|(id, n)| *n == 0 && *id != app.keys.current())
        .map(|(id, _)| *id)
        .collect();
    sealed::forget_keys(&mut tx, &unused).await?;
    tx.commit().await?;
    Ok(Rotation {
        resealed,
        current: app.keys.current(),
        usage,
    })
}

async fn record(app: &App, action: Action, values: u64) -> Result<(), sqlx::Error> {
    let event = action.because(format!("{values} values, key {}", app.keys.current()));
    let mut tx = app.db.write().await?;
    audit::write(&mut tx, Origin::system("cli"), Outcome::Success, event);
    tx.commit().await
}
