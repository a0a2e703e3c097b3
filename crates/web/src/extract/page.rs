//! `Page<C>`: a page request by a signed-in viewer, carrying the capability `C` that `authz`
//! granted them — the page counterpart of an API handler's first line
//! (`let may = authz::in_scope::<P>(&me)?`), done once before the handler runs.

use crate::error::PageError;
use crate::extract::PageUser;
use crate::state::AppState;
use app::authz::{Capability, Principal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

/// The signed-in viewer (`me`), the app state, and the capability `may` granted to the
/// viewer. A refusal is the page's 403; a viewer who is not signed in goes to the sign-in
/// page, as with [`PageUser`].
pub struct Page<C> {
    pub state: AppState,
    pub me: Principal,
    pub may: C,
}

impl<C: Capability + Send + Sync> FromRequestParts<AppState> for Page<C> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let PageUser(me) = PageUser::from_request_parts(parts, state).await?;
        let may = C::grant(&me).map_err(|e| PageError::from(e).into_response())?;
        Ok(Self { state: state.clone(), me, may })
    }
}

/// A request of the self-service area (`/me/…`): the signed-in person, in person.
pub type Mine = Page<app::authz::SelfService>;
