//! `Email`: a syntactically valid address that compares case-insensitively.

use crate::DomainError;
use std::fmt;

/// Longest address accepted (RFC 5321 path limit).
const MAX_LEN: usize = 254;

/// An email address as typed by a person. Its [`Email::key`] (lower case) is what makes
/// it unique within an account, so `Ann@X.org` and `ann@x.org` are the same user.
#[derive(Debug, Clone)]
pub struct Email(String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form used for uniqueness and lookups.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl TryFrom<&str> for Email {
    type Error = DomainError;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let s = raw.trim();
        let bad = |m: &str| Err(DomainError::invalid("email", m));
        if s.is_empty() {
            return bad("is required");
        }
        if s.len() > MAX_LEN {
            return bad("is longer than 254 characters");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("must not contain spaces");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad("must contain @");
        };
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return bad("has an invalid part before @");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) {
            return bad("has an invalid domain");
        }
        Ok(Self(s.to_owned()))
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Email {}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_trims_them() {
        let e = Email::try_from("  Ann.Lee+x@Example.co.uk ").unwrap();
        assert_eq!(e.as_str(), "Ann.Lee+x@Example.co.uk");
        assert_eq!(e.key(), "ann.lee+x@example.co.uk");
    }

    #[test]
    fn compares_case_insensitively() {
        assert_eq!(Email::try_from("ANN@x.org").unwrap(), Email::try_from("ann@X.ORG").unwrap());
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in ["", "ann", "ann@", "@x.org", "ann@x", "ann@@x.org", "a b@x.org", "ann@-x.org", "ann@x..org"] {
            let err = Email::try_from(bad).unwrap_err();
            assert!(matches!(err, DomainError::Invalid { field: "email", .. }), "{bad}");
        }
    }

    #[test]
    fn refuses_overlong_addresses() {
        let long = format!("{}@x.org", "a".repeat(250));
        assert!(Email::try_from(long.as_str()).is_err());
    }
}
