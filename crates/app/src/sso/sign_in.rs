//! Signing in through the account's OpenID provider: the authorization code flow with
//! PKCE, `state` and `nonce` (OpenID Connect Core 1.0 §3.1; RFC 7636), then the ID token's
//! checks (§3.1.3.7) and the match of its verified email to a user of the account.
//!
//! The rules `openidconnect` leaves to us:
//! - clock skew: [`domain::sso::CLOCK_SKEW_SECS`] both ways — `exp` may have passed that long
//!   ago and `iat` may lie that far ahead;
//! - `email_verified`: a JSON boolean or the string `"true"`/`"false"` (see
//!   [`domain::sso::check_verified`]);
//! - keys: a token signed with a key id we do not know refetches the provider's key set
//!   (rate-limited, see [`super::provider`]) and is checked once more;
//! - the issuer must equal the configured one exactly (discovery checks the document's
//!   `issuer`, the verifier the token's `iss`).

use super::provider::ProviderProblem;
use super::{SsoFailure, StateProblem, settings};
use crate::auth::{LoginOutcome, open_session};
use crate::{AppCtx, AppError, audit, clock, tokens};
use base64::Engine;
use domain::closed::AuditAction;
use domain::ids::{AccountId, UserId};
use domain::sso::{ClaimProblem, SsoSettings};
use domain::user::Email;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    SignatureVerificationError, TokenResponse,
};
use serde_json::{Value, json};

/// The client `from_provider_metadata` builds: authorization endpoint set, token and
/// userinfo endpoints as discovery published them.
type OidcClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// How long the provider has to send the person back.
const SIGN_IN_LIFETIME: clock::Micros = 10 * clock::MINUTE;

/// Where to send the browser to sign in to `account`: the provider's authorization
/// endpoint, with a fresh `state` (kept hashed), `nonce` and PKCE challenge. `next` is the
/// path to land on afterwards.
pub async fn begin(ctx: &AppCtx, account: AccountId, next: &str, public_url: &str) -> Result<String, SsoFailure> {
    let s = enabled_settings(ctx, account).await?;
    let metadata = ctx.sso.metadata(&s.issuer).await.map_err(|p| unreachable(&p))?;
    let client = client(&s, metadata, public_url)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = tokens::generate();
    let nonce = tokens::generate();
    let (state_arg, nonce_arg) = (state.clone(), nonce.clone());
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        move || CsrfToken::new(state_arg),
        move || Nonce::new(nonce_arg),
    );
    for scope in &s.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, _, _) = request.set_pkce_challenge(challenge).url();
    let now = clock::now();
    let pending = store::sso::NewSignIn {
        state_hash: tokens::hash(&state),
        account_id: account,
        nonce,
        pkce_verifier: verifier.secret().clone(),
        next_path: next.to_owned(),
        created_at: now,
        expires_at: now + SIGN_IN_LIFETIME,
    };
    store::sso::begin(&ctx.db, &pending).await.map_err(|e| SsoFailure::Internal(e.into()))?;
    Ok(url.to_string())
}

/// What the provider sent back to the redirect URI (RFC 6749 §4.1.2).
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The state this browser's sign-in cookie holds (set when the sign-in began): only
    /// the browser that started a sign-in may finish it.
    pub state_cookie: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub ip: String,
    pub user_agent: String,
    /// This site's public URL (the redirect URI sent again at the token endpoint must be
    /// the one the sign-in started with).
    pub public_url: String,
}

/// A completed SSO sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub outcome: LoginOutcome,
    /// Where to go now (the path the sign-in started from).
    pub next: String,
}

/// Completes a sign-in: checks the `state` against this browser's cookie and spends it,
/// exchanges the code (with the PKCE verifier), verifies the ID token, matches the user and
/// opens their session — or refuses, saying why ([`SsoFailure`]) and auditing it as
/// `login.failed` with `method: sso` in the account. A bad state
/// ([`SsoFailure::BadState`]) is audited in the account of the sign-in its state (or else
/// the cookie's) names, else in the installation's only account; with several accounts
/// and no sign-in to go by it is only logged. A state that is not this browser's is not
/// spent: the browser that started the sign-in can still finish it.
pub async fn complete(ctx: &AppCtx, cb: &Callback) -> Result<SignedIn, SsoFailure> {
    let given = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let (state, cookie) = (given(&cb.state), given(&cb.state_cookie));
    let Some(state) = state else {
        return Err(bad_state(ctx, cb, [cookie.as_deref(), None], StateProblem::Missing).await?);
    };
    if cookie.as_deref() != Some(state.as_str()) {
        let states = [Some(state.as_str()), cookie.as_deref()];
        return Err(bad_state(ctx, cb, states, StateProblem::NotThisBrowser).await?);
    }
    let Some(pending) = store::sso::take(&ctx.db, &tokens::hash(&state), clock::now()).await.map_err(AppError::from)?
    else {
        return Err(bad_state(ctx, cb, [Some(state.as_str()), None], StateProblem::UnknownExpiredOrUsed).await?);
    };
    let account = AccountId(pending.account_id);
    match finish(ctx, account, &pending, cb).await {
        Ok(done) => Ok(done),
        Err((user, failure)) => {
            if !matches!(failure, SsoFailure::Internal(_)) {
                refuse(ctx, account, user, &cb.ip, &failure).await?;
            }
            Err(failure)
        }
    }
}

/// Refuses a callback whose state failed `problem`, audited in the account of the first
/// sign-in (live, spent or expired) one of `states` names, else the installation's only
/// account (else only logged).
async fn bad_state(
    ctx: &AppCtx,
    cb: &Callback,
    states: [Option<&str>; 2],
    problem: StateProblem,
) -> Result<SsoFailure, SsoFailure> {
    let failure = SsoFailure::BadState(problem);
    let mut named = None;
    for state in states.into_iter().flatten() {
        named = store::sso::sign_in_account(&ctx.db, &tokens::hash(state)).await.map_err(AppError::from)?;
        if named.is_some() {
            break;
        }
    }
    let account = match named {
        Some(a) => Some(a),
        None if store::accounts::count_up_to(&ctx.db, 2).await.map_err(AppError::from)? == 1 => {
            store::accounts::first(&ctx.db).await.map_err(AppError::from)?.map(|a| AccountId(a.id))
        }
        None => None,
    };
    if let Some(account) = account {
        refuse(ctx, account, None, &cb.ip, &failure).await?;
    } else {
        tracing::warn!(ip = %cb.ip, detail = problem.detail(), "SSO callback with a bad state");
    }
    Ok(failure)
}

type Refusal = (Option<UserId>, SsoFailure);

async fn finish(
    ctx: &AppCtx,
    account: AccountId,
    pending: &store::sso::PendingSignIn,
    cb: &Callback,
) -> Result<SignedIn, Refusal> {
    let no_user = |f: SsoFailure| (None, f);
    if let Some(error) = cb.error.as_deref() {
        let description = cb.error_description.as_deref().unwrap_or_default();
        return Err(no_user(if error == "access_denied" {
            SsoFailure::Cancelled
        } else {
            SsoFailure::ProviderError(provider_text(&format!("{error} {description}")))
        }));
    }
    let code = cb
        .code
        .clone()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| no_user(SsoFailure::ProviderError("the provider sent no authorization code".into())))?;
    let s = enabled_settings(ctx, account).await.map_err(no_user)?;
    let metadata = ctx.sso.metadata(&s.issuer).await.map_err(|p| no_user(unreachable(&p)))?;
    let public_url = cb.public_url.as_str();
    let client = client(&s, metadata, public_url).map_err(no_user)?;
    let exchange = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| no_user(SsoFailure::ProviderError(e.to_string())))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()));
    let response = exchange.request_async(&ctx.sso.http).await.map_err(|e| no_user(token_failure(&e)))?;
    let id_token = response
        .id_token()
        .cloned()
        .ok_or_else(|| no_user(SsoFailure::TokenUnreadable("the token response has no id_token".into())))?;
    let nonce = Nonce::new(pending.nonce.clone());
    let verified = match verify(&client, &id_token, &nonce) {
        Err(SsoFailure::UnknownKey) => {
            let Some(fresh) = ctx.sso.refetch_keys(&s.issuer).await else {
                return Err(no_user(SsoFailure::BadSignature));
            };
            let client = self::client(&s, fresh, public_url).map_err(no_user)?;
            verify(&client, &id_token, &nonce).map_err(|f| match f {
                SsoFailure::UnknownKey => SsoFailure::BadSignature,
                other => other,
            })
        }
        other => other,
    }
    .map_err(no_user)?;
    let raw = raw_claims(&id_token).map_err(no_user)?;
    let email = email_of(&s, &raw).map_err(|p| no_user(SsoFailure::Claim(p)))?;
    domain::sso::check_verified(s.require_email_verified, &s.email_claim, verified.email_verified)
        .map_err(|p| no_user(SsoFailure::Claim(p)))?;
    let groups = raw.get(&s.mapping.claim).and_then(domain::sso::claim_values);
    let matched = super::users::match_user(ctx, account, &s, &email, &raw, groups.as_deref(), &cb.ip).await?;
    let outcome =
        open_session(ctx, matched.user, account, &matched.security, &cb.ip, &cb.user_agent, crate::auth::SSO_METHOD)
            .await
            .map_err(|e| (Some(matched.user), SsoFailure::Internal(e)))?;
    crate::metrics::sign_in(crate::metrics::SignIn::Succeeded);
    Ok(SignedIn { outcome, next: pending.next_path.clone() })
}

/// What the verifier extracted that we use.
struct Verified {
    email_verified: Option<bool>,
}

/// The ID token's signature, issuer, audience, expiry (with skew), `iat` and nonce.
fn verify(client: &OidcClient, token: &CoreIdToken, nonce: &Nonce) -> Result<Verified, SsoFailure> {
    let skew = domain::sso::CLOCK_SKEW_SECS;
    let verifier = client
        .id_token_verifier()
        .require_issuer_match(true)
        .require_audience_match(true)
        .set_time_fn(move || now_utc() - chrono::Duration::seconds(skew))
        .set_issue_time_verifier_fn(|iat| {
            let now = now_utc().timestamp();
            if domain::sso::issued_at_acceptable(iat.timestamp(), now) {
                Ok(())
            } else {
                Err(format!("issued in the future ({iat})"))
            }
        });
    let claims = token.claims(&verifier, nonce).map_err(|e| match e {
        ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey) => {
            SsoFailure::UnknownKey
        }
        ClaimsVerificationError::SignatureVerification(_) => SsoFailure::BadSignature,
        ClaimsVerificationError::InvalidAudience(_) => SsoFailure::WrongAudience,
        ClaimsVerificationError::Expired(why) => SsoFailure::Expired(why),
        ClaimsVerificationError::InvalidNonce(_) => SsoFailure::NonceMismatch,
        ClaimsVerificationError::InvalidIssuer(_) => SsoFailure::WrongIssuer,
        other => SsoFailure::TokenUnreadable(other.to_string()),
    })?;
    Ok(Verified { email_verified: claims.email_verified() })
}

fn now_utc() -> chrono::DateTime<chrono::Utc> {
    let us = clock::now();
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// The ID token's payload as JSON, read after the verifier accepted that very payload
/// (for the configured email claim and the mapping's claim, which may be any claim).
fn raw_claims(token: &CoreIdToken) -> Result<Value, SsoFailure> {
    let compact = token.to_string();
    let payload = compact.split('.').nth(1).unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| SsoFailure::TokenUnreadable(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| SsoFailure::TokenUnreadable(e.to_string()))
}

/// The email in the configured claim, or which claim is missing or not an address.
fn email_of(s: &SsoSettings, raw: &Value) -> Result<Email, ClaimProblem> {
    let claim = s.email_claim.clone();
    let Some(text) = raw.get(&claim).and_then(Value::as_str) else {
        return Err(ClaimProblem::MissingEmail { claim });
    };
    Email::try_from(text).map_err(|_| ClaimProblem::BadEmail { claim })
}

/// The account's settings while SSO is on.
async fn enabled_settings(ctx: &AppCtx, account: AccountId) -> Result<SsoSettings, SsoFailure> {
    let on = store::password_reset::sso_enabled(&ctx.db, account).await.map_err(AppError::from)?;
    if !on {
        return Err(SsoFailure::NotEnabled);
    }
    Ok(settings::stored(ctx, account).await?)
}

fn client(s: &SsoSettings, metadata: CoreProviderMetadata, public_url: &str) -> Result<OidcClient, SsoFailure> {
    let redirect = RedirectUrl::new(settings::redirect_uri(public_url))
        .map_err(|e| SsoFailure::Internal(AppError::Internal(format!("redirect URI: {e}"))))?;
    let secret = Some(s.client_secret.clone()).filter(|c| !c.is_empty()).map(ClientSecret::new);
    Ok(CoreClient::from_provider_metadata(metadata, ClientId::new(s.client_id.clone()), secret)
        .set_redirect_uri(redirect))
}

/// The most characters of the provider's own words (`error_description`, a token
/// endpoint's error) a page and the audit log repeat.
pub const PROVIDER_TEXT_MAX: usize = 200;

/// Text the provider sent, as we repeat it: control characters as spaces, whitespace runs
/// as one, at most [`PROVIDER_TEXT_MAX`] characters (an ellipsis marks a cut). Pages escape
/// it as any text.
fn provider_text(raw: &str) -> String {
    let flat = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>();
    let words = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.chars().count() <= PROVIDER_TEXT_MAX {
        return words;
    }
    let mut cut: String = words.chars().take(PROVIDER_TEXT_MAX - 1).collect();
    cut.push('…');
    cut
}

fn unreachable(p: &ProviderProblem) -> SsoFailure {
    SsoFailure::Unreachable(p.0.clone())
}

fn token_failure<RE: std::error::Error + 'static, T: openidconnect::ErrorResponse + 'static>(
    e: &RequestTokenError<RE, T>,
) -> SsoFailure {
    match e {
        RequestTokenError::Request(r) => SsoFailure::Unreachable(format!("the token endpoint did not answer: {r}")),
        RequestTokenError::ServerResponse(r) => {
            SsoFailure::ProviderError(provider_text(&format!("the token endpoint refused: {r}")))
        }
        RequestTokenError::Parse(p, _) => SsoFailure::TokenUnreadable(format!(
            "the token endpoint's answer is not a token response (at {})",
            p.path()
        )),
        RequestTokenError::Other(o) => SsoFailure::ProviderError(provider_text(o)),
    }
}

/// Records a refused SSO sign-in in `account`.
async fn refuse(
    ctx: &AppCtx,
    account: AccountId,
    user: Option<UserId>,
    ip: &str,
    failure: &SsoFailure,
) -> Result<(), SsoFailure> {
    let details = json!({"method": "sso", "reason": failure.reason(), "detail": failure.detail()});
    let event = audit::unattended(account, AuditAction::LoginFailed, user, ip, details);
    audit::record(ctx, &event).await?;
    crate::metrics::sign_in(crate::metrics::SignIn::Failed);
    Ok(())
}

/// An account whose users sign in through its provider, as the sign-in page offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoEntry {
    pub account: AccountId,
    pub slug: String,
    /// The name on the button.
    pub provider: String,
}

/// The account the sign-in page is for — the one `slug` names, else the installation's
/// only account — when it uses SSO; `None` otherwise (the page offers passwords).
pub async fn entry(ctx: &AppCtx, slug: Option<&str>) -> Result<Option<SsoEntry>, AppError> {
    let account = match slug.filter(|s| !s.is_empty()) {
        Some(slug) => store::accounts::by_slug(&ctx.db, slug).await?,
        None if store::accounts::count_up_to(&ctx.db, 2).await? == 1 => store::accounts::first(&ctx.db).await?,
        None => None,
    };
    let Some(a) = account else { return Ok(None) };
    let id = AccountId(a.id);
    if !store::password_reset::sso_enabled(&ctx.db, id).await? {
        return Ok(None);
    }
    let s = settings::stored(ctx, id).await?;
    Ok(Some(SsoEntry { account: id, slug: a.slug, provider: s.display_name().to_owned() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_providers_words_are_bounded_and_on_one_line() {
        assert_eq!(provider_text("invalid_request  bad\r\n<b>x</b>"), "invalid_request bad <b>x</b>");
        let long = provider_text(&"a".repeat(5000));
        assert_eq!(long.chars().count(), PROVIDER_TEXT_MAX);
        assert!(long.ends_with('…'));
    }
}
