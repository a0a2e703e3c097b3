//! A seeded organization for permission and list tests.
//!
//! Account "Default" (from bootstrap) with workspaces Default, Alpha and Beta:
//! - `ann` (Alpha), `bob` (Beta), `cat` (Alpha + Beta), `dan` (Alpha, suspended),
//!   `eve` (Beta, invited), `member` (Default, no admin role);
//! - `alpha_admin`: custom role "Alpha Admin" (users.view) scoped to Alpha;
//! - `auditor`: custom role with audit.view only, all workspaces;
//! - group "Alpha Team" in Alpha with ann and cat.
//!
//! A second account "Other" with `outsider` (its Primary Master Admin) proves that nothing
//! crosses accounts.

use super::app::{ADMIN_EMAIL, PASSWORD, TestApp};
use app::clock;
use domain::ids::{AccountId, AdminRoleId, GroupId, UserId, WorkspaceId};
use domain::permission::{Permission, Scope};
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use store::accounts::{FirstAdmin, NewAccount};
use store::roles::NewRole;
use store::users::NewUser;

pub struct Org {
    pub account: AccountId,
    pub default_ws: WorkspaceId,
    pub alpha: WorkspaceId,
    pub beta: WorkspaceId,
    pub alpha_team: GroupId,
    pub alpha_admin_role: AdminRoleId,
    pub admin: UserId,
    pub ann: UserId,
    pub bob: UserId,
    pub cat: UserId,
    pub dan: UserId,
    pub eve: UserId,
    pub member: UserId,
    pub alpha_admin: UserId,
    pub auditor: UserId,
    pub outsider: UserId,
}

pub struct Person<'a> {
    pub email: &'a str,
    pub first: &'a str,
    pub last: &'a str,
    pub status: UserStatus,
    pub workspaces: Vec<WorkspaceId>,
    pub role: Option<AdminRoleId>,
}

impl TestApp {
    /// Inserts one user with password [`PASSWORD`].
    pub async fn add_user(&self, account: AccountId, p: Person<'_>) -> UserId {
        let hash = self.ctx.hasher.hash(PASSWORD).await.expect("hash");
        let now = clock::now();
        let user = NewUser {
            id: UserId::new(),
            account_id: account,
            email: Email::try_from(p.email).expect("email"),
            first_name: PersonName::parse("first_name", p.first).expect("first"),
            last_name: PersonName::parse("last_name", p.last).expect("last"),
            status: p.status,
            builder_access: BuilderAccess::None,
            is_primary_admin: false,
            admin_role_id: p.role,
            password_hash: (p.status != UserStatus::Invited).then_some(hash),
            invited_at: (p.status == UserStatus::Invited).then_some(now),
            last_login_at: None,
            created_at: now,
            workspaces: p.workspaces,
        };
        let id = user.id;
        store::users::insert(&self.db, &[user]).await.expect("insert user");
        id
    }

    pub async fn seed_org(&self) -> Org {
        let account = store::accounts::first(&self.db).await.expect("query").expect("bootstrap account");
        let account_id = AccountId(account.id);
        let default_ws = WorkspaceId(store::lookups::workspaces(&self.db, account_id).await.expect("workspaces")[0].id);
        let admin = store::users::find_for_login(&self.db, ADMIN_EMAIL, None).await.expect("admin")[0].id;
        let now = clock::now();
        let (alpha, beta) = (WorkspaceId::new(), WorkspaceId::new());
        store::workspaces::create(&self.db, account_id, alpha, "Alpha", now).await.expect("alpha");
        store::workspaces::create(&self.db, account_id, beta, "Beta", now).await.expect("beta");
        let alpha_admin_role = AdminRoleId::new();
        let role = |id, name: &str, perms: &[Permission], scope| NewRole {
            id,
            account_id,
            name: name.into(),
            permissions: perms.iter().copied().collect(),
            scope,
            created_at: now,
        };
        store::roles::create(
            &self.db,
            &role(
                alpha_admin_role,
                "Alpha Admin",
                &[Permission::UsersView],
                Scope::Workspaces([alpha].into_iter().collect()),
            ),
        )
        .await
        .expect("role");
        let auditor_role = AdminRoleId::new();
        store::roles::create(&self.db, &role(auditor_role, "Auditor", &[Permission::AuditView], Scope::AllWorkspaces))
            .await
            .expect("role");
        let person = |email, first, last, status, workspaces: Vec<WorkspaceId>, role| Person {
            email,
            first,
            last,
            status,
            workspaces,
            role,
        };
        let active = UserStatus::Active;
        let ann = self
            .add_user(account_id, person("ann.archer@example.com", "Ann", "Archer", active, vec![alpha], None))
            .await;
        let bob =
            self.add_user(account_id, person("bob.baker@example.com", "Bob", "Baker", active, vec![beta], None)).await;
        let cat = self
            .add_user(account_id, person("cat.cooper@example.com", "Cat", "Cooper", active, vec![alpha, beta], None))
            .await;
        let dan = self
            .add_user(
                account_id,
                person("dan.dunn@example.com", "Dan", "Dunn", UserStatus::Suspended, vec![alpha], None),
            )
            .await;
        let eve = self
            .add_user(
                account_id,
                person("eve.evans@example.com", "Eve", "Evans", UserStatus::Invited, vec![beta], None),
            )
            .await;
        let member = self
            .add_user(account_id, person("member@example.com", "Max", "Member", active, vec![default_ws], None))
            .await;
        let alpha_admin = self
            .add_user(
                account_id,
                person("alpha.admin@example.com", "Alma", "Alvarez", active, vec![alpha], Some(alpha_admin_role)),
            )
            .await;
        let auditor = self
            .add_user(
                account_id,
                person("auditor@example.com", "Aud", "Itor", active, vec![default_ws], Some(auditor_role)),
            )
            .await;
        let alpha_team = GroupId::new();
        store::groups::create(&self.db, alpha_team, alpha, "Alpha Team", now).await.expect("group");
        store::groups::add_members(&self.db, &[(alpha_team, ann), (alpha_team, cat)]).await.expect("members");

        let other = NewAccount {
            id: AccountId::new(),
            name: "Other".into(),
            slug: "other".into(),
            workspace_id: WorkspaceId::new(),
            workspace_name: "Other HQ".into(),
            master_role_id: AdminRoleId::new(),
            created_at: now,
        };
        let outsider = UserId::new();
        let hash = self.ctx.hasher.hash(PASSWORD).await.expect("hash");
        let outsider_user = NewUser {
            id: outsider,
            account_id: other.id,
            email: Email::try_from("outsider@other.example").expect("email"),
            first_name: PersonName::parse("first_name", "Otto").expect("name"),
            last_name: PersonName::parse("last_name", "Outsider").expect("name"),
            status: active,
            builder_access: BuilderAccess::None,
            is_primary_admin: true,
            admin_role_id: None,
            password_hash: Some(hash),
            invited_at: None,
            last_login_at: None,
            created_at: now,
            workspaces: vec![other.workspace_id],
        };
        store::accounts::create(&self.db, &other, &FirstAdmin::Create(Box::new(outsider_user)))
            .await
            .expect("other account");
        Org {
            account: account_id,
            default_ws,
            alpha,
            beta,
            alpha_team,
            alpha_admin_role,
            admin: UserId(admin),
            ann,
            bob,
            cat,
            dan,
            eve,
            member,
            alpha_admin,
            auditor,
            outsider,
        }
    }
}
