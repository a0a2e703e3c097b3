//! Whom the audit log's Actor and Target filters name: a user id, an email or a full name,
//! and the suggestions offered as the admin types.
//!
//! Authority: the log is the account's ([`InAccount<AuditView>`]: every holder of
//! `audit.view` reads every event, with the emails it names), so the people a filter may
//! name are the account's users — deleted ones included, the log keeps who they were — and
//! purged users by the email their purge recorded.

use crate::authz::{AuditView, InAccount};
use crate::params::filled;
use crate::{AppCtx, AppError};
use domain::ids::AccountId;
use domain::user::Email;
use serde::Serialize;
use store::audit_people::{Person, PersonKey};
use uuid::Uuid;

/// How many people an ambiguous name lists (one more is read to say "more than").
const LISTED: u32 = 5;
/// How many suggestions one answer holds.
const SUGGESTED: u32 = 10;

/// The ids `raw` names (several only when one email belonged to users since purged), or
/// `None` when blank. Errors name `field`: an unknown email or name, or a name several
/// users share (listing up to five of them by email).
pub(crate) async fn resolve(
    ctx: &AppCtx,
    account: AccountId,
    field: &'static str,
    raw: Option<&String>,
) -> Result<Option<Vec<Uuid>>, AppError> {
    let Some(raw) = filled(raw) else { return Ok(None) };
    let who = domain::text::line(field, raw, 320)?.unwrap_or_default();
    if let Ok(id) = Uuid::parse_str(&who) {
        return Ok(Some(vec![id]));
    }
    let unknown = || {
        AppError::invalid(
            field,
            format!("{who:?} names no user of this account, past or present (type an email, a full name or a user id)"),
        )
    };
    if who.contains('@') {
        let key = Email::canonical_key(&who).map_err(|_| unknown())?;
        let mut found = store::audit_people::keyed(&ctx.db, account, PersonKey::Email(&key), 1).await?;
        found.extend(store::audit_people::purged(&ctx.db, account, &who, SUGGESTED).await?);
        if found.is_empty() {
            return Err(unknown());
        }
        return Ok(Some(found.into_iter().map(|p| p.id).collect()));
    }
    let name_key = who.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let found = store::audit_people::keyed(&ctx.db, account, PersonKey::Name(&name_key), LISTED + 1).await?;
    match found.as_slice() {
        [] => Err(unknown()),
        [one] => Ok(Some(vec![one.id])),
        many => {
            let count =
                if many.len() > LISTED as usize { format!("more than {LISTED}") } else { many.len().to_string() };
            let emails: Vec<&str> = many.iter().take(LISTED as usize).map(|p| p.email.as_str()).collect();
            Err(AppError::invalid(
                field,
                format!(
                    "{who:?} is the name of {count} users: {}; type the email of the one you mean",
                    emails.join(", ")
                ),
            ))
        }
    }
}

/// A person the filter can name, as suggested.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: Uuid,
    pub email: String,
    /// "First Last".
    pub name: String,
    /// Deleted (restorable); the log still names them.
    pub deleted: bool,
}

impl From<Person> for Suggestion {
    fn from(p: Person) -> Self {
        Self { id: p.id, name: format!("{} {}", p.first_name, p.last_name), email: p.email, deleted: p.deleted }
    }
}

/// Up to ten of the account's users (deleted ones too) whose name or email contains `q`,
/// by name; none for a blank `q`. Errors: `q` longer than 320 characters or not one line.
pub async fn suggestions(ctx: &AppCtx, may: &InAccount<AuditView>, q: &str) -> Result<Vec<Suggestion>, AppError> {
    let Some(q) = domain::text::line("q", q, 320)? else { return Ok(Vec::new()) };
    let found = store::audit_people::matching(&ctx.db, may.account, &q, SUGGESTED).await?;
    Ok(found.into_iter().map(Suggestion::from).collect())
}
