//! `/admin/settings/api-access` (Security → API access): the API tokens the admin reaches,
//! a form to create one, and Revoke. Needs `tokens.manage` (the same capability as the API).
//!
//! A link may suggest the form's name and permissions (`?name=…&permissions=scim,…`: the
//! SCIM settings page does). Creating answers the page itself (200, `Cache-Control: no-store`) with the secret shown
//! once, instead of redirecting: the secret may travel in no address and be kept nowhere,
//! so there is nothing a later GET could show. A refused form is re-rendered (400) with
//! each message beside its field; revoking redirects (303) with a notice.

use super::refusals::Refusals;
use crate::csrf::{CsrfForm, NoFields, one_or_many};
use crate::error::PageError;
use crate::extract::{AppPath, LenientQuery, PageUser};
use crate::pages::Nav;
use crate::pages::format::when;
use crate::pages::notice::Notice;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::api_tokens::{ApiToken, NewToken};
use app::authz::{ManageTokens, Principal};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::ApiTokenId;
use domain::permission::{Permission, Scope};
use serde::Deserialize;

const HERE: &str = "/admin/settings/api-access";

pub fn routes() -> Routes {
    Routes::new().route(HERE, get(show).post(create)).route("/admin/settings/api-access/{id}/revoke", post(revoke))
}

/// One token as a row of the list.
struct Row {
    id: String,
    name: String,
    creator: String,
    permissions: String,
    scope: String,
    created: String,
    expires: String,
    last_used: String,
    status: &'static str,
    /// Neither revoked nor expired: the Revoke button.
    revocable: bool,
}

impl Row {
    fn of(t: &ApiToken) -> Self {
        let status = crate::api::v1::api_tokens::status_of(t);
        let last_used = match (t.last_used_at, &t.last_used_ip) {
            (Some(at), Some(ip)) => format!("{} from {ip}", when(at)),
            (Some(at), None) => when(at),
            _ => "Never".to_owned(),
        };
        Self {
            id: t.id.to_string(),
            name: t.name.clone(),
            creator: t.creator_email.clone(),
            permissions: t.permissions.iter().map(Permission::as_str).collect::<Vec<_>>().join(", "),
            scope: match &t.scope {
                Scope::AllWorkspaces => "All workspaces".to_owned(),
                Scope::Workspaces(_) => t.workspaces.iter().map(|w| w.name.as_str()).collect::<Vec<_>>().join(", "),
            },
            created: when(t.created_at),
            expires: when(t.expires_at),
            last_used,
            status,
            revocable: crate::api::v1::api_tokens::revocable(t),
        }
    }
}

/// A checkbox of the form.
struct Choice {
    value: String,
    label: String,
    checked: bool,
}

/// The create form as submitted (every value a string, so a bad number gets its message).
#[derive(Deserialize, Default)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    expires_in_days: String,
    #[serde(default, deserialize_with = "one_or_many")]
    permissions: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    workspaces: Vec<String>,
}

impl TokenForm {
    /// The token the form asks for; an expiry that is not a whole number is named as such.
    fn new_token(&self) -> app::Input<NewToken> {
        let mut unreadable = Vec::new();
        let mut new = NewToken {
            name: self.name.clone(),
            permissions: self.permissions.clone(),
            // None ticked: the creator's whole scope.
            workspaces: (!self.workspaces.is_empty()).then(|| self.workspaces.clone()),
            ..NewToken::default()
        };
        match self.expires_in_days.trim().parse::<i64>() {
            Ok(days) => new.expires_in_days = Some(days),
            Err(_) if self.expires_in_days.trim().is_empty() => {}
            Err(_) => unreadable.push(("expires_in_days".into(), "must be a whole number of days".into())),
        }
        app::Input::read(new, unreadable)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "api_access.html")]
struct ApiAccessPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    tokens: Vec<Row>,
    /// The secret of the token just created: shown this once.
    secret: Option<(String, String)>,
    name: String,
    expires_in_days: String,
    permissions: Vec<Choice>,
    workspaces: Vec<Choice>,
    errors: Refusals,
}

impl ApiAccessPage {
    /// Refusals of fields the page has no place for: shown above the table.
    fn other_errors(&self) -> Vec<&(String, String)> {
        self.errors.others(&["name", "expires_in_days", "expires_at", "permissions", "workspaces"])
    }
}

async fn page(
    state: &AppState,
    me: &Principal,
    may: &ManageTokens,
    form: &TokenForm,
    errors: Refusals,
) -> Result<ApiAccessPage, PageError> {
    let tokens = app::api_tokens::list(&state.ctx, may).await?;
    let (permissions, workspaces) = app::api_tokens::choices(&state.ctx, may).await?;
    let nav = Nav::load(me, HERE);
    Ok(ApiAccessPage {
        csrf: nav.csrf.clone(),
        nav: Some(nav),
        notice: None,
        tokens: tokens.iter().map(Row::of).collect(),
        secret: None,
        name: form.name.clone(),
        expires_in_days: form.expires_in_days.clone(),
        permissions: permissions
            .into_iter()
            .map(|p| Choice {
                value: p.as_str().to_owned(),
                label: p.as_str().to_owned(),
                checked: form.permissions.iter().any(|f| f == p.as_str()),
            })
            .collect(),
        workspaces: workspaces
            .into_iter()
            .map(|w| Choice {
                checked: form.workspaces.iter().any(|f| *f == w.id.to_string()),
                value: w.id.to_string(),
                label: w.name,
            })
            .collect(),
        errors,
    })
}

/// A link's suggestion for the create form (`?name=…&permissions=a,b`, as the SCIM settings
/// page links here), read leniently: anything unreadable suggests nothing. Only permissions
/// the admin holds show, so a suggestion grants nothing by itself.
#[derive(Deserialize, Default)]
struct Suggested {
    #[serde(default)]
    name: String,
    #[serde(default)]
    permissions: String,
}

async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    notice: Notice,
    LenientQuery(suggested): LenientQuery<Suggested>,
) -> Result<Response, PageError> {
    let may = app::authz::manage_tokens(&me)?;
    let form = TokenForm {
        name: suggested.name,
        expires_in_days: "90".into(),
        permissions: suggested
            .permissions
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        ..TokenForm::default()
    };
    let mut page = page(&state, &me, &may, &form, Refusals::default()).await?;
    page.notice = notice.pick(&[("revoked", "Token revoked. Requests with it now get 401.")]);
    Ok(page.into_response())
}

async fn create(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let may = app::authz::manage_tokens(&me)?;
    match app::api_tokens::create(&state.ctx, &may, form.new_token()).await {
        Ok(created) => {
            let fresh = TokenForm { expires_in_days: "90".into(), ..TokenForm::default() };
            let mut page = page(&state, &me, &may, &fresh, Refusals::default()).await?;
            page.secret = Some((created.token.name.clone(), created.secret));
            Ok(([(header::CACHE_CONTROL, "no-store")], page).into_response())
        }
        Err(e) => {
            let page = page(&state, &me, &may, &form, Refusals::of_error(e)?).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
    }
}

async fn revoke(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    AppPath(id): AppPath<ApiTokenId>,
    CsrfForm(NoFields {}): CsrfForm,
) -> Result<Response, PageError> {
    let may = app::authz::manage_tokens(&me)?;
    app::api_tokens::revoke(&state.ctx, &may, id).await?;
    Ok(Redirect::to(&format!("{HERE}?notice=revoked")).into_response())
}
