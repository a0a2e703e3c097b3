//! SCIM 2.0 provisioning (RFC 7643/7644): identity providers (Okta, Microsoft Entra ID)
//! create, update, deactivate and group users with an API token holding `scim`.
//!
//! The use cases are the console's: a deactivation is the console's suspension (every
//! session ends at once), DELETE its soft delete (409 naming the bots of a bot owner), the
//! Primary Master Admin is never changed, and each action is decided by the capability the
//! console would need ([`crate::authz::scim`] opens the door, `users.invite`,
//! `users.manage`, `users.delete`, `groups.manage` decide the actions). Every change is
//! audited naming the token.

pub mod groups;
pub mod paging;
pub mod settings;
pub mod users;

use crate::AppError;
use domain::scim::ScimError;

/// Why a SCIM request was refused: a use-case error (mapped to its HTTP status) or a
/// SCIM-specific one carrying its `scimType`.
#[derive(Debug)]
pub enum ScimFail {
    App(AppError),
    Scim(ScimError),
}

impl From<AppError> for ScimFail {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<ScimError> for ScimFail {
    fn from(e: ScimError) -> Self {
        Self::Scim(e)
    }
}

impl From<store::StoreError> for ScimFail {
    fn from(e: store::StoreError) -> Self {
        Self::App(e.into())
    }
}

/// The version an `If-Match` header names (`W/"3"` or `"3"`), or `*` (any): `None` for
/// `*`. 400 `invalidValue` for anything else.
pub fn if_match_version(raw: &str) -> Result<Option<i64>, ScimError> {
    let t = raw.trim();
    if t == "*" {
        return Ok(None);
    }
    let t = t.strip_prefix("W/").unwrap_or(t);
    t.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| ScimError::invalid_value("If-Match must be an ETag this server returned, like W/\"3\""))
}

/// 412 when `expected` (from `If-Match`) is not the resource's current version.
pub(crate) fn check_version(expected: Option<i64>, current: i64) -> Result<(), ScimFail> {
    match expected {
        Some(v) if v != current => Err(ScimFail::Scim(ScimError {
            status: 412,
            scim_type: None,
            detail: format!("the resource changed: its version is now W/\"{current}\""),
        })),
        _ => Ok(()),
    }
}

/// 412 for a change that lost a race with another (the version moved between read and write).
pub(crate) fn stale() -> ScimFail {
    ScimFail::Scim(ScimError {
        status: 412,
        scim_type: None,
        detail: "the resource changed meanwhile; read it again".into(),
    })
}

/// 409 `uniqueness`.
pub(crate) fn taken(what: &str) -> ScimFail {
    ScimFail::Scim(ScimError { status: 409, scim_type: Some("uniqueness"), detail: what.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_if_match() {
        assert_eq!(if_match_version("W/\"3\""), Ok(Some(3)));
        assert_eq!(if_match_version("\"12\""), Ok(Some(12)));
        assert_eq!(if_match_version("*"), Ok(None));
        assert!(if_match_version("v3").is_err());
    }
}
