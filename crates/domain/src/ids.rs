//! Typed identifiers: a `UserId` can never be passed where a `WorkspaceId` is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered (v7) id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(/// An account (tenant).
    AccountId);
typed_id!(/// A workspace inside an account.
    WorkspaceId);
typed_id!(/// A user of an account.
    UserId);
typed_id!(/// A group of users in a workspace.
    GroupId);
typed_id!(/// A custom or built-in admin role.
    AdminRoleId);
typed_id!(/// A bot in a workspace.
    BotId);
typed_id!(/// The public id of a login session (never its secret token).
    SessionId);
typed_id!(/// The public id of an API token (never its secret).
    ApiTokenId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = UserId::new();
        assert_eq!(id.to_string().parse::<UserId>().unwrap(), id);
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let a = SessionId::new();
        let b = SessionId::new();
        assert!(a < b);
    }

    #[test]
    fn malformed_ids_are_refused() {
        assert!("not-a-uuid".parse::<WorkspaceId>().is_err());
    }
}
