//! One-time submissions (`web::once`): the answer a claimed submission got,
//! kept for its repeats, and forgotten after a day.

use super::{App, AppResult};
use crate::domain::ids::UserId;
use crate::store::submissions::{self, Answer, Claimed, Submission};

/// How long a submission is remembered: a repeat later than this writes again.
pub const KEPT_HOURS: i64 = 24;

/// Keeps the answer the request that claimed `submission` got.
pub async fn keep(
    app: &App,
    user: UserId,
    submission: &Submission,
    answer: &Answer,
) -> AppResult<()> {
    let mut tx = app.db.write().await?;
    submissions::keep_answer(&mut tx, &app.keys, user, submission, answer).await?;
    tx.commit().await?;
    Ok(())
}

/// The submission `user` claimed with `key`, if any.
pub async fn find(app: &App, user: UserId, key: &str) -> AppResult<Option<Claimed>> {
    // A write's turn: on SQLite the claim may sit in the writer's batch,
    // not yet committed, where only a turn of the batch sees it.
    let mut tx = app.db.write().await?;
    let claimed = submissions::find(&mut tx, &app.keys, user, key).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// Forgets the submissions older than [`KEPT_HOURS`]; returns how many.
pub async fn forget_old(app: &App) -> AppResult<u64> {
    let mut tx = app.db.write().await?;
    let before = app.now() - chrono::Duration::hours(KEPT_HOURS);
    let forgotten = submissions::purge(&mut tx, before).await?;
    tx.commit().await?;
    Ok(forgotten)
}
