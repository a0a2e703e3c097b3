//! The console's frame, as each kind of viewer, at desktop (1280 px) and phone (390 px)
//! widths: the sidebar offers exactly the sections `authz` grants and each of them opens;
//! no page scrolls sideways; axe-core finds no violation on any page; Esc closes the
//! menus; the skip link leads to the content. Issue 13.
//!
//! axe-core comes from npm (`tests/axe`, pinned by its lockfile, installed by `.ci/run`
//! with `npm ci`) and is injected into each page.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp};
use crate::support::browser::Browser;
use crate::support::org::Org;
use crate::support::{Backend, spawn_app};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};
use std::path::Path;

const AXE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/axe/node_modules/axe-core/axe.min.js");
pub(crate) const WIDTHS: [(u32, u32); 2] = [(1280, 800), (390, 844)];

/// axe-core's source, or `None` (skipping) when it is not installed and `CI` is not `true`.
pub(crate) fn axe_source() -> Option<String> {
    if !Path::new(AXE).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{AXE} is missing: run `npm ci --prefix crates/roster/tests/axe`"
        );
        eprintln!("skipping: axe-core is missing (npm ci --prefix crates/roster/tests/axe)");
        return None;
    }
    Some(std::fs::read_to_string(AXE).expect("read axe-core"))
}

/// One viewer: who signs in and the sidebar links they must see, by id.
struct Viewer {
    email: &'static str,
    sections: &'static [&'static str],
}

const ALL_SECTIONS: &[&str] = &[
    "nav-users",
    "nav-groups",
    "nav-roles",
    "nav-bots",
    "nav-user-settings",
    "nav-deleted-users",
    "nav-security",
    "nav-sso",
    "nav-scim",
    "nav-api-access",
    "nav-audit",
];

pub(crate) async fn sign_in(b: &Browser, email: &str) {
    b.goto("/login").await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("button.primary").await;
    b.wait_for("#user-menu").await;
}

/// A Master Admin who is not the primary one, in the Default workspace.
async fn master_admin(app: &TestApp, org: &Org) -> &'static str {
    let email = "master@example.com";
    app.add_master_admin(org.account, email, ("Mia", "Master"), vec![org.default_ws, org.alpha, org.beta]).await;
    email
}

/// The ids of the sidebar's links on the current page.
async fn sidebar_links(b: &Browser) -> Vec<String> {
    let mut ids = Vec::new();
    for link in b.client.find_all(Locator::Css("#sidebar nav a")).await.expect("sidebar links") {
        ids.push(link.attr("id").await.expect("id").unwrap_or_default());
    }
    ids
}

/// The addresses of the sidebar's links on the current page.
async fn sidebar_hrefs(b: &Browser) -> Vec<String> {
    let mut hrefs = Vec::new();
    for link in b.client.find_all(Locator::Css("#sidebar nav a, #user-menu a")).await.expect("links") {
        hrefs.push(link.attr("href").await.expect("href").unwrap_or_default());
    }
    hrefs
}

/// axe-core's violations on the current page, as `id (impact): help — first nodes`.
pub(crate) async fn axe_violations(b: &Browser, axe: &str) -> Vec<String> {
    b.client.execute(axe, vec![]).await.expect("inject axe-core");
    let run = r"
        const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] })
          .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
          .catch(e => done([`axe failed: ${e}`]));";
    let found = b.client.execute_async(run, vec![]).await.expect("run axe-core");
    serde_json::from_value::<Vec<String>>(found).expect("a list of violations")
}

/// How far the page scrolls sideways, in CSS pixels (0 when it fits its viewport), and the
/// innermost elements that reach past its right edge (outside any scrolling region).
pub(crate) async fn sideways_overflow(b: &Browser) -> (i64, String) {
    let js = r"
        const e = document.documentElement, edge = e.clientWidth;
        const inScroller = el => el.closest('.table-scroll');
        const wide = el => el.getBoundingClientRect().right > edge + 1;
        const past = [...document.querySelectorAll('body *')].filter(el =>
          wide(el) && !(el.parentElement && inScroller(el.parentElement)) &&
          ![...el.children].some(c => wide(c) && !c.matches('.table-scroll')));
        const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
          (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
        return [e.scrollWidth - edge, past.slice(0, 4).map(name).join(', ')];";
    let found = b.client.execute(js, vec![]).await.expect("measure");
    (found[0].as_i64().unwrap_or(i64::MAX), found[1].as_str().unwrap_or_default().to_owned())
}

/// Every page the viewer can reach from the frame, plus — for those who see users — a
/// user's page and every tab it offers.
async fn pages_of(b: &Browser, org: &Org) -> Vec<String> {
    let mut pages = sidebar_hrefs(b).await;
    if pages.iter().any(|p| p == "/admin/users") {
        b.goto(&format!("/admin/users/{}", org.ann)).await;
        for tab in b.client.find_all(Locator::Css("nav.tabs a")).await.expect("tabs") {
            pages.push(tab.attr("href").await.expect("href").unwrap_or_default());
        }
    }
    pages.sort();
    pages.dedup();
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_both_widths_and_passes_axe_for_every_kind_of_viewer() {
    let Some(axe) = axe_source() else { return };
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let org = app.seed_org().await;
    let master = master_admin(&app, &org).await;
    let viewers = [
        Viewer { email: ADMIN_EMAIL, sections: ALL_SECTIONS },
        Viewer { email: master, sections: ALL_SECTIONS },
        Viewer { email: "alpha.admin@example.com", sections: &["nav-users"] },
        Viewer { email: "auditor@example.com", sections: &["nav-audit"] },
        Viewer { email: "member@example.com", sections: &[] },
    ];
    let mut problems = Vec::new();
    for viewer in &viewers {
        let Some(b) = Browser::start(&app.base).await else { return };
        // Signed out: the sign-in page itself.
        for (w, h) in WIDTHS {
            b.client.set_window_size(w, h).await.expect("resize");
            b.goto("/login").await;
            b.wait_for("#email").await;
            check_page(&b, &axe, &format!("signed out, /login at {w}px"), &mut problems).await;
        }
        b.client.set_window_size(1280, 800).await.expect("resize");
        sign_in(&b, viewer.email).await;
        assert_eq!(sidebar_links(&b).await, viewer.sections, "{}'s sidebar offers what authz grants", viewer.email);
        let pages = pages_of(&b, &org).await;
        for (w, h) in WIDTHS {
            b.client.set_window_size(w, h).await.expect("resize");
            for page in &pages {
                b.goto(page).await;
                b.wait_for("main#main").await;
                let what = format!("{} on {page} at {w}px", viewer.email);
                let heading = b.client.find(Locator::Css("main h1")).await.expect("a heading").text().await;
                let heading = heading.unwrap_or_default();
                if ["Forbidden", "Conflict", "Not Found", "Bad Request"].contains(&heading.as_str()) {
                    problems.push(format!("{what}: an offered page refuses ({heading})"));
                }
                check_page(&b, &axe, &what, &mut problems).await;
            }
        }
        if viewer.email == ADMIN_EMAIL {
            screenshots(&b, &org).await;
        }
        b.finish().await;
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// Notes sideways scrolling and axe-core violations of the current page in `problems`.
async fn check_page(b: &Browser, axe: &str, what: &str, problems: &mut Vec<String>) {
    let (overflow, culprits) = sideways_overflow(b).await;
    if overflow > 0 {
        problems.push(format!("{what}: the page scrolls {overflow}px sideways ({culprits})"));
    }
    for v in axe_violations(b, axe).await {
        problems.push(format!("{what}: {v}"));
    }
}

/// Pictures of this test's org, the users list and a profile at both widths, in
/// `target/screenshots/` (the README's are the demo's, taken by `demo_screenshots`).
async fn screenshots(b: &Browser, org: &Org) {
    for (w, h) in WIDTHS {
        b.client.set_window_size(w, h).await.expect("resize");
        b.goto("/admin/users").await;
        b.wait_for("#users-table").await;
        b.screenshot(&format!("layout-users-{w}")).await;
        b.goto(&format!("/admin/users/{}", org.ann)).await;
        b.wait_for("#user-email").await;
        b.screenshot(&format!("layout-profile-{w}")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_sidebar_folds_behind_the_menu_button_and_esc_closes_menus() {
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    app.seed_org().await;
    let Some(b) = Browser::start(&app.base).await else { return };
    sign_in(&b, ADMIN_EMAIL).await;
    b.client.set_window_size(390, 844).await.expect("resize");
    b.goto("/admin/users").await;
    let sidebar = b.wait_for("#sidebar").await;
    assert!(!sidebar.is_displayed().await.expect("visible?"), "folded on a phone");
    b.click("#menu-button").await;
    assert!(b.wait_for("#sidebar").await.is_displayed().await.expect("visible?"), "the menu button opens it");
    let expanded = b.wait_for("#menu-button").await.attr("aria-expanded").await.expect("attr");
    assert_eq!(expanded.as_deref(), Some("true"));
    b.client.active_element().await.expect("focus").send_keys(&Key::Escape.to_string()).await.expect("Esc");
    assert!(!b.wait_for("#sidebar").await.is_displayed().await.expect("visible?"), "Esc folds it again");

    // The user menu opens, and Esc closes it.
    b.click("#user-menu summary").await;
    assert!(b.wait_for("#nav-my-profile").await.is_displayed().await.expect("visible?"));
    b.client.active_element().await.expect("focus").send_keys(&Key::Escape.to_string()).await.expect("Esc");
    let open = b.client.execute("return document.getElementById('user-menu').open", vec![]).await.expect("js");
    assert_eq!(open, json!(false), "Esc closes the user menu");

    // At desktop width the sidebar is always there and the menu button is not.
    b.client.set_window_size(1280, 800).await.expect("resize");
    b.goto("/admin/users").await;
    assert!(b.wait_for("#sidebar").await.is_displayed().await.expect("visible?"));
    assert!(!b.wait_for("#menu-button").await.is_displayed().await.expect("visible?"));

    // The skip link is the first stop of the keyboard and leads to the content.
    b.client.find(Locator::Css("body")).await.expect("body").send_keys(&Key::Tab.to_string()).await.expect("Tab");
    let first: Value =
        b.client.execute("return document.activeElement.className", vec![]).await.expect("active element");
    assert_eq!(first, json!("skip-link"), "the first Tab reaches the skip link");
    b.client.active_element().await.expect("focus").send_keys(&Key::Enter.to_string()).await.expect("Enter");
    let focused: Value = b.client.execute("return document.activeElement.id", vec![]).await.expect("js");
    assert_eq!(focused, json!("main"), "the skip link moves focus to the content");
    b.finish().await;
}

/// The audit log's table, at each width: it fits its own region (no sideways scroll inside
/// it either), folded and unfolded, with zero axe-core violations; typing in Actor suggests
/// people. Issue 13 ("the Details column is off-screen at 1280").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_fits_both_widths_folds_its_details_and_suggests_people() {
    let Some(axe) = axe_source() else { return };
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let long = "the laptop was left unlocked in the shared office kitchen over the weekend, with the session open";
    app.login("cat.cooper@example.com", PASSWORD).await;
    let kill = app.url(&format!("/api/v1/users/{}/sessions", org.cat));
    assert!(root.delete(kill).json(&json!({"reason": long})).send().await.expect("kill").status().is_success());
    let suspend = app.post_json(&root, &format!("/api/v1/users/{}/suspend", org.ann), &json!({})).await;
    assert!(suspend.status().is_success());
    let Some(b) = Browser::start(&app.base).await else { return };
    sign_in(&b, ADMIN_EMAIL).await;
    let mut problems = Vec::new();
    let spare = "const r = document.querySelector('#audit-table').closest('.table-scroll'); \
                 return r.scrollWidth - r.clientWidth;";
    for (w, h) in WIDTHS {
        b.client.set_window_size(w, h).await.expect("resize");
        b.goto("/admin/audit").await;
        b.wait_for("#audit-table td.summary").await;
        check_page(&b, &axe, &format!("/admin/audit at {w}px"), &mut problems).await;
        let inside = b.client.execute(spare, vec![]).await.expect("measure");
        assert_eq!(inside, json!(0), "at {w}px the table fits its region, Details column included");
        for details in b.client.find_all(Locator::Css("#audit-table details")).await.expect("details") {
            details.find(Locator::Css("summary")).await.expect("summary").click().await.expect("unfold");
        }
        check_page(&b, &axe, &format!("/admin/audit unfolded at {w}px"), &mut problems).await;
        let inside = b.client.execute(spare, vec![]).await.expect("measure");
        assert_eq!(inside, json!(0), "at {w}px the unfolded details fit too");
        b.screenshot(&format!("layout-audit-{w}")).await;
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));

    b.client.set_window_size(1280, 800).await.expect("resize");
    b.goto("/admin/audit").await;
    b.fill("#actor", "Arch").await;
    let offered = "return [...document.querySelectorAll('#actor-people option')].map(o => o.value)";
    let mut found = Value::Null;
    for _ in 0..50 {
        found = b.client.execute(offered, vec![]).await.expect("options");
        if found != json!([]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found, json!(["ann.archer@example.com"]), "typing suggests people by name");
    b.finish().await;
}
