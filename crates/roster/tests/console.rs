//! The admin console in a real browser (headless chromium through chromedriver): sign-in with
//! a return address, search (the Apply button and live search), filters, the pager, the user
//! page, and a scoped admin's view. SQLite only: the pages are the same on both backends.
//!
//! Every wait is bounded and polls (no fixed sleeps). Screenshots land in
//! `target/screenshots/`, of this test's own org; the README's pictures of these pages are
//! the demo's, taken by `demo_screenshots`.

use crate::support::app::{ADMIN_EMAIL, PASSWORD, TestApp, spawn_app};
use crate::support::browser::{Browser, navigation_race};
use crate::support::org::{Org, Person};
use app::clock::{self, DAY, HOUR, MINUTE};
use domain::ids::{AdminRoleId, WorkspaceId};
use domain::user::UserStatus;
use serde_json::Value;
use std::time::{Duration, Instant};
use store::Backend;

const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// Realistic people for a full-looking list: first name, last name, email local part.
/// None of them matches the search "coop".
const PEOPLE: [(&str, &str, &str); 40] = [
    ("Aisha", "Rahman", "aisha.rahman"),
    ("Akira", "Tanaka", "akira.tanaka"),
    ("Amelia", "Hughes", "amelia.hughes"),
    ("Andrés", "Molina", "andres.molina"),
    ("Beatriz", "Santos", "beatriz.santos"),
    ("Benjamin", "Clarke", "ben.clarke"),
    ("Chloé", "Martin", "chloe.martin"),
    ("Daniel", "Okafor", "daniel.okafor"),
    ("Elena", "Petrova", "elena.petrova"),
    ("Emma", "Lindqvist", "emma.lindqvist"),
    ("Fatima", "Zahra", "fatima.zahra"),
    ("Felix", "Wagner", "felix.wagner"),
    ("Gabriel", "Silva", "gabriel.silva"),
    ("Grace", "Kim", "grace.kim"),
    ("Hannah", "Schmidt", "hannah.schmidt"),
    ("Hiroshi", "Sato", "hiroshi.sato"),
    ("Isabel", "Ferreira", "isabel.ferreira"),
    ("Ivan", "Horvat", "ivan.horvat"),
    ("Jasmine", "Patel", "jasmine.patel"),
    ("Jonas", "Becker", "jonas.becker"),
    ("Julia", "Nowak", "julia.nowak"),
    ("Kwame", "Mensah", "kwame.mensah"),
    ("Laura", "Rossi", "laura.rossi"),
    ("Leo", "Fischer", "leo.fischer"),
    ("Lucía", "Fernández", "lucia.fernandez"),
    ("Mateo", "García", "mateo.garcia"),
    ("Mei", "Chen", "mei.chen"),
    ("Mohammed", "Al-Farsi", "mohammed.alfarsi"),
    ("Nadia", "Haddad", "nadia.haddad"),
    ("Noah", "Williams", "noah.williams"),
    ("Olivia", "Brown", "olivia.brown"),
    ("Priya", "Sharma", "priya.sharma"),
    ("Rafael", "Costa", "rafael.costa"),
    ("Sara", "Johansson", "sara.johansson"),
    ("Sofia", "Greco", "sofia.greco"),
    ("Thomas", "Müller", "thomas.mueller"),
    ("Valentina", "Ruiz", "valentina.ruiz"),
    ("Wei", "Zhang", "wei.zhang"),
    ("Yara", "Nassar", "yara.nassar"),
    ("Zoe", "Anderson", "zoe.anderson"),
];

/// Adds the first `n` of [`PEOPLE`] to the seeded account. With `varied`, some are invited,
/// suspended or locked, two hold the "Alpha Admin" role, and most have signed in at some
/// point; otherwise all are active members who never signed in.
async fn add_people(app: &TestApp, org: &Org, n: usize, varied: bool) {
    let now = clock::now();
    for (i, (first, last, local)) in PEOPLE.iter().take(n).enumerate() {
        let status = match i % 10 {
            3 | 8 if varied => UserStatus::Invited,
            6 if varied => UserStatus::Suspended,
            _ if varied && i == 17 => UserStatus::Locked,
            _ => UserStatus::Active,
        };
        let workspaces: Vec<WorkspaceId> = match i % 3 {
            0 => vec![org.alpha],
            1 => vec![org.beta],
            _ => vec![org.default_ws, org.alpha],
        };
        let role: Option<AdminRoleId> = (varied && (i == 5 || i == 22)).then_some(org.alpha_admin_role);
        let email = format!("{local}@example.com");
        let id = app.add_user(org.account, Person { email: &email, first, last, status, workspaces, role }).await;
        if varied && status != UserStatus::Invited {
            let ago = (i as i64) * 7 * HOUR + (i as i64 % 5) * DAY + 13 * MINUTE;
            store::users::record_login(&app.db, id, now - ago).await.expect("record login");
        }
    }
}

/// Polls `probe` until it yields a value (at most [`WAIT`]); `what` names the wait in the
/// failure message, which also shows the current address.
async fn wait_until<T>(b: &Browser, what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        if Instant::now() >= deadline {
            let at = b.client.current_url().await.map_or_else(|e| format!("<{e}>"), |u| u.to_string());
            let rows = row_emails(b).await;
            panic!("waited {WAIT:?} for {what}; now at {at}, rows {rows:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The email cells of the users table, read in one script so that a page change cannot
/// split the read. `None` while no page can answer (during a navigation).
async fn row_emails(b: &Browser) -> Option<Vec<String>> {
    let script = "return Array.from(document.querySelectorAll('#users-table tbody tr[data-href]'), \
                  r => r.cells[2].textContent.trim());";
    let value = b.client.execute(script, vec![]).await.ok()?;
    serde_json::from_value(value).ok()
}

/// Waits until the address contains `url_part` and the rows' emails satisfy `ok`.
async fn wait_for_rows(b: &Browser, url_part: &str, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    wait_until(b, &format!("rows of a page at *{url_part}*"), async || {
        if !b.current_path().await.contains(url_part) {
            return None;
        }
        row_emails(b).await.filter(|rows| ok(rows))
    })
    .await
}

fn only(email: &'static str) -> impl Fn(&[String]) -> bool {
    move |rows| rows == [email]
}

/// Marks the current document, clicks `css`, and waits until a new document has loaded
/// (also when it has the same address, like Apply with unchanged filters).
async fn click_and_wait_for_new_page(b: &Browser, css: &str) {
    b.client.execute("window.__rosterOldPage = true;", vec![]).await.expect("mark the page");
    let target = b.wait_for(css).await;
    if let Err(e) = target.click().await {
        assert!(navigation_race(&e), "click {css}: {e}");
    }
    wait_until(b, &format!("a new page after clicking {css}"), async || {
        let script = "return window.__rosterOldPage !== true && document.readyState === 'complete';";
        let fresh = b.client.execute(script, vec![]).await.ok()?;
        (fresh == Value::Bool(true)).then_some(())
    })
    .await;
}

/// Picks `value` in the `<select>` matched by `css` by clicking its option, as a person
/// would. app.js then submits the filter form.
async fn choose(b: &Browser, css: &str, value: &str) {
    let select = b.wait_for(css).await;
    if let Err(e) = select.select_by_value(value).await {
        assert!(navigation_race(&e), "choose {value:?} in {css}: {e}");
    }
}

async fn value_of(b: &Browser, css: &str) -> String {
    let value = b.wait_for(css).await.prop("value").await.unwrap_or_else(|e| panic!("value of {css}: {e}"));
    value.unwrap_or_default()
}

/// Fills the login form and submits it.
async fn sign_in(b: &Browser, email: &str) {
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("button.primary").await;
}

async fn sqlite_app() -> TestApp {
    spawn_app(Backend::Sqlite).await.expect("SQLite is always available")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_signs_in_searches_the_list_and_opens_a_user() {
    let app = sqlite_app().await;
    let org = app.seed_org().await;
    add_people(&app, &org, PEOPLE.len(), true).await;
    store::users::record_login(&app.db, org.cat, clock::now() - 2 * HOUR).await.expect("record login");
    let Some(b) = Browser::start(&app.base).await else { return };

    // Signed out, the list sends us to sign in and back again.
    b.goto("/admin/users").await;
    b.wait_for("#email").await;
    assert_eq!(b.current_path().await, "/login?next=%2Fadmin%2Fusers");
    sign_in(&b, ADMIN_EMAIL).await;
    let first_page = wait_for_rows(&b, "/admin/users", |rows| !rows.is_empty()).await;
    assert_eq!(b.current_path().await, "/admin/users");
    assert_eq!(first_page.len(), 25, "the default page size: {first_page:?}");
    assert!(first_page.iter().any(|e| e == "ann.archer@example.com"), "{first_page:?}");
    // 8 seeded users, the root admin and the 40 people.
    b.wait_for_text("#user-count", "1–25 of 49 users").await;
    b.wait_for("#next-page").await;
    b.screenshot("users-list").await;

    // Typing and pressing Apply.
    b.fill("#q", "coop").await;
    click_and_wait_for_page_with_query(&b, "#apply-filters", "q=coop").await;
    let rows = wait_for_rows(&b, "q=coop", only("cat.cooper@example.com")).await;
    assert!(!rows.iter().any(|e| e == "ann.archer@example.com"));
    assert_eq!(value_of(&b, "#q").await, "coop", "the search box keeps the query");

    // Live search: typing alone updates the list in place shortly after the last key (the
    // page is not reloaded: its mark survives).
    b.client.execute("window.__rosterOldPage = true;", vec![]).await.expect("mark the page");
    b.fill("#q", "archer").await;
    wait_for_rows(&b, "q=archer", only("ann.archer@example.com")).await;
    b.fill("#q", "coop").await;
    wait_for_rows(&b, "q=coop", only("cat.cooper@example.com")).await;
    b.wait_for_text("#users-table", "Cat Cooper").await;
    let kept = b.client.execute("return window.__rosterOldPage === true;", vec![]).await.expect("read the mark");
    assert_eq!(kept, Value::Bool(true), "live search reloaded the page");

    // The name opens the user's page.
    b.click("#users-table td.name a").await;
    b.wait_for_text("#user-email", "cat.cooper@example.com").await;
    assert_eq!(b.current_path().await, format!("/admin/users/{}", org.cat));
    b.wait_for_text("#user-name", "Cat Cooper").await;
    b.wait_for_text(".profile .chip", "Alpha Team").await;
    b.wait_for_text("#status-line", "Active · last login").await;
    b.wait_for_text("#admin-role", "None").await;
    b.screenshot("user-profile").await;
    b.finish().await;
}

/// [`click_and_wait_for_new_page`], then checks that the new address carries `query`.
async fn click_and_wait_for_page_with_query(b: &Browser, css: &str, query: &str) {
    click_and_wait_for_new_page(b, css).await;
    let path = b.current_path().await;
    assert!(path.starts_with("/admin/users?") && path.contains(query), "{css} led to {path}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scoped_admin_never_sees_users_outside_their_workspaces() {
    let app = sqlite_app().await;
    let org = app.seed_org().await;
    let Some(b) = Browser::start(&app.base).await else { return };

    b.goto("/login").await;
    sign_in(&b, "alpha.admin@example.com").await;
    let mut rows = wait_for_rows(&b, "/admin/users", |rows| !rows.is_empty()).await;
    rows.sort();
    assert_eq!(
        rows,
        ["alpha.admin@example.com", "ann.archer@example.com", "cat.cooper@example.com", "dan.dunn@example.com"],
        "only members of Alpha"
    );
    assert!(!rows.iter().any(|e| e == "bob.baker@example.com"));

    // A user sharing Alpha opens; one only in Beta does not exist as far as this admin knows.
    b.goto(&format!("/admin/users/{}", org.ann)).await;
    b.wait_for_text("#user-email", "ann.archer@example.com").await;
    b.goto(&format!("/admin/users/{}", org.bob)).await;
    b.wait_for_text("main h1", "Not Found").await;
    b.wait_for_text("main", "outside your workspaces").await;
    b.screenshot("user-not-found").await;
    let source = b.client.source().await.expect("page source");
    assert!(!source.contains("bob.baker") && !source.contains("Baker"), "the 404 page leaks bob");
    b.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_the_pager_work_without_typing_urls() {
    let app = sqlite_app().await;
    let org = app.seed_org().await;
    add_people(&app, &org, 30, false).await;
    // 8 seeded users + the root admin + 30 more.
    let total = 39;
    let Some(b) = Browser::start(&app.base).await else { return };

    b.goto("/login?next=%2Fadmin%2Fusers").await;
    sign_in(&b, ADMIN_EMAIL).await;
    wait_for_rows(&b, "/admin/users", |rows| !rows.is_empty()).await;

    // Choosing a status and pressing Apply (dropdowns never reload the page by themselves,
    // so keyboard users can step through the options).
    choose(&b, "#status", "suspended").await;
    click_and_wait_for_page_with_query(&b, "#apply-filters", "status=suspended").await;
    wait_for_rows(&b, "status=suspended", only("dan.dunn@example.com")).await;
    assert_eq!(value_of(&b, "#status").await, "suspended");

    // Back to any status, 50 per page: everyone fits, so there is no next page.
    choose(&b, "#status", "").await;
    choose(&b, "#limit", "50").await;
    click_and_wait_for_page_with_query(&b, "#apply-filters", "limit=50").await;
    let everyone = wait_for_rows(&b, "limit=50", |rows| rows.len() == total).await;
    assert!(b.client.find(fantoccini::Locator::Css("#next-page")).await.is_err(), "one page holds all {total}");

    // 25 per page: a next page with the other users.
    choose(&b, "#limit", "25").await;
    click_and_wait_for_page_with_query(&b, "#apply-filters", "limit=25").await;
    let page_one = wait_for_rows(&b, "limit=25", |rows| rows.len() == 25).await;
    assert_eq!(page_one[..], everyone[..25], "the same order at any page size");
    click_and_wait_for_page_with_query(&b, "#next-page", "cursor=").await;
    let page_two = wait_for_rows(&b, "cursor=", |rows| !rows.is_empty()).await;
    assert_eq!(page_two.len(), total - 25);
    assert!(page_two.iter().all(|e| !page_one.contains(e)), "page two repeats users: {page_two:?}");
    assert_eq!(page_two[..], everyone[25..], "page two continues where page one ended");
    assert_eq!(value_of(&b, "#limit").await, "25", "the page size survives paging");
    assert!(b.client.find(fantoccini::Locator::Css("#next-page")).await.is_err(), "page two is the last");
    b.wait_for_text("#user-count", &format!("26–{total} of {total} users")).await;
    // Previous leads back to page one, which has no Previous.
    click_and_wait_for_page_with_query(&b, "#prev-page", "cursor=").await;
    let back = wait_for_rows(&b, "cursor=", |rows| rows.len() == 25).await;
    assert_eq!(back, page_one, "Previous shows page one again");
    assert!(b.client.find(fantoccini::Locator::Css("#prev-page")).await.is_err(), "page one has no Previous");
    b.finish().await;
}
