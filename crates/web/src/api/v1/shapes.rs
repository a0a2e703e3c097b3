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
