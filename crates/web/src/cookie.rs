//! The session cookie: HttpOnly, SameSite=Lax, Secure over https.

use axum_extra::extract::cookie::{Cookie, SameSite};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "roster_session";

/// A cookie carrying a new session's token.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token)).http_only(true).secure(secure).same_site(SameSite::Lax).path("/").build()
}

/// The cookie binding an SSO sign-in to the browser that started it: it holds the sign-in's
/// `state`, and the callback accepts a `state` only from the browser holding it (RFC 6749
/// §10.12: otherwise an attacker's callback URL would sign a victim in as the attacker).
pub const SSO_STATE_COOKIE: &str = "roster_sso_state";

/// [`SSO_STATE_COOKIE`] for `state`: sent only to the callback, for the sign-in's 10 minutes.
/// `SameSite=Lax` still sends it on the provider's top-level redirect back.
pub fn sso_state_cookie(state: String, secure: bool, callback_path: &'static str) -> Cookie<'static> {
    Cookie::build((SSO_STATE_COOKIE, state))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .path(callback_path)
        .max_age(time::Duration::minutes(10))
        .build()
}

/// A cookie that removes the session cookie.
pub fn cleared_cookie() -> Cookie<'static> {
    let mut c = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    c.make_removal();
    c
}
