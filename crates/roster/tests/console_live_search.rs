//! Live search on the users list in a real browser, at desktop (1280 px) and phone (390 px)
//! widths (issue 13): typing updates the table, the count, the pager and Clear filters in
//! place — no page load, the search box keeps focus, the address follows — with the table
//! region `aria-busy` while the answer is on its way; an empty result names the search and
//! offers Clear filters; the page stays axe-clean and fits its width. SQLite only: the page
//! is the same on both backends.

use crate::console_layout::{WIDTHS, axe_source, axe_violations, sideways_overflow, sign_in};
use crate::support::app::ADMIN_EMAIL;
use crate::support::browser::Browser;
use crate::support::{Backend, spawn_app};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Polls `script` (which returns true when done) for at most 10 s.
async fn wait_js(b: &Browser, what: &str, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if b.client.execute(script, vec![]).await.ok() == Some(Value::Bool(true)) {
            return;
        }
        let now: Value = b
            .client
            .execute("return [location.href, document.getElementById('user-count')?.textContent];", vec![])
            .await
            .unwrap_or_default();
        assert!(Instant::now() < deadline, "waited 10 s for {what}; now {now}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn js(b: &Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Marks the document (a page load would lose the mark) and records every value
/// `aria-busy` of the results region takes.
const WATCH: &str = "window.__rosterOldPage = true; window.__busy = [];
    const region = document.getElementById('users-results');
    new MutationObserver(rs => rs.forEach(r => window.__busy.push(r.oldValue, region.getAttribute('aria-busy'))))
      .observe(region, { attributes: true, attributeFilter: ['aria-busy'], attributeOldValue: true });";

const ROWS: &str = "return Array.from(document.querySelectorAll('#users-table tbody tr[data-href]'), r => r.cells[2].textContent.trim());";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_a_search_updates_the_list_in_place_at_both_widths() {
    let Some(axe) = axe_source() else { return };
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    app.seed_org().await;
    let Some(b) = Browser::start(&app.base).await else { return };
    sign_in(&b, ADMIN_EMAIL).await;
    let mut problems = Vec::new();
    for (w, h) in WIDTHS {
        b.client.set_window_size(w, h).await.expect("resize");
        b.goto("/admin/users").await;
        b.wait_for_text("#user-count", "1–9 of 9 users").await;
        js(&b, WATCH).await;

        b.fill("#q", "coop").await;
        wait_js(
            &b,
            "the list of q=coop",
            "return document.getElementById('user-count').textContent.trim() === '1 of 1 user'",
        )
        .await;
        assert_eq!(js(&b, ROWS).await, json!(["cat.cooper@example.com"]), "at {w}px");
        assert_eq!(js(&b, "return window.__rosterOldPage === true").await, json!(true), "no page load at {w}px");
        assert_eq!(
            js(&b, "return location.pathname + location.search").await,
            json!("/admin/users?q=coop&limit=25&sort=name&order=asc")
        );
        assert_eq!(js(&b, "return document.activeElement.id").await, json!("q"), "typing can go on");
        let busy = js(&b, "return window.__busy").await;
        assert!(busy.as_array().is_some_and(|v| v.contains(&json!("true"))), "aria-busy while loading: {busy}");
        wait_js(&b, "aria-busy to end", "return document.getElementById('users-results').getAttribute('aria-busy') === 'false' && document.getElementById('users-loading').hidden").await;
        assert_eq!(
            js(&b, "return !!document.getElementById('clear-filters')").await,
            json!(true),
            "Clear filters shows"
        );

        // Nobody matches: the message names the search and offers Clear filters.
        b.fill("#q", "zzq").await;
        b.wait_for_text("#no-users", "No users match Search “zzq”").await;
        b.wait_for("#empty-clear-filters").await;
        let (overflow, culprits) = sideways_overflow(&b).await;
        if overflow > 0 {
            problems.push(format!("{w}px: the page scrolls {overflow}px sideways ({culprits})"));
        }
        for v in axe_violations(&b, &axe).await {
            problems.push(format!("{w}px, empty result: {v}"));
        }
        b.click("#empty-clear-filters").await;
        wait_js(&b, "the cleared list", "return location.search === '?limit=25&order=asc&sort=name' && document.readyState === 'complete' && window.__rosterOldPage !== true").await;
        assert_eq!(js(&b, ROWS).await.as_array().map(Vec::len), Some(9));
        for v in axe_violations(&b, &axe).await {
            problems.push(format!("{w}px, the list: {v}"));
        }
        b.screenshot(&format!("users-live-search-{w}")).await;
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    b.finish().await;
}
