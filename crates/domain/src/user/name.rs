//! `PersonName`: a first or last name as people write it.

use crate::DomainError;
use std::fmt;

const MAX_CHARS: usize = 100;

/// One part of a person's name: one line of 1–100 visible characters, trimmed and NFC
/// (the rules of [`crate::text::line`]); only invisible characters is no name at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Parses `raw` as the field called `field` (so errors name "first_name" or "last_name").
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, DomainError> {
        crate::text::required_line(field, raw, MAX_CHARS).map(Self)
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
        for bad in ["", "   ", "\u{3164}", "a\u{7}b"] {
            assert_eq!(
                PersonName::parse("last_name", bad).unwrap_err(),
                DomainError::invalid(
                    "last_name",
                    match bad {
                        "a\u{7}b" => "must not contain control characters (U+0007)",
                        _ => "is required",
                    }
                )
            );
        }
        assert!(PersonName::parse("first_name", &"x".repeat(101)).is_err());
        assert!(PersonName::parse("first_name", &"x".repeat(100)).is_ok());
    }
}
