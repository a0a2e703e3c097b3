//! SCIM 2.0 (RFC 7643 resources, RFC 7644 protocol) as plain rules: the filter language,
//! PATCH operations, and how a SCIM User maps onto a Roster user. No I/O: the store turns
//! filters into SQL, the web layer speaks HTTP.

pub mod filter;
pub mod kept;
pub mod patch;
pub mod projection;
pub mod schema;
pub mod unkept;
pub mod user;

/// The core User schema URN (RFC 7643 §4.1).
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema URN (RFC 7643 §4.2).
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The enterprise User extension URN (RFC 7643 §4.3).
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The list response message (RFC 7644 §3.4.2).
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The PATCH request message (RFC 7644 §3.5.2).
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The error message (RFC 7644 §3.12).
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A refusal as RFC 7644 §3.12 words it: the HTTP status, the `scimType` keyword where the
/// RFC defines one (`invalidFilter`, `invalidValue`, `invalidPath`, `noTarget`,
/// `mutability`, `uniqueness`, `invalidSyntax`, `tooMany`), and a readable detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    /// 400 with `scim_type`.
    pub fn bad_request(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self { status: 400, scim_type: Some(scim_type), detail: detail.into() }
    }

    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request("invalidValue", detail)
    }
}

/// A boolean as identity providers send it: JSON `true`/`false`, or Microsoft Entra ID's
/// strings `"True"`/`"False"` (any case). `None` for anything else.
pub fn loose_bool(v: &serde_json::Value) -> Option<bool> {
    match v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}
