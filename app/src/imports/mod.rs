//! Bringing an existing inventory in from a spreadsheet: CSV or Excel, its columns matched to
//! the project's fields, and every row's outcome — create, update, unchanged, or refused with
//! each problem in words — planned before anything is written.
//!
//! Built so far: reading files (`parse`), matching columns (`columns`) and planning rows
//! (`plan`), each unit-tested. The preview page, the commit and `POST /api/v1/imports` come next.

pub mod columns;
#[cfg(feature = "ssr")]
pub mod parse;
pub mod plan;
