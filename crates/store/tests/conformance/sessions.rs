//! Sessions: found by token hash while live; refused once ended or expired; touched forward.

use crate::fixtures::{HOUR, T0, TestAccount, account, insert, token_hash, user};
use domain::ids::{SessionId, UserId};
use store::sessions::{Ending, NewSession, Which};
use store::{Db, StoreError};

fn session(account: &TestAccount, user: UserId) -> NewSession {
    NewSession {
        id: SessionId::new(),
        token_hash: token_hash(),
        user_id: user,
        workspace_id: Some(account.workspace),
        csrf_token: "csrf-token".into(),
        device_type: "desktop".into(),
        browser: "Firefox".into(),
        os: "Linux".into(),
        ip: "192.0.2.7".into(),
        user_agent: "Mozilla/5.0".into(),
        created_at: T0,
        expires_at: T0 + HOUR,
        profile_settings: 0b1011,
    }
}

async fn live_until_ended_or_expired(db: Db) {
    let a = account(&db, "a").await;
    let mut ann = user(a.id, "Ann@X.org", "Ann", "Lee");
    ann.admin_role_id = Some(a.master_role);
    insert(&db, std::slice::from_ref(&ann)).await;
    let s = session(&a, ann.id);
    store::sessions::create(&db, &s).await.expect("create");
    let mut other = session(&a, ann.id);
    other.workspace_id = None;
    store::sessions::create(&db, &other).await.expect("create another");

    let live = store::sessions::find_live(&db, &s.token_hash, T0 + 1).await.expect("find").expect("live");
    assert_eq!(
        (live.id, live.user_id, live.account_id, live.workspace_id),
        (s.id.0, ann.id.0, a.id.0, Some(a.workspace.0))
    );
    assert_eq!((live.csrf_token.as_str(), live.last_activity_at, live.expires_at), ("csrf-token", T0, T0 + HOUR));
    assert_eq!(live.profile_settings, Some(0b1011), "the session's copy of the User Settings");
    assert_eq!(
        (
            live.user.status.as_str(),
            live.user.email.as_str(),
            live.user.first_name.as_str(),
            live.user.last_name.as_str()
        ),
        ("active", "Ann@X.org", "Ann", "Lee")
    );
    assert_eq!((live.user.role.is_primary_admin, live.user.role.admin_role_id), (false, Some(a.master_role.0)));
    let live_other = store::sessions::find_live(&db, &other.token_hash, T0 + 1).await.expect("find").expect("live");
    assert_eq!((live_other.id, live_other.workspace_id), (other.id.0, None));
    assert!(store::sessions::find_live(&db, &token_hash(), T0).await.expect("find").is_none(), "unknown token");

    // Expiry: live until the microsecond before `expires_at`.
    assert!(store::sessions::find_live(&db, &s.token_hash, T0 + HOUR - 1).await.expect("find").is_some());
    assert!(store::sessions::find_live(&db, &s.token_hash, T0 + HOUR).await.expect("find").is_none(), "expired");
    assert!(store::sessions::find_live(&db, &s.token_hash, T0 + 2 * HOUR).await.expect("find").is_none(), "expired");

    // Ending one session leaves the other live; ending twice is harmless.
    let ending = |at| Ending {
        by_user: Some(ann.id),
        for_workspace: None,
        cause: domain::closed::EndCause::SignedOut,
        reason: None,
        at,
    };
    let ended = store::sessions::end(&db, ann.id, Which::One(s.id), &ending(T0 + 10), None).await.expect("end");
    assert_eq!(ended, [s.id.0]);
    assert!(store::sessions::find_live(&db, &s.token_hash, T0 + 11).await.expect("find").is_none(), "ended");
    let again = store::sessions::end(&db, ann.id, Which::One(s.id), &ending(T0 + 12), None).await.expect("end again");
    assert!(again.is_empty(), "already ended");
    let (live, history) = store::sessions::for_user(&db, ann.id, T0 + 13, 10).await.expect("for user");
    assert_eq!(live.iter().map(|r| r.id).collect::<Vec<_>>(), [other.id.0]);
    assert_eq!(history[0].id, s.id.0);
    assert_eq!(
        (history[0].ended_at, history[0].end_cause.map(domain::closed::EndCause::as_str)),
        (Some(T0 + 10), Some("signed_out"))
    );
    assert!(store::sessions::find_live(&db, &other.token_hash, T0 + 11).await.expect("find").is_some());
}

async fn touch_moves_last_activity_forward_only(db: Db) {
    let a = account(&db, "a").await;
    let ann = user(a.id, "ann@x.org", "Ann", "Lee");
    insert(&db, std::slice::from_ref(&ann)).await;
    let s = session(&a, ann.id);
    store::sessions::create(&db, &s).await.expect("create");
    let minute = 60_000_000;
    let last_activity = async |now| {
        store::sessions::find_live(&db, &s.token_hash, now).await.expect("find").expect("live").last_activity_at
    };
    store::sessions::touch_many(&db, &[(s.id, T0 + 2 * minute)]).await.expect("touch");
    assert_eq!(last_activity(T0 + 2 * minute).await, T0 + 2 * minute);
    store::sessions::touch_many(&db, &[(s.id, T0 + minute)]).await.expect("touch backwards");
    assert_eq!(last_activity(T0 + 2 * minute).await, T0 + 2 * minute, "never moves back");
    // One statement for many sessions; unknown ones are ignored.
    let other = session(&a, ann.id);
    store::sessions::create(&db, &other).await.expect("create");
    store::sessions::touch_many(&db, &[(SessionId::new(), T0), (s.id, T0 + 3 * minute), (other.id, T0 + 4 * minute)])
        .await
        .expect("touch many");
    assert_eq!(last_activity(T0 + 3 * minute).await, T0 + 3 * minute);
    let other_activity =
        store::sessions::find_live(&db, &other.token_hash, T0).await.expect("find").expect("live").last_activity_at;
    assert_eq!(other_activity, T0 + 4 * minute);
}

async fn token_hashes_are_unique(db: Db) {
    let a = account(&db, "a").await;
    let ann = user(a.id, "ann@x.org", "Ann", "Lee");
    insert(&db, std::slice::from_ref(&ann)).await;
    let s = session(&a, ann.id);
    store::sessions::create(&db, &s).await.expect("create");
    let mut twin = session(&a, ann.id);
    twin.token_hash.clone_from(&s.token_hash);
    let err = store::sessions::create(&db, &twin).await.expect_err("same token hash");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

on_both_backends!(live_until_ended_or_expired, touch_moves_last_activity_forward_only, token_hashes_are_unique);
