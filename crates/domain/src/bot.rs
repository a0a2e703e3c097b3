//! A user's role on a bot.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Role of a user on a bot. Every bot has exactly one `Owner`, set at creation and moved
/// only by Transfer Ownership; Developers and Testers are assigned by admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BotRole {
    Owner,
    Developer,
    Tester,
}

impl BotRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Developer => "developer",
            Self::Tester => "tester",
        }
    }

    /// How the console names the role: "Owner", "Developer", "Tester".
    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Developer => "Developer",
            Self::Tester => "Tester",
        }
    }

    /// Whether an admin may assign this role directly (the Owner role moves only by transfer).
    pub fn is_assignable(self) -> bool {
        self != Self::Owner
    }
}

impl FromStr for BotRole {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Self::Owner),
            "developer" => Ok(Self::Developer),
            "tester" => Ok(Self::Tester),
            _ => Err(DomainError::invalid("role", "must be one of owner, developer, tester")),
        }
    }
}

/// For sqlx's `try_from = "String"` decoding of stored rows.
impl TryFrom<String> for BotRole {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_role_is_never_assigned_directly() {
        assert!(!BotRole::Owner.is_assignable());
        assert!(BotRole::Developer.is_assignable() && BotRole::Tester.is_assignable());
    }

    #[test]
    fn text_form_round_trips() {
        for r in [BotRole::Owner, BotRole::Developer, BotRole::Tester] {
            assert_eq!(r.as_str().parse::<BotRole>().unwrap(), r);
        }
        assert!("admin".parse::<BotRole>().is_err());
    }
}
