//! `/admin/settings/user-profile`: User Settings (PRODUCT.md §4) — which profile fields
//! appear and which users may edit. One form with two buttons: Preview (POST `…/preview`)
//! re-renders the same form with what would change and for how many users, storing
//! nothing; Save stores it. Changes reach each user at their next login.

use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::extract::Page;
use crate::pages::Nav;
use crate::pages::notice::Notice;
use crate::routes::{Routes, get, post};
use app::AppError;
use app::authz::{AccountWide, SettingsManage};
use app::user_settings::Preview;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::Redirect;
use domain::profile::{FieldRule, ProfileField, ProfileSettings};
use std::collections::BTreeMap;

const HERE: &str = "/admin/settings/user-profile";

pub fn routes() -> Routes {
    Routes::new().route(HERE, get(show).post(save)).route("/admin/settings/user-profile/preview", post(preview))
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

/// A request of the User Settings page: they shape every profile, so the viewer needs
/// `settings.manage` on all workspaces.
type On = Page<AccountWide<SettingsManage>>;

async fn show(Page { state, me, may }: On, notice: Notice) -> Result<UserSettingsPage, PageError> {
    let nav = Nav::load(&me, HERE);
    let current = app::user_settings::read(&state.ctx, &may).await?;
    let notice = notice.pick(&[("saved", "Saved. Changes take effect at each user's next login.")]);
    Ok(page(nav, &current, None, notice))
}

/// Shows what the submitted settings would change, storing nothing.
async fn preview(
    Page { state, me, may }: On,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<UserSettingsPage, PageError> {
    let new = parse(&form)?;
    let p = app::user_settings::preview(&state.ctx, &may, &new).await?;
    Ok(page(Nav::load(&me, HERE), &new, Some(PreviewView::of(&p)), None))
}

async fn save(
    Page { state, may, .. }: On,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Redirect, PageError> {
    app::user_settings::update(&state.ctx, &may, &parse(&form)?).await?;
    Ok(Redirect::to(&format!("{HERE}?notice=saved")))
}
