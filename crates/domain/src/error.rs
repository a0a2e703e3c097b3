//! The one error type of the domain layer.

use thiserror::Error;

/// A rule of the domain refused a value or a change. The message is meant for people.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A value failed validation; `field` names what was wrong.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// A state change that the current state does not allow.
    #[error("cannot {action} a user who is {from}")]
    IllegalTransition { from: &'static str, action: &'static str },
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }
}
