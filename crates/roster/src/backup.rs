//! `roster backup FILE` and `roster restore FILE`.
//!
//! SQLite: an online, consistent copy (`VACUUM INTO`, one read transaction's snapshot) while
//! the server runs; restoring moves the current database aside (never deleting it) and puts
//! the copy in its place — refused while a server has the database open (`serving_lock`). PostgreSQL: `pg_dump --format=custom` while it
//! runs, and `pg_restore` into the configured database (best an empty one).

use crate::config::Config;
use crate::startup;
use anyhow::{Context, bail, ensure};
use std::path::{Path, PathBuf};
use std::process::Command;

fn is_sqlite(config: &Config) -> bool {
    config.database_url().starts_with("sqlite:")
}

/// Writes a backup of the configured database to `file` (which must not exist yet).
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    ensure!(!file.exists(), "{} already exists; back up into a new file", file.display());
    if is_sqlite(config) {
        let db = startup::connect(config).await?;
        store::backup::sqlite_copy(&db, file).await.context("the online copy failed")?;
        db.close().await;
    } else {
        run("pg_dump", |c| c.args(["--format=custom", "--no-owner", "--file"]).arg(file).arg(config.database_url()))?;
    }
    println!("Backed up {} to {}", config.database_url_redacted(), file.display());
    Ok(())
}

/// Restores `file` (made by [`backup`]) into the configured database. Errors when the file
/// is not a Roster backup, when a server has the SQLite database open (stop it first), or
/// when `pg_restore` fails.
pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    ensure!(file.is_file(), "{} is not a backup file", file.display());
    if is_sqlite(config) {
        let _held = crate::serving_lock::for_restore(config)?;
        if let Some(problem) = store::backup::sqlite_backup_problem(file).await {
            bail!("{} cannot be restored: {problem}", file.display());
        }
        let target = store::backup::sqlite_file(&config.database_url())?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if target.exists() {
            let aside = target.with_extension(format!("db.before-restore-{}", app::clock::now() / 1_000_000));
            for suffix in ["", "-wal", "-shm"] {
                let from = PathBuf::from(format!("{}{suffix}", target.display()));
                if from.exists() {
                    std::fs::rename(&from, format!("{}{suffix}", aside.display()))
                        .with_context(|| format!("cannot move {} aside", from.display()))?;
                }
            }
            println!("The database that was there is kept as {}", aside.display());
        }
        std::fs::copy(file, &target).with_context(|| format!("cannot write {}", target.display()))?;
    } else {
        run("pg_restore", |c| {
            c.args(["--no-owner", "--single-transaction", "--exit-on-error", "--dbname"])
                .arg(config.database_url())
                .arg(file)
        })?;
    }
    println!(
        "Restored {} into {}; start Roster to serve it (it migrates an older backup forward)",
        file.display(),
        config.database_url_redacted()
    );
    Ok(())
}

/// Runs a PostgreSQL client tool; its own messages go to the terminal.
fn run(tool: &str, args: impl FnOnce(&mut Command) -> &mut Command) -> anyhow::Result<()> {
    let mut cmd = Command::new(tool);
    args(&mut cmd);
    let status = cmd.status().with_context(|| format!("cannot run {tool}: is the PostgreSQL client installed?"))?;
    if !status.success() {
        bail!("{tool} failed ({status})");
    }
    Ok(())
}
