//! The account's OpenID provider settings (Security → Single sign-on).

use super::mapping::AttributeMapping;
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
    /// Microsoft Entra ID keep `email`: `preferred_username` and `upn` are not verified addresses.
    pub email_claim: String,
    /// Whether `email_verified` must be true (on by default; turning it off trusts the
    /// provider to hand out only addresses its users own).
    pub require_email_verified: bool,
    /// The provider's name on the sign-in button ("Sign in with Okta").
    pub provider_name: String,
    /// Whether an unknown email signing in becomes an active user (off by default).
    pub create_users: bool,
    pub mapping: AttributeMapping,
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
        }
    }
}

impl SsoSettings {
    /// Every problem at once, as `(field, message)`; empty when the settings can be saved.
    /// Incomplete settings may be saved (SSO stays off until a connection test passes).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut bad = |f: &str, m: &str| out.push((f.to_owned(), m.to_owned()));
        if !self.issuer.is_empty() {
            let https = self.issuer.starts_with("https://");
            let local = self.issuer.starts_with("http://127.0.0.1") || self.issuer.starts_with("http://localhost");
            if !(https || local) || self.issuer.contains(['?', '#', ' ']) {
                bad("issuer", "must be the provider's https:// issuer URL, without query or fragment");
            }
        }
        if self.client_id.chars().any(char::is_control) || self.client_id.len() > 500 {
            bad("client_id", "must be the client id the provider issued (at most 500 characters)");
        }
        if self.client_secret.len() > 2000 {
            bad("client_secret", "must be at most 2000 characters");
        }
        if self.scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace) || s.len() > 100) {
            bad("scopes", "must be scope names without spaces");
        }
        if !is_claim_name(&self.email_claim) {
            bad("email_claim", "must be the name of a claim (letters, digits, _ : . / -)");
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

    /// What the connection test proved, as a fingerprint: a change to the issuer, client id
    /// or secret needs a new test before SSO can be switched on.
    pub fn connection_fingerprint(&self) -> String {
        format!("{}\n{}\n{}", self.issuer, self.client_id, self.client_secret)
    }

    /// The name on the sign-in button.
    pub fn display_name(&self) -> &str {
        let n = self.provider_name.trim();
        if n.is_empty() { "your identity provider" } else { n }
    }
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
        assert!(s.problems().is_empty());
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
        let fields: Vec<String> = s.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["issuer", "scopes", "email_claim"]);
    }

    #[test]
    fn claim_values_read_arrays_and_single_strings() {
        assert_eq!(claim_values(&serde_json::json!(["a", "b"])), Some(vec!["a".into(), "b".into()]));
        assert_eq!(claim_values(&serde_json::json!("a")), Some(vec!["a".into()]));
        assert_eq!(claim_values(&serde_json::json!([1])), None);
        assert_eq!(claim_values(&serde_json::json!({"a": 1})), None);
    }
}
