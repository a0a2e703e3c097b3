//! `serve --demo`: a small, realistic organization to click through.

use super::Rng;
use super::scale::{Generated, generated_session, generated_user};
use crate::clock;
use crate::{AppCtx, AppError, tokens};
use domain::bot::BotRole;
use domain::ids::{AdminRoleId, BotId, GroupId, UserId, WorkspaceId};
use domain::permission::{Permission, Scope};
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use store::accounts::{FirstAdmin, NewAccount};
use store::roles::NewRole;
use store::seed::Batch;
use store::users::NewUser;

/// Generated users besides the named admins.
const USERS: usize = 246;

/// Who to sign in as after `serve --demo`. All demo admins share the printed password.
#[derive(Debug, Clone)]
pub struct DemoCredentials {
    pub admin_email: String,
    /// An admin scoped to the Support workspace only.
    pub scoped_admin_email: String,
    pub password: String,
}

struct Admin {
    email: &'static str,
    first: &'static str,
    last: &'static str,
    role: Option<AdminRoleId>,
    workspaces: Vec<WorkspaceId>,
}

/// Seeds an empty database; `Ok(None)` when it already has data.
pub async fn seed_sample(ctx: &AppCtx) -> Result<Option<DemoCredentials>, AppError> {
    if !store::accounts::none_exist(&ctx.db).await? {
        return Ok(None);
    }
    let now = clock::now();
    let (sales, support, engineering) = (WorkspaceId::new(), WorkspaceId::new(), WorkspaceId::new());
    let account = NewAccount {
        id: domain::ids::AccountId::new(),
        name: "Acme Corp".into(),
        slug: "default".into(),
        workspace_id: sales,
        workspace_name: "Sales".into(),
        master_role_id: AdminRoleId::new(),
        created_at: now - 400 * clock::DAY,
    };
    let password = format!("Demo-{}", &tokens::generate()[..12]);
    let hash = ctx.hasher.hash(&password).await?;
    let all = vec![sales, support, engineering];
    let primary = admin_user(
        &account,
        &Admin { email: "admin@example.com", first: "Alex", last: "Morgan", role: None, workspaces: all.clone() },
        &hash,
        now,
    )?;
    let primary_id = primary.id;
    let mut primary_only_sales = primary.clone();
    primary_only_sales.workspaces = vec![sales];
    store::accounts::create(&ctx.db, &account, &FirstAdmin::Create(Box::new(primary_only_sales))).await?;
    store::workspaces::create(&ctx.db, account.id, support, "Support", now).await?;
    store::workspaces::create(&ctx.db, account.id, engineering, "Engineering", now).await?;
    store::workspaces::add_members(&ctx.db, &[(support, primary_id), (engineering, primary_id)], now).await?;

    let support_admin_role = AdminRoleId::new();
    store::roles::create(
        &ctx.db,
        &NewRole {
            id: support_admin_role,
            account_id: account.id,
            name: "Support Admin".into(),
            permissions: [
                Permission::UsersView,
                Permission::UsersManage,
                Permission::SessionsView,
                Permission::SessionsKill,
                Permission::BotsView,
            ]
            .into_iter()
            .collect(),
            scope: Scope::Workspaces([support].into_iter().collect()),
            created_at: now,
        },
    )
    .await?;
    let auditor_role = AdminRoleId::new();
    store::roles::create(
        &ctx.db,
        &NewRole {
            id: auditor_role,
            account_id: account.id,
            name: "Auditor".into(),
            permissions: [Permission::UsersView, Permission::SessionsView, Permission::AuditView].into_iter().collect(),
            scope: Scope::AllWorkspaces,
            created_at: now,
        },
    )
    .await?;

    let mut groups: Vec<Vec<GroupId>> = Vec::new();
    for (w, names) in [
        (sales, &["Account Executives", "Sales Ops"][..]),
        (support, &["Tier 1", "Tier 2", "Escalations"][..]),
        (engineering, &["Platform", "Bot Builders"][..]),
    ] {
        let mut ids = Vec::new();
        for name in names {
            let id = GroupId::new();
            store::groups::create(&ctx.db, id, w, name, now).await?;
            ids.push(id);
        }
        groups.push(ids);
    }

    let mut batch = Batch::default();
    for a in [
        Admin {
            email: "master@example.com",
            first: "Sam",
            last: "Rivera",
            role: Some(account.master_role_id),
            workspaces: all.clone(),
        },
        Admin {
            email: "support.admin@example.com",
            first: "Jordan",
            last: "Lee",
            role: Some(support_admin_role),
            workspaces: vec![support],
        },
        Admin {
            email: "auditor@example.com",
            first: "Priya",
            last: "Raman",
            role: Some(auditor_role),
            workspaces: all.clone(),
        },
    ] {
        batch.users.push(admin_user(&account, &a, &hash, now)?);
    }
    let mut rng = Rng::new(42);
    for i in 0..USERS {
        let Generated { mut user, workspace_slots, lock } = generated_user(&mut rng, i, account.id, all.len(), now);
        batch.locks.extend(lock);
        user.workspaces = workspace_slots.iter().map(|s| all[*s]).collect();
        for slot in &workspace_slots {
            if rng.below(3) > 0 {
                batch.group_members.push((*rng.pick(&groups[*slot]), user.id));
            }
        }
        batch.users.push(user);
    }
    let signed_in: Vec<(UserId, WorkspaceId)> =
        batch.users.iter().filter(|u| u.status.can_sign_in()).take(12).map(|u| (u.id, u.workspaces[0])).collect();
    for (k, (user, ws)) in signed_in.iter().enumerate() {
        for _ in 0..=(k % 3) {
            batch.sessions.push(generated_session(&mut rng, *user, *ws, now));
        }
    }
    store::seed::insert(&ctx.db, &batch).await?;

    let actives: Vec<&NewUser> =
        batch.users.iter().filter(|u| u.status == UserStatus::Active && u.admin_role_id.is_none()).collect();
    for (k, (w, name)) in [
        (sales, "Lead Qualifier"),
        (sales, "Quote Assistant"),
        (support, "Helpdesk Bot"),
        (support, "Returns Bot"),
        (engineering, "Deploy Buddy"),
        (engineering, "Incident Triage"),
    ]
    .into_iter()
    .enumerate()
    {
        let members: Vec<&&NewUser> =
            actives.iter().filter(|u| u.workspaces.contains(&w)).skip(k * 3).take(4).collect();
        let roles = [BotRole::Owner, BotRole::Developer, BotRole::Developer, BotRole::Tester];
        let assigned: Vec<(UserId, BotRole)> = members.iter().zip(roles).map(|(u, r)| (u.id, r)).collect();
        if !assigned.is_empty() {
            store::bots::create(&ctx.db, BotId::new(), w, name, &assigned, now).await?;
        }
    }
    Ok(Some(DemoCredentials {
        admin_email: "admin@example.com".into(),
        scoped_admin_email: "support.admin@example.com".into(),
        password,
    }))
}

fn admin_user(account: &NewAccount, a: &Admin, hash: &str, now: clock::Micros) -> Result<NewUser, AppError> {
    Ok(NewUser {
        id: UserId::new(),
        account_id: account.id,
        email: Email::try_from(a.email)?,
        first_name: PersonName::parse("first_name", a.first)?,
        last_name: PersonName::parse("last_name", a.last)?,
        status: UserStatus::Active,
        builder_access: BuilderAccess::BuilderAndCreate,
        is_primary_admin: a.role.is_none(),
        admin_role_id: a.role,
        password_hash: Some(hash.to_owned()),
        invited_at: None,
        last_login_at: Some(now - clock::HOUR),
        created_at: account.created_at,
        workspaces: a.workspaces.clone(),
    })
}
