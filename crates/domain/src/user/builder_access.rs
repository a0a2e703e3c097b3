//! `BuilderAccess`: how far a user may use the Bot Builder.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Bot Builder access level (PRODUCT.md §3.1), ordered from least to most access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BuilderAccess {
    None,
    Builder,
    /// Builder access plus the right to create new bots.
    BuilderAndCreate,
}

impl BuilderAccess {
    pub const ALL: [BuilderAccess; 3] = [Self::None, Self::Builder, Self::BuilderAndCreate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Builder => "builder",
            Self::BuilderAndCreate => "builder_and_create",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::None => "No access",
            Self::Builder => "Builder access",
            Self::BuilderAndCreate => "Builder access + new bot creation",
        }
    }

    pub fn may_create_bots(self) -> bool {
        self == Self::BuilderAndCreate
    }
}

impl FromStr for BuilderAccess {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| DomainError::invalid("builder_access", "must be one of none, builder, builder_and_create"))
    }
}

/// For sqlx's `try_from = "String"` decoding of stored rows.
impl TryFrom<String> for BuilderAccess {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_top_level_creates_bots() {
        assert!(BuilderAccess::BuilderAndCreate.may_create_bots());
        assert!(!BuilderAccess::Builder.may_create_bots());
        assert!(!BuilderAccess::None.may_create_bots());
    }

    #[test]
    fn text_form_round_trips() {
        for a in BuilderAccess::ALL {
            assert_eq!(a.as_str().parse::<BuilderAccess>().unwrap(), a);
        }
        assert!("admin".parse::<BuilderAccess>().is_err());
    }
}
