//! The lock that keeps `roster restore` from putting a SQLite database back while a server
//! has it open: the server would go on writing to the file moved aside, and every change
//! made after the restore would be lost without a word.
//!
//! A running server — and `roster backup`, `roster migrate` and `roster user import`, which
//! read or write the same file — holds a *shared* `flock(2)` on `<database file>.lock` (several servers on
//! one file may run together; SQLite itself serializes their writes); a restore takes it
//! *exclusive*, without waiting. The lock is advisory and local to the machine (not for
//! network file systems, where SQLite's own locking is not reliable either), and the kernel
//! lets go of it when the process ends, even by `kill -9`. PostgreSQL needs none: a restore
//! there goes through the server.

use crate::config::Config;
use anyhow::{Context, bail};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

/// A held lock on the database's lock file; released when dropped.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

/// Who takes the lock, and so how.
#[derive(Debug, Clone, Copy)]
enum Holder {
    Server,
    /// `roster backup`, `migrate`, `user import`: like a server, for the command's length.
    Command,
    Restore,
}

/// The shared lock a server holds while it runs (`Ok(None)` on PostgreSQL or an in-memory
/// SQLite database). Errors when a restore into the same database is under way, or when the
/// lock file cannot be created beside the database.
pub fn for_server(config: &Config) -> anyhow::Result<Option<DatabaseLock>> {
    take(config, Holder::Server)
}

/// The shared lock `roster backup`, `roster migrate` and `roster user import` hold while
/// they run, so a restore refuses meanwhile (`Ok(None)` on PostgreSQL or in memory). Errors
/// when a restore into the same database is under way.
pub fn for_command(config: &Config) -> anyhow::Result<Option<DatabaseLock>> {
    take(config, Holder::Command)
}

/// The exclusive lock a restore holds while it replaces the database file. Errors, naming
/// the database, when a server (or another restore) has it open.
pub fn for_restore(config: &Config) -> anyhow::Result<Option<DatabaseLock>> {
    take(config, Holder::Restore)
}

fn take(config: &Config, holder: Holder) -> anyhow::Result<Option<DatabaseLock>> {
    let Some(path) = lock_path(config)? else { return Ok(None) };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    let taken = match holder {
        Holder::Server | Holder::Command => file.try_lock_shared(),
        Holder::Restore => file.try_lock(),
    };
    match (taken, holder) {
        (Ok(()), _) => Ok(Some(DatabaseLock { _file: file })),
        (Err(TryLockError::WouldBlock), Holder::Server) => {
            bail!("a restore into {} is under way; start Roster when it has finished", config.database_url_redacted())
        }
        (Err(TryLockError::WouldBlock), Holder::Command) => {
            bail!("a restore into {} is under way; run this again when it has finished", config.database_url_redacted())
        }
        (Err(TryLockError::WouldBlock), Holder::Restore) => bail!(
            "Roster is running on {} (a server, backup, migrate or import holds {}); stop it first, then restore",
            config.database_url_redacted(),
            path.display()
        ),
        (Err(TryLockError::Error(e)), _) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
}

/// `<database file>.lock` for a SQLite file database; `None` otherwise.
fn lock_path(config: &Config) -> anyhow::Result<Option<PathBuf>> {
    let url = config.database_url();
    if !url.starts_with("sqlite:") {
        return Ok(None);
    }
    let file = store::backup::sqlite_file(&url)?;
    if file.as_os_str().is_empty() || file.as_os_str() == ":memory:" {
        return Ok(None);
    }
    let mut name = file.into_os_string();
    name.push(".lock");
    Ok(Some(PathBuf::from(name)))
}
