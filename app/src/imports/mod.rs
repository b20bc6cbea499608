//! Bringing an existing inventory in from a spreadsheet: CSV or Excel, its columns matched to
//! the project's fields, and every row's outcome — create, update, unchanged, or refused with
//! each problem in words — planned before anything is written (the preview), then applied
//! (valid rows only, or all or nothing), each project written as if entered by hand: its audit
//! events (via the import), its owner and its signals.
//!
//! Built so far: reading files (`parse`), matching columns (`columns`), planning rows (`plan`)
//! and the preview and commit on the server (`server`). The page, the background run with its
//! progress bar and `POST /api/v1/imports` come next.

pub mod columns;
#[cfg(feature = "ssr")]
pub mod parse;
pub mod plan;
#[cfg(feature = "ssr")]
pub mod server;

use plan::Action;
use serde::{Deserialize, Serialize};

/// One row's verdict, as the preview lists it and the CSV report writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    pub row: usize,
    pub name: String,
    pub action: Action,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
    /// The version of the project the preview compared the row with (updates).
    pub version: Option<i32>,
}

/// What an import did when applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub refused: usize,
}
