//! `roster demo --users N`: generated data for scale work, with a progress bar.

use crate::config::Config;
use crate::startup;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

pub async fn generate(config: &Config, users: usize) -> anyhow::Result<()> {
    anyhow::ensure!(users > 0, "--users must be at least 1");
    let db = startup::connect(config).await?;
    db.migrate().await?;
    let ctx = app::AppCtx::new(db.clone(), config.auth_settings(), config.mailer());
    let bar = ProgressBar::new(users as u64).with_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} users  {per_sec}  eta {eta}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let mut rows_written = started.elapsed();
    let admin = app::demo::generate_users(&ctx, users, &mut |done| {
        bar.set_position(done as u64);
        if done == users {
            // The rows are in; the indexes are built and the whole load committed next.
            rows_written = started.elapsed();
            bar.set_message("building indexes…");
        }
    })
    .await?;
    bar.finish_with_message("done");
    let total = started.elapsed();
    println!(
        "Generated {users} users in {:.1} s ({:.1} s writing rows, {:.1} s indexing) into {}.\nSign in as {} with password {}",
        total.as_secs_f64(),
        rows_written.as_secs_f64(),
        total.saturating_sub(rows_written).as_secs_f64(),
        config.database_url_redacted(),
        admin.email,
        admin.password
    );
    db.close().await;
    Ok(())
}
