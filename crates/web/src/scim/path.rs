//! Typed ids in SCIM paths (`/Users/{id}`, `/Groups/{id}`): [`ScimPath`] parses them as
//! [`AppPath`] does, but a malformed id names no resource, so it is answered exactly as an
//! unknown one — a SCIM 404 (RFC 7644 §3.12: `status: "404"`, no `scimType`), not the
//! API's 400.

use super::reply::ScimReply;
use crate::extract::{AppPath, PathParams, PathRejection};
use app::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Typed path parameters of a SCIM route; see the module docs.
pub(crate) struct ScimPath<T>(pub T);

impl<T: PathParams, S: Send + Sync> FromRequestParts<S> for ScimPath<T> {
    type Rejection = ScimReply;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match AppPath::<T>::from_request_parts(parts, state).await {
            Ok(AppPath(t)) => Ok(Self(t)),
            // The same error as an id nobody has, so both answer alike.
            Err(PathRejection::Malformed { what, .. }) => Err(AppError::NotFound(what).into()),
            Err(PathRejection::Missing) => {
                Err(AppError::Internal("the route has fewer path parameters than its handler".into()).into())
            }
        }
    }
}
