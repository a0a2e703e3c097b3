//! The route table: every route is registered through [`Routes`], which builds the axum
//! router and, beside it, the list of `(method, path)` it serves. [`crate::routes`] hands that
//! list to tests, so a test generated from it covers every route there is — a new route
//! cannot be forgotten by a hand-kept list (the CSRF test, the authorization matrix, the
//! hostile-input corpus and the OpenAPI coverage all walk it).
//!
//! Handlers are attached with this module's [`get`], [`post`], [`put`], [`patch`] and
//! [`delete`] (not axum's), which remember the method.

use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::{MethodFilter, MethodRouter, Route as AxumRoute};
use std::convert::Infallible;
use tower::{Layer, Service};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A signed-in session (or API token) is required; state-changing page forms carry the
    /// session's CSRF token.
    Session,
    /// Anyone: sign-in, single-use link pages, health checks, static files. Their forms
    /// are guarded by what they carry (credentials, a link token) and the Origin check.
    Public,
}

/// Whether `path` is a JSON API's — `/api/…` or SCIM's `/scim/…` — whose refusals are
/// JSON (problem+json, rewritten as SCIM errors under `/scim/`), never an HTML page.
pub(crate) fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/scim/")
}

/// One `(method, path)` the application serves. Paths use axum's `{name}` parameters,
/// with the `/api/v1` prefix of API routes included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub path: String,
    pub access: Access,
}

impl Route {
    /// Whether this is a JSON API route — `/api/…` or SCIM's `/scim/…` — rather than a
    /// page or an operations probe.
    pub fn is_api(&self) -> bool {
        is_api_path(&self.path)
    }

    /// Whether this is a SCIM route (`/scim/v2/…`): refusals are SCIM errors
    /// (`application/scim+json`), not problem+json.
    pub fn is_scim(&self) -> bool {
        self.path.starts_with("/scim/")
    }

    /// Whether the method may change state (POST, PUT, PATCH, DELETE).
    pub fn changes_state(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}

/// The handlers of one path, and which methods they answer.
pub struct Endpoint {
    router: MethodRouter<AppState>,
    methods: Vec<Method>,
    access: Access,
}

impl Endpoint {
    fn on<H: Handler<T, AppState>, T: 'static>(mut self, method: Method, handler: H) -> Self {
        let filter = MethodFilter::try_from(method.clone()).expect("a method axum routes");
        self.router = self.router.on(filter, handler);
        self.methods.push(method);
        self
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, handler: H) -> Self {
        self.on(Method::POST, handler)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, handler: H) -> Self {
        self.on(Method::PUT, handler)
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, handler: H) -> Self {
        self.on(Method::PATCH, handler)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, handler: H) -> Self {
        self.on(Method::DELETE, handler)
    }

    /// Every method of this path is [`Access::Public`].
    pub fn public(mut self) -> Self {
        self.access = Access::Public;
        self
    }

    /// Wraps the handlers registered so far in `layer` (a body limit, a rate limit).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<AxumRoute> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.router = self.router.layer(layer);
        self
    }
}

fn endpoint<H: Handler<T, AppState>, T: 'static>(method: Method, handler: H) -> Endpoint {
    Endpoint { router: MethodRouter::new(), methods: Vec::new(), access: Access::Session }.on(method, handler)
}

/// A path's GET handler.
pub fn get<H: Handler<T, AppState>, T: 'static>(handler: H) -> Endpoint {
    endpoint(Method::GET, handler)
}

/// A path's POST handler.
pub fn post<H: Handler<T, AppState>, T: 'static>(handler: H) -> Endpoint {
    endpoint(Method::POST, handler)
}

/// A path's PUT handler.
pub fn put<H: Handler<T, AppState>, T: 'static>(handler: H) -> Endpoint {
    endpoint(Method::PUT, handler)
}

/// A path's PATCH handler.
pub fn patch<H: Handler<T, AppState>, T: 'static>(handler: H) -> Endpoint {
    endpoint(Method::PATCH, handler)
}

/// A path's DELETE handler.
pub fn delete<H: Handler<T, AppState>, T: 'static>(handler: H) -> Endpoint {
    endpoint(Method::DELETE, handler)
}

/// An axum router and the table of what it serves, built together.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<Route>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self { router: Router::new(), table: Vec::new() }
    }

    /// Serves `endpoint` at `path`.
    pub fn route(mut self, path: &str, endpoint: Endpoint) -> Self {
        let access = endpoint.access;
        self.table.extend(endpoint.methods.into_iter().map(|method| Route { method, path: path.to_owned(), access }));
        self.router = self.router.route(path, endpoint.router);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.table.extend(other.table);
        self.router = self.router.merge(other.router);
        self
    }

    /// Serves `other` under `prefix` (e.g. `/api/v1`).
    pub fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.table.extend(other.table.into_iter().map(|r| Route { path: format!("{prefix}{}", r.path), ..r }));
        self.router = self.router.nest(prefix, other.router);
        self
    }

    /// Wraps every route registered so far in `layer`.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<AxumRoute> + Clone + Send + Sync + 'static,
        L::Service: Service<Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        self.router = self.router.layer(layer);
        self
    }

    /// What answers paths no route matches (not a route itself).
    pub fn fallback<H: Handler<T, AppState>, T: 'static>(mut self, handler: H) -> Self {
        self.router = self.router.fallback(handler);
        self
    }

    pub fn table(&self) -> &[Route] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
