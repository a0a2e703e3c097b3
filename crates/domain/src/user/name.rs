//! `PersonName`: a first or last name as people write it.

use crate::DomainError;
use std::fmt;

const MAX_CHARS: usize = 100;

/// One part of a person's name: trimmed, 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Parses `raw` as the field called `field` (so errors name "first_name" or "last_name").
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(DomainError::invalid(field, "is required"));
        }
        if s.chars().count() > MAX_CHARS {
            return Err(DomainError::invalid(field, "is longer than 100 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(DomainError::invalid(field, "must not contain control characters"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_names_from_any_script() {
        assert_eq!(PersonName::parse("first_name", "  Zoë ").unwrap().as_str(), "Zoë");
        assert!(PersonName::parse("first_name", "李").is_ok());
    }

    #[test]
    fn refuses_empty_long_and_control_names_naming_the_field() {
        for bad in ["", "   ", "a\u{7}b"] {
            assert_eq!(
                PersonName::parse("last_name", bad).unwrap_err(),
                DomainError::invalid(
                    "last_name",
                    match bad {
                        "a\u{7}b" => "must not contain control characters",
                        _ => "is required",
                    }
                )
            );
        }
        assert!(PersonName::parse("first_name", &"x".repeat(101)).is_err());
        assert!(PersonName::parse("first_name", &"x".repeat(100)).is_ok());
    }
}
