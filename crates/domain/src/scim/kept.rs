//! Whether a PATCH operation's change is one Roster keeps (RFC 7644 §3.5.2): every change
//! either takes effect or is refused — never answered 200 with nothing stored.
//!
//! The operation is applied to the resource's document first (for a User, what RFC 7643
//! defines but Roster does not keep is then forgotten: [`super::unkept`]); then each
//! attribute whose value it changed is checked against [`super::schema`]:
//! - an attribute not in it (for a User: none RFC 7643 defines either, such as a typo or
//!   another schema's `urn:example:…:shoeSize`): 400 `invalidPath` when a `path` named it,
//!   `invalidValue` when it came in a value object;
//! - a read-only one (`id`, `meta`, `groups`, `displayName`): 400 `mutability` (writing the
//!   value it already has changes nothing and passes);
//! - a required one removed (`name.givenName`, `active`, `userName`): 400 `invalidValue`;
//! - values Roster cannot hold: a `type` outside the canonical values, two phone numbers of
//!   one type, two addresses, two email addresses: 400 `invalidValue`.

use super::filter::get_ci;
use super::schema::{self, Attr, Keeps, Kind, Mutability};
use super::{ScimError, loose_bool};
use serde_json::{Map, Value};

/// Checks every attribute `before` → `after` changed against `core` (the resource's
/// attributes) and `extensions` (`(URN, attributes)`). `by_path`: the operation named its
/// target with a `path` (an unknown attribute is then `invalidPath`).
pub fn check_change(
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    core: &'static [Attr],
    extensions: &[(&str, &'static [Attr])],
    by_path: bool,
) -> Result<(), ScimError> {
    let unknown = |what: &str| {
        let why = format!("{what} is not an attribute of this resource (RFC 7643 §4)");
        if by_path { ScimError::bad_request("invalidPath", why) } else { ScimError::invalid_value(why) }
    };
    for key in keys(before, after) {
        let (old, new) = (get_ci(before, &key), get_ci(after, &key));
        // `schemas` names schemas, which the attributes decide (an extension object sent
        // whole may carry its own): not data.
        if same(old, new) || key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some((uri, attrs)) = extensions.iter().find(|(u, _)| u.eq_ignore_ascii_case(&key)) {
            let empty = Map::new();
            let (o, n) = (old.and_then(Value::as_object).unwrap_or(&empty), new.and_then(Value::as_object));
            let n = match (new, n) {
                (None | Some(Value::Null), _) => &empty,
                (_, Some(n)) => n,
                _ => return Err(ScimError::invalid_value(format!("{uri} must be an object"))),
            };
            for k in keys(o, n) {
                let (ov, nv) = (get_ci(o, &k), get_ci(n, &k));
                if same(ov, nv) || k.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                let a = schema::find(attrs, &k).ok_or_else(|| unknown(&format!("{uri}:{k}")))?;
                check_attr(a, &format!("{uri}:{}", a.name), ov, nv, &unknown)?;
            }
            continue;
        }
        let a = schema::find(core, &key).or_else(|| schema::find(schema::COMMON, &key)).ok_or_else(|| unknown(&key))?;
        check_attr(a, a.name, old, new, &unknown)?;
    }
    Ok(())
}

/// The keys of both objects, each once (case-insensitively).
fn keys(a: &Map<String, Value>, b: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in a.keys().chain(b.keys()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(k)) {
            out.push(k.clone());
        }
    }
    out
}

/// Whether two values are the same attribute value (absent, null and `""` alike: unassigned,
/// RFC 7643 §2.5).
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let unassigned = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    };
    (unassigned(a) && unassigned(b)) || a == b
}

fn check_attr(
    a: &Attr,
    name: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    unknown: &impl Fn(&str) -> ScimError,
) -> Result<(), ScimError> {
    if a.mutability != Mutability::ReadWrite {
        return Err(ScimError::bad_request("mutability", format!("{name} is read-only")));
    }
    let new = match new {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::Array(v)) if v.is_empty() => None,
        Some(v) => Some(v),
    };
    let Some(new) = new else {
        if a.required || a.keeps == Keeps::OneAddress {
            return Err(ScimError::invalid_value(format!("{name} is required: replace it rather than remove it")));
        }
        return Ok(());
    };
    if !a.multi {
        return check_value(a, name, new, old, unknown);
    }
    let Value::Array(items) = new else { return Err(ScimError::invalid_value(format!("{name} must be an array"))) };
    let old_items: &[Value] = old.and_then(Value::as_array).map_or(&[], Vec::as_slice);
    for item in items {
        check_value(a, name, item, old_items.iter().find(|o| *o == item), unknown)?;
    }
    let of = |item: &Value, sub: &str| {
        item.as_object().and_then(|o| get_ci(o, sub)).and_then(Value::as_str).unwrap_or_default().to_lowercase()
    };
    match a.keeps {
        Keeps::One if items.len() > 1 => {
            return Err(ScimError::invalid_value(format!("Roster keeps one of {name}: the work one")));
        }
        Keeps::All | Keeps::One => {}
        Keeps::OnePerType => {
            let mut types: Vec<String> =
                items.iter().map(|i| Some(of(i, "type")).filter(|t| !t.is_empty()).unwrap_or("work".into())).collect();
            types.sort();
            if types.windows(2).any(|w| w[0] == w[1]) {
                return Err(ScimError::invalid_value(format!("Roster keeps one of {name} of each type")));
            }
        }
        Keeps::OneAddress => {
            let first = of(&items[0], "value");
            if first.is_empty() || items.iter().any(|i| of(i, "value") != first) {
                return Err(ScimError::invalid_value(format!(
                    "a Roster user has one email address: replace {name}[type eq \"work\"].value (or userName) to change it"
                )));
            }
        }
    }
    Ok(())
}

/// One (single) value of `a`: its type, and for a complex one each sub-attribute.
fn check_value(
    a: &Attr,
    name: &str,
    v: &Value,
    old: Option<&Value>,
    unknown: &impl Fn(&str) -> ScimError,
) -> Result<(), ScimError> {
    let wrong = |what: &str| ScimError::invalid_value(format!("{name} must be {what}"));
    match a.kind {
        Kind::String | Kind::Reference => {
            let s = v.as_str().ok_or_else(|| wrong("a string"))?;
            if !a.canonical.is_empty() && !s.is_empty() && !a.canonical.iter().any(|c| c.eq_ignore_ascii_case(s)) {
                return Err(wrong(&format!("one of {}", a.canonical.join(", "))));
            }
        }
        Kind::Boolean => {
            loose_bool(v).ok_or_else(|| wrong("true or false"))?;
        }
        Kind::Complex => {
            let o = v.as_object().ok_or_else(|| wrong("an object"))?;
            let empty = Map::new();
            let old = old.and_then(Value::as_object).unwrap_or(&empty);
            for k in keys(old, o) {
                let (ov, nv) = (get_ci(old, &k), get_ci(o, &k));
                let sub = a.sub_attr(&k).ok_or_else(|| unknown(&format!("{name}.{k}")))?;
                // An element of a multi-valued attribute is a new value, not a change.
                if (a.multi || same(ov, nv)) && nv.is_none() {
                    continue;
                }
                check_attr(sub, &format!("{name}.{}", sub.name), ov, nv, unknown)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
// The helpers take the `json!` values the tests write inline.
#[allow(clippy::needless_pass_by_value)]
mod tests {
    use super::*;
    use crate::scim::ENTERPRISE_SCHEMA;
    use serde_json::json;

    fn check(before: Value, after: Value, by_path: bool) -> Result<(), ScimError> {
        check_change(
            before.as_object().unwrap(),
            after.as_object().unwrap(),
            schema::USER,
            &[(ENTERPRISE_SCHEMA, schema::ENTERPRISE)],
            by_path,
        )
    }

    fn kind(r: Result<(), ScimError>) -> Option<&'static str> {
        r.err().and_then(|e| e.scim_type)
    }

    #[test]
    fn kept_changes_pass() {
        let before = json!({"userName": "a@x", "name": {"givenName": "A", "familyName": "B"}, "displayName": "A B"});
        let after = json!({"userName": "b@x", "name": {"givenName": "C", "familyName": "B"}, "displayName": "A B",
            "phoneNumbers": [{"type": "work", "value": "1"}, {"type": "mobile", "value": "2"}],
            ENTERPRISE_SCHEMA: {"department": "Ops"}});
        assert_eq!(check(before, after, true), Ok(()));
    }

    #[test]
    fn refuses_what_the_schema_does_not_list() {
        let base = json!({"name": {"givenName": "A", "familyName": "B"}, "displayName": "A B", "active": true});
        let with = |k: &str, v: Value| {
            let mut d = base.clone();
            d[k] = v;
            d
        };
        assert_eq!(kind(check(base.clone(), with("nickName", json!("x")), true)), Some("invalidPath"));
        assert_eq!(kind(check(base.clone(), with("nickName", json!("x")), false)), Some("invalidValue"));
        assert_eq!(kind(check(base.clone(), with("displayName", json!("Z")), true)), Some("mutability"));
        assert_eq!(kind(check(base.clone(), with("id", json!("x")), true)), Some("mutability"));
        let middle = with("name", json!({"givenName": "A", "familyName": "B", "middleName": "C"}));
        assert_eq!(kind(check(base.clone(), middle, true)), Some("invalidPath"));
        assert_eq!(kind(check(base.clone(), with("name", json!({"familyName": "B"})), true)), Some("invalidValue"));
        assert_eq!(kind(check(base.clone(), with("active", Value::Null), true)), Some("invalidValue"));
        let fax = with("phoneNumbers", json!([{"type": "fax", "value": "1"}]));
        assert_eq!(kind(check(base.clone(), fax, true)), Some("invalidValue"));
        let two_phones = with("phoneNumbers", json!([{"type": "work", "value": "1"}, {"value": "2"}]));
        assert_eq!(kind(check(base.clone(), two_phones, true)), Some("invalidValue"));
        let emails = json!({"emails": [{"value": "a@x"}, {"value": "b@x", "type": "work"}]});
        let two = check_change(&Map::new(), emails.as_object().unwrap(), schema::EMAILS_PATCHED, &[], true);
        assert_eq!(kind(two), Some("invalidValue"));
        let manager = with(ENTERPRISE_SCHEMA, json!({"manager": {"value": "x"}}));
        assert_eq!(kind(check(base.clone(), manager, true)), Some("invalidPath"));
        assert_eq!(kind(check(base.clone(), with("urn:x:y", json!({"a": 1})), true)), Some("invalidPath"));
        // Unchanged read-only values and removing what is not there change nothing.
        assert_eq!(check(base.clone(), with("displayName", json!("A B")), true), Ok(()));
        assert_eq!(check(base.clone(), with("title", Value::Null), true), Ok(()));
    }
}
