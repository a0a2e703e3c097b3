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
use app::audit::AuditRow;
use app::authz::{AuditView, InAccount};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::audit::AuditKind;

pub fn routes() -> Routes {
    Routes::new().route("/admin/audit", get(list))
}

/// One action the filter offers.
struct ActionChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// The filter's actions of one kind (an `<optgroup>`).
struct ActionGroup {
    label: &'static str,
    actions: Vec<ActionChoice>,
}

/// Every action of the closed set, grouped by kind: the filter cannot drift from it.
fn action_groups(current: &str) -> Vec<ActionGroup> {
    AuditKind::ALL
        .iter()
        .map(|k| ActionGroup {
            label: k.label(),
            actions: k
                .actions()
                .map(|a| ActionChoice { value: a.as_str(), label: a.label(), selected: a.as_str() == current })
                .collect(),
        })
        .collect()
}

/// One event: its line, and what the folded details list.
struct Row {
    at: String,
    summary: String,
    details: Vec<(String, String)>,
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
    action_groups: Vec<ActionGroup>,
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
        self.errors.others(&["action", "actor", "target", "from", "to"])
    }
}

/// What an event's folded details list: the action's stored name, the workspace and
/// address, then each detail (a nested value as compact JSON).
fn details(e: &AuditRow) -> Vec<(String, String)> {
    let mut out = vec![("action".to_owned(), e.action.as_str().to_owned())];
    let mut person = |role: &str, id: Option<uuid::Uuid>, email: &Option<String>| {
        if let Some(id) = id {
            out.push((role.to_owned(), email.clone().unwrap_or_else(|| id.to_string())));
        }
    };
    person("actor", e.actor_user_id, &e.actor_email);
    person("target", e.target_user_id, &e.target_email);
    out.extend(e.workspace_name.clone().map(|w| ("workspace".to_owned(), w)));
    out.extend(e.ip.clone().map(|ip| ("ip".to_owned(), ip)));
    match serde_json::from_str::<serde_json::Value>(&e.details) {
        Ok(serde_json::Value::Object(m)) => out.extend(m.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })),
        _ => out.push(("details".to_owned(), e.details.clone())),
    }
    out
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
                .map(|e| Row { at: when(e.at), summary: app::audit::summary(e), details: details(e) })
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
        action_groups: action_groups(current_action),
        rows,
        errors,
        first_href: params.cursor.as_ref().map(|_| format!("/admin/audit?{}", query_of(&params, &[]))),
        next_href,
        export_href: format!("/api/v1/audit/export?{}", query_of(&AuditParams { limit: None, ..params.clone() }, &[])),
    };
    Ok((status, view).into_response())
}
