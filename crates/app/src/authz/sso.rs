//! Who may change which single sign-on settings (issue 15). Security → Single sign-on is
//! `settings.manage`, account-wide, but two parts of it reach further than settings:
//!
//! - **Trust settings** ([`domain::sso::TRUST_FIELDS`]: the switch, issuer, client id and
//!   secret, the email claim and its `email_verified` rule, creating users) decide whose word
//!   signs people in. Whoever changes them can point the account at a provider they control
//!   that vouches for any address, and so sign in as any user SSO admits — which is every
//!   user of the account, the Primary Master Admin included (Bypass SSO keeps admins'
//!   passwords working; it does not stop SSO from opening their sessions too). The rule: *a
//!   setting that lets its changer sign in as user X needs authority over X*. Only the
//!   Primary Master Admin's authority covers every user of the account, so only the Primary
//!   Master Admin changes trust settings; every other `settings.manage` holder sees them
//!   read-only with [`TRUST_REASON`], and may still change the provider's name, the scopes
//!   and the attribute mapping.
//!   Anyone else sending a client secret is refused whatever its value, so a right guess
//!   and a wrong one answer alike.
//! - **The attribute mapping** grants admin roles, Bot Builder access and group membership
//!   at each sign-in, unattended, with the authority of whoever saved it. So it is decided
//!   as the console's role assignment is, when it is saved: every mapped role must be one the
//!   saver may grant (and so revoke) ([`Granter`]), every mapped Bot Builder level one they
//!   may set, and mapped groups need `groups.manage` on the default workspace (what console
//!   membership needs) — each refusal names its field. And at each sign-in
//!   ([`mapping_reach`]) it changes only a user its saver could change on the console now:
//!   one whose authority lies within the saver's, in the saver's scope ([`super::target`]'s
//!   rule); any other user keeps what they have, and the audit event names them.

use super::target::{TargetUser, decide};
use super::{Granter, InAccount, Principal, SettingsManage, granter, in_account};
use crate::{AppCtx, AppError};
use domain::ids::{AccountId, UserId, WorkspaceId};
use domain::permission::Permission;
use domain::role::AdminRole;
use domain::sso::{AttributeMapping, SsoSettings};
use domain::user::BuilderAccess;

/// Why someone other than the Primary Master Admin may not change a trust setting.
pub const TRUST_REASON: &str = "only the Primary Master Admin may change this: whoever sets the provider, its client, \
     the email claim and its verification, user creation or the switch can sign in as any user of the account, \
     so it needs authority over every user";

/// Proof that the holder may see and save the SSO settings (`settings.manage`), knowing
/// which of them they may change.
#[derive(Debug, Clone)]
pub struct SsoSettingsAccess {
    pub(crate) may: InAccount<SettingsManage>,
    granter: Granter,
    manages_users: bool,
    manages_groups: bool,
}

/// Grants [`SsoSettingsAccess`] to holders of `settings.manage` (403 without it).
pub async fn sso_settings(ctx: &AppCtx, p: &Principal) -> Result<SsoSettingsAccess, AppError> {
    let may = in_account::<SettingsManage>(p)?;
    let granter = granter(ctx, p).await?;
    Ok(SsoSettingsAccess {
        may,
        granter,
        manages_users: p.role.allows(Permission::UsersManage),
        manages_groups: p.role.allows(Permission::GroupsManage),
    })
}

impl SsoSettingsAccess {
    /// Why the holder may not change trust settings (`None`: they may): pages show those
    /// fields read-only with this reason.
    pub fn trust_refusal(&self) -> Option<&'static str> {
        if self.granter.is_primary() { None } else { Some(TRUST_REASON) }
    }

    /// `(field, reason)` for each trust setting changed from `old` (switch `was_on`) to
    /// `new` (switch `on`) that the holder may not change. A client secret sent
    /// (`secret_sent`) counts as a change whatever its value: compared by value, the answer
    /// would tell a right guess of the stored secret from a wrong one.
    pub(crate) fn check_trust(
        &self,
        old: &SsoSettings,
        was_on: bool,
        new: &SsoSettings,
        on: bool,
        secret_sent: bool,
    ) -> Refusals {
        let Some(reason) = self.trust_refusal() else { return Vec::new() };
        let mut fields = old.trust_changes(was_on, new, on);
        if secret_sent && !fields.contains(&"client_secret") {
            fields.push("client_secret");
        }
        fields.into_iter().map(|f| (f.to_owned(), reason.to_owned())).collect()
    }

    /// `(field, reason)` for each part of `mapping` the holder may not hand out: `roles` are
    /// the account's roles by name (a mapped name that is none of them is refused too — a
    /// role created later under that name was never judged), `default_workspace` where
    /// mapped groups live.
    pub(crate) fn check_mapping(
        &self,
        mapping: &AttributeMapping,
        roles: &[(String, AdminRole)],
        default_workspace: Option<WorkspaceId>,
    ) -> Refusals {
        let mut out = Vec::new();
        let needs_users_manage = |field: &str| {
            (
                field.to_owned(),
                "mapping it changes users at each sign-in, so it needs the users.manage permission".into(),
            )
        };
        if !mapping.admin_roles.is_empty() {
            if !self.manages_users {
                out.push(needs_users_manage("mapping.admin_roles"));
            }
            for name in mapping.admin_roles.values() {
                let found = roles.iter().find(|(n, _)| domain::sso::same_name(n, name));
                let refusal = match found {
                    None => Some(format!("there is no admin role named {name:?}")),
                    Some((_, role)) => {
                        self.granter.check_role(role).err().map(|r| r.sentence(&format!("the role {name:?}")))
                    }
                };
                out.extend(refusal.map(|r| ("mapping.admin_roles".to_owned(), r)));
            }
        }
        if !mapping.builder_access.is_empty() {
            if !self.manages_users {
                out.push(needs_users_manage("mapping.builder_access"));
            }
            let levels = self.granter.builder_levels(BuilderAccess::None);
            if mapping.builder_access.values().any(|a| !levels.contains(a)) {
                out.push((
                    "mapping.builder_access".to_owned(),
                    "you may map Bot Builder access only up to your own level unless you hold the bots.assign \
                     permission on all workspaces"
                        .to_owned(),
                ));
            }
        }
        if !mapping.groups.is_empty() {
            let in_scope = default_workspace.is_some_and(|w| self.granter.scope().includes(w));
            if !self.manages_groups || !in_scope {
                out.push((
                    "mapping.groups".to_owned(),
                    "mapped groups live in the default workspace: mapping them needs the groups.manage permission \
                     on it"
                        .to_owned(),
                ));
            }
        }
        out
    }
}

/// `(field, reason)` pairs, each a refusal beside its field.
pub(crate) type Refusals = Vec<(String, String)>;

/// What an attribute mapping may change of one user at their sign-in, acting with the
/// authority of whoever saved it: each part `None` when it may, else why not (for the audit
/// event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MappingReach {
    /// The admin role and Bot Builder access (the console's `users.manage`).
    pub users: Option<String>,
    /// Group memberships in the default workspace (the console's `groups.manage`).
    pub groups: Option<String>,
}

/// Decides [`MappingReach`] for the mapping saved by `saver` (`None`: saved before savers
/// were recorded) over `user` of `account`, by the console's rule ([`decide`]): the saver,
/// as they are now (not deleted, not suspended), holds the permission, `user` lies in their
/// scope, and `user`'s authority within theirs; for groups, the default workspace
/// `groups_in` lies in their scope too. Two statements (the saver, the user).
pub(crate) async fn mapping_reach(
    ctx: &AppCtx,
    account: AccountId,
    saver: Option<UserId>,
    user: UserId,
    groups_in: Option<WorkspaceId>,
) -> Result<MappingReach, AppError> {
    let saver = match saver {
        Some(id) => TargetUser::load(ctx, account, id).await?,
        None => None,
    };
    let Some(saver) = saver.filter(|s| s.row.status != domain::user::UserStatus::Suspended) else {
        let why = "the mapping acts with the authority of whoever saved it, who is no longer an active user of the \
                   account: an admin must save it again"
            .to_owned();
        return Ok(MappingReach { users: Some(why.clone()), groups: Some(why) });
    };
    let Some(target) = TargetUser::load(ctx, account, user).await? else {
        return Err(AppError::NotFound(crate::error::What::User));
    };
    let reach = |permission: Permission| -> Option<String> {
        let saver_name = saver.name();
        if !saver.role.allows(permission) {
            return Some(format!(
                "the mapping acts with the authority of {saver_name}, who saved it and does not hold the {} permission",
                permission.as_str()
            ));
        }
        decide(&saver.role, permission, &target).err().map(|e| match e {
            AppError::Forbidden(why) => format!(
                "the mapping acts with the authority of {saver_name}, who saved it, and the console tells them: {why}"
            ),
            _ => format!("{} is outside the scope of {saver_name}, who saved the mapping", target.name()),
        })
    };
    let users = reach(Permission::UsersManage);
    let mut groups = reach(Permission::GroupsManage);
    if groups.is_none() && !groups_in.is_some_and(|w| saver.role.scope().includes(w)) {
        groups = Some(format!("the default workspace is outside the scope of {}, who saved the mapping", saver.name()));
    }
    Ok(MappingReach { users, groups })
}
