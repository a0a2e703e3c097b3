//! Schemas of the closed sets that are exchanged as text without serde (their text lives in
//! `as_str`): each is a string enum listing every member, read from the one table, so the
//! API document cannot drift from the values the API sends and accepts.

use crate::closed::{AuditAction, ClosedSet, EndCause};
use crate::permission::Permission;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

fn string_enum<'a>(description: &str, values: impl Iterator<Item = &'a str>) -> RefOr<Schema> {
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
