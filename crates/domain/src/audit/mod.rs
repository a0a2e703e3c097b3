//! The audit log read by people: each [`AuditAction`]'s readable label and the kind it is
//! grouped under ([`catalogue`]), and the one-line [`summary`] of an event ("Alex Morgan
//! suspended Casey Lee for Support"). Pure functions of the event; every match is
//! exhaustive, so a new action does not compile until it has a label, a kind and a summary.
//!
//! [`AuditAction`]: crate::closed::AuditAction

mod catalogue;
mod summary;

pub use catalogue::AuditKind;
pub use summary::{Event, Named, summary};
