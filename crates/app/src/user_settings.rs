//! User Settings: which profile fields users see and may edit (PRODUCT.md §4). They shape
//! every profile of the account, so only admins with settings.manage on all workspaces
//! read or change them ([`AccountWide`]). Saved settings take effect at each user's next
//! login: a session copies them when it opens.

use crate::audit;
use crate::authz::{AccountWide, SettingsManage};
use crate::{AppCtx, AppError, Input, clock};
use domain::ids::AccountId;
use domain::profile::{FieldRule, ProfileField, ProfileSettings, SettingsChange};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

const KEY: &str = store::settings::USER_PROFILE;

/// The account's settings now (what the next session will copy). An unreadable stored
/// document falls back to the defaults and is logged.
pub async fn current(ctx: &AppCtx, account: AccountId) -> Result<ProfileSettings, AppError> {
    let stored = store::settings::get(&ctx.db, account, KEY).await?;
    Ok(parse_stored(stored.as_deref()))
}

/// The settings in their stored JSON (`None`: never saved, the defaults). An unreadable
/// document falls back to the defaults and is logged.
pub fn parse_stored(stored: Option<&str>) -> ProfileSettings {
    match stored.map(serde_json::from_str::<ProfileSettings>) {
        None => ProfileSettings::default(),
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            tracing::error!(error = %e, "stored user profile settings are unreadable; using defaults");
            ProfileSettings::default()
        }
    }
}

/// A User Settings document as a request gives it: a rule for some profile fields, by key
/// (`{"company": {"enabled": true, "allow_edits": false}}`); fields left out take their
/// default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsEdit {
    pub fields: BTreeMap<String, FieldRule>,
}

/// The settings `edit` asks for, or every refusal at once ([`AppError::InvalidFields`]):
/// the fields that went unread, each key that is no profile field (`fields.nickname`) and
/// each default field turned off (`fields.first_name`: always visible).
pub fn judge(edit: Input<SettingsEdit>) -> Result<ProfileSettings, AppError> {
    let (edit, mut problems) = edit.open();
    let mut settings = ProfileSettings::default();
    for (key, rule) in edit.fields {
        let judged = key.parse::<ProfileField>().and_then(|f| settings.set(f, rule));
        if let Err(e) = judged {
            for (_, why) in AppError::from(e).into_fields()? {
                problems.refuse(format!("fields.{key}"), why);
            }
        }
    }
    problems.finish()?;
    Ok(settings)
}

pub async fn read(ctx: &AppCtx, may: &AccountWide<SettingsManage>) -> Result<ProfileSettings, AppError> {
    current(ctx, may.account).await
}

/// What saving `new` would change, and for how many users.
#[derive(Debug, Clone)]
pub struct Preview {
    pub change: SettingsChange,
    /// Users (not deleted) whose profile changes at their next login: all of them when
    /// anything changes, none otherwise.
    pub users_affected: i64,
    /// Of those, users holding a value in a field that disappears (kept, but hidden).
    pub users_with_hidden_values: i64,
}

pub async fn preview(
    ctx: &AppCtx,
    may: &AccountWide<SettingsManage>,
    new: &ProfileSettings,
) -> Result<Preview, AppError> {
    let old = current(ctx, may.account).await?;
    let change = new.changes_from(&old);
    if change.is_empty() {
        return Ok(Preview { change, users_affected: 0, users_with_hidden_values: 0 });
    }
    let hidden: Vec<&'static str> = change.disappear.iter().map(|f| f.key()).collect();
    let (users, holding) = store::profile::count_holding(&ctx.db, may.account, &hidden).await?;
    Ok(Preview { change, users_affected: users, users_with_hidden_values: holding })
}

/// Saves `new` with an audit event naming every field whose rule changed.
pub async fn update(
    ctx: &AppCtx,
    may: &AccountWide<SettingsManage>,
    new: &ProfileSettings,
) -> Result<ProfileSettings, AppError> {
    let old = current(ctx, may.account).await?;
    let changed: serde_json::Map<String, serde_json::Value> = ProfileField::ALL
        .into_iter()
        .filter(|f| old.rule(*f) != new.rule(*f))
        .map(|f| (f.key().to_owned(), json!({"old": old.rule(f), "new": new.rule(f)})))
        .collect();
    if changed.is_empty() {
        return Ok(*new);
    }
    let value = serde_json::to_string(new).map_err(|e| AppError::Internal(e.to_string()))?;
    let event =
        audit::by(&may.actor, domain::closed::AuditAction::UserSettingsChanged, None, json!({"fields": changed}));
    store::settings::put(&ctx.db, may.account, KEY, &value, clock::now(), &event).await?;
    Ok(*new)
}
