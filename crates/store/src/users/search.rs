//! What the users list's search (and the people suggestions) match, as SQL.
//!
//! A term of three characters or more matches anywhere in the name or email, through the
//! trigram indexes (FTS5 on SQLite, `pg_trgm` on PostgreSQL). Shorter terms have no trigram,
//! so no index can find them anywhere in a text: a rare one ("zz") walked every user (5.4 s
//! at 1M on SQLite). They match the *start* of the first name, the last name or the email
//! instead, from those keys' own indexes — as GitLab's user search answers terms under three
//! characters with exact matches only, and Okta's user search matches by "starts with".
//!
//! Either way the matches come from the term's index and are sorted for the page: the cost
//! grows with the number of matches, never with the number of users. Walking the sort order
//! and checking each row instead (tried for terms with thousands of matches) was rejected:
//! matches cluster in that order ("hiro" sits among the H's of the Name sort), so the walk
//! read a third of a million users before its first match (2 s).

use crate::dialect::{Dialect, TRIGRAM_MIN_CHARS};
use crate::sql::Sql;

/// The key columns a short term is matched against (each has an `(account_id, key)` index:
/// `users_by_first_key`, `users_by_last_key`, `users_account_email`; on PostgreSQL their
/// code-point twins `users_*_prefix`).
const KEYS: [&str; 3] = ["u.first_key", "u.last_key", "u.email_key"];

/// A search term as the list matches it.
#[derive(Debug, Clone)]
pub(crate) enum Term {
    /// Three characters or more, lower-cased: anywhere in the name or email.
    Substring(String),
    /// One or two characters, folded (`domain::text::fold`): the start of a key.
    Prefix(String),
}

impl Term {
    /// The term of `needle` as typed; `None` for an empty one (no search).
    pub(crate) fn parse(needle: &str) -> Option<Self> {
        if needle.is_empty() {
            None
        } else if needle.chars().count() >= TRIGRAM_MIN_CHARS {
            Some(Self::Substring(needle.to_lowercase()))
        } else {
            Some(Self::Prefix(domain::text::fold(needle)))
        }
    }

    /// Appends ` AND <condition>` on `users u` to `sql`.
    pub(crate) fn push_condition(&self, sql: &mut Sql, dialect: Dialect) {
        match self {
            Self::Substring(needle) => {
                let (head, param) = dialect.search_condition(needle);
                sql.push(" AND ").push(head).push_bind(param).push(dialect.search_condition_end());
            }
            Self::Prefix(folded) => {
                let upper = successor(folded);
                for (i, key) in KEYS.iter().enumerate() {
                    let key = dialect.code_point_order(key);
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
        let next = (u32::from(last) + 1..=0x0010_FFFF).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
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
