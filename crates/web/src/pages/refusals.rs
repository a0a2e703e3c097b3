//! The refused fields of a form or filter bar, for a page that shows each message beside
//! its field (ARCHITECTURE.md §4b): built from the one invalid-input error
//! ([`AppError::into_fields`]), read by templates through [`Refusals::of`].

use app::AppError;

/// `(field, message)` of every refused field, in the order the use case named them.
#[derive(Debug, Default)]
pub struct Refusals(Vec<(String, String)>);

impl Refusals {
    /// The refusals `e` names, or `e` itself when it is not a refusal of input.
    ///
    /// # Errors
    /// `e` when it is not [`AppError::Invalid`] or [`AppError::InvalidFields`].
    pub fn of_error(e: AppError) -> Result<Self, AppError> {
        e.into_fields().map(Self)
    }

    /// The message beside `field`, if it was refused.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// Refusals of fields the page has no place for (not in `placed`).
    pub fn others(&self, placed: &[&str]) -> Vec<&(String, String)> {
        self.0.iter().filter(|(f, _)| !placed.contains(&f.as_str())).collect()
    }
}

impl From<Vec<(String, String)>> for Refusals {
    fn from(all: Vec<(String, String)>) -> Self {
        Self(all)
    }
}
