//! `roster user import FILE.csv`: invites every row of a CSV file (header
//! `email,first_name,last_name,workspace,groups`, groups `;`-separated) with the same rules
//! as the API, 1,000 rows per transaction, with a progress bar and a per-row report of
//! refused rows (by line number) and totals. Invitation emails are queued with their
//! rows (the mail outbox) and delivered by a worker running alongside the import; what is
//! still queued at the end (a mail server down, retries pending) is delivered by
//! `roster serve`, and the command says so. `--no-email` queues none. A re-run re-sends
//! to rows still invited whose email never left.

use crate::config::Config;
use crate::startup;
use anyhow::Context;
use app::invitations::{BATCH_SIZE, InviteOptions, InviteRow, Outcome};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, BufReader};
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

#[derive(Default)]
struct Totals {
    invited: u64,
    resent: u64,
    exists: u64,
    invalid: u64,
}

pub async fn run(config: &Config, args: ImportArgs<'_>) -> anyhow::Result<()> {
    let lines = count_lines(args.file)?;
    let file = std::fs::File::open(args.file).with_context(|| format!("cannot open {}", args.file.display()))?;
    let rows = app::invitations::csv::read(BufReader::new(file)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = startup::connect(config).await?;
    db.migrate().await?;
    let ctx = app::AppCtx::new(db.clone(), config.auth_settings(), config.mailer());
    let account = app::accounts::pick(&ctx, args.account.as_deref()).await?;
    let worker = args.send_email.then(|| app::mail::outbox::spawn_worker(ctx.clone()));
    let may = app::authz::operator_invite(domain::ids::AccountId(account.id));
    let mut opts = InviteOptions::new(&config.link_base(), ctx.auth.invitation_lifetime);
    opts.default_workspace = args.workspace;
    opts.send_email = args.send_email;
    let mut dir = app::invitations::directory(&ctx, &may).await?;

    let bar = ProgressBar::new(lines.saturating_sub(1)).with_style(
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} rows  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let mut totals = Totals::default();
    let mut batch: Vec<(u64, InviteRow)> = Vec::with_capacity(BATCH_SIZE);
    let mut rows = rows.peekable();
    while let Some((line, row)) = rows.next() {
        match row {
            Ok(row) => batch.push((line, row)),
            Err(reason) => {
                totals.invalid += 1;
                report(&bar, format!("line {line}: refused: {reason}"));
                bar.inc(1);
            }
        }
        if batch.len() == BATCH_SIZE || (rows.peek().is_none() && !batch.is_empty()) {
            let (numbers, chunk): (Vec<u64>, Vec<InviteRow>) = std::mem::take(&mut batch).into_iter().unzip();
            let results = app::invitations::invite_batch(&ctx, &may, &mut dir, chunk, &opts).await?;
            for (line, r) in numbers.into_iter().zip(results) {
                match &r.outcome {
                    Outcome::Invited(_) => totals.invited += 1,
                    Outcome::Resent(_) => totals.resent += 1,
                    Outcome::Exists(_) => totals.exists += 1,
                    Outcome::Invalid(_) => totals.invalid += 1,
                }
                if !matches!(r.outcome, Outcome::Invited(_)) {
                    let (status, detail) = (r.outcome.status(), r.outcome.detail(opts.send_email));
                    report(&bar, format!("line {line}: {}: {status}: {detail}", r.email));
                }
                bar.inc(1);
            }
        }
    }
    bar.finish_and_clear();
    println!(
        "Imported {}: {} invited, {} re-sent (still invited, never emailed), {} already users, {} refused, in {:.1} s{}.",
        args.file.display(),
        totals.invited,
        totals.resent,
        totals.exists,
        totals.invalid,
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

/// Prints one line of the report to stdout, above the progress bar (which is hidden when
/// stdout is not a terminal; the report is printed either way).
#[allow(clippy::needless_pass_by_value)]
fn report(bar: &ProgressBar, line: String) {
    bar.suspend(|| println!("{line}"));
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
