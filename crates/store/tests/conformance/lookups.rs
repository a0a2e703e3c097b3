//! Small reads: an admin role with its permissions and scope; workspaces, groups and roles
//! of an account; a user's workspaces and groups.

use crate::fixtures::{T0, account, insert, user};
use domain::ids::{AdminRoleId, GroupId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use std::collections::BTreeSet;
use store::Db;
use store::roles::NewRole;
use uuid::Uuid;

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

async fn role_has_its_permissions_and_scope(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let (alpha, beta) = (WorkspaceId::new(), WorkspaceId::new());
    store::workspaces::create(&db, a.id, alpha, "Alpha", T0).await.expect("workspace");
    store::workspaces::create(&db, a.id, beta, "Beta", T0).await.expect("workspace");

    let scoped = AdminRoleId::new();
    let permissions = PermissionSet::from_iter([Permission::UsersView, Permission::UsersManage, Permission::AuditView]);
    let role = NewRole {
        id: scoped,
        account_id: a.id,
        name: "Alpha & Beta Admin".into(),
        permissions,
        scope: Scope::Workspaces(BTreeSet::from([alpha, beta])),
        created_at: T0,
    };
    store::roles::create(&db, &role).await.expect("scoped role");
    let everywhere = AdminRoleId::new();
    let role = NewRole {
        id: everywhere,
        account_id: a.id,
        name: "Everything".into(),
        permissions: PermissionSet::all(),
        scope: Scope::AllWorkspaces,
        created_at: T0,
    };
    store::roles::create(&db, &role).await.expect("global role");

    let got = store::lookups::role(&db, a.id, scoped).await.expect("role").expect("scoped role");
    assert_eq!(
        (got.id, got.name.as_str(), got.kind.as_str(), got.all_workspaces),
        (scoped.0, "Alpha & Beta Admin", "custom", false)
    );
    assert_eq!(sorted(got.permissions), ["audit.view", "users.manage", "users.view"]);
    assert_eq!(sorted(got.workspaces), sorted(vec![alpha.0, beta.0]));
    // The stored names parse back into the same set.
    let parsed: PermissionSet = store::lookups::role(&db, a.id, scoped)
        .await
        .expect("role")
        .expect("scoped role")
        .permissions
        .iter()
        .map(|p| p.parse::<Permission>().expect("a known permission"))
        .collect();
    assert_eq!(parsed, permissions);

    let got = store::lookups::role(&db, a.id, everywhere).await.expect("role").expect("global role");
    assert!(got.all_workspaces);
    assert!(got.workspaces.is_empty());
    assert_eq!(sorted(got.permissions), sorted(Permission::ALL.iter().map(|p| p.as_str().to_owned()).collect()));

    let master = store::lookups::role(&db, a.id, a.master_role).await.expect("role").expect("master role");
    assert_eq!((master.kind.as_str(), master.all_workspaces), ("master", true));

    assert!(store::lookups::role(&db, b.id, scoped).await.expect("role").is_none(), "another account's role");
    assert!(store::lookups::role(&db, a.id, AdminRoleId::new()).await.expect("role").is_none(), "unknown role");

    let custom: Vec<(Uuid, String)> = store::lookups::custom_roles(&db, a.id)
        .await
        .expect("custom roles")
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    assert_eq!(custom, [(scoped.0, "Alpha & Beta Admin".to_owned()), (everywhere.0, "Everything".to_owned())]);
    assert!(store::lookups::custom_roles(&db, b.id).await.expect("custom roles").is_empty());

    // The profile editor's one statement reads the same roles: the built-in first (under its
    // console name), then the custom ones by name.
    let choices = store::lookups::account_choices(&db, a.id).await.expect("choices");
    let names: Vec<&str> = choices.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Master Admin", "Alpha & Beta Admin", "Everything"]);
    for got in &choices.roles {
        let one = store::lookups::role(&db, a.id, AdminRoleId(got.id)).await.expect("role").expect("listed role");
        assert_eq!(
            (
                got.id,
                got.kind.as_str(),
                got.all_workspaces,
                sorted(got.permissions.clone()),
                sorted(got.workspaces.clone())
            ),
            (one.id, one.kind.as_str(), one.all_workspaces, sorted(one.permissions), sorted(one.workspaces)),
            "{}",
            got.name
        );
    }
    let names: Vec<String> = choices.workspaces.into_iter().map(|w| w.name).collect();
    assert_eq!(names, ["Alpha", "Beta", "Default"]);
    let other = store::lookups::account_choices(&db, b.id).await.expect("choices");
    assert_eq!(other.roles.iter().map(|r| r.id).collect::<Vec<_>>(), [b.master_role.0], "only its own roles");
    assert!(other.groups.is_empty());
}

async fn account_and_user_lists_are_sorted_by_name(db: Db) {
    let a = account(&db, "a").await;
    let b = account(&db, "b").await;
    let (alpha, beta) = (WorkspaceId::new(), WorkspaceId::new());
    // Case-insensitive order: "alpha" < "beta" < "Default".
    store::workspaces::create(&db, a.id, beta, "beta", T0).await.expect("workspace");
    store::workspaces::create(&db, a.id, alpha, "Alpha", T0).await.expect("workspace");
    store::workspaces::create(&db, b.id, WorkspaceId::new(), "Aardvark", T0).await.expect("other account's workspace");
    let names: Vec<String> =
        store::lookups::workspaces(&db, a.id).await.expect("workspaces").into_iter().map(|w| w.name).collect();
    assert_eq!(names, ["Alpha", "beta", "Default"]);

    let (team_b, team_a, crew) = (GroupId::new(), GroupId::new(), GroupId::new());
    store::groups::create(&db, team_b, beta, "Team", T0).await.expect("group");
    store::groups::create(&db, crew, alpha, "zeta crew", T0).await.expect("group");
    store::groups::create(&db, team_a, alpha, "Alpha Team", T0).await.expect("group");
    let groups: Vec<(Uuid, String, Uuid, String)> = store::lookups::groups(&db, a.id)
        .await
        .expect("groups")
        .into_iter()
        .map(|g| (g.id, g.name, g.workspace_id, g.workspace_name))
        .collect();
    assert_eq!(
        groups,
        [
            (team_a.0, "Alpha Team".to_owned(), alpha.0, "Alpha".to_owned()),
            (crew.0, "zeta crew".to_owned(), alpha.0, "Alpha".to_owned()),
            (team_b.0, "Team".to_owned(), beta.0, "beta".to_owned()),
        ]
    );
    assert!(store::lookups::groups(&db, b.id).await.expect("groups").is_empty());
    // The profile editor's one statement lists the same groups in the same order.
    let choices = store::lookups::account_choices(&db, a.id).await.expect("choices");
    let listed: Vec<(Uuid, String, Uuid, String)> =
        choices.groups.into_iter().map(|g| (g.id, g.name, g.workspace_id, g.workspace_name)).collect();
    assert_eq!(listed, groups);

    let mut ann = user(a.id, "ann@x.org", "Ann", "Lee");
    ann.workspaces = vec![a.workspace, beta, alpha];
    insert(&db, std::slice::from_ref(&ann)).await;
    store::groups::add_members(&db, &[(team_b, ann.id), (crew, ann.id)]).await.expect("group members");
    store::groups::add_members(&db, &[]).await.expect("adding no members is fine");
    let names: Vec<String> = store::lookups::user_workspaces(&db, ann.id)
        .await
        .expect("user workspaces")
        .into_iter()
        .map(|w| w.name)
        .collect();
    assert_eq!(names, ["Alpha", "beta", "Default"]);
    let names: Vec<(String, String)> = store::lookups::user_groups(&db, ann.id)
        .await
        .expect("user groups")
        .into_iter()
        .map(|g| (g.workspace_name, g.name))
        .collect();
    assert_eq!(names, [("Alpha".to_owned(), "zeta crew".to_owned()), ("beta".to_owned(), "Team".to_owned())]);

    // Joining a workspace later shows up too.
    let gamma = WorkspaceId::new();
    store::workspaces::create(&db, a.id, gamma, "Gamma", T0).await.expect("workspace");
    store::workspaces::add_members(&db, &[(gamma, ann.id)], T0).await.expect("membership");
    assert_eq!(store::lookups::user_workspaces(&db, ann.id).await.expect("user workspaces").len(), 4);
}

on_both_backends!(role_has_its_permissions_and_scope, account_and_user_lists_are_sorted_by_name);
