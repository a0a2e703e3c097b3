//! The confirm step of actions an admin expects to be asked about (suspend, reset password,
//! transfer ownership, remove a bot role, report a session; delete has its own page). Each
//! such form carries a `confirmed` field and a `data-confirm` question: with JavaScript a
//! `<dialog>` asks it and sets the field; without, the first POST answers [`ask`]'s page,
//! whose button posts the same fields again, confirmed. Kill Session stays one click, as the
//! seed says (its warning stands beside it).

use crate::pages::Nav;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The `confirmed` field of a form with a confirm step.
#[derive(Debug, Default, Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    confirmed: String,
}

impl Confirmation {
    /// Whether the admin said yes (the dialog or the confirm page).
    pub fn given(&self) -> bool {
        self.confirmed == "yes"
    }
}

/// What the confirm page asks.
pub struct Question {
    /// "Suspend Casey Lee?"
    pub heading: String,
    /// What will happen, in a sentence or two.
    pub detail: String,
    /// The confirming button's label ("Suspend").
    pub button: &'static str,
    /// Where the confirmed form posts (the same address as the first POST).
    pub action: String,
    /// Where Cancel leads (the page the form was on).
    pub back: String,
    /// The form's other fields, posted again as they came.
    pub fields: Vec<(String, String)>,
    /// Whom it is about, when several ("Casey Lee (casey@example.com)"; a bulk action's
    /// first few and "… and 12 more").
    pub items: Vec<String>,
    /// What the admin should weigh before saying yes (admins among the selected users).
    pub warning: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    nav: Option<Nav>,
    csrf: String,
    q: Question,
}

/// The confirm page for `q` (200): nothing has changed yet.
pub fn ask(nav: Nav, q: Question) -> Response {
    ConfirmPage { csrf: nav.csrf.clone(), nav: Some(nav), q }.into_response()
}
