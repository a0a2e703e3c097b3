//! Security → Single sign-on (`/admin/settings/sso`): the OpenID provider settings, the
//! attribute mapping (its editor: [`super::sso_mapping`]), Test connection (`POST …/test`) and the switch. The client secret is
//! write-only (blank keeps it). Every bad field is named at once (400), and every field the
//! admin may not set (403), each beside its field; nothing saved. The trust settings are
//! shown read-only, with the reason, to everyone `authz` does not let change them
//! ([`app::authz::TRUST_REASON`]).

use super::sso_mapping::{Editor, MappingRows, Maps};
use crate::csrf::CsrfForm;
use crate::error::PageError;
use crate::extract::PageUser;
use crate::pages::Nav;
use crate::pages::notice::Notice;
use crate::routes::{Routes, get, post};
use crate::state::AppState;
use app::AppError;
use app::authz::SsoSettingsAccess;
use app::sso::settings::{SsoUpdate, SsoView};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::sso::{AttributeMapping, MappingMode, SsoSettings};
use domain::user::BuilderAccess;
use serde::Deserialize;

const HERE: &str = "/admin/settings/sso";

pub fn routes() -> Routes {
    Routes::new().route(HERE, get(show).post(save)).route("/admin/settings/sso/test", post(test))
}

#[derive(Template, WebTemplate)]
#[template(path = "sso_settings.html")]
struct SsoPage {
    nav: Option<Nav>,
    csrf: String,
    notice: Option<String>,
    form: SsoForm,
    full_sync: bool,
    client_secret_set: bool,
    connection_tested: bool,
    redirect_uri: String,
    /// Why the trust settings are read-only for this admin (`None`: they may change them).
    trust_refusal: Option<&'static str>,
    /// `(field, message)` of every bad or refused field (mapping rows named by row).
    errors: Vec<(String, String)>,
    /// The attribute mapping's editors: groups, admin roles, Bot Builder access.
    editors: Vec<Editor>,
}

impl SsoPage {
    /// The message for `field`, shown beside it.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

/// The form as submitted: text fields, checkboxes present or not, and the mapping's rows
/// ([`MappingRows`]).
#[derive(Deserialize, Default, Clone)]
struct SsoForm {
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    scopes: String,
    #[serde(default)]
    email_claim: String,
    #[serde(default)]
    require_email_verified: Option<String>,
    #[serde(default)]
    provider_name: String,
    #[serde(default)]
    create_users: Option<String>,
    #[serde(default)]
    mapping_mode: String,
    #[serde(default)]
    mapping_claim: String,
    #[serde(flatten)]
    rows: MappingRows,
}

impl SsoForm {
    fn of(v: &SsoView) -> Self {
        let s = &v.settings;
        let on = |b: bool| b.then(|| "on".to_owned());
        Self {
            enabled: on(v.enabled),
            issuer: s.issuer.clone(),
            client_id: s.client_id.clone(),
            client_secret: String::new(),
            scopes: s.scopes.join(" "),
            email_claim: s.email_claim.clone(),
            require_email_verified: on(s.require_email_verified),
            provider_name: s.provider_name.clone(),
            create_users: on(s.create_users),
            mapping_mode: if s.mapping.mode == MappingMode::FullSync { "full_sync" } else { "inclusion_only" }.into(),
            mapping_claim: s.mapping.claim.clone(),
            rows: MappingRows::default(),
        }
    }

    /// `self` with the read-only trust fields of `stored` (disabled inputs are not sent).
    fn with_trust_of(self, stored: Self) -> Self {
        Self {
            enabled: stored.enabled,
            issuer: stored.issuer,
            client_id: stored.client_id,
            email_claim: stored.email_claim,
            require_email_verified: stored.require_email_verified,
            create_users: stored.create_users,
            ..self
        }
    }

    /// The update from the settings and the mapping's rows `maps`, or every field and row
    /// that cannot be read.
    fn parse(&self, maps: &Maps) -> Result<SsoUpdate, AppError> {
        let (groups, admin_roles, builder_access) = maps.parse().map_err(AppError::InvalidFields)?;
        let settings = SsoSettings {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: String::new(),
            scopes: self.scopes.split_whitespace().map(str::to_owned).collect(),
            email_claim: self.email_claim.trim().to_owned(),
            require_email_verified: self.require_email_verified.is_some(),
            provider_name: self.provider_name.clone(),
            create_users: self.create_users.is_some(),
            mapping: AttributeMapping {
                mode: if self.mapping_mode == "full_sync" { MappingMode::FullSync } else { MappingMode::InclusionOnly },
                claim: self.mapping_claim.trim().to_owned(),
                groups,
                admin_roles,
                builder_access,
            },
            mapping_saved_by: None,
        };
        let secret = Some(self.client_secret.clone()).filter(|s| !s.is_empty());
        Ok(SsoUpdate { enabled: self.enabled.is_some(), settings, client_secret: secret })
    }
}

/// What the page shows besides the form: the mapping's rows and the choices the viewer has.
struct Mapping {
    maps: Maps,
    /// The admin role names the viewer may map.
    roles: Vec<String>,
    levels: Vec<BuilderAccess>,
}

impl Mapping {
    async fn load(state: &AppState, may: &SsoSettingsAccess, maps: Maps) -> Result<Self, AppError> {
        let roles = app::sso::settings::mappable_roles(&state.ctx, may).await?;
        Ok(Self { maps, roles, levels: may.mappable_levels() })
    }
}

fn page(
    nav: Nav,
    v: &SsoView,
    form: SsoForm,
    mapping: &Mapping,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> SsoPage {
    let errors = mapping.maps.row_names(errors);
    SsoPage {
        csrf: nav.csrf.clone(),
        nav: Some(nav),
        notice,
        full_sync: form.mapping_mode == "full_sync",
        form,
        client_secret_set: v.client_secret_set,
        connection_tested: v.connection_tested,
        redirect_uri: v.redirect_uri.clone(),
        trust_refusal: v.trust_refusal,
        editors: mapping.maps.editors(&errors, &mapping.roles, &mapping.levels),
        errors,
    }
}

async fn show(State(state): State<AppState>, PageUser(me): PageUser, notice: Notice) -> Result<SsoPage, PageError> {
    let nav = Nav::load(&me, HERE);
    let may = app::authz::sso_settings(&state.ctx, &me).await?;
    let v = app::sso::settings::view(&state.ctx, &may, &state.public_url).await?;
    let notice = notice.pick(&[("saved", "Single sign-on settings saved.")]).map(str::to_owned);
    let mapping = Mapping::load(&state, &may, Maps::of(&v.settings.mapping)).await?;
    Ok(page(nav, &v, SsoForm::of(&v), &mapping, Vec::new(), notice))
}

async fn save(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(form): CsrfForm<SsoForm>,
) -> Result<Response, PageError> {
    let may = app::authz::sso_settings(&state.ctx, &me).await?;
    let v = app::sso::settings::view(&state.ctx, &may, &state.public_url).await?;
    let maps = Maps::sent(&form.rows);
    let saved = async {
        let mut change = form.parse(&maps)?;
        if v.trust_refusal.is_some() {
            // The read-only fields are not in the form: what is stored stays.
            change.settings = change.settings.with_trust_of(&v.settings);
            (change.enabled, change.client_secret) = (v.enabled, None);
        }
        app::sso::settings::update(&state.ctx, &may, app::Input::whole(change), &state.public_url).await
    };
    let (status, errors) = match saved.await {
        Ok(_) => return Ok(Redirect::to(&format!("{HERE}?notice=saved")).into_response()),
        Err(AppError::Invalid { field, message }) => (StatusCode::BAD_REQUEST, vec![(field, message)]),
        Err(AppError::InvalidFields(all)) => (StatusCode::BAD_REQUEST, all),
        Err(AppError::ForbiddenFields(all)) => (StatusCode::FORBIDDEN, all),
        Err(e) => return Err(e.into()),
    };
    let form = if v.trust_refusal.is_some() { form.with_trust_of(SsoForm::of(&v)) } else { form };
    let nav = Nav::load(&me, HERE);
    let mapping = Mapping::load(&state, &may, maps).await?;
    Ok((status, page(nav, &v, form, &mapping, errors, None)).into_response())
}

async fn test(State(state): State<AppState>, PageUser(me): PageUser, _: CsrfForm) -> Result<Response, PageError> {
    let may = app::authz::sso_settings(&state.ctx, &me).await?;
    let nav = Nav::load(&me, HERE);
    let (errors, notice) = match app::sso::settings::test_connection(&state.ctx, &may).await {
        Ok(r) if r.ok => (Vec::new(), r.message),
        Ok(r) => (vec![("connection".to_owned(), r.message)], "Test connection failed.".to_owned()),
        Err(AppError::Invalid { field, message }) => (vec![(field, message)], "Save the settings first.".to_owned()),
        Err(AppError::InvalidFields(all)) => (all, "Save the settings first.".to_owned()),
        Err(e) => return Err(e.into()),
    };
    let v = app::sso::settings::view(&state.ctx, &may, &state.public_url).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let mapping = Mapping::load(&state, &may, Maps::of(&v.settings.mapping)).await?;
    Ok((status, page(nav, &v, SsoForm::of(&v), &mapping, errors, Some(notice))).into_response())
}
