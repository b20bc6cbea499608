//! Project storage (server only). Every write runs in one transaction with its audit event
//! and checks the version the person's change was based on.

pub mod list;
pub mod read;
pub mod rows;
pub mod write;
