//! Sign-in (sequential and in bursts, beside Argon2's capacity), `/me` against `/healthz`,
//! head-of-line blocking behind an export, and killed sessions.

use super::{Landmarks, Run};
use crate::client::Client;
use crate::dataset::{Backend, Credentials};
use crate::load;
use anyhow::{Context, anyhow};
use app::auth::password::PasswordHasher;
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

impl Run<'_> {
    pub(super) async fn sign_in(&mut self, m: &Landmarks) -> anyhow::Result<()> {
        let hasher = PasswordHasher::new(self.plan.argon2.0, self.plan.argon2.1);
        let key = domain::user::Email::try_from(self.admin.email.as_str())?.key();
        let stored = store::users::find_for_login(&self.db, &key, None).await?;
        let hash = stored.first().and_then(|r| r.password_hash.clone()).context("the admin has no password")?;
        let (db, password) = (self.db.clone(), self.admin.password.clone());
        let floor = load::floor(self.plan.sign_ins.min(20), || {
            let (db, hasher, key, hash, password) =
                (db.clone(), hasher.clone(), key.clone(), hash.clone(), password.clone());
            async move {
                store::users::find_for_login(&db, &key, None).await?;
                hasher.verify(&password, Some(&hash)).await;
                Ok(())
            }
        })
        .await;
        let verifies_per_second = argon2_capacity(&hasher, &hash, Duration::from_secs(2)).await;
        let admin = self.admin.clone();
        let right = |client: Client, admin: Credentials| async move {
            match client.login(&admin.email, &admin.password).await? {
                Ok(_) => Ok(()),
                Err(s) => Err(anyhow!("right password refused: {s}")),
            }
        };
        let active = Arc::new(m.active.clone());
        let wrong = |client: Client, active: Arc<Vec<(String, String)>>, i: usize| async move {
            let (_, email) = &active[i % active.len()];
            match client.login(email, "Wrong-Password-9").await? {
                Err(StatusCode::UNAUTHORIZED) => Ok(()),
                other => Err(anyhow!("wrong password answered {other:?}")),
            }
        };
        let mark = self.mark();
        let client = self.client.clone();
        let sample =
            load::sequential(self.plan.sign_ins, Duration::from_mins(1), |_| right(client.clone(), admin.clone()))
                .await;
        self.record("sign-in right password", &mark, &sample, Some(&floor), Ok("200 and a session".into()));
        let mark = self.mark();
        let sample = load::sequential(self.plan.sign_ins, Duration::from_mins(1), |i| {
            wrong(client.clone(), active.clone(), i + 7)
        })
        .await;
        self.record("sign-in wrong password", &mark, &sample, Some(&floor), Ok("401".into()));
        let floor_ms = floor.ms(0.5);
        if let Some(r) = self.row("sign-in right password") {
            let (value, met) = (r.p50_ms - floor_ms, r.p50_ms <= floor_ms + 2.0);
            self.derive("sign-in p50 − (lookup + one argon2 verify), ms", value, "≤ 2", met);
        }
        let workers = 4 * std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let mark = self.mark();
        let sample =
            load::concurrent(workers, self.plan.burst_time, move |_| right(client.clone(), admin.clone())).await;
        self.record("sign-in burst right", &mark, &sample, None, Ok("200s".into()));
        let ratio = sample.throughput() / verifies_per_second;
        self.derive(
            &format!("burst right ÷ argon2 verifies/s ({verifies_per_second:.1}/s)"),
            ratio,
            "≥ 0.9",
            ratio >= 0.9,
        );
        let rss = self.row("sign-in burst right").map_or(0.0, |r| r.rss_after_mib);
        self.derive("server RSS after the right-password burst (MiB)", rss, "≤ 150", rss <= 150.0);
        let mark = self.mark();
        let client = self.client.clone();
        let offset = self.plan.sign_ins + 7;
        let sample =
            load::concurrent(workers, self.plan.burst_time, move |i| wrong(client.clone(), active.clone(), i + offset))
                .await;
        self.record("sign-in burst wrong", &mark, &sample, None, Ok("401s".into()));
        let ratio = sample.throughput() / verifies_per_second;
        self.derive("burst wrong ÷ argon2 verifies/s", ratio, "≥ 0.9", ratio >= 0.9);
        Ok(())
    }

    pub(super) async fn throughput(&mut self) -> anyhow::Result<()> {
        let mut results = Vec::new();
        for (name, path) in [("/healthz throughput", "/healthz"), ("/me throughput", "/api/v1/me")] {
            let mark = self.mark();
            let client = self.client.clone();
            let sample = load::concurrent(self.plan.concurrency, self.plan.throughput_time, move |_| {
                let client = client.clone();
                async move { client.fetch(path).await.map(|_| ()) }
            })
            .await;
            results.push(sample.throughput());
            self.record(name, &mark, &sample, None, Ok("200s".into()));
        }
        let ratio = results[1] / results[0];
        let target = if self.backend == Backend::Sqlite { 0.7 } else { 0.4 };
        self.derive("/me ÷ /healthz throughput", ratio, &format!("≥ {target}"), ratio >= target);
        Ok(())
    }

    pub(super) async fn head_of_line(&mut self) -> anyhow::Result<()> {
        let me = |client: Client| async move { client.fetch("/api/v1/me").await.map(|_| ()) };
        let mark = self.mark();
        let client = self.client.clone();
        let alone = load::concurrent(2, self.plan.throughput_time, move |_| me(client.clone())).await;
        self.record("/me alone (2 clients)", &mark, &alone, None, Ok("200s".into()));
        let stop = Arc::new(AtomicBool::new(false));
        let exporter = {
            let (client, stop) = (self.client.clone(), stop.clone());
            tokio::spawn(async move {
                let mut exports = 0;
                while !stop.load(Ordering::Relaxed) {
                    if client.fetch("/api/v1/users/export").await.is_ok() {
                        exports += 1;
                    }
                }
                exports
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mark = self.mark();
        let client = self.client.clone();
        let during = load::concurrent(2, self.plan.throughput_time, move |_| me(client.clone())).await;
        stop.store(true, Ordering::Relaxed);
        let _ = exporter.await;
        self.record("/me while an export loops", &mark, &during, None, Ok("200s".into()));
        let ratio = during.ms(0.99) / alone.ms(0.99).max(0.001);
        self.derive("p99 of /me during an export ÷ alone", ratio, "≤ 3", ratio <= 3.0);
        Ok(())
    }

    /// Kill a session, then its next request: the kill must hold at once.
    pub(super) async fn kill(&mut self) -> anyhow::Result<()> {
        let n = self.plan.sign_ins.min(10);
        let mut sessions = Vec::new();
        for _ in 0..n {
            let cookie = self
                .client
                .login(&self.admin.email, &self.admin.password)
                .await?
                .map_err(|s| anyhow!("sign-in refused: {s}"))?;
            let me: Value = serde_json::from_slice(&self.client.get_as(&cookie, "/api/v1/me", StatusCode::OK).await?)?;
            sessions.push((cookie, me["session_id"].as_str().unwrap_or("").to_owned()));
        }
        let mark = self.mark();
        let client = self.client.clone();
        let admin_id = self.admin_id.clone();
        let sessions = Arc::new(sessions);
        let sample = load::sequential(n, Duration::from_mins(1), |i| {
            let (client, admin_id, sessions) = (client.clone(), admin_id.clone(), sessions.clone());
            async move {
                let (cookie, id) = &sessions[i];
                client.delete(&format!("/api/v1/users/{admin_id}/sessions/{id}")).await?;
                client.get_as(cookie, "/api/v1/me", StatusCode::UNAUTHORIZED).await.map(|_| ())
            }
        })
        .await;
        self.record("kill → next request refused", &mark, &sample, None, Ok("401 right after the kill".into()));
        Ok(())
    }
}

/// Argon2 verifies per second the machine's cores manage in this process (the hasher runs
/// one per core at a time).
async fn argon2_capacity(hasher: &PasswordHasher, hash: &str, duration: Duration) -> f64 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..cores {
        let (hasher, hash) = (hasher.clone(), hash.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut n = 0_u32;
            while Instant::now() < deadline {
                hasher.verify("not-the-password", Some(&hash)).await;
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap_or(0);
    }
    f64::from(total) / started.elapsed().as_secs_f64()
}
