//! The account's OpenID provider settings (Security → Single sign-on).

use super::mapping::AttributeMapping;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// What an admin configures (stored as the account's `sso` settings document). The client
/// secret is write-only: the API and pages report only whether one is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SsoSettings {
    /// The issuer URL (`iss`), exactly as the provider publishes it — trailing slash
    /// included; discovery reads `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// The client secret (the token endpoint's `client_secret_basic`). Never returned.
    pub client_secret: String,
    /// Scopes requested besides `openid` (default `email profile`).
    pub scopes: Vec<String>,
    /// The ID token claim holding the email users are matched by (default `email`). For
    /// Microsoft Entra ID keep `email`: `preferred_username` and `upn` are not verified
    /// addresses, and `email_verified` vouches only for `email` — another claim can be saved
    /// only with `require_email_verified` off (the admin's explicit opt-out).
    pub email_claim: String,
    /// Whether `email_verified` must be true (on by default; turning it off trusts the
    /// provider to hand out only addresses its users own).
    pub require_email_verified: bool,
    /// The provider's name on the sign-in button ("Sign in with Okta").
    pub provider_name: String,
    /// Whether an unknown email signing in becomes an active user (off by default).
    pub create_users: bool,
    pub mapping: AttributeMapping,
    /// Who last changed the mapping: it acts with their authority at each sign-in (set by
    /// the save, never by the document a client sends; `None` before anyone saved one).
    pub mapping_saved_by: Option<UserId>,
}

impl Default for SsoSettings {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            scopes: vec!["email".into(), "profile".into()],
            email_claim: "email".into(),
            require_email_verified: true,
            provider_name: String::new(),
            create_users: false,
            mapping: AttributeMapping::default(),
            mapping_saved_by: None,
        }
    }
}

/// The most scopes a sign-in asks for (providers take a handful; the authorization URL
/// carries them all).
pub const MAX_SCOPES: usize = 20;

impl SsoSettings {
    /// Every problem at once, as `(field, message)`; empty when the settings can be saved.
    /// Incomplete settings may be saved (SSO stays off until a connection test passes).
    /// `urls`: which issuer URLs the operator allows.
    pub fn problems(&self, urls: ProviderUrls) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut bad = |f: &str, m: &str| out.push((f.to_owned(), m.to_owned()));
        if !self.issuer.is_empty() && !issuer_allowed(&self.issuer, urls) {
            bad("issuer", urls.rule());
        }
        if self.client_id.chars().any(char::is_control) || self.client_id.len() > 500 {
            bad("client_id", "must be the client id the provider issued (at most 500 characters)");
        }
        if self.client_secret.len() > 2000 {
            bad("client_secret", "must be at most 2000 characters");
        }
        if self.scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace) || s.len() > 100) {
            bad("scopes", "must be scope names without spaces");
        } else if self.scopes.len() > MAX_SCOPES {
            bad("scopes", &format!("must be at most {MAX_SCOPES} scopes"));
        }
        if !is_claim_name(&self.email_claim) {
            bad("email_claim", "must be the name of a claim (letters, digits, _ : . / -)");
        } else if self.email_claim != VERIFIED_CLAIM && self.require_email_verified {
            bad(
                "email_claim",
                "email_verified vouches only for the email claim: to match users by another claim, turn off \
                 \"Require email_verified\" (the provider is then trusted to hand out only addresses its users own)",
            );
        }
        if self.provider_name.trim().chars().count() > 60 || self.provider_name.chars().any(char::is_control) {
            bad("provider_name", "must be at most 60 characters");
        }
        out.extend(self.mapping.problems());
        out
    }

    /// What must be filled in before a connection test can pass, as `(field, message)`.
    pub fn missing(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (field, value) in [
            ("issuer", &self.issuer),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("provider_name", &self.provider_name),
        ] {
            if value.trim().is_empty() {
                out.push((field.to_owned(), "is required to switch single sign-on on".to_owned()));
            }
        }
        out
    }

    /// What the connection test proved, as a fingerprint: a change to the issuer or client
    /// id needs a new test before SSO can be (or stay) on. The test never uses the secret
    /// (discovery and keys are public), so a new secret keeps the test — rotating it while
    /// SSO is on does not switch SSO off.
    pub fn connection_fingerprint(&self) -> String {
        format!("{}\n{}", self.issuer, self.client_id)
    }

    /// The trust settings ([`TRUST_FIELDS`]) that differ between `self` (switch `was_on`)
    /// and `new` (switch `on`), by field name.
    pub fn trust_changes(&self, was_on: bool, new: &Self, on: bool) -> Vec<&'static str> {
        let changed = [
            was_on != on,
            self.issuer != new.issuer,
            self.client_id != new.client_id,
            self.client_secret != new.client_secret,
            self.email_claim != new.email_claim,
            self.require_email_verified != new.require_email_verified,
            self.create_users != new.create_users,
        ];
        TRUST_FIELDS.iter().zip(changed).filter(|(_, c)| *c).map(|(f, _)| *f).collect()
    }

    /// `self` with the trust settings ([`TRUST_FIELDS`] but the switch) of `stored`: what a
    /// form that shows them read-only saves.
    #[must_use]
    pub fn with_trust_of(self, stored: &Self) -> Self {
        Self {
            issuer: stored.issuer.clone(),
            client_id: stored.client_id.clone(),
            client_secret: stored.client_secret.clone(),
            email_claim: stored.email_claim.clone(),
            require_email_verified: stored.require_email_verified,
            create_users: stored.create_users,
            ..self
        }
    }

    /// The name on the sign-in button.
    pub fn display_name(&self) -> &str {
        let n = self.provider_name.trim();
        if n.is_empty() { "your identity provider" } else { n }
    }
}

/// The settings that decide whose word signs people in — change one and you choose which
/// provider, client, claim or rule vouches for every user SSO admits (`enabled` included:
/// switching on hands sign-in to that provider). Who may change them is `app::authz::sso`.
pub const TRUST_FIELDS: [&str; 7] =
    ["enabled", "issuer", "client_id", "client_secret", "email_claim", "require_email_verified", "create_users"];

/// The one claim `email_verified` vouches for (OpenID Connect Core §5.1).
pub const VERIFIED_CLAIM: &str = "email";

/// Which provider URLs the operator allows (configuration `sso_allow_insecure_issuer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProviderUrls {
    /// `https` only: a token's keys and the token itself travel over TLS (OpenID Connect
    /// Core §16.17). The default.
    #[default]
    HttpsOnly,
    /// Also plain `http` to a loopback host — for a test provider on the same machine.
    AlsoLoopbackHttp,
}

impl ProviderUrls {
    /// The policy of `sso_allow_insecure_issuer`.
    pub fn of(allow_insecure_issuer: bool) -> Self {
        if allow_insecure_issuer { Self::AlsoLoopbackHttp } else { Self::HttpsOnly }
    }

    /// What an issuer must be, for the settings' error message.
    pub fn rule(self) -> &'static str {
        match self {
            Self::HttpsOnly => {
                "must be the provider's https:// issuer URL, without query, fragment or credentials (plain http:// \
                 only where the operator sets sso_allow_insecure_issuer, and then only to a loopback host)"
            }
            Self::AlsoLoopbackHttp => {
                "must be the provider's https:// issuer URL, without query, fragment or credentials (plain http \
                 only for localhost, 127.0.0.0/8 or ::1)"
            }
        }
    }
}

/// Whether `url` may be fetched as an OpenID provider's (issuer, discovery, keys, token
/// endpoint) under `urls`: `https`, or — when the operator allows it — plain `http` to a
/// loopback host (`localhost`, 127.0.0.0/8 or `::1`), judged on the parsed host, never on a
/// prefix (`http://localhost.evil.com` is not local).
pub fn provider_url_allowed(url: &url::Url, urls: ProviderUrls) -> bool {
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", _) if urls == ProviderUrls::HttpsOnly => false,
        ("http", Some(url::Host::Domain(d))) => d.eq_ignore_ascii_case("localhost"),
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        _ => false,
    }
}

/// An issuer: an allowed provider URL ([`provider_url_allowed`]) without query, fragment or
/// credentials (OpenID Connect Discovery §2), written as parsed.
fn issuer_allowed(issuer: &str, urls: ProviderUrls) -> bool {
    url::Url::parse(issuer).is_ok_and(|u| {
        provider_url_allowed(&u, urls)
            && u.query().is_none()
            && u.fragment().is_none()
            && u.username().is_empty()
            && u.password().is_none()
            && !issuer.contains(char::is_whitespace)
    })
}

/// A claim name as providers spell them (`email`, `groups`, `https://example.com/roles`).
pub(super) fn is_claim_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '/' | '-'))
}

/// A claim's values as strings: an array of strings, or one string (one value). `None`
/// when the claim holds neither — callers treat that as absent.
pub fn claim_values(value: &serde_json::Value) -> Option<Vec<String>> {
    match value {
        serde_json::Value::String(s) => Some(vec![s.clone()]),
        serde_json::Value::Array(items) => items.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_ask_for_verified_email() {
        let s = SsoSettings::default();
        assert_eq!(s.email_claim, "email");
        assert!(s.require_email_verified);
        assert!(!s.create_users);
        assert!(s.problems(ProviderUrls::HttpsOnly).is_empty());
        assert_eq!(s.missing().len(), 4);
    }

    #[test]
    fn every_bad_field_is_named() {
        let s = SsoSettings {
            issuer: "ftp://idp".into(),
            scopes: vec!["a b".into()],
            email_claim: "e mail".into(),
            ..SsoSettings::default()
        };
        let fields: Vec<String> = s.problems(ProviderUrls::HttpsOnly).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["issuer", "scopes", "email_claim"]);
    }

    #[test]
    fn scopes_and_mapping_entries_are_bounded() {
        let names = |s: &SsoSettings| -> Vec<String> {
            s.problems(ProviderUrls::HttpsOnly).into_iter().map(|(f, _)| f).collect()
        };
        let mut s =
            SsoSettings { scopes: (0..MAX_SCOPES).map(|i| format!("s{i}")).collect(), ..SsoSettings::default() };
        s.mapping.groups = (0..super::super::mapping::MAX_ENTRIES).map(|i| (format!("v{i}"), "Eng".into())).collect();
        assert!(names(&s).is_empty(), "at the limits");
        s.scopes.push("one-more".into());
        s.mapping.groups.insert("one-more".into(), "Eng".into());
        assert_eq!(names(&s), ["scopes", "mapping.groups"]);
    }

    #[test]
    fn plain_http_is_for_loopback_hosts_as_parsed_and_only_when_the_operator_allows_it() {
        let under = |urls: ProviderUrls, issuer: &str| {
            SsoSettings { issuer: issuer.into(), ..SsoSettings::default() }.problems(urls).is_empty()
        };
        let ok = |issuer: &str| under(ProviderUrls::AlsoLoopbackHttp, issuer);
        for good in ["https://idp.example.com", "https://login.example.com/tenant/v2.0/"] {
            assert!(ok(good) && under(ProviderUrls::HttpsOnly, good), "{good}");
        }
        for local in ["http://localhost:8080", "http://127.0.0.1:9", "http://127.1.2.3/realms/x", "http://[::1]:8080"] {
            assert!(ok(local), "{local}");
            assert!(!under(ProviderUrls::HttpsOnly, local), "{local}: plain http is off by default");
        }
        for bad in [
            "http://localhost.evil.com",
            "http://127.0.0.1.evil.com",
            "http://localhost@evil.com",
            "http://10.0.0.1",
            "http://idp.example.com",
            "https://user:pw@idp.example.com",
            "https://idp.example.com/?x=1",
            "https://idp.example.com/#f",
            "file:///etc/passwd",
            "https://",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }

    #[test]
    fn another_email_claim_needs_verification_turned_off() {
        let upn = SsoSettings { email_claim: "upn".into(), ..SsoSettings::default() };
        assert_eq!(upn.problems(ProviderUrls::HttpsOnly)[0].0, "email_claim");
        let opted_out = SsoSettings { require_email_verified: false, ..upn };
        assert!(opted_out.problems(ProviderUrls::HttpsOnly).is_empty());
    }

    #[test]
    fn a_new_secret_keeps_the_connection_test_and_counts_as_a_trust_change() {
        let old = SsoSettings { issuer: "https://a".into(), client_id: "c".into(), ..SsoSettings::default() };
        let new = SsoSettings { client_secret: "rotated".into(), ..old.clone() };
        assert_eq!(old.connection_fingerprint(), new.connection_fingerprint());
        assert_eq!(old.trust_changes(true, &new, true), ["client_secret"]);
        let renamed = SsoSettings { provider_name: "Okta".into(), ..old.clone() };
        assert!(old.trust_changes(true, &renamed, true).is_empty());
        assert_eq!(old.trust_changes(false, &old, true), ["enabled"]);
    }

    #[test]
    fn claim_values_read_arrays_and_single_strings() {
        assert_eq!(claim_values(&serde_json::json!(["a", "b"])), Some(vec!["a".into(), "b".into()]));
        assert_eq!(claim_values(&serde_json::json!("a")), Some(vec!["a".into()]));
        assert_eq!(claim_values(&serde_json::json!([1])), None);
        assert_eq!(claim_values(&serde_json::json!({"a": 1})), None);
    }
}
