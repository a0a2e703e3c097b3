//! The actions of the users list's bulk menu (PRODUCT.md §2): a closed set exchanged as
//! its text (`POST /api/v1/users/bulk`'s `action`, the page's select), whose one table
//! ([`ClosedSet::ALL`], [`BulkAction::as_str`]) also gives the API document its enum.

use crate::closed::ClosedSet;

/// What to do to every listed user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Suspend,
    Activate,
    Unlock,
    ResendInvitation,
    AddToGroup,
    Delete,
}

impl BulkAction {
    /// The text the API and the page exchange.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Activate => "activate",
            Self::Unlock => "unlock",
            Self::ResendInvitation => "resend_invitation",
            Self::AddToGroup => "add_to_group",
            Self::Delete => "delete",
        }
    }
}

impl ClosedSet for BulkAction {
    const ALL: &'static [Self] =
        &[Self::Suspend, Self::Activate, Self::Unlock, Self::ResendInvitation, Self::AddToGroup, Self::Delete];
    const FIELD: &'static str = "action";

    fn as_str(self) -> &'static str {
        Self::as_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_parses_from_its_own_text() {
        for a in BulkAction::ALL {
            assert_eq!(BulkAction::parse(a.as_str()).unwrap(), *a);
        }
        let e = BulkAction::parse("explode").unwrap_err().to_string();
        assert!(e.contains("must be one of suspend, activate, unlock, resend_invitation, add_to_group, delete"), "{e}");
    }
}
