//! SCIM filters (domain::scim::filter) as SQL conditions on `users u`.
//!
//! Every attribute identity providers filter on has an index behind it: `userName` and
//! `emails.value` compare the canonical email key (`users_account_email`), `externalId`
//! its own (`users_by_external_id`), `meta.lastModified` `users_by_updated`,
//! `meta.created` `users_by_created`, `name.givenName` and `name.familyName` their keys'
//! (`users_by_first_key`, `users_by_last_key`; `eq` and `sw`), `id` the primary key.
//! `active` is answered too, as a condition checked on the rows the other conditions (or
//! the account) select.
//!
//! Case (RFC 7643 §2.2 `caseExact`, §3.1, §4.1): `externalId` is compared byte for byte
//! under every operator on both backends (its PostgreSQL column is `COLLATE "C"`, like
//! SQLite's BINARY; `co`/`sw`/`ew` avoid LIKE, whose case rules differ by backend);
//! `userName`, `emails.value` and the names compare lower-cased values: the names by keys
//! folded in Rust by Unicode's rules (`ÖZTÜRK` finds `Öztürk` on SQLite too, whose
//! `lower()` is ASCII-only; [`domain::text::fold`], stored by `store::users::NameKeys`).
//! `sw` on these lower-cased keys is a range (`key >= 'ann' AND key < 'ano'`), which walks
//! an index on both databases (their columns compare byte-wise: BINARY, `COLLATE "C"`).
//! `pr` is "assigned and not empty"; the one email's `type` (`work`) and `primary`
//! (`true`) are constants.

use crate::dialect::like_escaped;
use crate::sql::Sql;
use domain::scim::filter::{AttrPath, CompareOp, Filter};
use domain::scim::{ScimError, USER_SCHEMA};
use serde_json::Value;

/// What kind of value a column holds, which decides the comparisons it takes.
#[derive(Clone, Copy)]
enum Kind {
    /// Compared lower-cased (`caseExact: false`): the column is already lower-case.
    LowerText,
    /// Compared as stored (`caseExact: true`).
    ExactText,
    /// A time in microseconds, compared with an RFC 3339 value.
    Time,
    Id,
    Active,
}

fn unsupported(p: &AttrPath) -> ScimError {
    let detail = match p.key().as_str() {
        "name" => "name is complex: compare name.givenName or name.familyName (name pr is answered)".to_owned(),
        "meta" => "meta is complex: compare meta.created or meta.lastModified (meta pr is answered)".to_owned(),
        k => format!("filtering on {k} is not supported"),
    };
    ScimError::bad_request("invalidFilter", detail)
}

/// The column and kind of a filterable User attribute.
fn column(p: &AttrPath) -> Result<(&'static str, Kind), ScimError> {
    if p.uri.as_deref().is_some_and(|u| !u.eq_ignore_ascii_case(USER_SCHEMA)) {
        return Err(unsupported(p));
    }
    Ok(match p.key().as_str() {
        "username" | "emails" | "emails.value" => ("u.email_key", Kind::LowerText),
        "externalid" => ("u.external_id", Kind::ExactText),
        "id" => ("u.id", Kind::Id),
        "name.givenname" => ("u.first_key", Kind::LowerText),
        "name.familyname" => ("u.last_key", Kind::LowerText),
        "name.formatted" | "displayname" => ("u.name_key", Kind::LowerText),
        "active" => ("u.status", Kind::Active),
        "meta.lastmodified" => ("u.updated_at", Kind::Time),
        "meta.created" => ("u.created_at", Kind::Time),
        _ => return Err(unsupported(p)),
    })
}

/// `co`, `sw`, `ew` on a case-exact column (RFC 7643 §2.2 `caseExact`): LIKE is
/// case-insensitive on SQLite and case-sensitive on PostgreSQL, so these compare with `=`
/// (exact on both) on the part of the column the value must equal — `substr` and `length`
/// count characters alike on both — and `co` with `replace` (which finds exact text).
fn exact_substring(sql: &mut Sql, col: &str, op: CompareOp, value: String) {
    if value.is_empty() {
        sql.push(&format!("{col} IS NOT NULL"));
        return;
    }
    match op {
        CompareOp::Sw => {
            sql.push(&format!("substr({col}, 1, length(")).push_bind(value.clone()).push(")) = ").push_bind(value)
        }
        CompareOp::Ew => sql
            .push(&format!("length({col}) >= length("))
            .push_bind(value.clone())
            .push(&format!(") AND substr({col}, length({col}) - length("))
            .push_bind(value.clone())
            .push(") + 1) = ")
            .push_bind(value),
        _ => sql.push(&format!("replace({col}, ")).push_bind(value).push(&format!(", '') <> {col}")),
    };
}

/// The least string greater than every string starting with `prefix`, in code point order
/// (UTF-8 byte order): `prefix` with its last character incremented (`"ann"` → `"ano"`).
/// `None` for `""` (every string starts with it) or only `char::MAX`s.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // The next scalar value, stepping over the surrogates.
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn text_value(p: &AttrPath, v: &Value) -> Result<String, ScimError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| ScimError::bad_request("invalidFilter", format!("{} compares with a string", p.key())))
}

/// Appends the SQL condition for `f` to `sql`. 400 `invalidFilter` for attributes or
/// operators that cannot be answered.
pub(crate) fn push(sql: &mut Sql, f: &Filter) -> Result<(), ScimError> {
    push_logical(sql, f, &push_user_term)
}

/// Appends `f`'s `and`/`or` structure as SQL, each other term written by `term`.
pub(crate) fn push_logical(
    sql: &mut Sql,
    f: &Filter,
    term: &impl Fn(&mut Sql, &Filter) -> Result<(), ScimError>,
) -> Result<(), ScimError> {
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => {
            sql.push("(");
            push_logical(sql, a, term)?;
            sql.push(if matches!(f, Filter::And(..)) { " AND " } else { " OR " });
            push_logical(sql, b, term)?;
            sql.push(")");
            Ok(())
        }
        _ => term(sql, f),
    }
}

fn push_user_term(sql: &mut Sql, f: &Filter) -> Result<(), ScimError> {
    match f {
        Filter::And(..) | Filter::Or(..) => push(sql, f)?,
        Filter::Not(a) => {
            // coalesce: a comparison with a NULL column is unknown, and NOT of unknown
            // would drop the row that `not` should keep.
            sql.push("NOT coalesce((");
            push(sql, a)?;
            sql.push("), FALSE)");
        }
        Filter::ValuePath(p, inner) => push(sql, &within(p, inner)?)?,
        Filter::Present(p) if p.key() == "name" => {
            let part = |sub: &str| Filter::Present(AttrPath { sub: Some(sub.into()), ..p.clone() });
            push(sql, &Filter::Or(Box::new(part("givenName")), Box::new(part("familyName"))))?;
        }
        Filter::Present(p) if p.key() == "meta" => {
            sql.push("TRUE");
        }
        Filter::Present(_) | Filter::Compare(..) if constant(f).is_some() => {
            sql.push(if constant(f) == Some(true) { "TRUE" } else { "FALSE" });
        }
        Filter::Present(p) => {
            let (col, kind) = column(p)?;
            match kind {
                // Present: assigned and not empty (RFC 7644 §3.4.2.2).
                Kind::ExactText | Kind::LowerText => sql.push(&format!("({col} IS NOT NULL AND {col} <> '')")),
                // Never null.
                Kind::Time | Kind::Id | Kind::Active => sql.push("TRUE"),
            };
        }
        Filter::Compare(p, op, v) => compare(sql, p, *op, v)?,
    }
    Ok(())
}

/// The sub-attributes every user has with one value: the one email is the primary work
/// address. A term on them is decided here, by the filter evaluator on that value.
fn constant(f: &Filter) -> Option<bool> {
    let (Filter::Present(p) | Filter::Compare(p, ..)) = f else { return None };
    if !matches!(p.key().as_str(), "emails.type" | "emails.primary") {
        return None;
    }
    let unqualified = |p: &AttrPath| AttrPath { uri: None, ..p.clone() };
    let f = match f {
        Filter::Present(p) => Filter::Present(unqualified(p)),
        Filter::Compare(p, op, v) => Filter::Compare(unqualified(p), *op, v.clone()),
        _ => return None,
    };
    Some(f.matches(&serde_json::json!({"emails": [{"type": "work", "primary": true}]})))
}

/// `emails[value eq "x"]` as `emails.value eq "x"`: the inner filter's attributes become
/// sub-attributes of the outer one (a user's values of a multi-valued attribute are one
/// email, so "some value matches all the inner terms" is "the inner terms match").
/// 400 `invalidFilter` for a value filter inside another, or naming sub-attributes itself.
fn within(outer: &AttrPath, inner: &Filter) -> Result<Filter, ScimError> {
    let lift = |p: &AttrPath| match (&p.uri, &p.sub) {
        (None, None) => Ok(AttrPath { uri: outer.uri.clone(), name: outer.name.clone(), sub: Some(p.name.clone()) }),
        _ => Err(ScimError::bad_request(
            "invalidFilter",
            format!("inside {}[…] name its sub-attributes alone, not {}", outer.key(), p.key()),
        )),
    };
    Ok(match inner {
        Filter::Compare(p, op, v) => Filter::Compare(lift(p)?, *op, v.clone()),
        Filter::Present(p) => Filter::Present(lift(p)?),
        Filter::And(a, b) => Filter::And(Box::new(within(outer, a)?), Box::new(within(outer, b)?)),
        Filter::Or(a, b) => Filter::Or(Box::new(within(outer, a)?), Box::new(within(outer, b)?)),
        Filter::Not(a) => Filter::Not(Box::new(within(outer, a)?)),
        Filter::ValuePath(..) => {
            return Err(ScimError::bad_request("invalidFilter", "a value filter cannot hold another"));
        }
    })
}

fn compare(sql: &mut Sql, p: &AttrPath, op: CompareOp, v: &Value) -> Result<(), ScimError> {
    let (col, kind) = column(p)?;
    let bad_op = || ScimError::bad_request("invalidFilter", format!("{} does not take this operator", p.key()));
    let sql_op = match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "<>",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => "LIKE",
    };
    match kind {
        Kind::LowerText | Kind::ExactText => {
            let raw = text_value(p, v)?;
            let value = match (kind, p.key().as_str(), op) {
                // `userName eq` finds the address however it is written: its canonical key.
                (Kind::LowerText, "username" | "emails" | "emails.value", CompareOp::Eq | CompareOp::Ne) => {
                    domain::user::Email::canonical_key(&raw).unwrap_or_else(|_| raw.to_lowercase())
                }
                (Kind::LowerText, ..) => domain::text::fold(&raw),
                _ => raw,
            };
            if matches!(kind, Kind::ExactText) && sql_op == "LIKE" {
                exact_substring(sql, col, op, value);
                return Ok(());
            }
            if let (Kind::LowerText, CompareOp::Sw, Some(end)) = (kind, op, prefix_end(&value)) {
                sql.push(&format!("({col} >= ")).push_bind(value).push(&format!(" AND {col} < ")).push_bind(end);
                sql.push(")");
                return Ok(());
            }
            let value = match op {
                CompareOp::Co => format!("%{}%", like_escaped(&value)),
                CompareOp::Sw => format!("{}%", like_escaped(&value)),
                CompareOp::Ew => format!("%{}", like_escaped(&value)),
                _ => value,
            };
            if op == CompareOp::Ne {
                sql.push(&format!("coalesce({col}, '') <> ")).push_bind(value);
            } else {
                sql.push(&format!("{col} {sql_op} ")).push_bind(value);
                if sql_op == "LIKE" {
                    sql.push(" ESCAPE '\\'");
                }
            }
        }
        Kind::Time => {
            if sql_op == "LIKE" {
                return Err(bad_op());
            }
            let at = v
                .as_str()
                .and_then(|s| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok())
                .ok_or_else(|| {
                    ScimError::bad_request("invalidFilter", format!("{} compares with an RFC 3339 time", p.key()))
                })?;
            let micros = i64::try_from(at.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX);
            sql.push(&format!("{col} {sql_op} ")).push_bind(micros);
        }
        Kind::Id => {
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                return Err(bad_op());
            }
            match text_value(p, v)?.parse::<uuid::Uuid>() {
                Ok(id) => {
                    sql.push(&format!("{col} {sql_op} ")).push_bind(id);
                }
                // No user has an id that is not a UUID.
                Err(_) => {
                    sql.push(if op == CompareOp::Eq { "FALSE" } else { "TRUE" });
                }
            }
        }
        Kind::Active => {
            let want = domain::scim::loose_bool(v)
                .ok_or_else(|| ScimError::bad_request("invalidFilter", "active compares with true or false"))?;
            let active = match op {
                CompareOp::Eq => want,
                CompareOp::Ne => !want,
                _ => return Err(bad_op()),
            };
            sql.push(if active { "u.status <> 'suspended'" } else { "u.status = 'suspended'" });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn a_prefix_ends_at_its_last_character_plus_one() {
        assert_eq!(prefix_end("ann").as_deref(), Some("ano"));
        assert_eq!(prefix_end("öz").as_deref(), Some("ö{"));
        assert_eq!(prefix_end("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end(""), None);
        assert_eq!(prefix_end("\u{10FFFF}"), None);
    }
}
