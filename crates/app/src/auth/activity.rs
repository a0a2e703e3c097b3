//! Batched writes of sessions' last activity. The session check notes that a session was
//! active (when its saved activity is older than the account's save interval, see
//! [`domain::security::SecuritySettings::activity_save_interval_us`]); a background task
//! saves every noted session once a second in one statement, and the server saves what is
//! left when it stops. So an authenticated request is one read, never a write.

use crate::clock::Micros;
use crate::{AppCtx, AppError};
use domain::ids::SessionId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often noted activity is saved.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// Activity noted but not saved yet. Cheap to clone; clones share the notes.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pending: Arc<Mutex<HashMap<SessionId, Micros>>>,
}

impl Activity {
    /// Notes that session `id` was active at `at` (µs).
    pub fn note(&self, id: SessionId, at: Micros) {
        let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let last = pending.entry(id).or_insert(at);
        *last = (*last).max(at);
    }

    /// The latest activity noted for `id` and not saved yet.
    pub fn noted(&self, id: SessionId) -> Option<Micros> {
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id).copied()
    }

    /// Saves every noted activity (one statement per 1,000 sessions); returns how many.
    pub async fn flush(&self, ctx: &AppCtx) -> Result<usize, AppError> {
        let touches: Vec<(SessionId, Micros)> = {
            let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            pending.drain().collect()
        };
        if touches.is_empty() {
            return Ok(0);
        }
        if let Err(e) = store::sessions::touch_many(&ctx.db, &touches).await {
            // Put them back (newer notes win), so a database hiccup loses nothing.
            for (id, at) in &touches {
                self.note(*id, *at);
            }
            return Err(e.into());
        }
        Ok(touches.len())
    }
}

/// Saves noted activity every [`FLUSH_EVERY`] until the runtime stops.
pub fn spawn_flusher(ctx: AppCtx) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = ctx.activity.flush(&ctx).await {
                tracing::error!(error = %e, "saving session activity failed; retrying");
            }
        }
    });
}
