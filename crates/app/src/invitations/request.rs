//! One invitation request of the API, judged as a whole before any row is invited: it lists
//! either `emails` or `invitations` (rows), 1 to [`MAX_ROWS`]. When anything in it is refused
//! (a field that went unread included), nothing is invited and every bad field is named at
//! once, each row that would be refused among them (`emails[2]`, `invitations[0]`);
//! otherwise every row is invited or reported on its own ([`super::invite`]).

use super::{InviteOptions, InviteResult, InviteRow, directory, invite, prepare};
use crate::authz::InviteUsers;
use crate::{AppCtx, AppError, Input, clock};

/// Most rows one request may carry; bigger imports use `roster user import`.
pub const MAX_ROWS: usize = 10_000;

/// Whom to invite: addresses alone, or rows with names, workspace and groups.
#[derive(Debug, Clone, Default)]
pub struct InviteRequest {
    pub emails: Option<Vec<String>>,
    pub invitations: Option<Vec<InviteRow>>,
    /// The workspace invitees join (a workspace id; rows naming a `workspace` join that
    /// one), judged by [`super::workspaces::choose`]; `None` or blank: `opts`' default.
    pub workspace_id: Option<String>,
}

/// Invites the rows of `request` (see the module), one result per row, in order, into
/// `request.workspace_id` when given (else `opts`' default workspace).
///
/// # Errors
/// [`AppError::Invalid`] or [`AppError::InvalidFields`] naming every bad field — a
/// `workspace_id` the inviter may not invite into among them — nothing invited; the errors
/// of [`invite`].
pub async fn invite_request(
    ctx: &AppCtx,
    may: &InviteUsers,
    request: Input<InviteRequest>,
    opts: &InviteOptions,
) -> Result<Vec<InviteResult>, AppError> {
    // Rows holding an unreadable field are named by that field, not judged again.
    let unread: Vec<String> = request.unreadable().iter().map(|(f, _)| f.clone()).collect();
    let (request, mut problems) = request.open();
    let mut opts = opts.clone();
    // The chosen workspace first: the rows are judged as joining it.
    if !problems.has("workspace_id") {
        let raw = request.workspace_id.as_deref().unwrap_or("");
        problems.check(super::workspaces::choose(ctx, may, raw, &mut opts).await)?;
    }
    let (list, rows): (&str, Vec<InviteRow>) = match (request.emails, request.invitations) {
        (Some(emails), None) => {
            ("emails", emails.into_iter().map(|email| InviteRow { email, ..InviteRow::default() }).collect())
        }
        (None, Some(rows)) => ("invitations", rows),
        (emails, invitations) => {
            // A list that went unread is named as such, not as missing.
            let unread_list =
                (emails.is_none() && problems.has("emails")) || (invitations.is_none() && problems.has("invitations"));
            if !unread_list {
                problems.refuse("body", "give either \"emails\" or \"invitations\"");
            }
            ("", Vec::new())
        }
    };
    if !list.is_empty() && rows.is_empty() {
        problems.refuse(list, "there is nobody to invite");
    }
    if rows.len() > MAX_ROWS {
        problems.refuse(list, format!("at most {MAX_ROWS} invitations per request"));
    }
    if !problems.is_empty() && rows.len() <= MAX_ROWS {
        let opts = crate::sso::settings::for_invitations(ctx, may.account, &opts).await?;
        let mut dir = directory(ctx, may).await?;
        let now = clock::now();
        for (i, row) in rows.iter().enumerate() {
            let name = format!("{list}[{i}]");
            if unread.iter().any(|u| u.starts_with(&name)) {
                continue;
            }
            if let Err(reason) = prepare(may, &mut dir, row, &opts, now) {
                problems.refuse(name, reason);
            }
        }
    }
    problems.finish()?;
    invite(ctx, may, rows, &opts).await
}
