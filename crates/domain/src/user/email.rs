//! `Email`: a valid address and its one canonical form, so that one mailbox is one user.
//!
//! The canonical key (PRODUCT.md §1) is what uniqueness, sign-in, SSO matching, SCIM
//! `userName` and mail delivery agree on:
//! - the domain goes through UTS #46 (IDNA 2008 with the Unicode mapping: case folded,
//!   width folded, NFC) to its ASCII form, so `müller.example`, `MÜLLER.example` and
//!   `xn--mller-kva.example` are one domain (crate `idna`);
//! - the local part is NFC-normalized (crate `unicode-normalization`), so a precomposed `ë`
//!   and `e` + U+0308 are one letter, and compared case-insensitively (`Ann` = `ann`).
//!
//! New addresses ([`Email::try_from`]) must also pass the one text check
//! ([`crate::text::problem`]: no control or invisible characters) and UTS #39: a local part
//! or domain label that mixes scripts beyond "highly restrictive" (`аdmin` with a Cyrillic
//! `а`) or uses characters outside the General Security Profile (full-width `ａ`) is
//! refused, since it can imitate another person's address (crate `unicode-security`).
//! Lookups ([`Email::canonical_key`]) only need the syntax, so an address stored before
//! these rules can still be found.

use crate::DomainError;
use crate::text::{Lines, problem};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use std::fmt;
use unicode_normalization::UnicodeNormalization;
use unicode_security::{RestrictionLevel, RestrictionLevelDetection};

/// Longest address accepted (RFC 5321 path limit).
const MAX_LEN: usize = 254;
/// Longest local part (RFC 5321 §4.5.3.1.1), in bytes.
const MAX_LOCAL: usize = 64;

/// An email address as typed by a person (trimmed, NFC), with its canonical key.
/// Two `Email`s are equal when their keys are.
#[derive(Debug, Clone)]
pub struct Email {
    /// As typed, NFC-normalized: what lists and profiles show.
    shown: String,
    /// Local part (NFC) + `@` + ASCII domain: where mail is sent.
    address: String,
    /// Local part lower-cased (NFC) + `@` + ASCII domain: the identity.
    key: String,
}

impl Email {
    /// The address as typed (trimmed, NFC-normalized), for display.
    pub fn as_str(&self) -> &str {
        &self.shown
    }

    /// The canonical form used for uniqueness, sign-in and matching (SSO, SCIM): local part
    /// NFC and lower-cased, `@`, domain in its ASCII (IDNA, UTS #46) form.
    /// `Ann@Müller.example` → `ann@xn--mller-kva.example`.
    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// Where mail goes (RFC 5321 envelope and `To:`): the local part as typed (NFC) and the
    /// domain in its ASCII form. Non-ASCII only when the local part is (then delivery needs
    /// an SMTP server announcing SMTPUTF8, RFC 6531).
    pub fn delivery_address(&self) -> &str {
        &self.address
    }

    /// Whether delivery needs SMTPUTF8 (RFC 6531): the local part is not ASCII.
    pub fn needs_smtputf8(&self) -> bool {
        !self.address.is_ascii()
    }

    /// The canonical key of `raw` (see [`Email::key`]) when it is a syntactically valid
    /// address, without the rules for new addresses (confusables): for looking up users,
    /// e.g. at sign-in, SSO matching by verified email, or SCIM `userName` filters.
    /// Errors name the field `email`.
    pub fn canonical_key(raw: &str) -> Result<String, DomainError> {
        Self::from_stored(raw).map(|e| e.key)
    }

    /// An address as stored, possibly before today's rules for new addresses: syntax and
    /// canonical form only (for mailing a user, or re-keying old rows).
    pub fn from_stored(raw: &str) -> Result<Self, DomainError> {
        let bad = |m: &str| Err(DomainError::invalid("email", m));
        let s = raw.trim();
        if s.is_empty() {
            return bad("is required");
        }
        if let Some(why) = problem(s, Lines::One) {
            return Err(DomainError::invalid("email", why));
        }
        if s.chars().any(char::is_whitespace) {
            return bad("must not contain spaces");
        }
        let s: String = s.nfc().collect();
        if s.len() > MAX_LEN {
            return bad("is longer than 254 characters");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return bad("must contain @");
        };
        if local.is_empty() || local.len() > MAX_LOCAL || local.contains('@') {
            return bad("has an invalid part before @");
        }
        let ascii = ascii_domain(domain).ok_or(DomainError::invalid("email", "has an invalid domain"))?;
        let key_local: String = local.to_lowercase().nfc().collect();
        Ok(Self { address: format!("{local}@{ascii}"), key: format!("{key_local}@{ascii}"), shown: s })
    }
}

/// The ASCII (Punycode) form of `domain` under UTS #46 with STD3 rules and DNS lengths, if
/// it is a valid host name of at least two labels.
fn ascii_domain(domain: &str) -> Option<String> {
    let ascii = Uts46::new()
        .to_ascii(domain.as_bytes(), AsciiDenyList::STD3, Hyphens::CheckFirstLast, DnsLength::Verify)
        .ok()?
        .into_owned();
    (ascii.split('.').count() >= 2).then_some(ascii)
}

/// UTS #39: `part` (a local part or a domain label in Unicode) may not mix scripts beyond
/// "highly restrictive" (Latin with Han/Kana/Hangul is fine; Latin with Cyrillic is not)
/// nor use characters outside the General Security Profile (full-width forms…). ASCII
/// punctuation of local parts (`.`, `+`, `_`…) is not part of any script and is ignored.
fn confusable(part: &str) -> bool {
    let letters: String = part.chars().filter(|c| !c.is_ascii_punctuation()).collect();
    !letters.is_ascii() && letters.as_str().detect_restriction_level() > RestrictionLevel::HighlyRestrictive
}

impl TryFrom<&str> for Email {
    type Error = DomainError;

    /// Parses a new address: syntax, canonical form, and the UTS #39 rule against
    /// look-alike addresses (see the module doc). Errors name the field `email`.
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let email = Self::from_stored(raw)?;
        let (local, domain) = email.address.rsplit_once('@').unwrap_or_default();
        let (unicode_domain, _) = idna::domain_to_unicode(domain);
        if confusable(local) || unicode_domain.split('.').any(confusable) {
            return Err(DomainError::invalid(
                "email",
                "mixes scripts or look-alike characters (e.g. a Cyrillic \u{430} among Latin letters, or full-width letters) \
                 and could imitate another address (Unicode UTS #39); type it in one script",
            ));
        }
        Ok(email)
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Email {}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
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
        assert_eq!(e.delivery_address(), "Ann.Lee+x@example.co.uk");
    }

    #[test]
    fn compares_case_insensitively() {
        assert_eq!(Email::try_from("ANN@x.org").unwrap(), Email::try_from("ann@X.ORG").unwrap());
    }

    #[test]
    fn an_internationalized_domain_and_its_punycode_are_one_mailbox() {
        let unicode = Email::try_from("lena@müller.example").unwrap();
        let puny = Email::try_from("lena@xn--mller-kva.example").unwrap();
        let upper = Email::try_from("Lena@MÜLLER.example").unwrap();
        assert_eq!(unicode.key(), "lena@xn--mller-kva.example");
        assert_eq!(unicode, puny);
        assert_eq!(unicode, upper);
        assert_eq!(unicode.as_str(), "lena@müller.example", "shown as typed");
        assert_eq!(unicode.delivery_address(), "lena@xn--mller-kva.example", "mail goes to the ASCII form");
        assert!(!unicode.needs_smtputf8());
    }

    #[test]
    fn precomposed_and_combining_spellings_are_one_mailbox() {
        let pre = Email::try_from("zo\u{eb}@example.com").unwrap();
        let combining = Email::try_from("zoe\u{308}@example.com").unwrap();
        assert_eq!(pre, combining);
        assert_eq!(pre.key(), "zo\u{eb}@example.com");
        assert_eq!(combining.as_str(), "zo\u{eb}@example.com");
        assert!(pre.needs_smtputf8());
        assert_eq!(Email::try_from("ZO\u{cb}@example.com").unwrap(), pre);
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in
            ["", "ann", "ann@", "@x.org", "ann@x", "ann@@x.org", "a b@x.org", "ann@-x.org", "ann@x..org", "ann@x_y.org"]
        {
            let err = Email::try_from(bad).unwrap_err();
            assert!(matches!(err, DomainError::Invalid { field: "email", .. }), "{bad}");
        }
    }

    #[test]
    fn refuses_invisible_and_control_characters() {
        for bad in ["ann\u{200B}@x.org", "ann@x.org\0", "\u{202E}ann@x.org", "ann\r\n@x.org"] {
            assert!(Email::try_from(bad).is_err(), "{bad:?}");
            assert!(Email::canonical_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn refuses_look_alike_addresses_but_keeps_single_scripts() {
        for bad in ["\u{430}dmin@example.com", "admin@g\u{43e}\u{43e}gle.com", "\u{ff41}dmin@example.com"] {
            let err = Email::try_from(bad).unwrap_err().to_string();
            assert!(err.contains("UTS #39"), "{bad}: {err}");
        }
        for good in ["иван@пример.рф", "山田@例え.jp", "ann.lee+tag@example.com", "δοκιμή@παράδειγμα.δοκιμή"]
        {
            assert!(Email::try_from(good).is_ok(), "{good}");
        }
        assert_eq!(Email::canonical_key("\u{430}dmin@Example.com").unwrap(), "\u{430}dmin@example.com");
    }

    #[test]
    fn full_width_domains_map_to_ascii() {
        assert_eq!(Email::try_from("ann@\u{ff45}xample.com").unwrap().key(), "ann@example.com");
    }

    #[test]
    fn refuses_overlong_addresses() {
        let long = format!("{}@x.org", "a".repeat(250));
        assert!(Email::try_from(long.as_str()).is_err());
        assert!(Email::try_from(format!("{}@x.org", "a".repeat(65)).as_str()).is_err());
    }
}
