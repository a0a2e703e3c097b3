//! The password policy: what a new password must look like.

use crate::DomainError;

/// Rules a new password must meet. Defaults follow PRODUCT.md §5: at least 8 characters
/// mixing three kinds of character, and not a common or easily guessed password. (The
/// history rule needs stored hashes and lives with the use case that sets passwords.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// How many of the four classes (lower, upper, digit, symbol) must appear.
    pub min_classes: usize,
    /// Refuse passwords that zxcvbn rates as too guessable (common words, keyboard walks,
    /// dates).
    pub reject_common: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_length: 8, min_classes: 3, reject_common: true }
    }
}

impl PasswordPolicy {
    /// The policy as one sentence for the forms that ask for a new password, e.g. "At least
    /// 8 characters, mixing 3 of: lowercase letters, capitals, digits, symbols; not a common
    /// or easily guessed password." — the same numbers [`Self::check_for`] applies.
    pub fn describe(&self) -> String {
        let classes = if self.min_classes > 1 {
            format!(", mixing {} of: lowercase letters, capitals, digits, symbols", self.min_classes)
        } else {
            String::new()
        };
        let common = if self.reject_common { "; not a common or easily guessed password" } else { "" };
        format!("At least {} characters{classes}{common}.", self.min_length)
    }
}

/// Longest password accepted, to bound hashing work.
const MAX_LEN: usize = 256;

/// zxcvbn scores below this are "too guessable" (below 3: guessable within 10^8 tries,
/// which catches "Password1!" and "Summer2024!" alike).
const MIN_SCORE: u8 = 3;

impl PasswordPolicy {
    /// Checks `password`; `user_inputs` (email, names) count as easy to guess.
    pub fn check_for(&self, password: &str, user_inputs: &[&str]) -> Result<(), DomainError> {
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
        let lower = password.to_lowercase();
        let personal = user_inputs
            .iter()
            .flat_map(|i| i.split(|c: char| !c.is_alphanumeric()))
            .any(|w| w.chars().count() >= 4 && lower.contains(&w.to_lowercase()));
        if personal {
            return Err(DomainError::invalid("password", "must not contain your name or email"));
        }
        if self.reject_common && u8::from(zxcvbn::zxcvbn(password, user_inputs).score()) < MIN_SCORE {
            return Err(DomainError::invalid("password", "is too common or too easy to guess"));
        }
        Ok(())
    }

    pub fn check(&self, password: &str) -> Result<(), DomainError> {
        self.check_for(password, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_states_the_numbers_the_check_applies() {
        let p = PasswordPolicy { min_length: 12, min_classes: 2, reject_common: false };
        assert_eq!(p.describe(), "At least 12 characters, mixing 2 of: lowercase letters, capitals, digits, symbols.");
        let d = PasswordPolicy::default().describe();
        assert!(d.starts_with("At least 8 characters, mixing 3 of") && d.contains("not a common"), "{d}");
        assert_eq!(
            PasswordPolicy { min_length: 8, min_classes: 1, reject_common: false }.describe(),
            "At least 8 characters."
        );
    }

    #[test]
    fn the_default_policy_wants_eight_characters_of_three_kinds() {
        let p = PasswordPolicy::default();
        assert!(p.check("Tr0ub4dor&3x").is_ok());
        assert!(p.check("correct-Horse-battery").is_ok());
        assert!(p.check("Sh0rt!").unwrap_err().to_string().contains("at least 8"));
        assert!(p.check("alllowercase").unwrap_err().to_string().contains("mix"));
        assert!(p.check("QZXJVKWPRT123").is_err(), "two kinds are not enough");
        assert!(p.check("QZXJVKWP12!").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_even_when_they_mix_kinds() {
        let p = PasswordPolicy::default();
        for common in ["Password1!", "Qwerty123!", "Welcome2024!", "Summer2024!", "Abcdefg1!"] {
            assert!(p.check(common).unwrap_err().to_string().contains("too common"), "{common}");
        }
        let lenient = PasswordPolicy { reject_common: false, ..PasswordPolicy::default() };
        assert!(lenient.check("Password1!").is_ok());
    }

    #[test]
    fn the_users_own_email_counts_as_guessable() {
        let p = PasswordPolicy::default();
        assert!(p.check("Ann.Archer1").is_ok(), "fine for anyone else");
        assert!(p.check_for("Ann.Archer1", &["ann.archer@example.com"]).is_err());
    }

    #[test]
    fn overlong_passwords_are_refused() {
        assert!(PasswordPolicy::default().check(&"Aa1!".repeat(100)).is_err());
    }
}
