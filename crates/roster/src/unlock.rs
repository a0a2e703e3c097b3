//! `roster user unlock EMAIL [--account SLUG]`: the operator's way out of a lockout (every
//! admin locked out, say), through the same unlock the console uses, audited as
//! `user.unlocked` with no actor and details `{"by": "operator"}`.

use crate::config::Config;
use crate::startup;

/// Unlocks the locked user `email` of the account `account` (by slug; `None`: the only
/// account). An unknown account or email, or a user who is not locked, is an error (the
/// command then exits non-zero) naming what was wrong.
pub async fn run(config: &Config, account: Option<&str>, email: &str) -> anyhow::Result<()> {
    let db = startup::connect(config).await?;
    db.migrate().await?;
    let ctx = app::AppCtx::new(db.clone(), config.auth_settings(), config.mailer());
    let unlocked = app::lockout::operator_unlock(&ctx, account, email).await;
    db.close().await;
    match unlocked {
        Ok(id) => {
            println!("Unlocked {email} (user {}). They can sign in again.", id.0);
            Ok(())
        }
        Err(app::AppError::Invalid { message, .. }) => anyhow::bail!("{message}"),
        Err(e) => anyhow::bail!("{e}"),
    }
}
