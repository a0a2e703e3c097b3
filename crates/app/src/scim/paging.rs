//! `startIndex`/`count` paging (RFC 7644 §3.4.2.4) without OFFSET scans in the common case.
//!
//! SCIM pages by position, which SQL can only reach by skipping rows (OFFSET reads and
//! drops every row before the page: O(startIndex), minutes deep into 1M users). Identity
//! providers read pages in order (`startIndex` 1, 1+count, 1+2·count, …), so the position
//! after each full page is remembered with the row it ends on, and a request for exactly
//! that position continues from the row with an index seek (keyset paging: O(count)).
//! A position nobody reached in order (a client jumping ahead, a page asked of another
//! instance, or one older than [`KEEP`]) falls back to skipping rows of the same index.
//! A filtered query (`userName eq`, `externalId eq`: what provisioning asks) selects its
//! few rows by index and needs neither.

use crate::authz::Scim;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};
use store::scim::users::{ScimSort, SortKey, Start};
use uuid::Uuid;

/// How long a remembered position is used.
pub const KEEP: Duration = Duration::from_mins(15);
/// Most positions remembered (older ones are dropped first).
pub const MAX_REMEMBERED: usize = 10_000;

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

type Positions = HashMap<(PageKey, u64), (SortKey, Uuid, Instant)>;

static POSITIONS: LazyLock<Mutex<Positions>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Where the page at 1-based `start_index` of `key` starts.
pub fn start(key: &PageKey, start_index: u64) -> Start {
    if start_index > 1
        && let Ok(map) = POSITIONS.lock()
        && let Some((sort_key, id, at)) = map.get(&(key.clone(), start_index))
        && at.elapsed() < KEEP
    {
        return Start::After(sort_key.clone(), *id);
    }
    Start::Skip(start_index.saturating_sub(1))
}

/// Remembers that position `next_index` of `key` follows the row `(sort_key, id)`.
pub fn remember(key: PageKey, next_index: u64, sort_key: SortKey, id: Uuid) {
    let Ok(mut map) = POSITIONS.lock() else { return };
    if map.len() >= MAX_REMEMBERED {
        map.retain(|_, (_, _, at)| at.elapsed() < KEEP);
        if map.len() >= MAX_REMEMBERED {
            map.clear();
        }
    }
    map.insert((key, next_index), (sort_key, id, Instant::now()));
}
