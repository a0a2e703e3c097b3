//! Security → Single sign-on: reading and saving the provider settings, the connection
//! test, and the switch (which the test gates). Audited as `settings.sso.changed` (old and
//! new values, the secret never: only whether it changed) and `settings.sso.tested`.

use crate::audit;
use crate::authz::SsoSettingsAccess;
use crate::{AppCtx, AppError, Input, clock};
use domain::closed::AuditAction;
use domain::ids::AccountId;
use domain::role::AdminRole;
use domain::sso::{AttributeMapping, SsoSettings};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The path the provider redirects back to (register `{public URL}/sso/callback`).
pub const CALLBACK_PATH: &str = "/sso/callback";

/// The redirect URI to register at the provider.
pub fn redirect_uri(public_url: &str) -> String {
    format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/'))
}

/// The account's SSO settings as an admin sees them.
#[derive(Debug, Clone)]
pub struct SsoView {
    pub enabled: bool,
    /// The settings with the client secret blanked.
    pub settings: SsoSettings,
    pub client_secret_set: bool,
    /// Whether the connection test passed for the current issuer and client id.
    pub connection_tested: bool,
    pub redirect_uri: String,
    /// Why the viewer may not change the trust settings (`None`: they may); pages show
    /// those fields read-only with it ([`crate::authz::TRUST_REASON`]).
    pub trust_refusal: Option<&'static str>,
}

/// Whether `account` uses SSO (pages show password steps disabled with the reason then).
pub async fn is_on(ctx: &AppCtx, account: AccountId) -> Result<bool, AppError> {
    Ok(store::password_reset::sso_enabled(&ctx.db, account).await?)
}

/// The stored provider settings (defaults when never saved; an unreadable document is
/// logged and read as the defaults, which cannot sign anyone in).
pub async fn stored(ctx: &AppCtx, account: AccountId) -> Result<SsoSettings, AppError> {
    Ok(stored_raw(ctx, account).await?.1)
}

/// [`stored`] with the stored document as read (`None`: never saved), which a save
/// compares before it writes.
async fn stored_raw(ctx: &AppCtx, account: AccountId) -> Result<(Option<String>, SsoSettings), AppError> {
    let raw = store::settings::get(&ctx.db, account, store::sso::SETTINGS_KEY).await?;
    let settings = match raw.as_deref().map(serde_json::from_str::<SsoSettings>) {
        None => SsoSettings::default(),
        Some(Ok(s)) => s,
        Some(Err(e)) => {
            tracing::error!(error = %e, "stored SSO settings are unreadable; using defaults");
            SsoSettings::default()
        }
    };
    Ok((raw, settings))
}

fn fingerprint(s: &SsoSettings) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(s.connection_fingerprint().as_bytes()))
}

async fn tested(ctx: &AppCtx, account: AccountId, s: &SsoSettings) -> Result<bool, AppError> {
    let raw = store::settings::get(&ctx.db, account, store::sso::TESTED_KEY).await?;
    let passed = raw.and_then(|r| serde_json::from_str::<Value>(&r).ok());
    Ok(passed.is_some_and(|v| v["fingerprint"] == fingerprint(s).as_str()))
}

/// The settings, the switch and the redirect URI.
pub async fn view(ctx: &AppCtx, access: &SsoSettingsAccess, public_url: &str) -> Result<SsoView, AppError> {
    let account = access.may.account;
    let settings = stored(ctx, account).await?;
    let enabled = store::password_reset::sso_enabled(&ctx.db, account).await?;
    let connection_tested = tested(ctx, account, &settings).await?;
    let client_secret_set = !settings.client_secret.is_empty();
    let settings = SsoSettings { client_secret: String::new(), ..settings };
    Ok(SsoView {
        enabled,
        settings,
        client_secret_set,
        connection_tested,
        redirect_uri: redirect_uri(public_url),
        trust_refusal: access.trust_refusal(),
    })
}

/// What an admin saves: the settings, the switch, and a new client secret or `None` to keep
/// the stored one.
#[derive(Debug, Clone)]
pub struct SsoUpdate {
    pub enabled: bool,
    pub settings: SsoSettings,
    pub client_secret: Option<String>,
}

/// Validates and saves the settings and the switch together. First what the holder may
/// not change (403 naming every such field, [`crate::authz::SsoSettingsAccess`]): a trust
/// setting changed by anyone but the Primary Master Admin (any client secret sent by
/// anyone else, whatever its value), a changed mapping handing out more than the holder
/// may grant — judged on the fields that could be read. Then every bad field at once
/// (400): those of `change` that went unread with every value refused; switching on (or
/// staying on) needs every required field and a passed connection test for this issuer
/// and client id (else 400 naming `enabled`). Saving what is stored writes nothing. A changed mapping records its
/// saver, whose authority it acts with at sign-ins. 409 when the settings or the switch
/// changed since they were read (nothing written: a save never undoes another).
pub async fn update(
    ctx: &AppCtx,
    access: &SsoSettingsAccess,
    change: Input<SsoUpdate>,
    public_url: &str,
) -> Result<SsoView, AppError> {
    let (change, mut problems) = change.open();
    let account = access.may.account;
    let (raw, old) = stored_raw(ctx, account).await?;
    let was_on = store::password_reset::sso_enabled(&ctx.db, account).await?;
    let secret_sent = change.client_secret.is_some();
    let mut new = change.settings;
    new.client_secret = change.client_secret.unwrap_or_else(|| old.client_secret.clone());
    new.issuer = new.issuer.trim().to_owned();
    new.client_id = new.client_id.trim().to_owned();
    new.provider_name = new.provider_name.trim().to_owned();
    new.mapping = new.mapping.normalized();
    new.mapping_saved_by = if new.mapping == old.mapping { old.mapping_saved_by } else { Some(access.may.actor.user) };
    let mut refused = access.check_trust(&old, was_on, &new, change.enabled, secret_sent);
    let judged = changed_mapping(&old.mapping, &new.mapping);
    if !judged.is_empty() {
        let roles = roles_named(ctx, account, &judged).await?;
        let workspace = store::sso::default_workspace(&ctx.db, account).await?;
        refused.extend(access.check_mapping(&judged, &roles, workspace));
    }
    // An unread field holds a stand-in, not a change the holder asked for: it is named as
    // unreadable below, never as forbidden.
    refused.retain(|(field, _)| !problems.has(field));
    AppError::none_forbidden(refused)?;
    for (field, why) in new.problems(ctx.sso.urls()) {
        problems.refuse(field, why);
    }
    if change.enabled && problems.is_empty() {
        let missing = new.missing();
        if missing.is_empty() && !tested(ctx, account, &new).await? {
            problems.refuse(
                "enabled",
                "single sign-on can be on only after Test connection passes for this issuer and client id",
            );
        }
        for (field, why) in missing {
            problems.refuse(field, why);
        }
    }
    problems.finish()?;
    if new == old && change.enabled == was_on {
        return view(ctx, access, public_url).await;
    }
    let shown = |s: &SsoSettings, on: bool| {
        let mut v = serde_json::to_value(SsoSettings { client_secret: String::new(), ..s.clone() }).unwrap_or_default();
        v["enabled"] = json!(on);
        v.as_object_mut().map(|o| o.remove("client_secret"));
        v
    };
    let details = json!({
        "old": shown(&old, was_on),
        "new": shown(&new, change.enabled),
        "client_secret_changed": new.client_secret != old.client_secret,
    });
    let event = audit::by(&access.may.actor, AuditAction::SsoSettingsChanged, None, details);
    let doc = serde_json::to_string(&new).map_err(|e| AppError::Internal(e.to_string()))?;
    let seen = store::sso::Seen { doc: raw.as_deref(), enabled: was_on };
    if !store::sso::save_settings(&ctx.db, account, seen, &doc, change.enabled, clock::now(), &event).await? {
        return Err(AppError::Conflict(
            "the single sign-on settings changed since you read them: reload them and save again".into(),
        ));
    }
    view(ctx, access, public_url).await
}

/// The part of `new` a save must judge: all of it when the mode or claim changed (they
/// change what every entry does), else only the maps that changed.
fn changed_mapping(old: &AttributeMapping, new: &AttributeMapping) -> AttributeMapping {
    let all = old.mode != new.mode || old.claim != new.claim;
    fn judged<T: Clone + PartialEq + Default>(all: bool, old: &T, new: &T) -> T {
        if all || old != new { new.clone() } else { T::default() }
    }
    AttributeMapping {
        mode: new.mode,
        claim: new.claim.clone(),
        groups: judged(all, &old.groups, &new.groups),
        admin_roles: judged(all, &old.admin_roles, &new.admin_roles),
        builder_access: judged(all, &old.builder_access, &new.builder_access),
    }
}

/// The account's admin roles that `mapping` names, with what each grants.
async fn roles_named(
    ctx: &AppCtx,
    account: AccountId,
    mapping: &AttributeMapping,
) -> Result<Vec<(String, AdminRole)>, AppError> {
    // One statement reads every role with its permissions and scope.
    Ok(store::roles::list(&ctx.db, account)
        .await?
        .into_iter()
        .filter(|r| mapping.admin_roles.values().any(|n| domain::sso::same_name(n, &r.record.name)))
        .map(|r| {
            let role = crate::roles::role_of(&r.record);
            (r.record.name, role)
        })
        .collect())
}

/// The names of the account's admin roles the holder may map (one they may grant,
/// [`SsoSettingsAccess::may_map_role`]): the choices the mapping editor offers. One
/// statement.
pub async fn mappable_roles(ctx: &AppCtx, access: &SsoSettingsAccess) -> Result<Vec<String>, AppError> {
    Ok(store::roles::list(&ctx.db, access.may.account)
        .await?
        .into_iter()
        .filter(|r| access.may_map_role(&crate::roles::role_of(&r.record)))
        .map(|r| r.record.name)
        .collect())
}

/// What Test connection found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    pub ok: bool,
    /// What failed, exactly (or what was found).
    pub message: String,
}

/// Fetches the provider's discovery document and keys for the stored settings and says
/// exactly what failed; a pass is remembered for this issuer and client id (the switch
/// needs it). 400 naming each required field still empty. Any `settings.manage` holder may
/// test: it fetches only what the trust settings (the Primary Master Admin's) name.
pub async fn test_connection(ctx: &AppCtx, access: &SsoSettingsAccess) -> Result<ConnectionReport, AppError> {
    let may = &access.may;
    let s = stored(ctx, may.account).await?;
    AppError::all_of(s.missing().into_iter().filter(|(f, _)| f != "provider_name").collect())?;
    let report = match ctx.sso.discover(&s.issuer).await {
        Ok(m) => ConnectionReport {
            ok: true,
            message: format!(
                "Connected: the issuer {} publishes its OpenID configuration and {} signing key(s).",
                m.issuer().as_str(),
                m.jwks().keys().len()
            ),
        },
        Err(p) => ConnectionReport { ok: false, message: p.0 },
    };
    let details = json!({"ok": report.ok, "message": report.message, "issuer": s.issuer});
    let event = audit::by(&may.actor, AuditAction::SsoConnectionTested, None, details);
    if report.ok {
        let value = json!({"fingerprint": fingerprint(&s)}).to_string();
        store::settings::put(&ctx.db, may.account, store::sso::TESTED_KEY, &value, clock::now(), &event).await?;
    } else {
        audit::record(ctx, &event).await?;
    }
    Ok(report)
}

/// What an invitation says while the account uses SSO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoInvitation {
    /// The provider's name ("Okta").
    pub provider: String,
    /// The sign-in page of the account (`/login?account=…`).
    pub login_url: String,
}

/// `opts` with [`crate::invitations::InviteOptions::sso`] set when `account` uses SSO.
pub async fn for_invitations(
    ctx: &AppCtx,
    account: AccountId,
    opts: &crate::invitations::InviteOptions,
) -> Result<crate::invitations::InviteOptions, AppError> {
    let mut opts = opts.clone();
    opts.sso = None;
    if store::password_reset::sso_enabled(&ctx.db, account).await? {
        let s = stored(ctx, account).await?;
        let slug = store::sso::account_slug(&ctx.db, account).await?.unwrap_or_default();
        opts.sso = Some(SsoInvitation {
            provider: s.display_name().to_owned(),
            login_url: format!("{}/login?account={slug}", opts.public_url),
        });
    }
    Ok(opts)
}
