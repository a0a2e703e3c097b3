//! Typed path parameters (axum's `customize-path-rejection` example): `AppPath<UserId>`,
//! `AppPath<(UserId, SessionId)>`. A malformed id never reaches a handler: the API answers
//! 400 problem+json naming the parameter; a page answers the 404 page (the pages layer
//! reads the failure from the response), since a mistyped address is a page that is not
//! there.

use crate::error::{ApiError, PageError, PageFailure};
use app::{AppError, What};
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use domain::ids::{AdminRoleId, ApiTokenId, BotId, GroupId, SessionId, UserId, WorkspaceId};
use std::sync::Arc;

/// One id in a path.
pub trait PathParam: Sized {
    /// What the id names: its 404 says "no such <noun>".
    const WHAT: What;
    fn parse(raw: &str) -> Option<Self>;
}

macro_rules! path_ids {
    ($($id:ty => $what:ident),* $(,)?) => {$(
        impl PathParam for $id {
            const WHAT: What = What::$what;
            fn parse(raw: &str) -> Option<Self> {
                raw.parse().ok()
            }
        }
    )*};
}

path_ids!(
    UserId => User,
    SessionId => Session,
    GroupId => Group,
    AdminRoleId => Role,
    BotId => Bot,
    WorkspaceId => Workspace,
    ApiTokenId => Token,
);

/// The parameters of a whole path: one id, or a pair in the order of the path.
pub trait PathParams: Sized {
    fn from_params(params: &[(&str, &str)]) -> Result<Self, PathRejection>;
}

fn one<T: PathParam>(params: &[(&str, &str)], i: usize) -> Result<T, PathRejection> {
    let &(name, raw) = params.get(i).ok_or(PathRejection::Missing)?;
    T::parse(raw).ok_or_else(|| PathRejection::Malformed { name: name.to_owned(), what: T::WHAT })
}

impl<A: PathParam> PathParams for A {
    fn from_params(params: &[(&str, &str)]) -> Result<Self, PathRejection> {
        one(params, 0)
    }
}

impl<A: PathParam, B: PathParam> PathParams for (A, B) {
    fn from_params(params: &[(&str, &str)]) -> Result<Self, PathRejection> {
        Ok((one(params, 0)?, one(params, 1)?))
    }
}

/// Typed path parameters; see the module docs.
pub struct AppPath<T>(pub T);

impl<T: PathParams, S: Send + Sync> FromRequestParts<S> for AppPath<T> {
    type Rejection = PathRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = RawPathParams::from_request_parts(parts, state).await.map_err(|_| PathRejection::Missing)?;
        let params: Vec<(&str, &str)> = raw.iter().collect();
        T::from_params(&params).map(Self)
    }
}

/// Why a path's parameters were refused.
#[derive(Debug)]
pub enum PathRejection {
    /// `name` is not a `what` id.
    Malformed { name: String, what: What },
    /// The route has fewer parameters than the handler reads (a programming error: 500).
    Missing,
}

impl IntoResponse for PathRejection {
    fn into_response(self) -> Response {
        let (api, page) = match self {
            Self::Malformed { name, what } => (
                ApiError::invalid(&name, &format!("must be {} id (UUID)", with_article(what.noun()))),
                AppError::NotFound(what),
            ),
            Self::Missing => {
                let e = || AppError::Internal("the route has fewer path parameters than its handler".into());
                (ApiError::from(e()), e())
            }
        };
        // The body is the API's answer; the pages layer shows the page's instead.
        let mut res = api.into_response();
        res.extensions_mut().insert(PageFailure(Arc::new(PageError::from(page))));
        res
    }
}

/// "a user", "an admin role", "an API token".
fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(|c: char| "aeiouAEIOU".contains(c));
    format!("{} {noun}", if vowel { "an" } else { "a" })
}
