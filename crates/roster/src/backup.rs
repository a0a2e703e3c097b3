//! `roster backup FILE` and `roster restore FILE`.
//!
//! SQLite: an online, consistent copy (`VACUUM INTO`, one read transaction's snapshot) while
//! the server runs; restoring copies the backup to a temporary file beside the database,
//! flushes it to disk, and only then moves the current database aside (never deleting it)
//! and renames the copy into place — so a failed copy leaves the old database where it was.
//! Refused while a server (or a backup, migrate or import) has the database open
//! (`serving_lock`). PostgreSQL: `pg_dump --format=custom` while it runs, and `pg_restore`
//! into the configured database, which must be empty. Backups never create a database: a
//! wrong data directory or URL is an error, not an empty backup. Backup files are made
//! `0600` (they hold password hashes and personal data); PostgreSQL's tools get the password
//! through `PGPASSWORD`, never on their command line (visible to `ps`).

use crate::config::Config;
use crate::startup;
use anyhow::{Context, bail, ensure};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn is_sqlite(config: &Config) -> bool {
    config.database_url().starts_with("sqlite:")
}

/// Writes a backup of the configured database to `file` (which must not exist yet; it is
/// created readable by its owner only). Errors, naming the path or URL, when there is no
/// Roster database there (nothing is created), or when the copy or `pg_dump` fails (the
/// partial file is removed).
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    ensure!(!file.exists(), "{} already exists; back up into a new file", file.display());
    let db = startup::connect_existing(config).await?;
    let _held = crate::serving_lock::for_command(config)?;
    // Made here, empty and private: `VACUUM INTO` writes into an empty file, and `pg_dump`
    // truncates it; either keeps these permissions.
    create_private(file)?;
    let copied = if is_sqlite(config) {
        store::backup::sqlite_copy(&db, file).await.context("the online copy failed")
    } else {
        let (url, password) = split_password(&config.database_url());
        run("pg_dump", password.as_deref(), |c| c.args(["--format=custom", "--no-owner", "--file"]).arg(file).arg(url))
    };
    db.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(file);
        return Err(e);
    }
    println!("Backed up {} to {}", config.database_url_redacted(), file.display());
    Ok(())
}

/// Restores `file` (made by [`backup`]) into the configured database. Errors when the file
/// is not a Roster backup, when a server (or backup, migrate, import) has the SQLite
/// database open (stop it first), when the PostgreSQL database is not empty, or when the
/// copy or `pg_restore` fails — a failed SQLite copy leaves the database that was there in
/// place.
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
        let staged = staged_copy(file, &target)?;
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
        std::fs::rename(&staged, &target)
            .with_context(|| format!("cannot rename {} to {}", staged.display(), target.display()))?;
        if let Some(parent) = target.parent() {
            // The renames themselves reach the disk with the directory.
            File::open(parent).and_then(|d| d.sync_all()).ok();
        }
    } else {
        let url = config.database_url();
        let db = store::Db::connect(&url)
            .await
            .with_context(|| format!("cannot open database {}", config.database_url_redacted()))?;
        let empty = store::backup::row_counts(&db).await.map(|tables| tables.is_empty());
        db.close().await;
        if !empty.with_context(|| format!("cannot read database {}", config.database_url_redacted()))? {
            bail!(
                "{} already has tables; restore into an empty database (createdb a new one and point \
                 ROSTER_DATABASE_URL at it)",
                config.database_url_redacted()
            );
        }
        let (url, password) = split_password(&url);
        run("pg_restore", password.as_deref(), |c| {
            c.args(["--no-owner", "--single-transaction", "--exit-on-error", "--dbname"]).arg(url).arg(file)
        })?;
    }
    println!(
        "Restored {} into {}; start Roster to serve it (it migrates an older backup forward)",
        file.display(),
        config.database_url_redacted()
    );
    Ok(())
}

/// Copies `file` to `<target>.restoring` (private, flushed to disk) and returns that path.
/// A leftover of an interrupted restore is replaced (the caller holds the exclusive lock);
/// on failure the partial copy is removed and `target` is untouched.
fn staged_copy(file: &Path, target: &Path) -> anyhow::Result<PathBuf> {
    let mut name = target.as_os_str().to_owned();
    name.push(".restoring");
    let staged = PathBuf::from(name);
    if staged.is_file() {
        std::fs::remove_file(&staged).with_context(|| format!("cannot remove {}", staged.display()))?;
    }
    let copy = || -> std::io::Result<()> {
        let mut out = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&staged)?;
        std::io::copy(&mut File::open(file)?, &mut out)?;
        out.flush()?;
        out.sync_all()
    };
    if let Err(e) = copy() {
        if staged.is_file() {
            let _ = std::fs::remove_file(&staged);
        }
        return Err(e).with_context(|| {
            format!("cannot copy {} to {}; the database there is unchanged", file.display(), staged.display())
        });
    }
    Ok(staged)
}

/// Creates `file`, empty, readable and writable by its owner only.
fn create_private(file: &Path) -> anyhow::Result<()> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("cannot create {}", file.display()))?;
    Ok(())
}

/// The URL without its password, and the password (percent-decoded), for `PGPASSWORD`.
fn split_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let password =
                parsed.password().map(|p| percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned());
            // Cannot fail: the URL has a host (it has a password).
            let _ = parsed.set_password(None);
            (parsed.to_string(), password)
        }
        _ => (url.to_owned(), None),
    }
}

/// Runs a PostgreSQL client tool, the password (if any) in its environment; its own
/// messages go to the terminal.
fn run(tool: &str, password: Option<&str>, args: impl FnOnce(&mut Command) -> &mut Command) -> anyhow::Result<()> {
    let mut cmd = Command::new(tool);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    args(&mut cmd);
    let status = cmd.status().with_context(|| format!("cannot run {tool}: is the PostgreSQL client installed?"))?;
    if !status.success() {
        bail!("{tool} failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn the_password_leaves_the_url_for_pgpassword() {
        let (url, pw) = split_password("postgres://roster:s%40cr%2Bt%20x@db.example:5432/roster?sslmode=require");
        assert_eq!(url, "postgres://roster@db.example:5432/roster?sslmode=require");
        assert_eq!(pw.as_deref(), Some("s@cr+t x"));
        assert_eq!(split_password("postgres://roster@db/roster"), ("postgres://roster@db/roster".into(), None));
    }
}
