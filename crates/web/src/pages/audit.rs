//! `/admin/audit`: the account's audit log with filters, keyset pages and CSV export
//! (the export link is the API's `/api/v1/audit/export` with the same filters).

use super::refusals::Refusals;
use crate::error::PageError;
use crate::extract::{Page, parse_query};
use crate::pages::Nav;
use crate::pages::format::when;
use crate::pages::query_of;
use crate::routes::{Routes, get};
use app::audit::AuditParams;
use app::authz::{AuditView, InAccount};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::closed::AuditAction;

pub fn routes() -> Routes {
    Routes::new().route("/admin/audit", get(list))
}

/// The actions the filter offers.
const ACTIONS: [AuditAction; 9] = [
    AuditAction::LoginSucceeded,
    AuditAction::LoginFailed,
    AuditAction::UserLocked,
    AuditAction::UserUnlocked,
    AuditAction::SessionSignedOut,
    AuditAction::SessionKilled,
    AuditAction::SessionsKilledAll,
    AuditAction::SessionReported,
    AuditAction::SecuritySettingsChanged,
];

struct ActionChoice {
    value: &'static str,
    selected: bool,
}

struct Row {
    at: String,
    action: String,
    actor: String,
    target: String,
    workspace: String,
    ip: String,
    details: String,
}

/// The filters as typed, echoed back into the form.
struct Echo {
    actor: String,
    target: String,
    from: String,
    to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Option<Nav>,
    f: Echo,
    actions: Vec<ActionChoice>,
    rows: Vec<Row>,
    /// Every invalid filter, each shown beside its field.
    errors: Refusals,
    first_href: Option<String>,
    next_href: Option<String>,
    export_href: String,
}

impl AuditPage {
    /// Refusals of fields the page has no place for: shown above the table.
    fn other_errors(&self) -> Vec<&(String, String)> {
        self.errors.others(&["actor", "target", "from", "to"])
    }
}

/// The details JSON, compact and without the braces noise of an empty object.
fn details(raw: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(m)) if m.is_empty() => String::new(),
        Ok(serde_json::Value::Object(m)) => m
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => raw.to_owned(),
    }
}

async fn list(
    Page { state, me, may }: Page<InAccount<AuditView>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let here = raw.as_deref().map_or_else(|| "/admin/audit".to_owned(), |q| format!("/admin/audit?{q}"));
    let nav = Nav::load(&me, &here);
    let (params, mut errors) = match parse_query::<AuditParams>(raw.as_deref().unwrap_or("")) {
        Ok(p) => (p, Refusals::default()),
        Err(_) => {
            (AuditParams::default(), vec![("query".to_owned(), "is invalid; showing every event".to_owned())].into())
        }
    };
    let (page, status) = match app::audit::list(&state.ctx, &may, &params).await {
        Ok(p) => (Some(p), StatusCode::OK),
        Err(e) => {
            errors = Refusals::of_error(e)?;
            (None, StatusCode::BAD_REQUEST)
        }
    };
    let (rows, next_href) = match &page {
        Some(p) => (
            p.items
                .iter()
                .map(|e| Row {
                    at: when(e.at),
                    action: e.action.as_str().to_owned(),
                    actor: e.actor_email.clone().unwrap_or_else(|| "—".into()),
                    target: e.target_email.clone().unwrap_or_else(|| "—".into()),
                    workspace: e.workspace_name.clone().unwrap_or_else(|| "—".into()),
                    ip: e.ip.clone().unwrap_or_default(),
                    details: details(&e.details),
                })
                .collect(),
            p.next_cursor.as_ref().map(|c| format!("/admin/audit?{}", query_of(&params, &[("cursor", c)]))),
        ),
        None => (Vec::new(), None),
    };
    let filled = |v: &Option<String>| v.clone().unwrap_or_default();
    let current_action = params.action.as_deref().unwrap_or("");
    let view = AuditPage {
        nav: Some(nav),
        f: Echo {
            actor: filled(&params.actor),
            target: filled(&params.target),
            from: filled(&params.from),
            to: filled(&params.to),
        },
        actions: ACTIONS
            .iter()
            .map(|a| ActionChoice { value: a.as_str(), selected: a.as_str() == current_action })
            .collect(),
        rows,
        errors,
        first_href: params.cursor.as_ref().map(|_| format!("/admin/audit?{}", query_of(&params, &[]))),
        next_href,
        export_href: format!("/api/v1/audit/export?{}", query_of(&AuditParams { limit: None, ..params.clone() }, &[])),
    };
    Ok((status, view).into_response())
}
