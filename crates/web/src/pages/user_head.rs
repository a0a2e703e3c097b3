//! The head of every User Details tab: crumbs, name, status badge and the tabs the viewer
//! may open.

use app::AppCtx;
use app::authz::{Principal, UsersView};
use domain::ids::UserId;

pub struct UserHead {
    pub id: String,
    pub name: String,
    /// Status label and CSS class, when the viewer may see the profile.
    pub badge: Option<(&'static str, &'static str)>,
    pub show_profile: bool,
    pub show_sessions: bool,
    pub show_bots: bool,
    pub tab: &'static str,
}

impl UserHead {
    pub fn new(me: &Principal, id: UserId, name: String, tab: &'static str) -> Self {
        let tabs = app::authz::user_tabs(me);
        Self {
            id: id.to_string(),
            name,
            badge: None,
            show_profile: tabs.profile,
            show_sessions: tabs.sessions,
            show_bots: tabs.bots,
            tab,
        }
    }

    /// The head of `tab` with the user's name and status, when the viewer may see the
    /// profile ("User" otherwise: the tab itself decides what else to show).
    pub async fn load(ctx: &AppCtx, me: &Principal, id: UserId, tab: &'static str) -> Self {
        let mut head = Self::new(me, id, "User".to_owned(), tab);
        if let Ok(may) = app::authz::on_user::<UsersView>(ctx, me, id).await {
            let d = app::users::get_user(&may);
            head.name = format!("{} {}", d.user.first_name, d.user.last_name);
            head.badge = Some((d.user.status.label(), d.user.status.as_str()));
        }
        head
    }
}
