//! Security → SCIM provisioning (`/admin/settings/scim`): what an identity provider needs
//! to connect (the base URL, a link to create a token holding `scim`) and the SCIM
//! settings — the workspace SCIM works in and how provisioned users start. Needs
//! `settings.manage`, the capability of `GET/PUT /api/v1/settings/scim`. A refused form is
//! re-rendered (400) with each message beside its field; saving redirects (303) with a
//! notice.

use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::extract::PageUser;
use crate::pages::Nav;
use crate::pages::notice::Notice;
use crate::routes::{Routes, get};
use crate::state::AppState;
use app::AppError;
use app::authz::{InAccount, SettingsManage};
use app::scim::settings::{NewUsers, ScimSettings, ScimView};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::WorkspaceId;
use serde::Deserialize;

const HERE: &str = "/admin/settings/scim";

/// The permissions an identity provider's token needs (README: SCIM provisioning), for the
/// link that opens the token form with them ticked.
const TOKEN_PERMISSIONS: &str = "scim,users.view,users.invite,users.manage,users.delete,groups.manage";

pub fn routes() -> Routes {
    Routes::new().route(HERE, get(show).post(save))
}

/// One choice of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "scim_settings.html")]
struct ScimPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    base_url: String,
    token_link: String,
    workspaces: Vec<Choice>,
    new_users: Vec<Choice>,
    /// `(field, message)` of every bad field.
    errors: Vec<(String, String)>,
}

impl ScimPage {
    /// The message beside `field`, if it was refused.
    fn error_of(&self, field: &str) -> Option<&str> {
        super::message_for(&self.errors, field)
    }
}

/// The form as submitted: `workspace` a workspace id or empty (the first by name),
/// `new_users` one of `auto`, `invited`, `active`.
#[derive(Deserialize, Default)]
struct ScimForm {
    #[serde(default)]
    workspace: String,
    #[serde(default)]
    new_users: String,
}

const NEW_USERS: [(NewUsers, &str, &str); 3] = [
    (NewUsers::Auto, "auto", "Automatic: active without a password when single sign-on is on, else invited by email"),
    (NewUsers::Invited, "invited", "Invited: an invitation email asks them to choose a password"),
    (NewUsers::Active, "active", "Active without a password: they sign in through single sign-on"),
];

impl ScimForm {
    fn of(s: &ScimSettings) -> Self {
        Self {
            workspace: s.workspace.map(|w| w.to_string()).unwrap_or_default(),
            new_users: NEW_USERS.iter().find(|(n, _, _)| *n == s.new_users).map_or("auto", |(_, v, _)| v).to_owned(),
        }
    }

    /// The settings, or every field that cannot be read.
    fn parse(&self) -> Result<ScimSettings, AppError> {
        let mut bad = Vec::new();
        let workspace = match self.workspace.trim() {
            "" => None,
            raw => {
                let id = raw.parse::<WorkspaceId>().ok();
                if id.is_none() {
                    bad.push(("workspace".to_owned(), "is not a workspace of this account".to_owned()));
                }
                id
            }
        };
        let new_users = NEW_USERS.iter().find(|(_, v, _)| *v == self.new_users.trim()).map(|(n, _, _)| *n);
        if new_users.is_none() {
            bad.push(("new_users".to_owned(), "must be auto, invited or active".to_owned()));
        }
        AppError::all_of(bad)?;
        Ok(ScimSettings { workspace, new_users: new_users.unwrap_or_default() })
    }
}

fn page(state: &AppState, nav: Nav, v: &ScimView, form: &ScimForm, errors: Vec<(String, String)>) -> ScimPage {
    let first = v.workspaces.first().map_or("none", |(_, name)| name.as_str());
    let mut workspaces = vec![Choice {
        value: String::new(),
        label: format!("The first workspace by name (now {first})"),
        selected: form.workspace.is_empty(),
    }];
    workspaces.extend(v.workspaces.iter().map(|(id, name)| Choice {
        value: id.to_string(),
        label: name.clone(),
        selected: form.workspace == id.to_string(),
    }));
    let new_users = NEW_USERS
        .iter()
        .map(|(_, value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            selected: form.new_users == *value,
        })
        .collect();
    ScimPage {
        csrf: nav.csrf.clone(),
        nav: Some(nav),
        notice: None,
        base_url: format!("{}{}", state.public_url.trim_end_matches('/'), crate::scim::PREFIX),
        token_link: format!(
            "/admin/settings/api-access?name={}&permissions={}#new-token",
            crate::extract::encode_component("SCIM provisioning"),
            crate::extract::encode_component(TOKEN_PERMISSIONS)
        ),
        workspaces,
        new_users,
        errors,
    }
}

fn may(me: &app::authz::Principal) -> Result<InAccount<SettingsManage>, AppError> {
    app::authz::in_account::<SettingsManage>(me)
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser, notice: Notice) -> Result<ScimPage, PageError> {
    let may = may(&me)?;
    let v = app::scim::settings::view(&state.ctx, &may).await?;
    let mut page = page(&state, Nav::load(&me, HERE), &v, &ScimForm::of(&v.settings), Vec::new());
    page.notice = notice.pick(&[("saved", "SCIM settings saved.")]);
    Ok(page)
}

async fn save(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(form): CsrfForm<ScimForm>,
) -> Result<Response, PageError> {
    let may = may(&me)?;
    let saved = async { app::scim::settings::update(&state.ctx, &may, form.parse()?).await };
    let errors = match saved.await {
        Ok(_) => return Ok(Redirect::to(&format!("{HERE}?notice=saved")).into_response()),
        Err(AppError::Invalid { field, message }) => vec![(field, message)],
        Err(AppError::InvalidFields(all)) => all,
        Err(e) => return Err(e.into()),
    };
    let v = app::scim::settings::view(&state.ctx, &may).await?;
    Ok((StatusCode::BAD_REQUEST, page(&state, Nav::load(&me, HERE), &v, &form, errors)).into_response())
}
