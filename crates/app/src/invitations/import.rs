//! Importing a CSV file of invitations: the one report the invite page's upload and
//! `roster user import` both show — one line per row, in the file's order, each naming the
//! file's own line number — and the totals.

use super::csv;
use super::{BATCH_SIZE, InviteOptions, InviteRow, Outcome};
use crate::authz::InviteUsers;
use crate::{AppCtx, AppError};
use std::io::Read;

/// What became of one row of the file.
#[derive(Debug, Clone)]
pub struct ReportLine {
    /// The file's line the row starts on (1 is the header).
    pub line: u64,
    /// The row's email as given (empty when the row could not be read).
    pub email: String,
    pub outcome: Outcome,
}

impl ReportLine {
    /// `line 3: zoe@example.com: invited: invited; invitation email queued for delivery`,
    /// or `line 4: invalid: not UTF-8 text …` for a row that could not be read.
    pub fn text(&self, send_email: bool) -> String {
        let (status, detail) = (self.outcome.status(), self.outcome.detail(send_email));
        match self.email.as_str() {
            "" => format!("line {}: {status}: {detail}", self.line),
            email => format!("line {}: {email}: {status}: {detail}", self.line),
        }
    }
}

/// Rows by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub invited: u64,
    pub resent: u64,
    pub exists: u64,
    pub invalid: u64,
}

impl Totals {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Invited(_) => self.invited += 1,
            Outcome::Resent(_) => self.resent += 1,
            Outcome::Exists(_) => self.exists += 1,
            Outcome::Invalid(_) => self.invalid += 1,
        }
    }

    /// `2 invited, 0 re-sent (still invited, never emailed), 1 already users, 2 refused`.
    pub fn summary(&self) -> String {
        format!(
            "{} invited, {} re-sent (still invited, never emailed), {} already users, {} refused",
            self.invited, self.resent, self.exists, self.invalid
        )
    }
}

/// Invites the rows of the CSV `input` ([`csv::read`]: separator sniffed, LF or CRLF, UTF-8),
/// [`BATCH_SIZE`] valid rows per transaction, and hands `each` every batch's report lines
/// in file order (rows that could not be read among them, at their place). Errors: the file
/// as a whole (`csv`: no header naming `email`, UTF-16) and the database's.
pub async fn import<R: Read + Send>(
    ctx: &AppCtx,
    may: &InviteUsers,
    input: R,
    opts: &InviteOptions,
    mut each: impl FnMut(&[ReportLine]) + Send,
) -> Result<Totals, AppError> {
    let rows = csv::read(input)?;
    let mut dir = super::directory(ctx, may).await?;
    let mut totals = Totals::default();
    let mut batch: Vec<(u64, Result<InviteRow, String>)> = Vec::new();
    let mut valid = 0;
    let mut rows = rows.peekable();
    while let Some((line, row)) = rows.next() {
        valid += usize::from(row.is_ok());
        batch.push((line, row));
        if valid == BATCH_SIZE || rows.peek().is_none() {
            let lines = invite_in_order(ctx, may, &mut dir, std::mem::take(&mut batch), opts).await?;
            for l in &lines {
                totals.add(&l.outcome);
            }
            each(&lines);
            valid = 0;
        }
    }
    Ok(totals)
}

/// Invites the readable rows of `batch` in one transaction; one line per row, in order.
async fn invite_in_order(
    ctx: &AppCtx,
    may: &InviteUsers,
    dir: &mut super::Directory,
    batch: Vec<(u64, Result<InviteRow, String>)>,
    opts: &InviteOptions,
) -> Result<Vec<ReportLine>, AppError> {
    let readable: Vec<InviteRow> = batch.iter().filter_map(|(_, r)| r.as_ref().ok().cloned()).collect();
    let mut invited = super::invite_batch(ctx, may, dir, readable, opts).await?.into_iter();
    let mut lines = Vec::with_capacity(batch.len());
    for (line, row) in batch {
        lines.push(match row {
            Ok(_) => {
                let r = invited.next().ok_or_else(|| AppError::Internal("an invitation result is missing".into()))?;
                ReportLine { line, email: r.email, outcome: r.outcome }
            }
            Err(reason) => ReportLine { line, email: String::new(), outcome: Outcome::Invalid(reason) },
        });
    }
    Ok(lines)
}
