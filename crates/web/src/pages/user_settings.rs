//! `/admin/settings/user-profile`: User Settings (PRODUCT.md §4) — which profile fields
//! appear and which users may edit. One form with two buttons: Preview (POST `…/preview`)
//! re-renders the same form with what would change and for how many users, storing
//! nothing; Save stores it. Changes reach each user at their next login.

use crate::csrf::check_form_token;
use crate::extract::PageUser;
use crate::pages::sessions::NoticeQuery;
use crate::pages::{Nav, error_page, expired_form};
use crate::state::AppState;
use app::AppError;
use app::authz::{AccountWide, Principal, SettingsManage};
use app::user_settings::Preview;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::profile::{FieldRule, ProfileField, ProfileSettings};
use std::collections::BTreeMap;

const HERE: &str = "/admin/settings/user-profile";

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route(HERE, get(show).post(save)).route("/admin/settings/user-profile/preview", post(preview))
}

/// One row of the table.
struct Row {
    key: &'static str,
    label: &'static str,
    enabled: bool,
    allow: bool,
}

/// The preview box, in words.
struct PreviewView {
    appear: Vec<&'static str>,
    disappear: Vec<&'static str>,
    become_editable: Vec<&'static str>,
    become_read_only: Vec<&'static str>,
    users_affected: i64,
    users_with_hidden_values: i64,
    nothing: bool,
}

impl PreviewView {
    fn of(p: &Preview) -> Self {
        let labels = |fs: &[ProfileField]| fs.iter().map(|f| f.label()).collect::<Vec<_>>();
        Self {
            appear: labels(&p.change.appear),
            disappear: labels(&p.change.disappear),
            become_editable: labels(&p.change.become_editable),
            become_read_only: labels(&p.change.become_read_only),
            users_affected: p.users_affected,
            users_with_hidden_values: p.users_with_hidden_values,
            nothing: p.change.is_empty(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "user_settings.html")]
struct UserSettingsPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    defaults: Vec<Row>,
    controlled: Vec<Row>,
    preview: Option<PreviewView>,
}

fn page(nav: Nav, s: &ProfileSettings, preview: Option<PreviewView>, notice: Option<&'static str>) -> UserSettingsPage {
    let row = |f: ProfileField| {
        let r = s.rule(f);
        Row { key: f.key(), label: f.label(), enabled: r.enabled, allow: r.allow_edits }
    };
    UserSettingsPage {
        csrf: nav.csrf.clone(),
        nav: Some(nav),
        notice,
        defaults: ProfileField::ALL.into_iter().filter(|f| f.is_default()).map(row).collect(),
        controlled: ProfileField::controlled().map(row).collect(),
        preview,
    }
}

/// The settings a submitted form asks for: checkboxes `enabled_<key>` and `allow_<key>`
/// (present = checked). Default fields are always enabled; "Allow Edits" of a disabled
/// field is dropped, since it would mean nothing.
fn parse(form: &BTreeMap<String, String>) -> Result<ProfileSettings, AppError> {
    let mut s = ProfileSettings::default();
    for f in ProfileField::ALL {
        let enabled = f.is_default() || form.contains_key(&format!("enabled_{}", f.key()));
        let allow_edits = enabled && form.contains_key(&format!("allow_{}", f.key()));
        s.set(f, FieldRule { enabled, allow_edits })?;
    }
    Ok(s)
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser, RawQuery(raw): RawQuery) -> Response {
    let nav = Nav::load(&state.ctx, &me, "user-settings", HERE).await;
    let current = match app::authz::account_wide::<SettingsManage>(&me) {
        Ok(may) => app::user_settings::read(&state.ctx, &may).await,
        Err(e) => Err(e),
    };
    let current = match current {
        Ok(s) => s,
        Err(e) => return error_page(&e, Some(nav)),
    };
    let notice = match NoticeQuery::from_raw(raw.as_deref()).notice.as_deref() {
        Some("saved") => Some("Saved. Changes take effect at each user's next login."),
        _ => None,
    };
    page(nav, &current, None, notice).into_response()
}

/// The common start of both POSTs: the CSRF check, the capability and the parsed form.
async fn checked(
    state: &AppState,
    me: &Principal,
    body: &str,
) -> Result<(Nav, AccountWide<SettingsManage>, ProfileSettings), Response> {
    let nav = Nav::load(&state.ctx, me, "user-settings", HERE).await;
    let Ok(form) = crate::extract::parse_query::<BTreeMap<String, String>>(body) else {
        return Err(error_page(&AppError::invalid("body", "is not a form"), Some(nav)));
    };
    if !check_form_token(&me.csrf_token, form.get("csrf").map_or("", String::as_str)) {
        return Err(expired_form(nav));
    }
    let may = match app::authz::account_wide::<SettingsManage>(me) {
        Ok(may) => may,
        Err(e) => return Err(error_page(&e, Some(nav))),
    };
    match parse(&form) {
        Ok(s) => Ok((nav, may, s)),
        Err(e) => Err(error_page(&e, Some(nav))),
    }
}

async fn preview(State(state): State<AppState>, PageUser(me): PageUser, body: String) -> Response {
    let (nav, may, new) = match checked(&state, &me, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match app::user_settings::preview(&state.ctx, &may, &new).await {
        Ok(p) => page(nav, &new, Some(PreviewView::of(&p)), None).into_response(),
        Err(e) => error_page(&e, Some(nav)),
    }
}

async fn save(State(state): State<AppState>, PageUser(me): PageUser, body: String) -> Response {
    let (nav, may, new) = match checked(&state, &me, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match app::user_settings::update(&state.ctx, &may, &new).await {
        Ok(_) => Redirect::to(&format!("{HERE}?notice=saved")).into_response(),
        Err(e) => error_page(&e, Some(nav)),
    }
}
