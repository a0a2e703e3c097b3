//! What the users list's search (and the people suggestions) match, as SQL.
//!
//! A term of three characters or more matches anywhere in the name or email, through the
//! trigram indexes (FTS5 on SQLite, `pg_trgm` on PostgreSQL). Shorter terms have no trigram,
//! so no index can find them anywhere in a text: a rare one ("zz") walked every user (5.4 s
//! at 1M on SQLite). They match the *start* of the first name, the last name or the email
//! instead, from those keys' own indexes — as GitLab's user search answers terms under three
//! characters with exact matches only, and Okta's user search matches by "starts with".

use crate::dialect::{Dialect, TRIGRAM_MIN_CHARS, like_pattern};
use crate::sql::Sql;
use crate::{Db, StoreError};
use domain::ids::AccountId;

/// Short-term matches beyond which walking the sort order finds a page sooner than sorting
/// the matches: a page of 25 among `n` matches of N users costs ~25·N/n rows walked or ~n
/// rows sorted, even at n ≈ √(25·N) — 5,000 for a million users.
const DENSE_MATCHES: i64 = 5_000;

/// The key columns a short term is matched against (each has an `(account_id, key)` index:
/// `users_by_first_key`, `users_by_last_key`, `users_account_email`; on PostgreSQL their
/// code-point twins `users_*_prefix`).
const KEYS: [&str; 3] = ["u.first_key", "u.last_key", "u.email_key"];

/// A search term as the list matches it. `dense` (SQLite, measured by [`Term::of`]): so many
/// users match that the statement walks the sort order and checks each row, instead of
/// collecting every match from the term's index and sorting them (13,000 matches of "hiro"
/// at 1M: 67 ms). PostgreSQL's planner makes that choice itself, from its statistics.
#[derive(Debug, Clone)]
pub(crate) enum Term {
    /// Three characters or more, lower-cased: anywhere in the name or email.
    Substring { needle: String, dense: bool },
    /// One or two characters, folded (`domain::text::fold`): the start of a key.
    Prefix { folded: String, dense: bool },
}

impl Term {
    /// The term of `needle` (as typed; empty means no search), with the density of a short
    /// one measured by [`probe`] when `measure` (one bounded count on the key indexes).
    pub(crate) async fn of(
        db: &Db,
        account: AccountId,
        needle: &str,
        measure: bool,
    ) -> Result<Option<Self>, StoreError> {
        let Some(mut term) = Self::parse(needle) else { return Ok(None) };
        // Only an ASCII term may walk by LIKE: FTS5 folds a few letters the stored lower
        // case keeps apart (final ς and σ, ſ and s), so LIKE could find less than the index.
        let walkable = match &term {
            Self::Substring { needle, .. } => needle.is_ascii(),
            Self::Prefix { .. } => true,
        };
        if measure && walkable && db.dialect().is_sqlite() {
            let matches = term.probe(db, account).await?;
            match &mut term {
                Self::Substring { dense, .. } | Self::Prefix { dense, .. } => *dense = matches >= DENSE_MATCHES,
            }
        }
        Ok(Some(term))
    }

    /// The term of `needle` without measuring (a short term counts as sparse).
    pub(crate) fn parse(needle: &str) -> Option<Self> {
        if needle.is_empty() {
            None
        } else if needle.chars().count() >= TRIGRAM_MIN_CHARS {
            Some(Self::Substring { needle: needle.to_lowercase(), dense: false })
        } else {
            Some(Self::Prefix { folded: domain::text::fold(needle), dense: false })
        }
    }

    /// Appends ` AND <condition>` on `users u` to `sql`.
    pub(crate) fn push_condition(&self, sql: &mut Sql, dialect: Dialect) {
        match self {
            Self::Substring { needle, dense: true } => {
                sql.push(" AND u.search_text LIKE ").push_bind(like_pattern(needle)).push(" ESCAPE '\\'");
            }
            Self::Substring { needle, dense: false } => {
                let (head, param) = dialect.search_condition(needle);
                sql.push(" AND ").push(head).push_bind(param).push(dialect.search_condition_end());
            }
            Self::Prefix { folded, dense } => {
                let upper = successor(folded);
                // SQLite's unary `+` keeps a dense term off the key indexes.
                let walk = if *dense { "+" } else { "" };
                for (i, key) in KEYS.iter().enumerate() {
                    let key = format!("{walk}{}", dialect.code_point_order(key));
                    sql.push(if i == 0 { " AND ((" } else { " OR (" });
                    sql.push(&format!("{key} >= ")).push_bind(folded.clone());
                    if let Some(upper) = &upper {
                        sql.push(&format!(" AND {key} < ")).push_bind(upper.clone());
                    }
                    sql.push(")");
                }
                sql.push(")");
            }
        }
    }
}

/// The least string above every string that starts with `prefix`, in code-point order: the
/// prefix with its last character raised by one (a character that cannot be raised is
/// dropped and the one before raised); `None` when every character is U+10FFFF (no bound).
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=0x10FFFF).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

impl Term {
    /// How many users match, counted up to [`DENSE_MATCHES`] from the term's index alone:
    /// the FTS5 table (every account's users, deleted ones too: an estimate of density) or
    /// the key indexes (this account's users, deleted ones too).
    async fn probe(&self, db: &Db, account: AccountId) -> Result<i64, StoreError> {
        let mut sql = match self {
            Self::Substring { needle, .. } => {
                let (head, param) = db.dialect().search_condition(needle);
                debug_assert!(head.starts_with("u.seq IN ("), "SQLite's FTS5 condition");
                Sql::new("SELECT count(*) FROM (SELECT 1 AS one FROM users_fts WHERE users_fts MATCH $1").bind(param)
            }
            Self::Prefix { folded, .. } => {
                let mut sql = Sql::new("SELECT count(*) FROM (SELECT 1 AS one FROM users u WHERE u.account_id = $1")
                    .bind(account.0);
                Self::Prefix { folded: folded.clone(), dense: false }.push_condition(&mut sql, db.dialect());
                sql
            }
        };
        sql.push(" LIMIT ").push_bind(DENSE_MATCHES).push(") matches");
        Ok(db.run().fetch_scalar(sql).await?.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::successor;

    #[test]
    fn the_successor_bounds_every_string_with_the_prefix() {
        assert_eq!(successor("ab").as_deref(), Some("ac"));
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"), "over the surrogates");
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("\u{10FFFF}\u{10FFFF}"), None);
        for s in ["ab", "ab\u{10FFFF}", "ab\u{10FFFF}z", "abzzz"] {
            assert!(s >= "ab" && s < successor("ab").unwrap().as_str(), "{s:?}");
        }
        assert!("ac" >= successor("ab").unwrap().as_str());
    }
}
