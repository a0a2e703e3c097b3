//! Schemas of the closed sets that are exchanged as text without serde (their text lives in
//! `as_str`): each is a string enum listing every member, read from the one table, so the
//! API document cannot drift from the values the API sends and accepts.

use crate::bulk::BulkAction;
use crate::closed::{AuditAction, ClosedSet, EndCause};
use crate::permission::Permission;
use crate::role::DefinedRole;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A string schema listing `values` (a closed set's texts, read from its one table), for
/// the sets that live outside this crate too (the web crate's described-only types).
pub fn string_enum<'a>(description: &str, values: impl Iterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values.collect::<Vec<_>>()))
        .into()
}

macro_rules! closed_schema {
    ($ty:ty, $description:literal, $values:expr) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string_enum($description, $values)
            }
        }
        impl utoipa::ToSchema for $ty {}
    };
}

closed_schema!(Permission, "An admin permission (PRODUCT.md §6).", Permission::ALL.iter().map(|p| p.as_str()));
closed_schema!(EndCause, "Why a session ended.", EndCause::ALL.iter().map(|c| c.as_str()));
closed_schema!(AuditAction, "What an audit event records.", AuditAction::ALL.iter().map(|a| a.as_str()));
closed_schema!(
    crate::profile::ProfileField,
    "A profile field, by key.",
    crate::profile::ProfileField::ALL.iter().map(|f| f.key())
);
closed_schema!(
    BulkAction,
    "An action of `POST /users/bulk` (PRODUCT.md §2).",
    BulkAction::ALL.iter().map(|a| a.as_str())
);
closed_schema!(
    DefinedRole,
    "What an admin role is: the built-in Master Admin role, or a custom one.",
    DefinedRole::ALL.iter().map(|k| k.as_str())
);
