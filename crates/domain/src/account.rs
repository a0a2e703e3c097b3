//! An account (a tenant) is named for people and addressed by a slug: the short identifier
//! sign-in and the CLI use to say which account they mean.

use crate::DomainError;
use std::fmt;

/// Longest account name, in characters.
const NAME_MAX_CHARS: usize = 100;
/// Longest slug: one DNS label (RFC 1035 §2.3.4), so a slug can become a host name.
const SLUG_MAX: usize = 63;

/// An account's display name: one line of visible text, at most 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        crate::text::required_line("name", raw, NAME_MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account's slug: 1–63 characters of `a-z`, `0-9` and `-`, neither starting nor ending
/// with `-` (the shape of a DNS label, RFC 1123 §2.1). Unique in the installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSlug(String);

impl AccountSlug {
    /// Checks a slug given as is (errors name the field `slug`).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok_chars = raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if raw.is_empty() || raw.len() > SLUG_MAX || !ok_chars || raw.starts_with('-') || raw.ends_with('-') {
            return Err(DomainError::invalid(
                "slug",
                format!(
                    "must be 1 to {SLUG_MAX} lower-case letters, digits and hyphens, not starting or ending with \
                     a hyphen (got {raw:?})"
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The slug a name suggests: transliterated to ASCII, lower-cased, words joined by `-`
    /// ("Müller & Söhne GmbH" → "muller-sohne-gmbh"). Errors when nothing usable is left
    /// (a name in a script with no transliteration, say): then a slug must be given.
    pub fn from_name(name: &AccountName) -> Result<Self, DomainError> {
        let mut s = slug::slugify(name.as_str());
        s.truncate(SLUG_MAX);
        let s = s.trim_end_matches('-'); // the cut may fall just after a word
        Self::parse(s).map_err(|_| {
            DomainError::invalid("slug", format!("cannot be made from the name {:?}; give one", name.as_str()))
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_dns_labels() {
        for good in ["acme", "acme-2", "a", &"x".repeat(63)] {
            assert!(AccountSlug::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "-acme", "acme-", "Acme", "ac me", "acmé", &"x".repeat(64)] {
            assert!(AccountSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_name_suggests_its_slug() {
        let slug = |n: &str| AccountSlug::from_name(&AccountName::parse(n).unwrap()).map(|s| s.0);
        assert_eq!(slug("Müller & Söhne GmbH").unwrap(), "muller-sohne-gmbh");
        assert_eq!(slug("  Acme Corp  ").unwrap(), "acme-corp");
        let long = slug(&"Long name ".repeat(10)).unwrap();
        assert!(long.len() <= 63 && !long.ends_with('-'), "{long}");
        assert_eq!(slug("Name                                                         x").unwrap(), "name-x");
        assert!(slug("!!!").is_err(), "nothing usable left");
        assert!(AccountName::parse(" \u{200b} ").is_err(), "a blank name is no name");
    }
}
