//! `/admin/settings/security`: lockout, session lifetimes and the password policy.
//! Invalid values re-render the form (400) with the message beside the field.

use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::extract::Page;
use crate::pages::Nav;
use crate::pages::notice::Notice;
use crate::routes::{Routes, get};
use app::Input;
use app::authz::{InAccount, SettingsManage};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::security::SecuritySettings;
use serde::Deserialize;

const HERE: &str = "/admin/settings/security";

pub fn routes() -> Routes {
    Routes::new().route(HERE, get(show).post(save))
}

/// One number input of the form.
struct Field {
    /// The name in `SecuritySettings` (and in errors), e.g. `password.min_length`.
    name: &'static str,
    /// The HTML id and form name.
    id: &'static str,
    label: &'static str,
    unit: &'static str,
    help: &'static str,
    min: u32,
    value: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
struct SettingsPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<&'static str>,
    lockout: Vec<Field>,
    sessions: Vec<Field>,
    password: Vec<Field>,
    reject_common: bool,
    error: Option<String>,
}

/// The form as submitted: every value a string, so a bad number gets its own message.
#[derive(Deserialize, Default)]
struct SettingsForm {
    #[serde(default)]
    max_login_attempts: String,
    #[serde(default)]
    lockout_minutes: String,
    #[serde(default)]
    idle_timeout_minutes: String,
    #[serde(default)]
    absolute_lifetime_hours: String,
    #[serde(default)]
    password_min_length: String,
    #[serde(default)]
    password_min_classes: String,
    #[serde(default)]
    password_history: String,
    password_reject_common: Option<String>,
}

impl SettingsForm {
    fn of(s: &SecuritySettings) -> Self {
        Self {
            max_login_attempts: s.max_login_attempts.to_string(),
            lockout_minutes: s.lockout_minutes.to_string(),
            idle_timeout_minutes: s.idle_timeout_minutes.to_string(),
            absolute_lifetime_hours: s.absolute_lifetime_hours.to_string(),
            password_min_length: s.password.min_length.to_string(),
            password_min_classes: s.password.min_classes.to_string(),
            password_history: s.password.history.to_string(),
            password_reject_common: s.password.reject_common.then(|| "on".to_owned()),
        }
    }

    /// The settings, 0 standing in for each field that is not a whole number, and those
    /// fields: the use case names them with every value out of its range.
    fn parse(&self) -> Input<SecuritySettings> {
        let mut unreadable = Vec::new();
        let mut num = |name: &str, v: &str| {
            v.trim().parse::<u32>().unwrap_or_else(|_| {
                unreadable.push((name.to_owned(), "must be a whole number (0 or more)".to_owned()));
                0
            })
        };
        let mut s = SecuritySettings {
            max_login_attempts: num("max_login_attempts", &self.max_login_attempts),
            lockout_minutes: num("lockout_minutes", &self.lockout_minutes),
            idle_timeout_minutes: num("idle_timeout_minutes", &self.idle_timeout_minutes),
            absolute_lifetime_hours: num("absolute_lifetime_hours", &self.absolute_lifetime_hours),
            ..SecuritySettings::default()
        };
        s.password.min_length = num("password.min_length", &self.password_min_length);
        s.password.min_classes = num("password.min_classes", &self.password_min_classes);
        s.password.history = num("password.history", &self.password_history);
        s.password.reject_common = self.password_reject_common.is_some();
        Input::read(s, unreadable)
    }
}

/// The page for `form`, with each of `errors` (field, message) beside its field.
fn page(nav: Nav, form: &SettingsForm, errors: &[(String, String)], notice: Option<&'static str>) -> SettingsPage {
    let field = |name, id, label, unit, help, min, value: &String| Field {
        name,
        id,
        label,
        unit,
        help,
        min,
        value: value.clone(),
        error: errors.iter().find(|(f, _)| f == name).map(|(_, m)| format!("{label} {m}.")),
    };
    let known = [
        "max_login_attempts",
        "lockout_minutes",
        "idle_timeout_minutes",
        "absolute_lifetime_hours",
        "password.min_length",
        "password.min_classes",
        "password.history",
    ];
    SettingsPage {
        csrf: nav.csrf.clone(),
        nav: Some(nav),
        notice,
        lockout: vec![
            field(
                "max_login_attempts",
                "max_login_attempts",
                "Maximum login attempts",
                "attempts",
                "Consecutive failed sign-ins that lock a user (1–100).",
                1,
                &form.max_login_attempts,
            ),
            field(
                "lockout_minutes",
                "lockout_minutes",
                "Lockout duration",
                "minutes",
                "How long a locked user stays locked. 0 = until an admin unlocks them.",
                0,
                &form.lockout_minutes,
            ),
        ],
        sessions: vec![
            field(
                "idle_timeout_minutes",
                "idle_timeout_minutes",
                "Idle timeout",
                "minutes",
                "A session without requests for this long ends. At most the absolute lifetime.",
                1,
                &form.idle_timeout_minutes,
            ),
            field(
                "absolute_lifetime_hours",
                "absolute_lifetime_hours",
                "Absolute lifetime",
                "hours",
                "A session ends this long after sign-in, whatever its activity.",
                1,
                &form.absolute_lifetime_hours,
            ),
        ],
        password: vec![
            field(
                "password.min_length",
                "password_min_length",
                "Minimum length",
                "characters",
                "Between 8 and 128.",
                8,
                &form.password_min_length,
            ),
            field(
                "password.min_classes",
                "password_min_classes",
                "Character types",
                "of 4",
                "How many of lower case, upper case, digits and symbols a password must mix.",
                1,
                &form.password_min_classes,
            ),
            field(
                "password.history",
                "password_history",
                "Password history",
                "passwords",
                "A new password may not repeat any of the last N. 0 = no history.",
                0,
                &form.password_history,
            ),
        ],
        reject_common: form.password_reject_common.is_some(),
        error: errors
            .iter()
            .filter(|(f, _)| !known.contains(&f.as_str()))
            .map(|(f, m)| format!("{f} {m}."))
            .reduce(|a, b| format!("{a} {b}")),
    }
}

/// A request of the security settings page: the viewer may manage the account's settings.
type On = Page<InAccount<SettingsManage>>;

async fn show(Page { state, me, may }: On, notice: Notice) -> Result<SettingsPage, PageError> {
    let nav = Nav::load(&me, HERE);
    let current = app::settings::read_security(&state.ctx, &may).await?;
    let notice = notice.pick(&[("saved", "Security settings saved.")]);
    Ok(page(nav, &SettingsForm::of(&current), &[], notice))
}

async fn save(Page { state, me, may }: On, CsrfForm(form): CsrfForm<SettingsForm>) -> Result<Response, PageError> {
    match app::settings::update_security(&state.ctx, &may, form.parse()).await {
        Ok(_) => Ok(Redirect::to(&format!("{HERE}?notice=saved")).into_response()),
        Err(e) => match e.into_fields() {
            Ok(errors) => {
                let nav = Nav::load(&me, HERE);
                Ok((StatusCode::BAD_REQUEST, page(nav, &form, &errors, None)).into_response())
            }
            Err(e) => Err(e.into()),
        },
    }
}
