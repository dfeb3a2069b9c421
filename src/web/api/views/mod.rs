//! What the API returns, in the same contexts as the rest of the house:
//! the public contract, built from the application's read models and the
//! store's rows but never their types, so a renamed column or a reshaped
//! read model cannot change a response unnoticed (the snapshots in
//! `tests/it/snapshots/` pin them).

use serde::Serialize;
pub mod access;
pub mod assessments;
pub mod audit;
pub mod casework;
pub mod offices;
pub mod people;
pub mod programs;

/// Each item as its view.
pub fn all<T, V: From<T>>(items: Vec<T>) -> Vec<V> {
    items.into_iter().map(V::from).collect()
}

/// A page of a list, with the cursor for the next page (absent on the last).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
