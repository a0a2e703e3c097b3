//! `/me/profile`: the self-service profile (PRODUCT.md §7). It follows the User Settings
//! copy of the session (`Principal::profile_settings`), not the account's current ones, so
//! a change an admin saves reaches the user at their next login. Refused edits re-render
//! the page with the message beside the field and the typed values kept.

use crate::csrf::{CsrfForm, CsrfUpload};
use crate::error::{PageError, status_of};
use crate::extract::{Mine, Page};
use crate::pages::Nav;
use crate::pages::notice::Notice;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::authz::Principal;
use app::my_profile::ProfileView;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Redirect, Response};
use domain::profile::ProfileField;
use serde::Deserialize;
use std::collections::BTreeMap;

const HERE: &str = "/me/profile";

pub fn routes() -> Routes {
    // Room for a picture a little over the 2 MB limit, so such files get the app's clear
    // "larger than 2 MB" message rather than a bare 413.
    let upload_limit = DefaultBodyLimit::max(app::picture::UPLOAD_LIMIT);
    Routes::new()
        .route(HERE, get(show).post(save))
        .route("/me/profile/picture", post(upload_picture).layer(upload_limit))
        .route("/me/profile/picture/remove", post(remove_picture))
        .route("/me/password", post(change_password))
}

/// One text field of the page.
struct FieldRow {
    key: &'static str,
    label: &'static str,
    value: String,
    editable: bool,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "my_profile.html")]
struct MyProfilePage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    /// An error that belongs to no field of the page.
    error: Option<String>,
    email: String,
    fields: Vec<FieldRow>,
    any_editable: bool,
    /// `?v=` of the picture URL (when it last changed), if there is a picture.
    picture_at: Option<i64>,
    picture_editable: bool,
    picture_error: Option<String>,
    sso: bool,
    password: Vec<PasswordInput>,
}

/// One input of the Change password form.
struct PasswordInput {
    key: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    error: Option<String>,
}

const PASSWORD_INPUTS: [(&str, &str, &str); 3] = [
    ("current_password", "Current password", "current-password"),
    ("new_password", "New password", "new-password"),
    ("confirm", "Confirm new password", "new-password"),
];

/// A refusal shown on the page: which field it belongs to (if any) and the sentence.
struct Refusal {
    field: Option<String>,
    text: String,
    forbidden: bool,
}

impl Refusal {
    /// "Mobile Number is not a phone number…" for invalid values; "Title: your
    /// organization does not allow…" for refusals (their text is not a predicate).
    fn sentence(&self, label: &str) -> String {
        let text = self.text.trim_end_matches('.');
        if self.forbidden { format!("{label}: {text}.") } else { format!("{label} {text}.") }
    }
}

impl Refusal {
    /// Invalid input names its fields (every one of them); a 403 from the profile rules
    /// starts with `key: `.
    fn of(e: &AppError) -> Option<Vec<Self>> {
        let one =
            |field: &String, text: &String| Self { field: Some(field.clone()), text: text.clone(), forbidden: false };
        Some(vec![match e {
            AppError::Invalid { field, message } => one(field, message),
            AppError::InvalidFields(all) => return Some(all.iter().map(|(f, m)| one(f, m)).collect()),
            AppError::FieldForbidden { field, reason } => {
                Self { field: Some(field.clone()), text: reason.clone(), forbidden: true }
            }
            AppError::Forbidden(m) => Self { field: None, text: m.clone(), forbidden: true },
            AppError::Stale(m) | AppError::Conflict(m) => Self { field: None, text: m.clone(), forbidden: false },
            _ => return None,
        }])
    }
}

/// The page for `v`; `typed` replaces stored values (a refused form keeps what was typed).
fn page(nav: Nav, v: &ProfileView, typed: Option<&BTreeMap<String, String>>, refusals: Vec<Refusal>) -> MyProfilePage {
    let (mut field_errors, mut picture_error, mut errors, mut password_errors) = (vec![], None, vec![], vec![]);
    for r in refusals {
        match r.field.as_deref() {
            Some("picture") => picture_error = Some(r.sentence("Profile Picture")),
            Some(k) if PASSWORD_INPUTS.iter().any(|(key, ..)| *key == k) => {
                let label = PASSWORD_INPUTS.iter().find(|(key, ..)| *key == k).map_or(k, |(_, l, _)| l);
                password_errors.push((k.to_owned(), r.sentence(label)));
            }
            Some(k) if v.fields.iter().any(|f| f.field.key() == k) => {
                field_errors.push((k.to_owned(), r.sentence(&crate::pages::field_label(k))));
            }
            Some(k) => errors.push(r.sentence(&crate::pages::field_label(k))),
            None => errors.push(r.text),
        }
    }
    let error = (!errors.is_empty()).then(|| errors.join(" "));
    let fields: Vec<FieldRow> = v
        .fields
        .iter()
        .filter(|f| f.field != ProfileField::Picture)
        .map(|f| {
            let key = f.field.key();
            let typed = typed.and_then(|t| t.get(key)).filter(|_| f.editable);
            FieldRow {
                key,
                label: f.field.label(),
                value: typed.cloned().or_else(|| f.value.clone()).unwrap_or_default(),
                editable: f.editable,
                error: field_errors.iter().find(|(k, _)| k == key).map(|(_, m)| m.clone()),
            }
        })
        .collect();
    MyProfilePage {
        csrf: nav.csrf.clone(),
        nav: Some(nav),
        notice: None,
        error,
        email: v.email.clone(),
        any_editable: fields.iter().any(|f| f.editable),
        fields,
        picture_at: v.picture_at,
        picture_editable: v.fields.iter().any(|f| f.field == ProfileField::Picture && f.editable),
        picture_error,
        sso: v.sso,
        password: PASSWORD_INPUTS
            .into_iter()
            .map(|(key, label, autocomplete)| PasswordInput {
                key,
                label,
                autocomplete,
                error: password_errors.iter().find(|(k, _)| k == key).map(|(_, m)| m.clone()),
            })
            .collect(),
    }
}

/// The page again (current values, `typed` ones kept) with the refusal beside its field,
/// under the refusal's status; the error page when the refusal is not one the page shows.
async fn refused(
    state: &AppState,
    me: &Principal,
    e: AppError,
    typed: Option<&BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(refusals) = Refusal::of(&e) else { return Err(e.into()) };
    let nav = Nav::load(me, HERE);
    let v = app::my_profile::mine(&state.ctx, me).await?;
    Ok((status_of(&e), page(nav, &v, typed, refusals)).into_response())
}

/// After a change: back to the page with `notice`, or the page with the refusal.
async fn answer(
    state: &AppState,
    me: &Principal,
    notice: &str,
    result: Result<(), AppError>,
    typed: Option<&BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{HERE}?notice={notice}")).into_response()),
        Err(e) => refused(state, me, e, typed).await,
    }
}

async fn show(Page { state, me, .. }: Mine, notice: Notice) -> Result<MyProfilePage, PageError> {
    let nav = Nav::load(&me, HERE);
    let notice = notice.pick(&[
        ("saved", "Profile saved."),
        ("picture", "Picture updated."),
        ("picture_removed", "Picture removed."),
        ("password", "Password changed. Your other sessions were signed out."),
    ]);
    let v = app::my_profile::mine(&state.ctx, &me).await?;
    Ok(MyProfilePage { notice, ..page(nav, &v, None, Vec::new()) })
}

/// Saves the submitted fields (every one but the token): the form offers only editable
/// ones, and the app refuses, by name, any other a crafted form may add.
async fn save(
    Page { state, me, .. }: Mine,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let result = if form.contains_key("email") {
        Err(AppError::invalid("email", "is read-only"))
    } else {
        app::my_profile::update_mine(&state.ctx, &me, app::Input::whole(form.clone())).await.map(|_| ())
    };
    answer(&state, &me, "saved", result, Some(&form)).await
}

/// The picture upload form: `csrf` and the file `picture`.
async fn upload_picture(Page { state, me, .. }: Mine, CsrfUpload(up): CsrfUpload) -> Result<Response, PageError> {
    let result = async {
        let (bytes, content_type) = crate::pages::upload::picture(&up)?;
        app::my_profile::set_my_picture(&state.ctx, &me, bytes, &content_type).await
    };
    answer(&state, &me, "picture", result.await, None).await
}

async fn remove_picture(Page { state, me, .. }: Mine, _: CsrfForm) -> Result<Response, PageError> {
    let result = app::my_profile::remove_my_picture(&state.ctx, &me).await;
    answer(&state, &me, "picture_removed", result, None).await
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    Page { state, me, .. }: Mine,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    // A typo in the new password is caught before the (slow) password check.
    let result = if form.new_password == form.confirm {
        app::my_profile::change_password(&state.ctx, &me, &form.current_password, &form.new_password).await
    } else {
        Err(AppError::invalid("confirm", "does not match the new password"))
    };
    answer(&state, &me, "password", result, None).await
}
