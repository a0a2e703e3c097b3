//! The password policy: what a new password must look like.

use crate::DomainError;

/// Rules a new password must meet. Defaults follow PRODUCT.md §5: at least 8 characters
/// with mixed character types. (History and common-password checks need stored data and
/// live with the use case that sets passwords.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// How many of the four classes (lower, upper, digit, symbol) must appear.
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_length: 8, min_classes: 3 }
    }
}

/// Longest password accepted, to bound hashing work.
const MAX_LEN: usize = 256;

impl PasswordPolicy {
    pub fn check(&self, password: &str) -> Result<(), DomainError> {
        let n = password.chars().count();
        if n < self.min_length {
            return Err(DomainError::invalid(
                "password",
                format!("must be at least {} characters long", self.min_length),
            ));
        }
        if password.len() > MAX_LEN {
            return Err(DomainError::invalid("password", "must be at most 256 bytes long"));
        }
        let has = |f: fn(char) -> bool| usize::from(password.chars().any(f));
        let classes = has(char::is_lowercase)
            + has(char::is_uppercase)
            + has(|c| c.is_ascii_digit())
            + has(|c| !c.is_alphanumeric());
        if classes < self.min_classes {
            return Err(DomainError::invalid(
                "password",
                format!("must mix at least {} of: lower case, upper case, digits, symbols", self.min_classes),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_wants_eight_characters_of_three_kinds() {
        let p = PasswordPolicy::default();
        assert!(p.check("Tr0ub4dor").is_ok());
        assert!(p.check("correct-Horse").is_ok());
        assert!(p.check("Sh0rt!").unwrap_err().to_string().contains("at least 8"));
        assert!(p.check("alllowercase").unwrap_err().to_string().contains("mix"));
        assert!(p.check("ALLUPPER123").is_err(), "two kinds are not enough");
        assert!(p.check("ALLUPPER12!").is_ok());
    }

    #[test]
    fn overlong_passwords_are_refused() {
        assert!(PasswordPolicy::default().check(&"Aa1!".repeat(100)).is_err());
    }
}
