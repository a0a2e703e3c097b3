//! Custom admin roles for permission tests: a role with given permissions and scope, and a
//! user (password [`PASSWORD`](super::app::PASSWORD)) holding it.

use super::app::{PASSWORD, TestApp};
use super::org::{Org, Person};
use app::clock;
use domain::ids::{AccountId, AdminRoleId, UserId, WorkspaceId};
use domain::permission::{Permission, Scope};
use domain::user::UserStatus;
use store::roles::NewRole;

/// A custom admin role to create, and the user who will hold it.
pub struct CustomAdmin<'a> {
    pub email: &'a str,
    pub role_name: &'a str,
    pub permissions: &'a [Permission],
    /// `None`: all workspaces.
    pub scope: Option<Vec<WorkspaceId>>,
    /// The workspaces the admin belongs to as a user.
    pub workspaces: Vec<WorkspaceId>,
}

impl TestApp {
    /// Creates a custom admin role in `account`.
    pub async fn add_role(
        &self,
        account: AccountId,
        name: &str,
        permissions: &[Permission],
        scope: Option<Vec<WorkspaceId>>,
    ) -> AdminRoleId {
        let id = AdminRoleId::new();
        let scope = scope.map_or(Scope::AllWorkspaces, |ws| Scope::Workspaces(ws.into_iter().collect()));
        let role = NewRole {
            id,
            account_id: account,
            name: name.into(),
            permissions: permissions.iter().copied().collect(),
            scope,
            created_at: clock::now(),
        };
        store::roles::create(&self.db, &role).await.expect("create role");
        id
    }

    /// Creates the role and an active user holding it.
    pub async fn add_custom_admin(&self, account: AccountId, a: CustomAdmin<'_>) -> UserId {
        let role = self.add_role(account, a.role_name, a.permissions, a.scope).await;
        let person = Person {
            email: a.email,
            first: "Custom",
            last: "Admin",
            status: UserStatus::Active,
            workspaces: a.workspaces,
            role: Some(role),
        };
        self.add_user(account, person).await
    }

    /// Adds an active Master Admin (the account's built-in role, not the primary one) named
    /// `first last`, member of `workspaces`, with password [`PASSWORD`](super::app::PASSWORD).
    pub async fn add_master_admin(
        &self,
        account: AccountId,
        email: &str,
        (first, last): (&str, &str),
        workspaces: Vec<WorkspaceId>,
    ) -> UserId {
        let master = store::roles::master_role(&self.db, account).await.expect("query").expect("the Master Admin role");
        let person = Person { email, first, last, status: UserStatus::Active, workspaces, role: Some(master) };
        self.add_user(account, person).await
    }

    /// Adds a second Master Admin of `org` ("Sec Master", second.master@example.com), in
    /// each of its workspaces, and signs them in.
    pub async fn login_master_admin(&self, org: &Org) -> reqwest::Client {
        let email = "second.master@example.com";
        let workspaces = vec![org.default_ws, org.alpha, org.beta];
        self.add_master_admin(org.account, email, ("Sec", "Master"), workspaces).await;
        self.login(email, PASSWORD).await
    }
}
