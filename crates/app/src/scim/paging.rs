//! `startIndex`/`count` paging (RFC 7644 §3.4.2.4) by index seeks, and `totalResults`
//! counted once per pass over a query.
//!
//! SCIM pages by position, which SQL can only reach by skipping rows (OFFSET reads and
//! drops every row before the page: O(startIndex), seconds deep into 1M users). So the
//! row each full page ends on is remembered with the position after it, and a page starts
//! from the nearest remembered position at or before its `startIndex` with an index seek
//! (keyset paging), skipping only the rows between: identity providers read pages in
//! order (`startIndex` 1, 1+count, …), so their pages skip nothing (O(count)); a client
//! stepping back or jumping ahead skips the distance from the nearest page it read. A
//! position nobody reached (another instance, older than [`KEEP`]) skips from the start.
//! A filtered query (`userName eq`, `externalId eq`: what provisioning asks) selects its
//! few rows by index and needs neither.
//!
//! `totalResults` is counted on a query's first page (and on any page when none is
//! remembered) and kept with the positions for the pages that follow, so a pass over 1M
//! users counts once, not once a page; the pages of one pass agree on it.

use crate::authz::Scim;
use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};
use store::scim::users::{ScimSort, SortKey, Start};
use uuid::Uuid;

/// How long a remembered query (its positions and total) is used.
pub const KEEP: Duration = Duration::from_mins(15);
/// Most queries remembered (older ones are dropped first).
pub const MAX_QUERIES: usize = 1_000;
/// Most positions remembered per query (the lowest are dropped first: a pass moves on).
pub const MAX_POSITIONS: usize = 256;

/// A query, as far as its order goes: the same account, token, filter text and sort.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    account: Uuid,
    token: Option<Uuid>,
    filter: String,
    sort: ScimSort,
    descending: bool,
}

impl PageKey {
    pub fn new(may: &Scim, filter: &str, sort: ScimSort, descending: bool) -> Self {
        Self {
            account: may.account().0,
            token: may.principal.api_token.as_ref().map(|t| t.id.0),
            filter: filter.trim().to_owned(),
            sort,
            descending,
        }
    }
}

/// What is remembered of one query: its total, and the row before each known position.
struct Pass {
    total: i64,
    at: Instant,
    positions: BTreeMap<u64, (SortKey, Uuid)>,
}

static PASSES: LazyLock<Mutex<HashMap<PageKey, Pass>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Where the page at 1-based `start_index` of `key` starts: after the row before the
/// nearest remembered position at or before it, skipping the rows between.
pub fn start(key: &PageKey, start_index: u64) -> Start {
    let start_index = start_index.max(1);
    if let Ok(map) = PASSES.lock()
        && let Some(pass) = map.get(key)
        && pass.at.elapsed() < KEEP
        && let Some((position, row)) = pass.positions.range(..=start_index).next_back()
    {
        return Start { after: Some(row.clone()), skip: start_index - position };
    }
    Start { after: None, skip: start_index - 1 }
}

/// The total counted for `key` by an earlier page of this pass; `None` on a first page or
/// when nothing (fresh) is remembered.
pub fn total(key: &PageKey, start_index: u64) -> Option<i64> {
    if start_index <= 1 {
        return None;
    }
    let map = PASSES.lock().ok()?;
    map.get(key).filter(|p| p.at.elapsed() < KEEP).map(|p| p.total)
}

/// Remembers `key`'s total (counted now) and, after a full page, that position
/// `next_index` follows the row `(sort_key, id)`.
pub fn remember(key: PageKey, total: i64, counted: bool, next: Option<(u64, SortKey, Uuid)>) {
    let Ok(mut map) = PASSES.lock() else { return };
    if !map.contains_key(&key) && map.len() >= MAX_QUERIES {
        map.retain(|_, p| p.at.elapsed() < KEEP);
        if map.len() >= MAX_QUERIES {
            map.clear();
        }
    }
    let pass = map.entry(key).or_insert_with(|| Pass { total, at: Instant::now(), positions: BTreeMap::new() });
    if counted {
        // A fresh count starts a new pass: its positions and total are from now.
        pass.total = total;
        pass.at = Instant::now();
    }
    if let Some((next_index, sort_key, id)) = next {
        pass.positions.insert(next_index, (sort_key, id));
        while pass.positions.len() > MAX_POSITIONS {
            pass.positions.pop_first();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(filter: &str) -> PageKey {
        PageKey {
            account: Uuid::new_v4(),
            token: None,
            filter: filter.into(),
            sort: ScimSort::Created,
            descending: false,
        }
    }

    #[test]
    fn pages_start_from_the_nearest_known_row() {
        let k = key("");
        assert_eq!(start(&k, 1), Start { after: None, skip: 0 });
        assert_eq!(start(&k, 201), Start { after: None, skip: 200 });
        let row = |n: i64| (SortKey::Int(n), Uuid::from_u128(n as u128));
        remember(k.clone(), 1000, true, Some((101, row(100).0, row(100).1)));
        remember(k.clone(), 0, false, Some((201, row(200).0, row(200).1)));
        assert_eq!(start(&k, 201), Start { after: Some(row(200)), skip: 0 });
        assert_eq!(start(&k, 150), Start { after: Some(row(100)), skip: 49 });
        assert_eq!(start(&k, 450), Start { after: Some(row(200)), skip: 249 });
        assert_eq!(start(&k, 50), Start { after: None, skip: 49 });
        assert_eq!(total(&k, 201), Some(1000), "counted once, on the first page");
        assert_eq!(total(&k, 1), None, "a first page counts again");
        assert_eq!(total(&key(""), 201), None);
    }
}
