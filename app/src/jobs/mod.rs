//! Background jobs kept in PostgreSQL, safe with any number of servers on one
//! database.
//!
//! A job is claimed with `FOR UPDATE SKIP LOCKED`, so two workers never take the same one, and
//! held by a lease: a worker that dies mid-job (killed, its machine gone) leaves the lease to
//! run out, and the job is claimed again — a job runs at least once and, while its worker
//! lives, by one worker at a time. A failure is tried again after a back-off that doubles; a
//! job that keeps failing is parked with its last error, listed for admins. Nothing is lost
//! across restarts: a job is a row until it is done.

#[cfg(feature = "ssr")]
mod queue;
#[cfg(feature = "ssr")]
pub use queue::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A parked job, as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedJob {
    pub id: i64,
    pub kind: String,
    pub attempts: i32,
    pub last_error: String,
    pub parked_at: DateTime<Utc>,
}
