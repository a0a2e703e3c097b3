//! `PageOn<P>`: a page request about one user, carrying the capability `authz` granted on
//! them — the page counterpart of an API handler's `on_user` call, done once before the
//! handler runs instead of at the top of every handler.

use crate::error::PageError;
use crate::extract::{AppPath, PageUser};
use crate::state::AppState;
use app::authz::{OnUser, Perm, Principal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use domain::ids::UserId;

/// The signed-in viewer (`me`), the app state, and `authz::on_user::<P>` granted on the user
/// the path names first (`/admin/users/{id}/…`). A refusal is the page's 403 or 404; a
/// viewer who is not signed in goes to the sign-in page, as with [`PageUser`].
pub struct PageOn<P> {
    pub state: AppState,
    pub me: Principal,
    pub may: OnUser<P>,
}

impl<P> PageOn<P> {
    /// The user the page is about.
    pub fn user(&self) -> UserId {
        self.may.user()
    }
}

impl<P: Perm + Send + Sync> FromRequestParts<AppState> for PageOn<P> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let PageUser(me) = PageUser::from_request_parts(parts, state).await?;
        let AppPath(user) =
            AppPath::<UserId>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let may =
            app::authz::on_user::<P>(&state.ctx, &me, user).await.map_err(|e| PageError::from(e).into_response())?;
        Ok(Self { state: state.clone(), me, may })
    }
}
