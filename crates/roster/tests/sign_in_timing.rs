//! Sign-in leaks nothing through its timing (issue 10.3): with the production Argon2
//! parameters, the median time of every refusal (unknown email, locked, suspended, deleted,
//! invited, no password) is within 25% of a wrong password's. A locked account used to
//! answer in ~1 ms against a full hash for everyone else.
//!
//! An email that is a user in three accounts costs what an unknown one costs (issue 17.3):
//! every sign-in runs one verification per account in the installation (up to five), not
//! one per user holding the email, so the time does not count the accounts an address is in.
//!
//! The outcomes are interleaved (every round tries each once, in an order of its own) and
//! each is compared with the wrong password of its own round, by the median over rounds,
//! so a machine busy with other work slows both sides alike; a measurement that still
//! misses is taken again, up to four times.

use crate::accounts::account_with_admin;
use crate::sessions::exec;
use crate::support::app::{PASSWORD, TestApp, spawn_app_with};
use crate::support::org::Person;
use domain::ids::UserId;
use domain::user::UserStatus;
use reqwest::StatusCode;
use roster::config::Config;
use serde_json::json;
use std::time::{Duration, Instant};
use store::Backend;

/// Attempts per outcome in one measurement.
const ROUNDS: usize = 31;
/// How far an outcome's median may be from a wrong password's.
const TOLERANCE: f64 = 0.25;

/// (outcome, email, password): each is refused with the same 401.
const OUTCOMES: &[(&str, &str, &str)] = &[
    ("wrong password", "ann.archer@example.com", "Wrong-Password-9"),
    ("unknown email", "nobody@example.com", PASSWORD),
    ("locked", "bob.baker@example.com", PASSWORD),
    ("suspended", "dan.dunn@example.com", PASSWORD),
    ("deleted", "cat.cooper@example.com", PASSWORD),
    ("invited", "eve.evans@example.com", PASSWORD),
    ("no password (SSO only)", "member@example.com", PASSWORD),
    ("in 3 accounts", MULTI, "Wrong-Password-9"),
];

/// A user in the seeded account and Primary Master Admin of two more.
const MULTI: &str = "multi.account@example.com";

async fn app_with_production_hashing(backend: Backend) -> Option<TestApp> {
    let production = Config::default();
    spawn_app_with(backend, |c| {
        c.argon2_memory_kib = production.argon2_memory_kib;
        c.argon2_iterations = production.argon2_iterations;
    })
    .await
}

/// Puts the seeded users in the states of [`OUTCOMES`]; Ann is the one with a wrong password.
async fn prepare(app: &TestApp) -> UserId {
    let org = app.seed_org().await;
    let now = app::clock::now();
    exec(app, "UPDATE users SET status = 'locked', failed_logins = 5, locked_at = $1 WHERE id = $2", now, org.bob.0)
        .await;
    exec(app, "UPDATE users SET deleted_at = $1 WHERE id = $2", now, org.cat.0).await;
    exec(app, "UPDATE users SET password_hash = NULL, updated_at = $1 WHERE id = $2", now, org.member.0).await;
    let person =
        Person { email: MULTI, first: "Mo", last: "Many", status: UserStatus::Active, workspaces: vec![], role: None };
    app.add_user(org.account, person).await;
    account_with_admin(app, "Second Co", MULTI, PASSWORD).await;
    account_with_admin(app, "Third Co", MULTI, PASSWORD).await;
    org.ann
}

/// One attempt's duration; it must be refused like any other.
async fn time_one(app: &TestApp, c: &reqwest::Client, email: &str, password: &str) -> Duration {
    let body = json!({"email": email, "password": password});
    let start = Instant::now();
    let res = c.post(app.url("/api/v1/auth/login")).json(&body).send().await.expect("request");
    let took = start.elapsed();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{email}");
    took
}

/// The outcomes' indexes in an order of their own for `round` (a Fisher–Yates shuffle
/// driven by xorshift), so no outcome always follows the same one.
fn shuffled(round: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..OUTCOMES.len()).collect();
    let mut x = 0x9E37_79B9_7F4A_7C15_u64 ^ (round as u64 + 1);
    for i in (1..order.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    order
}

/// Each outcome's time as a multiple of a wrong password's, in the order of [`OUTCOMES`]:
/// the median over rounds of its time divided by the wrong password's in the same round
/// (a round takes a fraction of a second, so a burst of other work slows both).
async fn measure(app: &TestApp, ann: UserId) -> Vec<f64> {
    let c = reqwest::Client::new();
    let mut rounds = Vec::with_capacity(ROUNDS);
    for round in 0..=ROUNDS {
        let mut took = vec![Duration::ZERO; OUTCOMES.len()];
        for i in shuffled(round) {
            let (_, email, password) = OUTCOMES[i];
            took[i] = time_one(app, &c, email, password).await;
            if OUTCOMES[i].2 != PASSWORD {
                // Wrong passwords must not lock Ann or the user in 3 accounts: counts start again.
                let reset = "UPDATE users SET failed_logins = $1 WHERE id = $2 OR email = 'multi.account@example.com'";
                exec(app, reset, 0, ann.0).await;
            }
        }
        // The first round warms up (connections, the dummy hash).
        if round > 0 {
            rounds.push(took);
        }
    }
    (0..OUTCOMES.len())
        .map(|i| {
            let mut ratios: Vec<f64> = rounds.iter().map(|t| t[i].as_secs_f64() / t[0].as_secs_f64()).collect();
            ratios.sort_by(f64::total_cmp);
            ratios[ratios.len() / 2]
        })
        .collect()
}

/// The outcomes whose ratio is off by more than the tolerance.
fn misses(ratios: &[f64]) -> Vec<&'static str> {
    OUTCOMES.iter().zip(ratios).filter(|(_, r)| (*r - 1.0).abs() > TOLERANCE).map(|((name, _, _), _)| *name).collect()
}

/// The two backends' measurements take turns, so they do not share the hashing cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn every_refusal_costs_what_a_wrong_password_costs(app: TestApp) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let ann = prepare(&app).await;
    let mut report = Vec::new();
    for _ in 0..4 {
        let ratios = measure(&app, ann).await;
        let shown: Vec<String> =
            OUTCOMES.iter().zip(&ratios).map(|((name, _, _), r)| format!("{name}: {r:.2}")).collect();
        eprintln!("sign-in time / wrong password's ({:?}): {}", app.backend, shown.join(", "));
        let missed = misses(&ratios);
        if missed.is_empty() {
            return;
        }
        report.push((shown, missed));
    }
    panic!("refusals whose time differs from a wrong password's by more than 25%: {report:#?}");
}

mod every_refusal_costs_what_a_wrong_password_costs {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = app_with_production_hashing(Backend::Sqlite).await.expect("SQLite");
        super::every_refusal_costs_what_a_wrong_password_costs(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(app) = app_with_production_hashing(Backend::Postgres).await else { return };
        super::every_refusal_costs_what_a_wrong_password_costs(app).await;
    }
}
