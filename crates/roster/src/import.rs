//! `roster user import FILE.csv`: invites every row of a CSV file (header
//! `email,first_name,last_name,workspace,groups`, groups `;`-separated; `;`- or
//! tab-separated files too) with the same rules as the API, 1,000 rows per transaction,
//! with a progress bar, and the same per-row report as the invite page's upload
//! ([`app::invitations::import`]: every row by the file's line number, in file order) and
//! totals. Invitation emails are queued with their
//! rows (the mail outbox) and delivered by a worker running alongside the import; what is
//! still queued at the end (a mail server down, retries pending) is delivered by
//! `roster serve`, and the command says so. `--no-email` queues none. A re-run re-sends
//! to rows still invited whose email never left.

use crate::config::Config;
use crate::startup;
use anyhow::Context;
use app::invitations::InviteOptions;
use app::invitations::import::ReportLine;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// What the command was asked to do.
pub struct ImportArgs<'a> {
    pub file: &'a Path,
    pub workspace: Option<String>,
    /// The account's slug; `None`: the only account.
    pub account: Option<String>,
    pub send_email: bool,
}

pub async fn run(config: &Config, args: ImportArgs<'_>) -> anyhow::Result<()> {
    let lines = count_lines(args.file)?;
    let file = std::fs::File::open(args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    // Imports into an installation that exists: a wrong data directory is an error, not a
    // new empty database (whose import would find no account anyway).
    let db = startup::connect_existing(config).await?;
    let _held = crate::serving_lock::for_command(config)?;
    db.migrate().await?;
    let ctx = app::AppCtx::new(db.clone(), config.auth_settings(), config.mailer());
    let account = app::accounts::pick(&ctx, args.account.as_deref()).await?;
    if let Some(name) = &args.workspace {
        // Up front: otherwise every row would be refused, one by one, for the same reason.
        let workspaces = store::lookups::workspaces(&db, domain::ids::AccountId(account.id)).await?;
        if !workspaces.iter().any(|w| w.name.to_lowercase() == name.to_lowercase()) {
            let names: Vec<&str> = workspaces.iter().map(|w| w.name.as_str()).collect();
            anyhow::bail!(
                "--workspace: the account {} has no workspace named {name:?} (it has: {})",
                account.slug,
                names.join(", ")
            );
        }
    }
    let may = app::authz::operator_invite(domain::ids::AccountId(account.id));
    let mut opts = InviteOptions::new(&config.link_base(), ctx.auth.invitation_lifetime);
    opts.default_workspace = args.workspace;
    opts.send_email = args.send_email;
    if let Some(warning) = config.unreachable_links().filter(|_| args.send_email) {
        eprintln!("Warning: {warning}.");
    }
    let worker = args.send_email.then(|| app::mail::outbox::spawn_worker(ctx.clone()));

    let bar = ProgressBar::new(lines.saturating_sub(1)).with_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} rows  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    // The same report as the invite page's upload, a batch at a time, in file order.
    let send_email = opts.send_email;
    let totals = app::invitations::import::import(&ctx, &may, BufReader::new(file), &opts, |batch| {
        report(&bar, batch, send_email);
        bar.inc(batch.len() as u64);
    })
    .await
    .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    bar.finish_and_clear();
    println!(
        "Imported {}: {}, in {:.1} s{}.",
        args.file.display(),
        totals.summary(),
        started.elapsed().as_secs_f64(),
        if opts.send_email { "" } else { " (no emails sent)" }
    );
    if let Some(worker) = worker {
        // What is due now goes out before the command ends; retries wait for the server.
        worker.stop().await;
        app::mail::outbox::deliver_due(&ctx).await?;
        let queued = store::outbox::pending_count(&db).await?;
        if queued > 0 {
            println!(
                "{queued} emails are still queued (the mail server refused or could not be reached); \
                 `roster serve` delivers them, retrying with backoff."
            );
        }
    }
    db.close().await;
    Ok(())
}

/// Prints a batch's report lines to stdout, above the progress bar on a terminal (which
/// is hidden otherwise; the report is printed either way).
fn report(bar: &ProgressBar, batch: &[ReportLine], send_email: bool) {
    let write = || {
        let mut out = std::io::stdout().lock();
        for line in batch {
            // A closed stdout (`| head`) must not stop the import.
            let _ = writeln!(out, "{}", line.text(send_email));
        }
    };
    if std::io::stdout().is_terminal() { bar.suspend(write) } else { write() }
}

/// Lines in the file, for the progress bar's length.
fn count_lines(path: &Path) -> anyhow::Result<u64> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = BufReader::new(file);
    let mut n = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(n);
        }
        #[allow(clippy::naive_bytecount)] // a one-off count; not worth a crate
        let newlines = buf.iter().filter(|b| **b == b'\n').count() as u64;
        n += newlines;
        let len = buf.len();
        reader.consume(len);
    }
}
