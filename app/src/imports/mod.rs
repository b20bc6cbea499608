//! Bringing an existing inventory in from a spreadsheet: CSV or Excel, its columns matched to
//! the project's fields, and every row's outcome — create, update, unchanged, or refused with
//! each problem in words — planned before anything is written (the preview), then applied
//! (valid rows only, or all or nothing), each project written as if entered by hand: its audit
//! events (via the import), its owner and its signals.
//!
//! Reading files (`parse`), matching columns (`columns`) and planning rows (`plan`) are pure;
//! `server` keeps the preview and runs the commit as a background job; the upload itself is a
//! plain multipart form (the server crate's `/projects/import`), so it works without JavaScript.

mod api;
pub mod columns;
mod page;
#[cfg(feature = "ssr")]
pub mod parse;
pub mod plan;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;
pub use page::{ImportPage, ImportPreviewPage};

use chrono::{DateTime, Utc};
use plan::Action;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How many rows' verdicts an import's page lists (the CSV report has them all).
pub const ROWS_SHOWN: usize = 500;

/// An import as its page shows it: the preview's counts and rows, and how the commit goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: Uuid,
    pub file_name: String,
    pub created_by: Uuid,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    /// previewed, queued, running, done, failed.
    pub status: String,
    pub all_or_nothing: bool,
    pub rows_total: i32,
    pub rows_done: i32,
    /// What the preview found, row by row.
    pub counts: Summary,
    /// What the commit did.
    pub summary: Option<Summary>,
    pub error: Option<String>,
    pub unknown_columns: Vec<String>,
    /// Columns read as a field the person chose: (header, field).
    pub chosen_columns: Vec<(String, columns::Column)>,
    /// Refused rows first, at most [`ROWS_SHOWN`].
    pub rows: Vec<RowReport>,
}

/// One row's verdict, as the preview lists it and the CSV report writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowReport {
    /// The row's number in the file (the header is row 1).
    #[cfg_attr(feature = "ssr", schema(example = 4))]
    pub row: usize,
    pub name: String,
    pub action: Action,
    /// Why the row is refused, each problem in words.
    #[cfg_attr(feature = "ssr", schema(example = json!(["unknown stage \"prod\" \u{2014} allowed: define, design, build, deploy"])))]
    pub problems: Vec<String>,
    /// What else to know, e.g. a stage imported past its gate (flagged `gate_gap`).
    pub notes: Vec<String>,
    /// The version of the project the preview compared the row with (updates).
    pub version: Option<i32>,
}

/// How many rows an import creates, updates, leaves unchanged and refuses (the preview), or
/// did (the commit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused: usize,
}
