//! The participant's timeline.

use crate::app::casework::timeline as app_timeline;
use crate::domain::casework::timeline::MomentKind;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One moment on the timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Moment {
    pub at: DateTime<Utc>,
    pub case_number: String,
    pub kind: MomentKind,
    /// What happened, in a line.
    pub what: String,
    pub by: Option<String>,
}

impl From<app_timeline::Moment> for Moment {
    fn from(r: app_timeline::Moment) -> Self {
        Self {
            at: r.at,
            case_number: r.case_number,
            kind: r.kind,
            what: r.what,
            by: r.by,
        }
    }
}
