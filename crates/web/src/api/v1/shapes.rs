//! Small shapes several resources share in their JSON (and in the API document).

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Something named by id: a workspace, a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct Named {
    pub id: Uuid,
    pub name: String,
}

impl Named {
    pub fn new(id: Uuid, name: &str) -> Self {
        Self { id, name: name.to_owned() }
    }
}

/// A user named by id and email (an actor, a target).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserRef {
    pub id: Uuid,
    pub email: Option<String>,
}

/// An RFC 3339 time from microseconds since the epoch.
pub fn at(us: i64) -> String {
    app::clock::rfc3339(us)
}

/// [`at`], when there is a time.
pub fn at_opt(us: Option<i64>) -> Option<String> {
    us.map(at)
}

/// Declares `$name`, a type that only describes in the API document a closed set whose texts
/// live in one table elsewhere (the store's, a use case's): its schema is a string enum of
/// `$values`, read from that table, so the document cannot drift from what is exchanged.
macro_rules! described_set {
    ($(#[$meta:meta])* $name:ident, $description:literal, $values:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                domain::openapi::string_enum($description, $values)
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use described_set;
