//! Builders for the rows the tests need, made from the domain types.

use domain::ids::{AccountId, AdminRoleId, UserId, WorkspaceId};
use domain::user::{BuilderAccess, Email, PersonName, UserStatus};
use store::accounts::{FirstAdmin, NewAccount};
use store::audit::NewAuditEvent;
use store::deletion::Deleted;
use store::sessions::Ending;
use store::users::{PageRequest, UserFilter, UserListRow, UserSort};
use store::{Db, Micros};
use uuid::Uuid;

/// A fixed "now" for the tests: 2023-11-14, in microseconds.
pub const T0: Micros = 1_700_000_000_000_000;

/// One hour in microseconds.
pub const HOUR: Micros = 3_600_000_000;

/// An account created by `accounts::create`, with what it was created with.
#[derive(Debug, Clone, Copy)]
pub struct TestAccount {
    pub id: AccountId,
    pub workspace: WorkspaceId,
    pub master_role: AdminRoleId,
}

/// Creates an account whose first admin waits behind a setup link, so it has no users.
pub async fn account(db: &Db, slug: &str) -> TestAccount {
    let new = new_account(slug);
    let first = FirstAdmin::SetupLink { token_hash: token_hash(), expires_at: T0 + HOUR, email: None };
    store::accounts::create(db, &new, &first).await.expect("create account");
    TestAccount { id: new.id, workspace: new.workspace_id, master_role: new.master_role_id }
}

/// An account to create, named after its slug.
pub fn new_account(slug: &str) -> NewAccount {
    NewAccount {
        id: AccountId::new(),
        name: format!("Account {slug}"),
        slug: slug.to_owned(),
        workspace_id: WorkspaceId::new(),
        workspace_name: "Default".to_owned(),
        master_role_id: AdminRoleId::new(),
        created_at: T0,
    }
}

/// A random 32-byte token hash.
pub fn token_hash() -> Vec<u8> {
    [Uuid::now_v7().into_bytes(), Uuid::now_v7().into_bytes()].concat()
}

pub fn email(s: &str) -> Email {
    Email::try_from(s).expect("valid email")
}

pub fn person_name(s: &str) -> PersonName {
    PersonName::parse("name", s).expect("valid name")
}

/// An active member of `account` with no workspaces, created at [`T0`].
pub fn user(account: AccountId, address: &str, first: &str, last: &str) -> store::users::NewUser {
    store::users::NewUser {
        id: UserId::new(),
        account_id: account,
        email: email(address),
        first_name: person_name(first),
        last_name: person_name(last),
        status: UserStatus::Active,
        builder_access: BuilderAccess::None,
        is_primary_admin: false,
        admin_role_id: None,
        password_hash: None,
        invited_at: None,
        last_login_at: None,
        created_at: T0,
        workspaces: Vec::new(),
    }
}

pub async fn insert(db: &Db, users: &[store::users::NewUser]) {
    store::users::insert(db, users).await.expect("insert users");
}

/// Every row of the list in one page.
pub async fn list_all(
    db: &Db,
    account: AccountId,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
) -> Vec<UserListRow> {
    let page = PageRequest { sort, descending, from: None, limit: 10_000 };
    let (rows, more) = store::users::list(db, account, filter, &page).await.expect("list users");
    assert!(!more, "more than one page");
    rows
}

/// The ids of `rows`, in order.
pub fn ids(rows: &[UserListRow]) -> Vec<Uuid> {
    rows.iter().map(|r| r.id).collect()
}

/// An audit event of `action` on `target`, with no actor.
pub fn event(account: AccountId, action: &str, at: i64, target: UserId) -> NewAuditEvent {
    NewAuditEvent {
        id: Uuid::now_v7(),
        account_id: account,
        at,
        actor_user_id: None,
        action: action.parse().expect("a known audit action"),
        target_user_id: Some(target.0),
        workspace_id: None,
        ip: None,
        details: "{}".to_owned(),
    }
}

/// Soft-deletes `user` (deleted by `by` at `at`), which must succeed.
pub async fn soft_delete(db: &Db, account: AccountId, user: UserId, by: UserId, at: i64) {
    let ending =
        Ending { by_user: Some(by), for_workspace: None, cause: domain::closed::EndCause::Deleted, reason: None, at };
    let done = store::deletion::soft_delete(db, user, by, &[], &ending, &event(account, "user.deleted", at, user))
        .await
        .expect("soft delete");
    assert_eq!(done, Deleted::Done);
}

/// The users list's search, as a model: a substring of the search text from three
/// characters (`store::dialect::TRIGRAM_MIN_CHARS`); below, the start of the folded first
/// name, last name or email key.
pub fn search_matches(u: &store::users::NewUser, needle: &str) -> bool {
    if needle.chars().count() >= store::dialect::TRIGRAM_MIN_CHARS {
        return u.search_text().contains(needle);
    }
    let keys = store::users::NameKeys::of(u.first_name.as_str(), u.last_name.as_str());
    let folded = domain::text::fold(needle);
    [keys.first_key, keys.last_key, u.email.key()].iter().any(|k| k.starts_with(&folded))
}
