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
//!   membership needs) — each refusal names its field. And since the saver's authority may
//!   shrink after they save (their role lowered or revoked, their account suspended), it is
//!   judged again at each sign-in ([`mapping_reach`]) with the saver as they are *now*, by
//!   the console's own rules: the user within the saver's reach and authority, the role
//!   granted or taken away by [`Granter::check_role_change`], the Bot Builder level by
//!   [`Granter::may_set_builder`], groups only in the saver's scope — and never the
//!   saver's own account. Whatever part is refused is skipped; the audit event names it
//!   and why.

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

    /// Whether the holder may map `role`: they hold `users.manage` and may grant it
    /// ([`Self::check_mapping`]'s rule); the page offers exactly these.
    pub fn may_map_role(&self, role: &AdminRole) -> bool {
        self.manages_users && self.granter.can_grant(role)
    }

    /// The Bot Builder levels the holder may map, least first (none without `users.manage`):
    /// the page offers exactly these.
    pub fn mappable_levels(&self) -> Vec<BuilderAccess> {
        if self.manages_users { self.granter.builder_levels(BuilderAccess::None) } else { Vec::new() }
    }

    /// `(field, reason)` for each part of `mapping` the holder may not hand out: `roles` are
    /// the account's roles by name (a mapped name that is none of them is refused too — a
    /// role created later under that name was never judged), `default_workspace` where
    /// mapped groups live. A refused role or level names its entry
    /// ([`domain::sso::entry`]: `mapping.admin_roles.<claim value>`); a missing permission
    /// names the map.
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
            for (value, name) in &mapping.admin_roles {
                let found = roles.iter().find(|(n, _)| domain::sso::same_name(n, name));
                let refusal = match found {
                    None => Some(format!("there is no admin role named {name:?}")),
                    Some((_, role)) => {
                        self.granter.check_role(role).err().map(|r| r.sentence(&format!("the role {name:?}")))
                    }
                };
                out.extend(refusal.map(|r| (domain::sso::entry("admin_roles", value), r)));
            }
        }
        if !mapping.builder_access.is_empty() {
            if !self.manages_users {
                out.push(needs_users_manage("mapping.builder_access"));
            }
            let levels = self.granter.builder_levels(BuilderAccess::None);
            for (value, level) in mapping.builder_access.iter().filter(|(_, a)| !levels.contains(a)) {
                out.push((
                    domain::sso::entry("builder_access", value),
                    format!(
                        "you may map Bot Builder access only up to your own level unless you hold the bots.assign \
                         permission on all workspaces, so not {}",
                        level.as_str()
                    ),
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

/// What one sign-in's mapping asks of a user, with the role resolved (see
/// [`mapping_reach`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MappingAsk<'a> {
    /// The admin role change, if any.
    pub role: Option<RoleAsk<'a>>,
    /// The Bot Builder level it sets.
    pub builder_access: Option<BuilderAccess>,
    /// Whether it joins or leaves any group.
    pub groups: bool,
}

/// A role change a mapping asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RoleAsk<'a> {
    Grant(&'a AdminRole),
    Revoke,
}

impl<'a> RoleAsk<'a> {
    /// The role the user would hold afterwards (`None`: no admin role).
    fn granted(self) -> Option<&'a AdminRole> {
        match self {
            Self::Grant(role) => Some(role),
            Self::Revoke => None,
        }
    }
}

/// What an attribute mapping may change of one user at their sign-in, acting with the
/// authority of whoever saved it: each part `None` when it may (or is not asked), else why
/// not (for the audit event's `*_reason` keys).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MappingReach {
    pub admin_role: Option<String>,
    pub builder_access: Option<String>,
    /// Group memberships in the default workspace.
    pub groups: Option<String>,
}

/// Decides [`MappingReach`] for what `ask`s of `user` of `account` the mapping saved by
/// `saver` (`None`: saved before savers were recorded), with the saver's authority *now* —
/// judged at each sign-in, so a saver since lowered, suspended or deleted hands out no
/// more than they could on the console today. The console's rules, one each:
///
/// - never the saver's own account (nobody changes their own role, Bot Builder access or
///   groups through admin actions, so no self-promotion by signing in through SSO);
/// - the user reached as the console reaches them ([`decide`]): the saver holds
///   `users.manage` (role, level) or `groups.manage` (groups), the user lies in their scope
///   and within their authority;
/// - the role change by [`super::Granter::check_role_change`] with the saver's granter: the
///   role taken away and the role granted within the saver's authority, a workspace-scoped
///   role only to a member of each of its workspaces;
/// - the Bot Builder level one the saver may set ([`super::Granter::may_set_builder`]);
/// - groups only when the default workspace `groups_in` lies in the saver's scope.
///
/// Two statements (the saver, the user), plus the account's workspaces when the saver's
/// granter needs them and their names on a membership refusal.
pub(crate) async fn mapping_reach(
    ctx: &AppCtx,
    account: AccountId,
    saver: Option<UserId>,
    user: UserId,
    groups_in: Option<WorkspaceId>,
    ask: MappingAsk<'_>,
) -> Result<MappingReach, AppError> {
    let every = |why: String| MappingReach {
        admin_role: Some(why.clone()),
        builder_access: Some(why.clone()),
        groups: Some(why),
    };
    let saver = match saver {
        Some(id) => TargetUser::load(ctx, account, id).await?,
        None => None,
    };
    let Some(saver) = saver.filter(|s| s.row.status != domain::user::UserStatus::Suspended) else {
        return Ok(every(
            "the mapping acts with the authority of whoever saved it, who is no longer an active user of the \
             account: an admin must save it again"
                .to_owned(),
        ));
    };
    let saver_name = saver.name();
    if saver.id == user {
        return Ok(every(format!(
            "the mapping never changes the account of {saver_name}, who saved it: nobody changes their own admin \
             role, Bot Builder access or groups through it"
        )));
    }
    let Some(target) = TargetUser::load(ctx, account, user).await? else {
        return Err(AppError::NotFound(crate::error::What::User));
    };
    let console_says = |why: &str| {
        format!("the mapping acts with the authority of {saver_name}, who saved it, and the console tells them: {why}")
    };
    let reach = |permission: Permission| -> Option<String> {
        if !saver.role.allows(permission) {
            return Some(format!(
                "the mapping acts with the authority of {saver_name}, who saved it and does not hold the {} permission",
                permission.as_str()
            ));
        }
        decide(&saver.role, permission, &target).err().map(|e| match e {
            AppError::Forbidden(why) => console_says(&why),
            _ => format!("{} is outside the scope of {saver_name}, who saved the mapping", target.name()),
        })
    };
    let mut out = MappingReach::default();
    if let Some(why) = reach(Permission::UsersManage) {
        out.admin_role = ask.role.map(|_| why.clone());
        out.builder_access = ask.builder_access.map(|_| why);
    } else if ask.role.is_some() || ask.builder_access.is_some() {
        let granter = super::granter_of(ctx, account, &saver).await?;
        if let Some(new) = ask.role.map(RoleAsk::granted)
            && let Err(r) = granter.check_role_change(&target, new)
        {
            let workspaces = r.workspace_names(ctx, account).await?;
            let new_label = new.map_or("", AdminRole::label);
            out.admin_role =
                Some(console_says(&r.sentence(&target.name(), target.role.label(), new_label, &workspaces)));
        }
        if let Some(new) = ask.builder_access {
            out.builder_access = match granter.may_set_builder(target.row.builder_access, new) {
                Ok(()) => None,
                Err(AppError::Forbidden(why)) => Some(console_says(&why)),
                Err(e) => return Err(e),
            };
        }
    }
    if ask.groups {
        out.groups = reach(Permission::GroupsManage);
        if out.groups.is_none() && !groups_in.is_some_and(|w| saver.role.scope().includes(w)) {
            out.groups =
                Some(format!("the default workspace is outside the scope of {saver_name}, who saved the mapping"));
        }
    }
    Ok(out)
}
