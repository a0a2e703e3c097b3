//! The session cookie: HttpOnly, SameSite=Lax, Secure over https.

use axum_extra::extract::cookie::{Cookie, SameSite};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "roster_session";

/// A cookie carrying a new session's token.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token)).http_only(true).secure(secure).same_site(SameSite::Lax).path("/").build()
}

/// A cookie that removes the session cookie.
pub fn cleared_cookie() -> Cookie<'static> {
    let mut c = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    c.make_removal();
    c
}
