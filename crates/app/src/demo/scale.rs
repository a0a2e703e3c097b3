//! `roster demo --users N`: fills an empty database with N generated users for scale work.

use super::Rng;
use super::names::{FIRST, LAST, ascii};
use crate::bootstrap::{AdminIdentity, new_account, primary_admin};
use crate::clock::{self, DAY, HOUR, MINUTE};
use crate::{AppCtx, AppError, tokens};
use domain::ids::{AccountId, GroupId, SessionId, UserId, WorkspaceId};
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use store::accounts::FirstAdmin;
use store::seed::{Batch, GeneratedLock};
use store::sessions::NewSession;
use store::users::NewUser;

/// Users generated and written per step (one progress update); the load is one transaction.
const BATCH: usize = 5000;

/// What a generated user looks like, before it gets ids.
pub(crate) struct Generated {
    pub(crate) user: NewUser,
    /// Indexes into the workspace list the user joined.
    pub(crate) workspace_slots: Vec<usize>,
    /// For a Locked user, the failed sign-ins that locked them.
    pub(crate) lock: Option<GeneratedLock>,
}

/// A Locked user's lockout under the default security settings: as many failed sign-ins
/// as lock a user, the last one locking them within the last 20 minutes, lifting by
/// itself once the lockout time has passed since — so the profile's status line and its
/// failures table agree with the rules. Derived from the user's number `i`, not the random
/// stream, so the other generated data stays as it was.
fn generated_lock(i: usize, user: UserId, now: clock::Micros) -> GeneratedLock {
    let rules = domain::security::SecuritySettings::default();
    let locked_at = now - (1 + (i % 20) as i64) * MINUTE;
    let ip = format!("198.51.100.{}", 1 + i % 254);
    let attempts = i64::from(rules.max_login_attempts);
    let failures = (0..attempts).map(|k| (locked_at - (attempts - 1 - k) * 40 * clock::SECOND, ip.clone())).collect();
    let lock_until = (rules.lockout_minutes > 0).then(|| locked_at + i64::from(rules.lockout_minutes) * MINUTE);
    GeneratedLock { user, failures, lock_until }
}

/// Devices the generated sessions come from: (device type, browser, OS, user agent).
pub(crate) const DEVICES: &[(&str, &str, &str, &str)] = &[
    (
        "Desktop",
        "Chrome",
        "Windows 10",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
    ),
    ("Desktop", "Firefox", "Linux", "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"),
    (
        "Desktop",
        "Safari",
        "Mac OSX",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
    ),
    (
        "Mobile",
        "Safari",
        "iPhone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
    ),
    (
        "Mobile",
        "Chrome",
        "Android",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36",
    ),
    (
        "Tablet",
        "Safari",
        "iPad",
        "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    ),
    ("API", "curl", "Unknown", "curl/8.5.0"),
];

/// The `i`-th generated user: a realistic name, a unique email, a status spread like a
/// real organization's (mostly active), one or two workspaces.
pub(crate) fn generated_user(
    rng: &mut Rng,
    i: usize,
    account: AccountId,
    workspaces: usize,
    now: clock::Micros,
) -> Generated {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let email = format!("{}.{}.{i}@example.com", ascii(first), ascii(last));
    let roll = rng.below(100);
    let status = match roll {
        0..=79 => UserStatus::Active,
        80..=87 => UserStatus::Invited,
        88..=92 => UserStatus::Locked,
        _ => UserStatus::Suspended,
    };
    let created_at = now - (rng.below(700) as i64) * DAY - (rng.below(1440) as i64) * MINUTE;
    let last_login_at = (status != UserStatus::Invited).then(|| now - (rng.below(60 * 24) as i64) * HOUR);
    let builder_access =
        *rng.pick(&[BuilderAccess::None, BuilderAccess::None, BuilderAccess::Builder, BuilderAccess::BuilderAndCreate]);
    let first_slot = rng.below(workspaces);
    let mut workspace_slots = vec![first_slot];
    if workspaces > 1 && rng.below(4) == 0 {
        workspace_slots.push((first_slot + 1 + rng.below(workspaces - 1)) % workspaces);
    }
    let user = NewUser {
        id: UserId::new(),
        account_id: account,
        email: Email::try_from(email.as_str()).expect("generated emails are valid"),
        first_name: PersonName::parse("first_name", first).expect("listed names are valid"),
        last_name: PersonName::parse("last_name", last).expect("listed names are valid"),
        status,
        builder_access,
        is_primary_admin: false,
        admin_role_id: None,
        password_hash: None,
        invited_at: (status == UserStatus::Invited).then(|| created_at.max(now - 6 * DAY)),
        last_login_at,
        created_at,
        workspaces: Vec::new(),
    };
    let lock = (status == UserStatus::Locked).then(|| generated_lock(i, user.id, now));
    Generated { user, workspace_slots, lock }
}

/// A session of `user` from one of [`DEVICES`]. Its token is random and never shown:
/// generated sessions exist to be listed and killed, not used.
pub(crate) fn generated_session(rng: &mut Rng, user: UserId, workspace: WorkspaceId, now: clock::Micros) -> NewSession {
    let (device, browser, os, ua) = *rng.pick(DEVICES);
    let created_at = now - (rng.below(8 * 60) as i64) * MINUTE;
    let token = format!("{:016x}{:016x}{:016x}{:016x}", rng.next(), rng.next(), rng.next(), rng.next());
    NewSession {
        id: SessionId::new(),
        token_hash: tokens::hash(&token),
        user_id: user,
        workspace_id: Some(workspace),
        csrf_token: token,
        device_type: device.into(),
        browser: browser.into(),
        os: os.into(),
        ip: format!("203.0.113.{}", 1 + rng.below(254)),
        user_agent: ua.into(),
        created_at,
        expires_at: created_at + 12 * HOUR,
        profile_settings: domain::profile::ProfileSettings::default().to_bits(),
    }
}

/// Credentials of the admin created with generated data.
#[derive(Debug, Clone)]
pub struct GeneratedAdmin {
    pub email: String,
    pub password: String,
}

/// Fills an empty database with `n` users in 3 workspaces with groups; a third of them
/// get a session. `progress` is told how many users are written so far; once it says `n`,
/// what remains is building the indexes and committing.
///
/// Everything is one [`store::seed::BulkLoad`], so an interrupted run leaves the database
/// as it found it apart from the admin, workspaces and groups. Batches are generated on a
/// blocking thread while the previous one is being written, so both cores work.
pub async fn generate_users(
    ctx: &AppCtx,
    n: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<GeneratedAdmin, AppError> {
    if !store::accounts::none_exist(&ctx.db).await? {
        return Err(AppError::Conflict("roster demo needs an empty database".into()));
    }
    let now = clock::now();
    let account = new_account("Default", "default", now);
    let password = tokens::generate()[..16].to_owned() + "-A1";
    let hash = ctx.hasher.hash(&password).await?;
    let email = Email::try_from("admin@example.com")?;
    let who = AdminIdentity::from_email(email.clone(), hash)?;
    let admin = primary_admin(account.id, who, vec![account.workspace_id], account.created_at);
    store::accounts::create(&ctx.db, &account, &FirstAdmin::Create(Box::new(admin))).await?;
    let mut workspaces = vec![account.workspace_id];
    for name in ["Sales", "Support"] {
        let id = WorkspaceId::new();
        store::workspaces::create(&ctx.db, account.id, id, name, now).await?;
        workspaces.push(id);
    }
    let mut groups: Vec<Vec<GroupId>> = Vec::new();
    for w in &workspaces {
        let mut in_ws = Vec::new();
        for name in ["Everyone", "Managers", "New hires"] {
            let id = GroupId::new();
            store::groups::create(&ctx.db, id, *w, name, now).await?;
            in_ws.push(id);
        }
        groups.push(in_ws);
    }
    let mut load = store::seed::BulkLoad::begin(&ctx.db).await?;
    // Two batches in flight: one being written, the next being generated.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(1);
    let account_id = account.id;
    let generator = tokio::task::spawn_blocking(move || {
        let mut rng = Rng::new(0x5EED);
        let mut start = 0;
        while start < n {
            let batch = generated_batch(&mut rng, start..(start + BATCH).min(n), account_id, &workspaces, &groups, now);
            start += batch.users.len();
            if tx.blocking_send(batch).is_err() {
                break; // the writer failed and dropped the load
            }
        }
    });
    let mut done = 0;
    while let Some(batch) = rx.recv().await {
        load.insert(&batch).await?;
        done += batch.users.len();
        progress(done);
    }
    if let Err(e) = generator.await {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        return Err(AppError::Internal(format!("demo data generator: {e}")));
    }
    load.finish().await?;
    Ok(GeneratedAdmin { email: email.to_string(), password })
}

/// The users numbered `range`, with their memberships, group memberships and sessions.
fn generated_batch(
    rng: &mut Rng,
    range: std::ops::Range<usize>,
    account: AccountId,
    workspaces: &[WorkspaceId],
    groups: &[Vec<GroupId>],
    now: clock::Micros,
) -> Batch {
    let mut batch = Batch { users: Vec::with_capacity(range.len()), ..Batch::default() };
    for i in range {
        let Generated { mut user, workspace_slots, lock } = generated_user(rng, i, account, workspaces.len(), now);
        batch.locks.extend(lock);
        user.workspaces = workspace_slots.iter().map(|s| workspaces[*s]).collect();
        if rng.below(2) == 0 {
            batch.group_members.push((*rng.pick(&groups[workspace_slots[0]]), user.id));
        }
        if i % 3 == 0 && user.status.can_sign_in() {
            batch.sessions.push(generated_session(rng, user.id, user.workspaces[0], now));
        }
        batch.users.push(user);
    }
    batch
}
