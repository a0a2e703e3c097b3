//! The few places where SQLite and PostgreSQL SQL differ. Nothing outside this module
//! writes backend-specific SQL.

/// SQL fragments for one backend.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    sqlite: bool,
}

/// A statement assembled from dialect fragments, built once per backend on first use and
/// kept for the life of the process (hot paths: the session and API-token checks run it on
/// every request). Declare it `static` with the builder: `BuiltSql::new(find_sql)`.
pub struct BuiltSql {
    build: fn(Dialect) -> String,
    sqlite: std::sync::OnceLock<String>,
    postgres: std::sync::OnceLock<String>,
}

impl BuiltSql {
    pub const fn new(build: fn(Dialect) -> String) -> Self {
        Self { build, sqlite: std::sync::OnceLock::new(), postgres: std::sync::OnceLock::new() }
    }

    /// The statement for `d`, built on the first call.
    pub fn get(&'static self, d: Dialect) -> &'static str {
        let cell = if d.is_sqlite() { &self.sqlite } else { &self.postgres };
        cell.get_or_init(|| (self.build)(d))
    }
}

/// Shortest term the trigram indexes can serve (FTS5 `trigram`, `pg_trgm`).
pub const TRIGRAM_MIN_CHARS: usize = 3;

impl Dialect {
    pub const SQLITE: Self = Self { sqlite: true };
    pub const POSTGRES: Self = Self { sqlite: false };

    /// A condition on `users u` matching users whose lower-cased name or email contains
    /// `needle` (lower-cased, at least [`TRIGRAM_MIN_CHARS`] long), pushed as SQL with its
    /// one bound parameter, then [`Self::search_condition_end`].
    ///
    /// SQLite answers from the FTS5 trigram table; PostgreSQL from the `pg_trgm` GIN index
    /// on `search_text`. Shorter needles are matched otherwise (`store::users::search`).
    pub fn search_condition(self, needle: &str) -> (&'static str, String) {
        if self.sqlite {
            let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
            ("u.seq IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ", phrase)
        } else {
            ("u.search_text LIKE ", like_pattern(needle))
        }
    }

    /// What closes [`Self::search_condition`]'s SQL after the bound parameter.
    pub fn search_condition_end(self) -> &'static str {
        if self.sqlite { ")" } else { " ESCAPE '\\'" }
    }
}

impl Dialect {
    /// `column` compared in code-point order, as the prefix indexes hold it: SQLite's
    /// BINARY collation already is; PostgreSQL's text follows the database's collation, so
    /// the comparison names "C" (the `users_*_prefix` indexes).
    pub fn code_point_order(self, column: &str) -> String {
        if self.sqlite { column.to_owned() } else { format!("({column} COLLATE \"C\")") }
    }

    pub fn is_sqlite(self) -> bool {
        self.sqlite
    }

    /// What turns a statement into its plan: `EXPLAIN QUERY PLAN` (SQLite) or `EXPLAIN`.
    pub fn explain(self) -> &'static str {
        if self.sqlite { "EXPLAIN QUERY PLAN " } else { "EXPLAIN " }
    }

    /// The plan rows of [`Self::explain`] as text, one node per line (SQLite's `detail`
    /// column, PostgreSQL's one `QUERY PLAN` column).
    pub fn plan_text<R: sqlx::Row>(self, rows: &[R]) -> String
    where
        usize: sqlx::ColumnIndex<R>,
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        let column = if self.sqlite { 3 } else { 0 };
        rows.iter().filter_map(|r| r.try_get::<String, _>(column).ok()).collect::<Vec<_>>().join("\n")
    }

    /// An aggregate joining the text `expr` of a group's rows with commas.
    pub fn text_list(self, expr: &str) -> String {
        if self.sqlite { format!("group_concat({expr}, ',')") } else { format!("string_agg({expr}, ',')") }
    }

    /// An aggregate making a JSON array (as text) of one object per row of the group, with
    /// the given `(key, expression)` members; SQLite gives `[]` and PostgreSQL NULL for none.
    pub fn json_list(self, members: &[(&str, &str)]) -> String {
        let pairs: Vec<String> = members.iter().map(|(k, e)| format!("'{k}', {e}")).collect();
        if self.sqlite {
            format!("json_group_array(json_object({}))", pairs.join(", "))
        } else {
            format!("json_agg(json_build_object({}))::text", pairs.join(", "))
        }
    }

    /// An id column as text that `Uuid::parse_str` reads (hex on SQLite, hyphenated on PostgreSQL).
    pub fn id_text(self, column: &str) -> String {
        if self.sqlite { format!("hex({column})") } else { format!("{column}::text") }
    }

    /// Locks the row of `users` whose id is the statement's `$1` until the transaction ends.
    /// PostgreSQL's READ COMMITTED would otherwise let two transactions each check the other's
    /// uncommitted state (a transfer to a user and that user's deletion); SQLite's write
    /// transactions are serial already (BEGIN IMMEDIATE), so there it only reads.
    pub fn lock_user(self) -> &'static str {
        if self.sqlite { "SELECT id FROM users WHERE id = $1" } else { "SELECT id FROM users WHERE id = $1 FOR UPDATE" }
    }

    /// Locks the row of `admin_roles` whose id is the statement's `$1` until the transaction
    /// ends: a grant of the role and a change of its scope take it first, so each checks
    /// the other's committed state (PostgreSQL; SQLite's write transactions are serial).
    pub fn lock_role(self) -> &'static str {
        if self.sqlite {
            "SELECT id FROM admin_roles WHERE id = $1"
        } else {
            "SELECT id FROM admin_roles WHERE id = $1 FOR UPDATE"
        }
    }

    /// The statement that lets the current transaction's commit return before its WAL
    /// reaches the disk (PostgreSQL `SET LOCAL synchronous_commit = off`: a crash may lose
    /// the last fraction of a second of such commits, never corrupt anything). SQLite in WAL
    /// mode with `synchronous = NORMAL` commits that way already. For writes whose timing
    /// must not stand out, such as a refused sign-in.
    pub fn commit_without_flush(self) -> Option<&'static str> {
        if self.sqlite { None } else { Some("SET LOCAL synchronous_commit = off") }
    }

    /// Locks the row of `users` whose id is `$1` until the transaction ends, and returns it
    /// only when that user may still be sent a single-use link: not deleted, not suspended.
    /// Taken before a link is stored, it orders the link after (or before) a concurrent
    /// deletion or suspension, whose trigger then spends it (see [`Self::lock_user`]).
    pub fn lock_link_recipient(self) -> &'static str {
        if self.sqlite {
            "SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL AND status <> 'suspended'"
        } else {
            "SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL AND status <> 'suspended' FOR UPDATE"
        }
    }

    /// The text under `key` of the JSON object in `column` (a fixed column and key, never
    /// user input), SQL NULL when absent.
    pub fn json_text(self, column: &'static str, key: &'static str) -> String {
        debug_assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        if self.sqlite {
            format!("json_extract({column}, '$.{key}')")
        } else {
            format!("({column}::jsonb ->> '{key}')")
        }
    }

    /// A condition on `users u`: the user's profile document holds a value under `key`
    /// (a fixed field name of [`domain::profile::ProfileField`], never user input).
    pub fn profile_has(self, key: &'static str) -> String {
        debug_assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        if self.sqlite {
            format!("json_extract(u.profile, '$.{key}') IS NOT NULL")
        } else {
            format!("(u.profile::jsonb ->> '{key}') IS NOT NULL")
        }
    }
}

/// `%needle%` with LIKE's wildcards escaped by backslash.
fn like_pattern(needle: &str) -> String {
    format!("%{}%", like_escaped(needle))
}

/// `needle` with LIKE's wildcards escaped by backslash (for `LIKE … ESCAPE '\\'`).
pub(crate) fn like_escaped(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len());
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }

    #[test]
    fn fts_phrases_quote_quotes() {
        let (_, p) = Dialect::SQLITE.search_condition("a\"bc");
        assert_eq!(p, "\"a\"\"bc\"");
    }
}
