//! Proofs `authz` grants from the principal alone, for extractors that check them before
//! a handler runs.

use super::{
    AccountWide, HandOverPrimary, InAccount, InScope, Perm, Principal, TransferOwnership, account_wide,
    hand_over_primary, in_account, in_scope, transfer_ownership,
};
use crate::AppError;

/// A proof `authz` grants from the principal alone (no database read): what a request
/// extractor may ask for before the handler runs (the pages' `Page<C>`).
pub trait Capability: Sized {
    /// The proof for `p`, or the refusal (403) [`AppError::Forbidden`] as the matching
    /// function (`in_account`, `account_wide`, `in_scope`, …) gives it.
    fn grant(p: &Principal) -> Result<Self, AppError>;
}

impl<P: Perm> Capability for InAccount<P> {
    fn grant(p: &Principal) -> Result<Self, AppError> {
        in_account(p)
    }
}

impl<P: Perm> Capability for AccountWide<P> {
    fn grant(p: &Principal) -> Result<Self, AppError> {
        account_wide(p)
    }
}

impl<P: Perm> Capability for InScope<P> {
    fn grant(p: &Principal) -> Result<Self, AppError> {
        in_scope(p)
    }
}

impl Capability for TransferOwnership {
    fn grant(p: &Principal) -> Result<Self, AppError> {
        transfer_ownership(p)
    }
}

impl Capability for HandOverPrimary {
    fn grant(p: &Principal) -> Result<Self, AppError> {
        hand_over_primary(p)
    }
}
