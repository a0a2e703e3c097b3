//! CSV export of the filtered users list: the same filters (and scope) as the list, read
//! a page at a time by keyset, so memory stays constant however many users match.

use crate::authz::ListUsers;
use crate::users::{ListParams, parse_list_params};
use crate::{AppCtx, AppError, clock};
use domain::ids::AccountId;
use store::users::{Bound, PageRequest, UserFilter, UserListRow};

/// Rows read per query.
pub const EXPORT_PAGE: u32 = 1000;

/// The first line of every export.
pub const CSV_HEADER: &str = "email,first_name,last_name,status,account_role,last_login,created\r\n";

/// An export in progress: where the next page starts.
pub struct UserExport {
    account: AccountId,
    filter: UserFilter,
    page: PageRequest,
    done: bool,
}

/// Checks the list parameters (`limit` and `cursor` are ignored) and starts an export.
pub fn start(may: &ListUsers, params: &ListParams) -> Result<UserExport, AppError> {
    let mut p = params.clone();
    p.limit = None;
    p.cursor = None;
    let (mut filter, mut page) = parse_list_params(&p)?;
    filter.within.clone_from(&may.within);
    page.limit = EXPORT_PAGE;
    Ok(UserExport { account: may.account, filter, page, done: false })
}

impl UserExport {
    /// The CSV lines of the next page, or `None` when every row has been read.
    pub async fn next_chunk(&mut self, ctx: &AppCtx) -> Result<Option<String>, AppError> {
        if self.done {
            return Ok(None);
        }
        let (rows, more) = store::users::list(&ctx.db, self.account, &self.filter, &self.page).await?;
        self.done = !more;
        self.page.from = rows.last().map(|r| Bound::After(r.keyset(self.page.sort)));
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(rows.iter().map(csv_line).collect()))
    }
}

/// One user as a CSV line (CRLF). Cells that look like formulas are neutralised.
pub fn csv_line(r: &UserListRow) -> String {
    let field = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
        if s.contains([',', '"', '\r', '\n']) || s.starts_with('\'') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let role = if r.is_primary_admin { "Primary Master Admin" } else { r.role_name.as_deref().unwrap_or("Member") };
    let mut line = [
        field(&r.email),
        field(&r.first_name),
        field(&r.last_name),
        field(r.status.as_str()),
        field(role),
        r.last_login_at.map(clock::rfc3339).unwrap_or_default(),
        clock::rfc3339(r.created_at),
    ]
    .join(",");
    line.push_str("\r\n");
    line
}
