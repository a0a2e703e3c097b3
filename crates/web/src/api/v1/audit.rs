//! `GET /audit` (filtered, keyset-paged JSON) and `GET /audit/export` (CSV, streamed).

use super::shapes::UserRef;
use crate::error::ApiError;
use crate::extract::{ApiUser, AppQuery};
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::audit::{AuditParams, CSV_HEADER, csv_line};
use app::authz::AuditView;
use app::clock::rfc3339;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::closed::AuditAction;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn routes() -> Routes {
    Routes::new()
        .route("/audit", get(list_events))
        .route("/audit/export", get(export_events))
        .route("/audit/people", get(people))
}

/// `?q=`: part of a name or email.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    #[serde(default)]
    #[param(max_length = 320)]
    q: String,
}

/// A person the `actor` and `target` filters can name.
#[derive(Serialize, ToSchema)]
pub struct AuditPerson {
    id: Uuid,
    email: String,
    /// "First Last".
    name: String,
    /// A deleted user (the log still names them).
    deleted: bool,
}

/// Up to ten people, by name.
#[derive(Serialize, ToSchema)]
pub struct People {
    items: Vec<AuditPerson>,
}

/// Suggestions for the `actor` and `target` filters: the account's users (deleted ones
/// too) whose name or email contains `q`, for whoever may read the log.
#[utoipa::path(get, path = "/audit/people", tag = "audit", params(PeopleQuery),
    responses((status = 200, description = "Up to ten matching people, by name.", body = People)))]
pub(super) async fn people(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(q): AppQuery<PeopleQuery>,
) -> Result<Json<People>, ApiError> {
    let may = app::authz::in_account::<AuditView>(&me)?;
    let found = app::audit_people::suggestions(&state.ctx, &may, &q.q).await?;
    let items =
        found.into_iter().map(|p| AuditPerson { id: p.id, email: p.email, name: p.name, deleted: p.deleted }).collect();
    Ok(Json(People { items }))
}

/// A workspace named by id (its name, while it exists).
#[derive(Serialize, ToSchema)]
pub struct WorkspaceRef {
    id: Uuid,
    name: Option<String>,
}

/// One audit event: who (`actor`) did what (`action`) to whom (`target`), from where.
/// `details` depends on the action; `summary` says it all in one line.
#[derive(Serialize, ToSchema)]
pub struct EventJson {
    id: Uuid,
    #[schema(format = DateTime)]
    at: String,
    action: AuditAction,
    /// The event in one readable line, such as "Alex Morgan suspended Casey Lee for
    /// Support": actor, action, target, workspace and the details that matter. For people,
    /// not parsers: its wording may improve between versions.
    #[schema(example = "Alex Morgan suspended Casey Lee for Support")]
    summary: String,
    actor: Option<UserRef>,
    target: Option<UserRef>,
    workspace: Option<WorkspaceRef>,
    ip: Option<String>,
    #[schema(value_type = Object)]
    details: Value,
}

impl From<&app::audit::AuditRow> for EventJson {
    fn from(e: &app::audit::AuditRow) -> Self {
        Self {
            id: e.id,
            at: rfc3339(e.at),
            action: e.action,
            summary: app::audit::summary(e),
            actor: e.actor_user_id.map(|id| UserRef { id, email: e.actor_email.clone() }),
            target: e.target_user_id.map(|id| UserRef { id, email: e.target_email.clone() }),
            workspace: e.workspace_id.map(|id| WorkspaceRef { id, name: e.workspace_name.clone() }),
            ip: e.ip.clone(),
            details: serde_json::from_str::<Value>(&e.details).unwrap_or(Value::Null),
        }
    }
}

/// A page of events, newest first; `next_cursor` (when not null) fetches the next.
#[derive(Serialize, ToSchema)]
pub struct Events {
    items: Vec<EventJson>,
    next_cursor: Option<String>,
}

/// Audit filters; `from` and `to` take an RFC 3339 time or a date (`to` a whole day).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Only described: `app::audit::AuditParams` reads the text.
pub struct AuditQuery {
    /// Who acted: a user id, an email or a full name. Deleted users count, and a purged
    /// user by the email their purge recorded. A name several users share, or one nobody
    /// has, is refused (`invalid_params` lists the matching emails, up to five).
    #[param(max_length = 320)]
    actor: Option<String>,
    /// Who was acted on, given as for `actor`.
    #[param(max_length = 320)]
    target: Option<String>,
    #[param(value_type = Option<AuditAction>)]
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// Events per page.
    #[param(minimum = 1, maximum = 1000, value_type = Option<u32>)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "A page of the account's audit events.", body = Events)))]
pub(super) async fn list_events(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(params): AppQuery<AuditParams>,
) -> Result<Json<Events>, ApiError> {
    let may = app::authz::in_account::<AuditView>(&me)?;
    let page = app::audit::list(&state.ctx, &may, &params).await?;
    Ok(Json(Events { items: page.items.iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

/// Streams every matching event as CSV, a page at a time, in constant memory.
#[utoipa::path(get, path = "/audit/export", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "Every matching event as CSV.", content_type = "text/csv", body = String)))]
pub(super) async fn export_events(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    AppQuery(mut params): AppQuery<AuditParams>,
) -> Result<Response, ApiError> {
    let may = app::authz::in_account::<AuditView>(&me)?;
    params.limit = Some("1000".into());
    params.cursor = None;
    // Check the parameters before the 200 goes out.
    let first = app::audit::list(&state.ctx, &may, &params).await?;
    let stream = futures_util::stream::unfold(Some((first, params)), move |step| {
        let (ctx, may) = (state.ctx.clone(), may.clone());
        async move {
            let (page, mut params) = step?;
            let chunk: String = page.items.iter().map(csv_line).collect();
            let next = match page.next_cursor {
                None => None,
                Some(cursor) => {
                    params.cursor = Some(cursor);
                    match app::audit::list(&ctx, &may, &params).await {
                        Ok(p) => Some((p, params)),
                        Err(e) => {
                            tracing::error!(error = %e, "audit export stopped");
                            None
                        }
                    }
                }
            };
            Some((Ok::<_, std::convert::Infallible>(chunk), next))
        }
    });
    let body = Body::from_stream(futures_util::stream::once(async { Ok(CSV_HEADER.to_owned()) }).chain(stream));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit.csv\""),
        ],
        body,
    )
        .into_response())
}
