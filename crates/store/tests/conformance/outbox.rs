//! The mail outbox: claims under a lease never hand one message to two workers (also when
//! they claim at the same moment on PostgreSQL); an expired lease is taken over; a worker
//! that lost its claim cannot record an outcome; retries wait; sent bodies are erased.

use crate::fixtures::{T0, account, insert, user};
use domain::ids::UserId;
use std::collections::HashSet;
use store::Db;
use store::outbox::NewMail;
use uuid::Uuid;

fn mail(account: domain::ids::AccountId, user: UserId, n: usize) -> NewMail {
    NewMail {
        id: Uuid::now_v7(),
        account_id: account,
        user_id: Some(user),
        kind: domain::mail::MailKind::Invitation,
        recipient: format!("kim{n}@x.org"),
        subject: "Hello".into(),
        body: format!("link {n}"),
        created_at: T0 + n as i64,
    }
}

async fn concurrent_claims_are_disjoint_and_leases_expire(db: Db) {
    let a = account(&db, "a").await;
    let kim = user(a.id, "kim@x.org", "Kim", "Lee");
    insert(&db, std::slice::from_ref(&kim)).await;
    let mails: Vec<NewMail> = (0..40).map(|n| mail(a.id, kim.id, n)).collect();
    store::outbox::enqueue(&db, &mails).await.expect("enqueue");
    assert_eq!(store::outbox::pending_count(&db).await.unwrap(), 40);

    // Four workers at once: every message claimed exactly once.
    let now = T0 + 100;
    let lease = now + 1_000;
    let workers: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
    let claim = |w: usize| store::outbox::claim(&db, workers[w], now, lease, 16);
    let (c0, c1, c2, c3) = tokio::join!(claim(0), claim(1), claim(2), claim(3));
    let claims = [c0, c1, c2, c3];
    let mut seen = HashSet::new();
    let mut total = 0;
    for c in claims {
        for m in c.expect("claim") {
            assert!(seen.insert(m.id), "claimed twice: {}", m.recipient);
            total += 1;
        }
    }
    assert_eq!(total, 40);
    assert!(store::outbox::claim(&db, Uuid::now_v7(), now, lease, 16).await.unwrap().is_empty(), "all leased");

    // The first worker dies; once its lease runs out another takes its messages over, and
    // the dead worker can no longer record anything for them.
    let taken = store::outbox::claim(&db, Uuid::now_v7(), lease, lease + 1_000, 100).await.unwrap();
    assert_eq!(taken.len(), 40);
    let id = taken[0].id;
    assert!(!store::outbox::mark_sent(&db, id, workers[0], lease).await.unwrap(), "lost claim");

    // A failure with a retry time waits for it; a success erases the body.
    let second = Uuid::now_v7();
    let again = store::outbox::claim(&db, second, lease + 2_000, lease + 3_000, 1).await.unwrap();
    assert_eq!(again.len(), 1, "released or expired leases are claimable");
    assert!(store::outbox::mark_failed(&db, again[0].id, second, "451 busy", Some(lease + 10_000)).await.unwrap());
    let next = store::outbox::claim(&db, Uuid::now_v7(), lease + 2_000, lease + 3_000, 100).await.unwrap();
    assert!(next.iter().all(|m| m.id != again[0].id), "not before its retry time");
    let retry = store::outbox::claim(&db, second, lease + 10_000, lease + 11_000, 100).await.unwrap();
    let r = retry.iter().find(|m| m.id == again[0].id).expect("due again");
    assert_eq!(r.attempts, 1);
    assert!(store::outbox::mark_sent(&db, r.id, second, lease + 10_001).await.unwrap());
    let state = store::outbox::latest_for_user(&db, a.id, kim.id).await.unwrap();
    assert_eq!(state.len(), 1, "one row per kind");
    assert_eq!(state[0].kind, domain::mail::MailKind::Invitation, "stored text comes back parsed");
    // Gave up: failed, body erased, never claimed again.
    let last = Uuid::now_v7();
    let rest = store::outbox::claim(&db, last, lease + 20_000, lease + 21_000, 100).await.unwrap();
    assert!(rest.iter().all(|m| m.id != r.id), "sent is never claimed again");
    for m in &rest {
        assert!(store::outbox::mark_failed(&db, m.id, last, "550 no", None).await.unwrap());
    }
    assert_eq!(store::outbox::pending_count(&db).await.unwrap(), 0);
    assert_eq!(store::outbox::next_due(&db).await.unwrap(), None);
}

on_both_backends!(concurrent_claims_are_disjoint_and_leases_expire);
