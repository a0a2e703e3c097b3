//! The audit log: the one function every use case records through, and reading it back.

use crate::authz::{Actor, AuditView, InAccount};
use crate::clock::{self, Micros};
use crate::params::filled;
use crate::{AppCtx, AppError, Problems};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::audit::{Event, Named};
use domain::closed::AuditAction;
use domain::ids::{AccountId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use store::audit::AuditRow;
use store::audit::{AuditFilter, NewAuditEvent};
use uuid::Uuid;

/// An event done by a signed-in actor.
#[allow(clippy::needless_pass_by_value)] // callers write `json!({…})` in place
pub fn by(actor: &Actor, action: AuditAction, target: Option<UserId>, details: Value) -> NewAuditEvent {
    let mut details = details;
    if let Some(token) = &actor.api_token {
        // Done through an API token: the event names it beside its creator (the actor).
        let named = serde_json::json!({"id": token.id, "name": token.name});
        match &mut details {
            Value::Object(map) => {
                map.insert("api_token".into(), named);
            }
            Value::Null => details = serde_json::json!({ "api_token": named }),
            other => details = serde_json::json!({ "value": other.take(), "api_token": named }),
        }
    }
    NewAuditEvent {
        id: Uuid::now_v7(),
        account_id: actor.account,
        at: clock::now(),
        actor_user_id: Some(actor.user.0),
        action,
        target_user_id: target.map(|t| t.0),
        workspace_id: actor.workspace.map(|w| w.0),
        ip: Some(actor.ip.clone()).filter(|ip| !ip.is_empty()),
        details: details.to_string(),
    }
}

/// An event with no signed-in actor (a sign-in attempt, the lockout timer).
#[allow(clippy::needless_pass_by_value)] // callers write `json!({…})` in place
pub fn unattended(
    account: AccountId,
    action: AuditAction,
    target: Option<UserId>,
    ip: &str,
    details: Value,
) -> NewAuditEvent {
    NewAuditEvent {
        id: Uuid::now_v7(),
        account_id: account,
        at: clock::now(),
        actor_user_id: None,
        action,
        target_user_id: target.map(|t| t.0),
        workspace_id: None,
        ip: Some(ip.to_owned()).filter(|ip| !ip.is_empty()),
        details: details.to_string(),
    }
}

/// Appends one event on its own (changes that need atomicity pass theirs to the store).
pub async fn record(ctx: &AppCtx, event: &NewAuditEvent) -> Result<(), AppError> {
    store::audit::record(&ctx.db, event).await?;
    Ok(())
}

/// The audit list's parameters as they arrive.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AuditParams {
    pub actor: Option<String>,
    pub target: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// One page of events, newest first.
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    pub next_cursor: Option<String>,
}

/// A time bound: an RFC 3339 time as given, or a date. A date in `to` (an exclusive bound)
/// means the end of that day, so `from=D&to=D` lists day D.
fn time_param(name: &str, raw: Option<&String>) -> Result<Option<Micros>, AppError> {
    let whole_day = if name == "to" { time::Duration::DAY } else { time::Duration::ZERO };
    filled(raw)
        .map(|t| {
            let parsed = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .or_else(|_| {
                    time::Date::parse(t, time::macros::format_description!("[year]-[month]-[day]"))
                        .ok()
                        .and_then(|d| d.midnight().assume_utc().checked_add(whole_day))
                        .ok_or(())
                })
                .map_err(|()| AppError::invalid(name, "must be a date (2026-11-27) or an RFC 3339 time"))?;
            Ok(clock::to_micros(parsed))
        })
        .transpose()
}

/// Whom `actor` and `target` name, as [`crate::audit_people::resolve`] found them.
type People = Result<Option<Vec<Uuid>>, AppError>;

/// Every filter of `params` read, or every bad one named at once (with `actor` and
/// `target` resolved already).
fn parse(params: &AuditParams, actor: People, target: People) -> Result<(AuditFilter, u32), AppError> {
    let mut problems = Problems::new();
    let actor = problems.check(actor)?.flatten();
    let target = problems.check(target)?.flatten();
    let action = problems
        .check(
            filled(params.action.as_ref())
                .map(str::parse::<AuditAction>)
                .transpose()
                .map_err(|_| AppError::invalid("action", "is not an action name (like session.killed)")),
        )?
        .flatten();
    let from = problems.check(time_param("from", params.from.as_ref()))?.flatten();
    let to = problems.check(time_param("to", params.to.as_ref()))?.flatten();
    let limit = match filled(params.limit.as_ref()) {
        None => Some(50),
        Some(l) => problems.check(
            l.parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| AppError::invalid("limit", "must be a whole number from 1 to 1000")),
        )?,
    };
    let before = filled(params.cursor.as_ref()).map(|c| {
        let bad = || AppError::invalid("cursor", "is not a cursor this list returned");
        let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let (at, id) = text.split_once('.').ok_or_else(bad)?;
        Ok::<_, AppError>((at.parse().map_err(|_| bad())?, Uuid::parse_str(id).map_err(|_| bad())?))
    });
    let before = problems.check(before.transpose())?.flatten();
    problems.finish()?;
    let Some(limit) = limit else { return Err(AppError::Internal("a refused parameter was not reported".into())) };
    Ok((AuditFilter { actor, target, action, from, to, before }, limit))
}

/// One page of the account's audit log. `actor` and `target` take a user id, an email or
/// a full name ([`crate::audit_people::resolve`]).
pub async fn list(ctx: &AppCtx, may: &InAccount<AuditView>, params: &AuditParams) -> Result<AuditPage, AppError> {
    let actor = crate::audit_people::resolve(ctx, may.account, "actor", params.actor.as_ref()).await;
    let target = crate::audit_people::resolve(ctx, may.account, "target", params.target.as_ref()).await;
    let (filter, limit) = parse(params, actor, target)?;
    let (items, more) = store::audit::list(&ctx.db, may.account, &filter, limit).await?;
    let next_cursor =
        more.then(|| items.last().map(|e| URL_SAFE_NO_PAD.encode(format!("{}.{}", e.at, e.id)))).flatten();
    Ok(AuditPage { items, next_cursor })
}

/// The event's one readable line ([`domain::audit::summary`]).
pub fn summary(e: &AuditRow) -> String {
    let details = serde_json::from_str::<Value>(&e.details).unwrap_or(Value::Null);
    fn named<'a>(id: Option<Uuid>, name: Option<&'a str>, email: Option<&'a str>) -> Option<Named<'a>> {
        id.map(|id| Named { id: Some(id), name, email })
    }
    domain::audit::summary(&Event {
        action: e.action,
        actor: named(e.actor_user_id, e.actor_name.as_deref(), e.actor_email.as_deref()),
        target: named(e.target_user_id, e.target_name.as_deref(), e.target_email.as_deref()),
        workspace: e.workspace_name.as_deref(),
        details: &details,
    })
}

/// One CSV line (RFC 4180 quoting) of an event.
pub fn csv_line(e: &AuditRow) -> String {
    let field = |s: &str| {
        // Cells starting like a formula are neutralised for spreadsheet safety.
        let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let opt = |o: &Option<String>| o.as_deref().map(&field).unwrap_or_default();
    [
        field(&clock::rfc3339(e.at)),
        field(e.action.as_str()),
        opt(&e.actor_email),
        opt(&e.target_email),
        opt(&e.workspace_name),
        opt(&e.ip),
        field(&e.details),
    ]
    .join(",")
        + "\r\n"
}

pub const CSV_HEADER: &str = "time,action,actor,target,workspace,ip,details\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(params: &AuditParams) -> Result<(AuditFilter, u32), AppError> {
        super::parse(params, Ok(None), Ok(None))
    }

    #[test]
    fn bad_parameters_are_named() {
        let bad = |p: AuditParams, name: &str| match parse(&p) {
            Err(AppError::Invalid { field, .. }) => assert_eq!(field, name),
            other => panic!("{name}: {:?}", other.map(|_| ())),
        };
        bad(AuditParams { from: Some("yesterday".into()), ..Default::default() }, "from");
        bad(AuditParams { limit: Some("0".into()), ..Default::default() }, "limit");
        bad(AuditParams { cursor: Some("%%".into()), ..Default::default() }, "cursor");
        bad(AuditParams { action: Some("drop table".into()), ..Default::default() }, "action");
        assert!(parse(&AuditParams { from: Some("2026-11-27".into()), ..Default::default() }).is_ok());
        bad(AuditParams { to: Some("9999-12-31".into()), ..Default::default() }, "to");
    }

    #[test]
    fn every_bad_parameter_is_named_at_once() {
        let all = AuditParams {
            actor: Some("x".into()),
            target: Some("y".into()),
            action: Some("drop table".into()),
            from: Some("yesterday".into()),
            to: Some("soon".into()),
            limit: Some("0".into()),
            cursor: Some("%%".into()),
        };
        let unknown = |f: &str| Err(AppError::invalid(f, "names no user"));
        match super::parse(&all, unknown("actor"), unknown("target")) {
            Err(AppError::InvalidFields(fields)) => {
                let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
                assert_eq!(names, ["actor", "target", "action", "from", "to", "limit", "cursor"]);
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn a_date_in_to_includes_that_whole_day() {
        let day = |from: Option<&str>, to: Option<&str>| {
            let p = AuditParams { from: from.map(Into::into), to: to.map(Into::into), ..Default::default() };
            parse(&p).map(|(f, _)| (f.from, f.to)).ok()
        };
        let (_, to) = day(None, Some("2026-11-27")).unwrap();
        let (next, _) = day(Some("2026-11-28"), None).unwrap();
        assert_eq!(to, next);
        let (_, exact) = day(None, Some("2026-11-27T10:00:00Z")).unwrap();
        assert!(exact < to, "an RFC 3339 time is taken as given");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let row = AuditRow {
            id: Uuid::nil(),
            at: 0,
            actor_user_id: None,
            actor_email: Some("=cmd()".into()),
            actor_name: None,
            action: AuditAction::SessionKilled,
            target_user_id: None,
            target_email: Some("a\"b@x.org".into()),
            target_name: None,
            workspace_id: None,
            workspace_name: None,
            ip: None,
            details: "{}".into(),
        };
        let line = csv_line(&row);
        assert!(line.contains("\"'=cmd()\""), "{line}");
        assert!(line.contains("\"a\"\"b@x.org\""), "{line}");
        assert!(line.ends_with("\r\n"));
    }
}
