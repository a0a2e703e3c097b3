//! Statements written once for both backends, and the write transaction they run in.
//!
//! A [`Sql`] is SQL text with `$1…$n` placeholders and its arguments as plain values
//! ([`Arg`]); it is bound to SQLite or PostgreSQL only when it runs, so the functions of this
//! crate are ordinary functions: reusable steps inside a transaction take `&mut Tx` (as
//! zero2prod's `insert_subscriber(&mut Transaction, …)`), and no SQL is compiled twice by a
//! macro. Both backends read `$n` as "the n-th argument" (SQLite binds `$NNN` by number).

use crate::dialect::Dialect;
use crate::{Db, StoreError};
use domain::closed::ClosedSet;
use sqlx::postgres::PgArguments;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteArguments;
use sqlx::sqlite::SqliteRow;
use sqlx::{Arguments, AssertSqlSafe, Encode, FromRow, Postgres, Sqlite, Type};
use std::borrow::Cow;

/// A value both backends can bind: any type sqlx encodes for SQLite and for PostgreSQL
/// (encoded at once, so it may borrow for `'q` only).
pub(crate) trait Value<'q>:
    Clone + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres>
{
}
impl<'q, T> Value<'q> for T where T: Clone + Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> {}

/// A statement: SQL text and its arguments, encoded for both backends as they are bound
/// (encoding is cheap next to a round trip, and the statement needs no lifetime).
pub(crate) struct Sql {
    text: Cow<'static, str>,
    sqlite: SqliteArguments,
    pg: PgArguments,
    /// The first value that failed to encode, reported when the statement runs.
    error: Option<sqlx::error::BoxDynError>,
}

impl Sql {
    pub(crate) fn new(text: impl Into<Cow<'static, str>>) -> Self {
        Self { text: text.into(), sqlite: SqliteArguments::default(), pg: PgArguments::default(), error: None }
    }

    /// Adds the argument of the next `$n` written in the text.
    pub(crate) fn bind<'q>(mut self, value: impl Value<'q>) -> Self {
        self.add(value);
        self
    }

    fn add<'q>(&mut self, value: impl Value<'q>) {
        let added = self.sqlite.add(value.clone()).and_then(|()| self.pg.add(value));
        if let Err(e) = added {
            self.error.get_or_insert(e);
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.to_mut().push_str(text);
        self
    }

    /// Appends a placeholder for `value` (`$n`, numbered after the arguments so far).
    pub(crate) fn push_bind<'q>(&mut self, value: impl Value<'q>) -> &mut Self {
        self.add(value);
        let n = self.pg.len();
        self.push(&format!("${n}"))
    }

    /// Appends `VALUES (…), (…)`: one row of placeholders per item, `row` binding that
    /// item's values in column order (as sqlx's `QueryBuilder::push_values`).
    pub(crate) fn push_values<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut row: impl FnMut(&mut Values<'_>, T),
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            row(&mut Values { sql: self, first: true }, item);
            self.push(")");
        }
        self
    }

    /// This statement prefixed with the backend's `EXPLAIN`.
    fn explained(mut self, dialect: Dialect) -> Self {
        self.text = format!("{}{}", dialect.explain(), self.text).into();
        self
    }

    fn sqlite(self) -> Result<sqlx::query::Query<'static, Sqlite, SqliteArguments>, StoreError> {
        match self.error {
            Some(e) => Err(StoreError::Database(sqlx::Error::Encode(e))),
            None => Ok(sqlx::query_with(AssertSqlSafe(numbered_for_sqlite(&self.text)), self.sqlite)),
        }
    }

    fn pg(self) -> Result<sqlx::query::Query<'static, Postgres, PgArguments>, StoreError> {
        match self.error {
            Some(e) => Err(StoreError::Database(sqlx::Error::Encode(e))),
            None => Ok(sqlx::query_with(AssertSqlSafe(self.text), self.pg)),
        }
    }
}

/// The text with SQLite's placeholders. SQLite takes `$7` for a *named* parameter and
/// `?7` for a numbered one, and answers "which name has parameter i" (asked by sqlx for every
/// parameter) by walking the list of those seen: quadratic in a bulk INSERT's 17,000
/// parameters (20,000 users took 28 s instead of 1 s). So a statement whose placeholders run
/// `$1, $2, …, $n` in order, each once, gets anonymous `?`s (no list at all); others (a
/// parameter used twice, out of order: short statements) get `?NNN`. No statement here has
/// a `$` followed by a digit inside a string literal; JSON paths are `'$.key'`.
fn numbered_for_sqlite(text: &str) -> String {
    let bytes = text.as_bytes();
    let placeholder = |i: usize| bytes[i] == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
    let mut numbers = Vec::new();
    for i in 0..bytes.len() {
        if placeholder(i) {
            let digits = text[i + 1..].bytes().take_while(u8::is_ascii_digit).count();
            numbers.push(text[i + 1..i + 1 + digits].parse::<usize>().unwrap_or(0));
        }
    }
    let in_order = numbers.iter().enumerate().all(|(k, &n)| n == k + 1);
    let mut out = String::with_capacity(text.len());
    let mut skipping_digits = false;
    for (i, c) in text.char_indices() {
        if skipping_digits && c.is_ascii_digit() {
            continue;
        }
        skipping_digits = false;
        if placeholder(i) {
            out.push('?');
            skipping_digits = in_order;
        } else {
            out.push(c);
        }
    }
    out
}

/// One row of [`Sql::push_values`].
pub(crate) struct Values<'s> {
    sql: &'s mut Sql,
    first: bool,
}

impl Values<'_> {
    pub(crate) fn bind<'q>(&mut self, value: impl Value<'q>) -> &mut Self {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.push_bind(value);
        self
    }
}

/// A row type both backends can decode (every `#[derive(FromRow)]` struct, and tuples).
pub(crate) trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin> Record for T {}

fn decode<R: sqlx::Row, T: for<'r> FromRow<'r, R>>(rows: &[R]) -> Result<Vec<T>, StoreError> {
    Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?)
}

/// One backend's executor, borrowed: the pool or a transaction's connection. Everything
/// that runs a [`Sql`] goes through here, so each backend is named once.
pub(crate) enum Exec<'a> {
    SqlitePool(&'a sqlx::SqlitePool),
    PgPool(&'a sqlx::PgPool),
    Sqlite(&'a mut sqlx::SqliteConnection),
    Pg(&'a mut sqlx::PgConnection),
}

/// Running statements on the pool ([`Db::run`]) or in a transaction ([`Tx::run`]).
impl Exec<'_> {
    /// Runs a statement; how many rows it changed.
    pub(crate) async fn execute(self, sql: Sql) -> Result<u64, StoreError> {
        Ok(match self {
            Exec::SqlitePool(p) => sql.sqlite()?.execute(p).await?.rows_affected(),
            Exec::PgPool(p) => sql.pg()?.execute(p).await?.rows_affected(),
            Exec::Sqlite(c) => sql.sqlite()?.execute(c).await?.rows_affected(),
            Exec::Pg(c) => sql.pg()?.execute(c).await?.rows_affected(),
        })
    }

    /// Every row the statement returns.
    pub(crate) async fn fetch_all<T: Record>(self, sql: Sql) -> Result<Vec<T>, StoreError> {
        match self {
            Exec::SqlitePool(p) => decode(&sql.sqlite()?.fetch_all(p).await?),
            Exec::PgPool(p) => decode(&sql.pg()?.fetch_all(p).await?),
            Exec::Sqlite(c) => decode(&sql.sqlite()?.fetch_all(c).await?),
            Exec::Pg(c) => decode(&sql.pg()?.fetch_all(c).await?),
        }
    }

    /// The first row the statement returns, if any.
    pub(crate) async fn fetch_optional<T: Record>(self, sql: Sql) -> Result<Option<T>, StoreError> {
        Ok(self.fetch_all(sql).await?.into_iter().next())
    }

    /// The first column of every row.
    pub(crate) async fn fetch_column<T>(self, sql: Sql) -> Result<Vec<T>, StoreError>
    where
        (T,): Record,
    {
        Ok(self.fetch_all::<(T,)>(sql).await?.into_iter().map(|(v,)| v).collect())
    }

    /// The first column of the first row, if any.
    pub(crate) async fn fetch_scalar<T>(self, sql: Sql) -> Result<Option<T>, StoreError>
    where
        (T,): Record,
    {
        Ok(self.fetch_optional::<(T,)>(sql).await?.map(|(v,)| v))
    }

    /// The plan the backend chooses for `sql`, one node per line (for the plan tests).
    pub(crate) async fn explain(self, sql: Sql) -> Result<String, StoreError> {
        let dialect = self.dialect();
        let sql = sql.explained(dialect);
        Ok(match self {
            Exec::SqlitePool(p) => dialect.plan_text(&sql.sqlite()?.fetch_all(p).await?),
            Exec::PgPool(p) => dialect.plan_text(&sql.pg()?.fetch_all(p).await?),
            Exec::Sqlite(c) => dialect.plan_text(&sql.sqlite()?.fetch_all(c).await?),
            Exec::Pg(c) => dialect.plan_text(&sql.pg()?.fetch_all(c).await?),
        })
    }
}

impl Exec<'_> {
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Self::SqlitePool(_) | Self::Sqlite(_) => Dialect::SQLITE,
            Self::PgPool(_) | Self::Pg(_) => Dialect::POSTGRES,
        }
    }
}

/// An open write transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    /// What runs statements inside this transaction.
    pub(crate) fn run(&mut self) -> Exec<'_> {
        match self {
            Self::Sqlite(t) => Exec::Sqlite(t),
            Self::Pg(t) => Exec::Pg(t),
        }
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::SQLITE,
            Self::Pg(_) => Dialect::POSTGRES,
        }
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(t) => t.commit().await?,
            Self::Pg(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Commits when `keep`, else rolls back.
    pub(crate) async fn finish(self, keep: bool) -> Result<(), StoreError> {
        if keep { self.commit().await } else { self.rollback().await }
    }

    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(t) => t.rollback().await?,
            Self::Pg(t) => t.rollback().await?,
        }
        Ok(())
    }
}

impl Db {
    /// What runs statements on the pool, each on its own.
    pub(crate) fn run(&self) -> Exec<'_> {
        match self {
            Self::Sqlite(p) => Exec::SqlitePool(p),
            Self::Pg(p) => Exec::PgPool(p),
        }
    }

    /// Starts a write transaction. On SQLite, `BEGIN IMMEDIATE` takes the write lock up front
    /// (waiting up to `busy_timeout`), instead of failing with "database is locked" when a
    /// deferred transaction's first read must later become a write.
    /// Runs `work` in one write transaction, committed when `work` succeeds (an error rolls
    /// it back): for the public wrappers of in-transaction functions (`insert_in`, …).
    pub(crate) async fn write<T>(
        &self,
        work: impl AsyncFnOnce(&mut Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tx = self.begin_write().await?;
        let out = work(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Self::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Self::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::SQLITE,
            Self::Pg(_) => Dialect::POSTGRES,
        }
    }
}

/// A nullable text column read into an optional closed-set member: a field declared
/// `#[sqlx(try_from = "crate::sql::NullableText")] cause: Option<EndCause>` is parsed once,
/// here, by the set's own table.
pub(crate) struct NullableText(Option<String>);

impl<DB: sqlx::Database> Type<DB> for NullableText
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for NullableText
where
    Option<String>: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Self(<Option<String> as sqlx::Decode<'r, DB>>::decode(value)?))
    }
}

impl<T: ClosedSet> TryFrom<NullableText> for Option<T> {
    type Error = domain::DomainError;
    fn try_from(text: NullableText) -> Result<Self, Self::Error> {
        text.0.map(|s| T::parse(&s)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::numbered_for_sqlite;

    #[test]
    fn sqlite_gets_numbered_placeholders_and_json_paths_stay() {
        assert_eq!(
            numbered_for_sqlite("SELECT json_extract(p, '$.x') FROM t WHERE a = $1 AND b IN ($2, $10)"),
            "SELECT json_extract(p, '$.x') FROM t WHERE a = ?1 AND b IN (?2, ?10)"
        );
        assert_eq!(
            numbered_for_sqlite("UPDATE t SET a = $1 WHERE b = $2 OR c = $1"),
            "UPDATE t SET a = ?1 WHERE b = ?2 OR c = ?1"
        );
        assert_eq!(
            numbered_for_sqlite(
                "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6), ($7, $8), ($9, $10), ($11, $12)"
            ),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?)"
        );
    }
}
