//! The head of every User Details tab: crumbs, name, status badge and the tabs the viewer
//! may open.

use app::authz::{Principal, TargetUser};
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

    /// The head of `tab` for the user the tab's capability already loaded (no second read):
    /// their name and status when the viewer may see profiles ("User" otherwise: the tab
    /// itself decides what else to show).
    pub fn of(me: &Principal, target: &TargetUser, tab: &'static str) -> Self {
        let mut head = Self::new(me, target.id, "User".to_owned(), tab);
        if head.show_profile {
            head.name = target.name();
            head.badge = Some((target.row.status.label(), target.row.status.as_str()));
        }
        head
    }
}
