//! Server-only parts of authentication: hashing, sessions, account storage, the role guard.

pub mod accounts;
pub mod client;
pub mod guard;
pub mod password;
pub mod people;
pub mod session;

pub use guard::{require, require_signed_in, Caller};
