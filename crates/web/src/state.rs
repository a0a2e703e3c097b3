//! What every handler can reach.

use app::AppCtx;

#[derive(Clone)]
pub struct AppState {
    pub ctx: AppCtx,
    /// Served over https: cookies get `Secure` and responses carry HSTS.
    pub secure: bool,
}
