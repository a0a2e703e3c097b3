//! The delivery side of the transactional outbox (see [`store::outbox`]): every use case
//! queues its [`Mail`] with [`queued`] inside the transaction of the change that causes it;
//! the worker ([`spawn_worker`], started by `roster serve` and by commands that queue mail)
//! claims due messages under a [`LEASE`], hands them to the [`Mailer`], and records each
//! outcome: sent, or retried after an exponentially growing, capped delay ([`Retry`]), or
//! given up after the last attempt (at once for an address no server will take). Metrics:
//! `roster_mail_sent_total` / `roster_mail_failed_total` count deliveries and failed
//! attempts here; `roster_mail_queued` is read from the table at scrape time.

use super::{Mail, Mailer};
use crate::authz::{OnUser, UsersView};
use crate::clock::{self, MINUTE, Micros, SECOND};
use crate::{AppCtx, AppError};
use domain::ids::{AccountId, UserId};
pub use domain::mail::{MailKind, MailStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use store::outbox::NewMail;
use tokio::sync::Notify;

pub use store::outbox::MailState;

/// How long a claimed message is its worker's alone. Longer than a batch of slow SMTP
/// conversations ([`BATCH`] × lettre's per-command timeout); a worker that died mid-send
/// loses its claim when this runs out, and another instance (or the restarted one) retries.
pub const LEASE: Micros = 10 * MINUTE;

/// Messages claimed at once.
const BATCH: i64 = 16;

/// How often an idle worker looks for messages queued by other instances (its own wake it).
const POLL: Duration = Duration::from_secs(5);

/// When failed deliveries are tried again: after `first`, then twice as long each time up
/// to `max`; after `attempts` failed attempts the message is given up (`failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub first: Micros,
    pub max: Micros,
    pub attempts: u32,
}

impl Default for Retry {
    /// 30 s, 1 min, 2 min … capped at 1 h; 12 attempts (about 6 hours in all).
    fn default() -> Self {
        Self { first: 30 * SECOND, max: 60 * MINUTE, attempts: 12 }
    }
}

impl Retry {
    /// When to try again after the `failures`-th failed attempt (1 for the first) at `now`;
    /// `None` to give up.
    pub fn after(&self, failures: u32, now: Micros) -> Option<Micros> {
        if failures >= self.attempts {
            return None;
        }
        let doubling = failures.saturating_sub(1).min(40);
        let delay = self.first.max(1).saturating_mul(1_i64 << doubling).min(self.max.max(self.first));
        Some(now + delay)
    }
}

/// Where the newest message of each kind about the user of `may` stands (their page and
/// `GET /users/{id}` show it).
pub async fn deliveries(ctx: &AppCtx, may: &OnUser<UsersView>) -> Result<Vec<MailState>, AppError> {
    Ok(store::outbox::latest_for_user(&ctx.db, may.account, may.user).await?)
}

/// `mail` as an outbox row about `user` of `account`, due now.
pub fn queued(account: AccountId, user: Option<UserId>, kind: MailKind, mail: Mail) -> NewMail {
    NewMail {
        id: uuid::Uuid::now_v7(),
        account_id: account,
        user_id: user,
        kind,
        recipient: mail.to,
        subject: mail.subject,
        body: mail.body,
        created_at: clock::now(),
    }
}

/// Delivers the messages due now, a batch at a time, until none is; returns how many were
/// attempted. Errors are the database's (a failed delivery is recorded, not returned).
pub async fn deliver_due(ctx: &AppCtx) -> Result<usize, AppError> {
    deliver(ctx, &AtomicBool::new(false)).await
}

/// [`deliver_due`], stopping between two messages once `stopping` is set (the rest of the
/// batch is released at once for the next worker, instead of waiting out the lease).
async fn deliver(ctx: &AppCtx, stopping: &AtomicBool) -> Result<usize, AppError> {
    let claim = uuid::Uuid::now_v7();
    let mut attempted = 0;
    loop {
        let now = clock::now();
        let batch = store::outbox::claim(&ctx.db, claim, now, now + LEASE, BATCH).await?;
        if batch.is_empty() {
            return Ok(attempted);
        }
        for m in batch {
            if stopping.load(Ordering::SeqCst) {
                store::outbox::release(&ctx.db, claim).await?;
                return Ok(attempted);
            }
            attempted += 1;
            let mail = Mail { to: m.recipient, subject: m.subject, body: m.body };
            match ctx.mailer.send(&mail).await {
                Ok(()) => {
                    crate::metrics::mail_sent();
                    if !store::outbox::mark_sent(&ctx.db, m.id, claim, clock::now()).await? {
                        tracing::warn!(id = %m.id, "a message was sent after its lease ran out");
                    }
                }
                Err(e) => {
                    crate::metrics::mail_failed();
                    let failures = u32::try_from(m.attempts).unwrap_or(0) + 1;
                    // No server takes a malformed address or sender: retrying cannot help.
                    let retry_at = match e {
                        AppError::Invalid { .. } => None,
                        _ => ctx.mailer.retry().after(failures, clock::now()),
                    };
                    let why = reason(&e);
                    if let Some(at) = retry_at {
                        let at = clock::rfc3339(at);
                        tracing::warn!(to = %mail.to, attempt = failures, error = %why, retry_at = %at, "mail delivery failed; will retry");
                    } else {
                        tracing::error!(to = %mail.to, attempt = failures, error = %why, "mail delivery failed; giving up");
                    }
                    store::outbox::mark_failed(&ctx.db, m.id, claim, &why, retry_at).await?;
                }
            }
        }
    }
}

/// Why a delivery failed, for admins (never credentials: [`Mailer::send`] keeps them out).
fn reason(e: &AppError) -> String {
    match e {
        AppError::Invalid { field, message } => format!("{field} {message}"),
        AppError::Internal(m) => m.strip_prefix("mail: ").unwrap_or(m).to_owned(),
        other => other.to_string(),
    }
}

/// The running delivery worker of this process.
#[derive(Debug)]
pub struct Worker {
    stopping: Arc<AtomicBool>,
    wake: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Stops after the message being delivered now (if any); what it had claimed beyond
    /// that is released for the next worker (this one restarted, or another instance).
    pub async fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "the mail worker ended abnormally");
        }
    }
}

/// Starts the delivery worker on its own task: it delivers what is due, then sleeps until
/// the next message is due, [`Mailer::wake`] is called, or [`POLL`] passes (messages other
/// instances queued). Database errors are logged and retried. It runs until
/// [`Worker::stop`] (or the runtime ends).
pub fn spawn_worker(ctx: AppCtx) -> Worker {
    let stopping = Arc::new(AtomicBool::new(false));
    let wake = ctx.mailer.wake_handle();
    let (flag, signal) = (Arc::clone(&stopping), Arc::clone(&wake));
    let task = tokio::spawn(async move {
        while !flag.load(Ordering::SeqCst) {
            // Registered before looking, so a wake during the pass is not lost.
            let woken = signal.notified();
            let looked = async {
                deliver(&ctx, &flag).await?;
                Ok::<_, AppError>(store::outbox::next_due(&ctx.db).await?)
            };
            let pause = match looked.await {
                Ok(Some(at)) => Duration::from_micros(u64::try_from(at - clock::now()).unwrap_or(0)).min(POLL),
                Ok(None) => POLL,
                Err(e) => {
                    tracing::error!(error = %e, "mail delivery: the outbox cannot be read; retrying");
                    POLL
                }
            };
            if flag.load(Ordering::SeqCst) {
                break;
            }
            if pause.is_zero() {
                // Due now but claimed elsewhere (a live lease): look again shortly.
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            tokio::select! {
                () = woken => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    });
    Worker { stopping, wake, task }
}

impl Mailer {
    /// Tells this process's worker that messages were queued (it delivers them at once).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn wake_handle(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_cap_then_give_up() {
        let r = Retry { first: 30 * SECOND, max: 5 * MINUTE, attempts: 6 };
        let delays: Vec<Option<Micros>> = (1..=6).map(|n| r.after(n, 0)).collect();
        let s = SECOND;
        assert_eq!(delays, [Some(30 * s), Some(60 * s), Some(120 * s), Some(240 * s), Some(300 * s), None]);
        assert_eq!(Retry { attempts: 100, ..r }.after(99, 7), Some(7 + 5 * MINUTE), "no overflow, capped");
        assert_eq!(Retry { attempts: 1, ..r }.after(1, 0), None, "one attempt: no retry");
    }
}
