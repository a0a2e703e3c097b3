//! Groups: who may join one.
//!
//! A group belongs to one workspace and takes only members of that workspace. The console's
//! member list and profile edit, SCIM group membership and the SSO attribute mapping all ask
//! [`may_join`] and refuse in [`NotInWorkspace::sentence`]'s words.

use crate::ids::WorkspaceId;

/// Why a user may not join a group: they are not a member of the group's workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotInWorkspace {
    /// The group's workspace.
    pub workspace: WorkspaceId,
}

impl NotInWorkspace {
    /// The refusal as one sentence: `who` ("Bob Baker", "user <id>") and the name of the
    /// group's workspace, e.g. `Bob Baker is not a member of workspace "Alpha", so cannot
    /// join its groups`.
    pub fn sentence(&self, who: &str, workspace_name: &str) -> String {
        format!("{who} is not a member of workspace {workspace_name:?}, so cannot join its groups")
    }
}

/// Whether a user who is a member of the workspaces `member_of` may join a group of
/// `group_workspace`: only a member of that workspace may ([`NotInWorkspace`] otherwise).
pub fn may_join(member_of: &[WorkspaceId], group_workspace: WorkspaceId) -> Result<(), NotInWorkspace> {
    if member_of.contains(&group_workspace) { Ok(()) } else { Err(NotInWorkspace { workspace: group_workspace }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_member_of_the_groups_workspace_joins_it() {
        let (alpha, beta) = (WorkspaceId::new(), WorkspaceId::new());
        assert_eq!(may_join(&[alpha, beta], beta), Ok(()));
        let refusal = may_join(&[alpha], beta).unwrap_err();
        assert_eq!(refusal, NotInWorkspace { workspace: beta });
        assert_eq!(
            refusal.sentence("Bob Baker", "Beta"),
            "Bob Baker is not a member of workspace \"Beta\", so cannot join its groups"
        );
        assert!(may_join(&[], alpha).is_err(), "a user of no workspace joins no group");
    }
}
