//! List filters: status, role, workspace, group, builder access and the admin's workspace
//! scope (`within`), alone and combined, checked against a model written in Rust.

use crate::fixtures::{T0, TestAccount, account, ids, insert, list_all, user};
use domain::ids::{AdminRoleId, GroupId, WorkspaceId};
use domain::permission::{Permission, PermissionSet, Scope};
use domain::user::{BuilderAccess, UserStatus};
use std::collections::BTreeSet;
use store::Db;
use store::roles::NewRole;
use store::users::{NewUser, RoleFilter, UserFilter, UserSort};
use uuid::Uuid;

struct Org {
    account: TestAccount,
    /// Workspaces: the account's first one, then Alpha, Beta, Gamma.
    ws: [WorkspaceId; 4],
    alpha_admin: AdminRoleId,
    auditor: AdminRoleId,
    alpha_team: GroupId,
    beta_team: GroupId,
    /// Every user of the account with the groups they are in.
    people: Vec<(NewUser, Vec<GroupId>)>,
}

impl Org {
    fn id(&self, address: &str) -> Uuid {
        self.people.iter().find(|(u, _)| u.email.as_str() == address).expect("a known user").0.id.0
    }

    fn ids(&self, addresses: &[&str]) -> BTreeSet<Uuid> {
        addresses.iter().map(|a| self.id(a)).collect()
    }

    /// What the filter should keep, by the rules of the product.
    fn expected(&self, f: &UserFilter) -> BTreeSet<Uuid> {
        let master = self.account.master_role;
        self.people
            .iter()
            .filter(|(u, groups)| {
                f.status.is_none_or(|s| u.status == s)
                    && f.builder_access.is_none_or(|b| u.builder_access == b)
                    && f.role.is_none_or(|r| match r {
                        RoleFilter::Member => u.admin_role_id.is_none() && !u.is_primary_admin,
                        RoleFilter::PrimaryMasterAdmin => u.is_primary_admin,
                        RoleFilter::MasterAdmin => u.admin_role_id == Some(master) && !u.is_primary_admin,
                        RoleFilter::Custom(id) => u.admin_role_id == Some(id),
                    })
                    && f.workspace.is_none_or(|w| u.workspaces.contains(&w))
                    && f.group.is_none_or(|g| groups.contains(&g))
                    && f.within.as_ref().is_none_or(|ws| u.workspaces.iter().any(|w| ws.contains(w)))
            })
            .map(|(u, _)| u.id.0)
            .collect()
    }
}

async fn org(db: &Db) -> Org {
    let account = account(db, "org").await;
    let [alpha, beta, gamma] = [WorkspaceId::new(), WorkspaceId::new(), WorkspaceId::new()];
    for (w, name) in [(alpha, "Alpha"), (beta, "Beta"), (gamma, "Gamma")] {
        store::workspaces::create(db, account.id, w, name, T0).await.expect("workspace");
    }
    let ws = [account.workspace, alpha, beta, gamma];
    let (alpha_admin, auditor) = (AdminRoleId::new(), AdminRoleId::new());
    let role = |id, name: &str, scope| NewRole {
        id,
        account_id: account.id,
        name: name.to_owned(),
        permissions: PermissionSet::from_iter([Permission::UsersView]),
        scope,
        created_at: T0,
    };
    store::roles::create(db, &role(alpha_admin, "Alpha Admin", Scope::Workspaces(BTreeSet::from([alpha]))))
        .await
        .expect("role");
    store::roles::create(db, &role(auditor, "Auditor", Scope::AllWorkspaces)).await.expect("role");
    let (alpha_team, beta_team) = (GroupId::new(), GroupId::new());
    store::groups::create(db, alpha_team, alpha, "Alpha Team", T0).await.expect("group");
    store::groups::create(db, beta_team, beta, "Beta Team", T0).await.expect("group");

    let master = Some(account.master_role);
    let (active, invited, locked, suspended) =
        (UserStatus::Active, UserStatus::Invited, UserStatus::Locked, UserStatus::Suspended);
    let (none, builder, create) = (BuilderAccess::None, BuilderAccess::Builder, BuilderAccess::BuilderAndCreate);
    #[rustfmt::skip]
    let rows = [
        ("pma@x.org", active, create, true, None, vec![ws[0], alpha], vec![]),
        ("ma@x.org", active, none, false, master, vec![beta], vec![]),
        ("ma2@x.org", suspended, builder, false, master, vec![ws[0]], vec![]),
        ("c1@x.org", active, builder, false, Some(alpha_admin), vec![alpha, beta], vec![alpha_team]),
        ("c2@x.org", invited, none, false, Some(auditor), vec![gamma], vec![]),
        ("m1@x.org", active, builder, false, None, vec![alpha], vec![alpha_team]),
        ("m2@x.org", invited, none, false, None, vec![beta], vec![beta_team]),
        ("m3@x.org", suspended, create, false, None, vec![gamma], vec![]),
        ("m4@x.org", locked, none, false, None, vec![], vec![]),
        ("m5@x.org", active, none, false, None, vec![alpha, gamma], vec![alpha_team, beta_team]),
        ("m6@x.org", locked, builder, false, None, vec![ws[0]], vec![]),
    ];
    let mut people = Vec::new();
    for (i, (address, status, access, primary, role, workspaces, groups)) in rows.into_iter().enumerate() {
        let mut u = user(account.id, address, "User", &format!("Number{i}"));
        u.status = status;
        u.builder_access = access;
        u.is_primary_admin = primary;
        u.admin_role_id = role;
        u.workspaces = workspaces;
        people.push((u, groups));
    }
    let users: Vec<NewUser> = people.iter().map(|(u, _)| u.clone()).collect();
    insert(db, &users).await;
    let pairs: Vec<(GroupId, domain::ids::UserId)> =
        people.iter().flat_map(|(u, groups)| groups.iter().map(|g| (*g, u.id))).collect();
    store::groups::add_members(db, &pairs).await.expect("group members");

    // Another account with look-alike users, which no filter may return.
    let other = crate::fixtures::account(db, "other").await;
    let mut outsider = user(other.id, "m1@x.org", "User", "Outside");
    outsider.workspaces = vec![other.workspace];
    let mut other_master = user(other.id, "ma@x.org", "User", "Outside");
    other_master.admin_role_id = Some(other.master_role);
    insert(db, &[outsider, other_master]).await;

    Org { account, ws, alpha_admin, auditor, alpha_team, beta_team, people }
}

async fn found(db: &Db, org: &Org, filter: &UserFilter) -> BTreeSet<Uuid> {
    let rows = list_all(db, org.account.id, filter, UserSort::Created, false).await;
    let found: BTreeSet<Uuid> = ids(&rows).into_iter().collect();
    assert_eq!(found.len(), rows.len(), "a user listed twice for {filter:?}");
    found
}

async fn filters_match_the_product_rules(db: Db) {
    let o = org(&db).await;
    let [w0, alpha, beta, gamma] = o.ws;
    let f = UserFilter::default;
    let check = |filter: UserFilter, expected: &[&str]| (filter, o.ids(expected));
    // Spelled out, so that the model in `Org::expected` is itself checked.
    let cases = [
        check(UserFilter { status: Some(UserStatus::Locked), ..f() }, &["m4@x.org", "m6@x.org"]),
        check(UserFilter { status: Some(UserStatus::Invited), ..f() }, &["c2@x.org", "m2@x.org"]),
        check(
            UserFilter { role: Some(RoleFilter::Member), ..f() },
            &["m1@x.org", "m2@x.org", "m3@x.org", "m4@x.org", "m5@x.org", "m6@x.org"],
        ),
        check(UserFilter { role: Some(RoleFilter::PrimaryMasterAdmin), ..f() }, &["pma@x.org"]),
        check(UserFilter { role: Some(RoleFilter::MasterAdmin), ..f() }, &["ma@x.org", "ma2@x.org"]),
        check(UserFilter { role: Some(RoleFilter::Custom(o.alpha_admin)), ..f() }, &["c1@x.org"]),
        check(UserFilter { role: Some(RoleFilter::Custom(o.auditor)), ..f() }, &["c2@x.org"]),
        check(UserFilter { role: Some(RoleFilter::Custom(AdminRoleId::new())), ..f() }, &[]),
        check(UserFilter { workspace: Some(alpha), ..f() }, &["pma@x.org", "c1@x.org", "m1@x.org", "m5@x.org"]),
        check(UserFilter { workspace: Some(w0), ..f() }, &["pma@x.org", "ma2@x.org", "m6@x.org"]),
        check(UserFilter { group: Some(o.alpha_team), ..f() }, &["c1@x.org", "m1@x.org", "m5@x.org"]),
        check(UserFilter { group: Some(o.beta_team), ..f() }, &["m2@x.org", "m5@x.org"]),
        check(UserFilter { builder_access: Some(BuilderAccess::BuilderAndCreate), ..f() }, &["pma@x.org", "m3@x.org"]),
        check(
            UserFilter { builder_access: Some(BuilderAccess::Builder), ..f() },
            &["ma2@x.org", "c1@x.org", "m1@x.org", "m6@x.org"],
        ),
        check(UserFilter { within: Some(vec![]), ..f() }, &[]),
        check(UserFilter { within: Some(vec![beta]), ..f() }, &["ma@x.org", "c1@x.org", "m2@x.org"]),
        check(
            UserFilter { within: Some(vec![beta, gamma]), ..f() },
            &["ma@x.org", "c1@x.org", "m2@x.org", "c2@x.org", "m3@x.org", "m5@x.org"],
        ),
        check(UserFilter { workspace: Some(alpha), within: Some(vec![beta]), ..f() }, &["c1@x.org"]),
        check(
            UserFilter { status: Some(UserStatus::Active), role: Some(RoleFilter::Member), ..f() },
            &["m1@x.org", "m5@x.org"],
        ),
        check(
            UserFilter { group: Some(o.alpha_team), builder_access: Some(BuilderAccess::Builder), ..f() },
            &["c1@x.org", "m1@x.org"],
        ),
    ];
    for (filter, expected) in &cases {
        assert_eq!(&o.expected(filter), expected, "the model, for {filter:?}");
        assert_eq!(&found(&db, &o, filter).await, expected, "{filter:?}");
    }
    assert_eq!(found(&db, &o, &f()).await.len(), o.people.len(), "no filter lists everyone of the account");
}

/// Every combination of a few values per filter agrees with the model.
async fn filter_combinations_match_the_model(db: Db) {
    let o = org(&db).await;
    let [_, alpha, beta, gamma] = o.ws;
    let statuses = [None, Some(UserStatus::Active), Some(UserStatus::Invited), Some(UserStatus::Suspended)];
    let roles = [
        None,
        Some(RoleFilter::Member),
        Some(RoleFilter::PrimaryMasterAdmin),
        Some(RoleFilter::MasterAdmin),
        Some(RoleFilter::Custom(o.alpha_admin)),
        Some(RoleFilter::Custom(o.auditor)),
    ];
    let workspaces = [None, Some(alpha), Some(gamma)];
    let groups = [None, Some(o.alpha_team)];
    let accesses = [None, Some(BuilderAccess::None), Some(BuilderAccess::Builder)];
    let withins = [None, Some(vec![]), Some(vec![alpha]), Some(vec![beta, gamma])];
    let (mut combinations, mut non_empty) = (0, 0);
    for status in statuses {
        for role in roles {
            for workspace in workspaces {
                for group in groups {
                    for builder_access in accesses {
                        for within in &withins {
                            let filter = UserFilter {
                                search: None,
                                status,
                                role,
                                builder_access,
                                workspace,
                                group,
                                within: within.clone(),
                            };
                            let expected = o.expected(&filter);
                            assert_eq!(found(&db, &o, &filter).await, expected, "{filter:?}");
                            combinations += 1;
                            non_empty += usize::from(!expected.is_empty());
                        }
                    }
                }
            }
        }
    }
    assert!(non_empty * 10 > combinations, "{non_empty} of {combinations} combinations find someone");
}

on_both_backends!(filters_match_the_product_rules, filter_combinations_match_the_model);
