use domain::ids::*;
use domain::user::*;
use store::Db;
use store::accounts::{FirstAdmin, NewAccount};
use store::users::NewUser;

fn user(account: AccountId, address: &str, primary: bool) -> NewUser {
    NewUser { id: UserId::new(), account_id: account, email: Email::try_from(address).unwrap(), first_name: PersonName::parse("f", "A").unwrap(), last_name: PersonName::parse("l", "B").unwrap(), status: UserStatus::Active, builder_access: BuilderAccess::None, is_primary_admin: primary, admin_role_id: None, password_hash: None, invited_at: None, last_login_at: None, created_at: 0, workspaces: vec![] }
}

#[tokio::test]
async fn scratch() {
    let mode = std::env::var("MODE").unwrap_or_default();
    let mut fails = 0;
    for i in 0..200 {
        let path = format!("/tmp/scratch/db{i}.sqlite");
        for s in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{path}{s}")); }
        let db = Db::connect(&format!("sqlite://{path}")).await.unwrap();
        db.migrate().await.unwrap();
        let acc = NewAccount { id: AccountId::new(), name: "a".into(), slug: "a".into(), workspace_id: WorkspaceId::new(), workspace_name: "w".into(), master_role_id: AdminRoleId::new(), created_at: 0 };
        store::accounts::create(&db, &acc, &FirstAdmin::SetupLink { token_hash: vec![1], expires_at: 0 }).await.unwrap();
        store::users::insert(&db, &[user(acc.id, "one@x.org", true)]).await.unwrap();
        let e = store::users::insert(&db, &[user(acc.id, "two@x.org", true)]).await.unwrap_err();
        assert!(matches!(e, store::StoreError::Conflict(_)));
        if mode == "yield" { tokio::time::sleep(std::time::Duration::from_millis(5)).await; }
        if let Err(e) = store::users::insert(&db, &[user(acc.id, "three@x.org", false)]).await {
            fails += 1;
            if fails < 3 { eprintln!("{i}: {e:?}"); }
        }
        db.close().await;
    }
    eprintln!("mode {mode:?}: {fails} failures of 200");
}
