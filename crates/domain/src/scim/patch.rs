//! PATCH (RFC 7644 §3.5.2): operations parsed from a request and applied to a resource's
//! JSON document. The patched document is then read like a PUT body, so PUT and PATCH
//! share one mapping onto the user ([`super::user`]).
//!
//! Real clients' dialects are accepted: `op` in any case (Entra ID sends `Replace`), no
//! `path` with an object of attributes — also dotted (`name.givenName`) or URN-prefixed
//! keys — and value filters in paths (`emails[type eq "work"].value`).
//!
//! Targets as RFC 7644 §3.5.2 words them: an `add` through a value filter that matches
//! nothing adds a value carrying the filter's `eq` conditions (Entra ID's first work phone:
//! `phoneNumbers[type eq "work"].value`); a `replace` through one is 400 `noTarget`
//! (§3.5.2.3), as is a `replace` of a sub-attribute of a multi-valued attribute that has no
//! values; a `remove` of what is not there leaves it not there (§3.5.2.2 names `noTarget`
//! only for a missing `path`). A `replace` of a complex attribute replaces the
//! sub-attributes given and keeps the others (§3.5.2.3). [`apply_checked`] also has each
//! operation's change checked (for Users: [`super::user::apply_patch`]), so none is
//! silently dropped — except what the resource does not keep at all, which changes nothing
//! ([`super::unkept`]).

use super::filter::{self, AttrPath, Filter, get_ci};
use super::{PATCH_SCHEMA, ScimError};
use serde_json::{Map, Value};

/// The operation's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Replace,
    Remove,
}

/// `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`, with an optional URN.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter (`.value` in `emails[…].value`).
    pub sub: Option<String>,
}

impl PatchPath {
    /// Parses a path; 400 `invalidPath` when it is not one.
    pub fn parse(raw: &str) -> Result<Self, ScimError> {
        let bad = || ScimError::bad_request("invalidPath", format!("{raw:?} is not an attribute path"));
        let raw = raw.trim();
        let Some(open) = raw.find('[') else {
            return Ok(Self { attr: AttrPath::parse(raw).ok_or_else(bad)?, filter: None, sub: None });
        };
        let close = raw.rfind(']').filter(|c| *c > open).ok_or_else(bad)?;
        let attr = AttrPath::parse(&raw[..open]).ok_or_else(bad)?;
        let inner =
            filter::parse(&raw[open + 1..close]).map_err(|e| ScimError::bad_request("invalidPath", e.detail))?;
        let rest = &raw[close + 1..];
        let sub = match rest.strip_prefix('.') {
            Some(s) if !s.is_empty() => Some(s.to_owned()),
            None if rest.is_empty() => None,
            _ => return Err(bad()),
        };
        Ok(Self { attr, filter: Some(inner), sub })
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    pub kind: OpKind,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

/// Reads a PATCH request body: `schemas` must name the PatchOp message and `Operations`
/// hold at least one operation. 400 `invalidSyntax` / `invalidPath` / `invalidValue`.
pub fn parse_request(body: &Value) -> Result<Vec<PatchOp>, ScimError> {
    let syntax = |why: &str| ScimError::bad_request("invalidSyntax", why.to_owned());
    let obj = body.as_object().ok_or_else(|| syntax("the body must be a PatchOp object"))?;
    let schemas = get_ci(obj, "schemas").and_then(Value::as_array);
    if !schemas.is_some_and(|s| s.iter().any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(PATCH_SCHEMA)))) {
        return Err(syntax("schemas must list urn:ietf:params:scim:api:messages:2.0:PatchOp"));
    }
    let ops = get_ci(obj, "Operations").and_then(Value::as_array).ok_or_else(|| syntax("Operations is required"))?;
    if ops.is_empty() {
        return Err(syntax("Operations is empty"));
    }
    ops.iter().map(parse_op).collect()
}

fn parse_op(v: &Value) -> Result<PatchOp, ScimError> {
    let syntax = |why: String| ScimError::bad_request("invalidSyntax", why);
    let obj = v.as_object().ok_or_else(|| syntax("each operation must be an object".into()))?;
    let op = get_ci(obj, "op").and_then(Value::as_str).unwrap_or_default();
    let kind = match op.to_ascii_lowercase().as_str() {
        "add" => OpKind::Add,
        "replace" => OpKind::Replace,
        "remove" => OpKind::Remove,
        _ => return Err(syntax(format!("op must be add, replace or remove, not {op:?}"))),
    };
    let path = match get_ci(obj, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p.trim().is_empty() => None,
        Some(Value::String(p)) => Some(PatchPath::parse(p)?),
        Some(_) => return Err(ScimError::bad_request("invalidPath", "path must be a string")),
    };
    let value = get_ci(obj, "value").cloned();
    if kind != OpKind::Remove && value.is_none() {
        return Err(ScimError::invalid_value(format!("{op} needs a value")));
    }
    if kind == OpKind::Remove && path.is_none() {
        return Err(ScimError::bad_request("noTarget", "remove needs a path"));
    }
    if path.is_none() && !value.as_ref().is_some_and(Value::is_object) {
        return Err(ScimError::invalid_value(format!("{op} without a path needs an object value")));
    }
    Ok(PatchOp { kind, path, value })
}

/// Applies `ops` in order to the resource document `doc` (its attribute names in any
/// case). `core_schema` is the resource's own schema URN: a path prefixed with it
/// addresses the top level; any other URN addresses that extension's object.
pub fn apply(doc: &mut Map<String, Value>, core_schema: &str, ops: &[PatchOp]) -> Result<(), ScimError> {
    apply_checked(doc, core_schema, ops, |_| false, |_, _, _| Ok(()))
}

/// [`apply`], with the resource's rules: `ignores(path)` says a path names only what the
/// resource does not keep (the operation, or that key of a value object, is skipped: it
/// changes nothing, and a `replace` through it is no `noTarget`); `settle(before, after,
/// by_path)` then decides each operation's change — it may put back in `after` what the
/// resource does not keep, and refuses what it cannot take (`by_path`: the operation has
/// a `path`).
pub fn apply_checked(
    doc: &mut Map<String, Value>,
    core_schema: &str,
    ops: &[PatchOp],
    ignores: impl Fn(&PatchPath) -> bool,
    settle: impl Fn(&Map<String, Value>, &mut Map<String, Value>, bool) -> Result<(), ScimError>,
) -> Result<(), ScimError> {
    for op in ops {
        let before = doc.clone();
        apply_one(doc, core_schema, op, &ignores)?;
        settle(&before, doc, op.path.is_some())?;
    }
    Ok(())
}

fn apply_one(
    doc: &mut Map<String, Value>,
    core_schema: &str,
    op: &PatchOp,
    ignores: &impl Fn(&PatchPath) -> bool,
) -> Result<(), ScimError> {
    if let Some(path) = &op.path {
        if ignores(path) {
            return Ok(());
        }
        return apply_path(doc, core_schema, op.kind, path, op.value.as_ref());
    }
    let Some(Value::Object(attrs)) = &op.value else {
        return Err(ScimError::invalid_value("an operation without a path needs an object value"));
    };
    for (key, value) in attrs {
        if is_extension(key, core_schema) && value.is_object() {
            let ext = container(doc, Some(key));
            for (k, v) in value.as_object().into_iter().flatten() {
                set(ext, k, v.clone(), op.kind);
            }
            continue;
        }
        let path = PatchPath::parse(key)?;
        if !ignores(&path) {
            apply_path(doc, core_schema, op.kind, &path, Some(value))?;
        }
    }
    Ok(())
}

fn is_extension(key: &str, core_schema: &str) -> bool {
    key.to_ascii_lowercase().starts_with("urn:") && !key.eq_ignore_ascii_case(core_schema)
}

/// The object attributes live in: the document, or the extension object `uri` names.
fn container<'a>(doc: &'a mut Map<String, Value>, uri: Option<&str>) -> &'a mut Map<String, Value> {
    let Some(uri) = uri else { return doc };
    let key = doc.keys().find(|k| k.eq_ignore_ascii_case(uri)).cloned().unwrap_or_else(|| uri.to_owned());
    let slot = doc.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().expect("made an object above")
}

/// The key of `obj` equal to `name` ignoring case, or `name` itself.
fn key_of(obj: &Map<String, Value>, name: &str) -> String {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_owned())
}

/// Sets (add/replace) or removes `name` in `obj`. Adding to a multi-valued attribute
/// appends the values it does not have yet.
fn set(obj: &mut Map<String, Value>, name: &str, value: Value, kind: OpKind) {
    let key = key_of(obj, name);
    match (kind, obj.get_mut(&key), value) {
        (OpKind::Remove, _, _) => {
            obj.remove(&key);
        }
        (OpKind::Add, Some(Value::Array(have)), Value::Array(more)) => {
            // A set of what is there, not `have.contains` per value: one PATCH may add
            // tens of thousands of group members, and a scan per value was quadratic
            // (minutes of CPU for 40,000 ids, until the request timed out).
            let mut seen: std::collections::HashSet<String> = have.iter().map(Value::to_string).collect();
            for v in more {
                if seen.insert(v.to_string()) {
                    have.push(v);
                }
            }
        }
        // A complex attribute: the sub-attributes given, the others kept (§3.5.2.1, §3.5.2.3).
        (OpKind::Add | OpKind::Replace, Some(Value::Object(have)), Value::Object(more)) => {
            for (k, v) in more {
                let k = key_of(have, &k);
                have.insert(k, v);
            }
        }
        (_, _, value) => {
            obj.insert(key, value);
        }
    }
}

fn apply_path(
    doc: &mut Map<String, Value>,
    core_schema: &str,
    kind: OpKind,
    path: &PatchPath,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let uri = path.attr.uri.as_deref().filter(|u| !u.eq_ignore_ascii_case(core_schema));
    // A bare extension URN as the path (`urn:…:enterprise:2.0:User`) names the whole
    // extension object (one the document has: rendered resources carry theirs).
    let whole_ext = format!("{}:{}", path.attr.uri.as_deref().unwrap_or(""), path.attr.name);
    if path.attr.sub.is_none() && path.filter.is_none() && get_ci(doc, &whole_ext).is_some_and(Value::is_object) {
        let ext = container(doc, Some(&whole_ext));
        match (kind, value) {
            (OpKind::Remove, _) => ext.clear(),
            (_, Some(Value::Object(attrs))) => ext.extend(attrs.clone()),
            _ => return Err(ScimError::invalid_value("an extension's value must be an object")),
        }
        return Ok(());
    }
    let obj = container(doc, uri);
    let value = value.cloned().unwrap_or(Value::Null);
    let Some(filter) = &path.filter else {
        match &path.attr.sub {
            None => set(obj, &path.attr.name, value, kind),
            Some(sub) => {
                let key = key_of(obj, &path.attr.name);
                let slot = obj.entry(key).or_insert_with(|| Value::Object(Map::new()));
                match slot {
                    Value::Object(inner) => set(inner, sub, value, kind),
                    // `emails.value` on a multi-valued attribute: every value's sub-attribute.
                    Value::Array(items) => {
                        if items.is_empty() && kind != OpKind::Remove {
                            return Err(no_target(path));
                        }
                        for item in items.iter_mut().filter_map(Value::as_object_mut) {
                            set(item, sub, value.clone(), kind);
                        }
                    }
                    other => {
                        *other = Value::Object(Map::new());
                        set(other.as_object_mut().expect("just made"), sub, value, kind);
                    }
                }
            }
        }
        return Ok(());
    };
    let key = key_of(obj, &path.attr.name);
    let items = match obj.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
        Value::Array(items) => items,
        other => {
            *other = Value::Array(Vec::new());
            other.as_array_mut().expect("just made")
        }
    };
    let matching: Vec<usize> = (0..items.len()).filter(|i| filter.matches(&items[*i])).collect();
    if kind == OpKind::Remove {
        if path.sub.is_none() {
            for i in matching.into_iter().rev() {
                items.remove(i);
            }
        } else {
            for i in matching {
                if let (Some(o), Some(sub)) = (items[i].as_object_mut(), &path.sub) {
                    set(o, sub, Value::Null, OpKind::Remove);
                }
            }
        }
        return Ok(());
    }
    if matching.is_empty() && kind == OpKind::Replace {
        return Err(no_target(path));
    }
    if matching.is_empty() {
        // Nothing matches: the value joins as a new element carrying the filter's `eq`
        // conditions (`phoneNumbers[type eq "work"].value` → `{"type":"work","value":…}`).
        let mut element = Map::new();
        equalities(filter, &mut element);
        match (&path.sub, value) {
            (Some(sub), v) => {
                element.insert(sub.clone(), v);
            }
            (None, Value::Object(more)) => element.extend(more),
            (None, _) => return Err(ScimError::invalid_value("a value filter path needs an object value")),
        }
        items.push(Value::Object(element));
        return Ok(());
    }
    for i in matching {
        let Some(o) = items[i].as_object_mut() else { continue };
        match (&path.sub, &value) {
            (Some(sub), v) => set(o, sub, v.clone(), OpKind::Replace),
            (None, Value::Object(more)) => o.extend(more.clone()),
            (None, _) => return Err(ScimError::invalid_value("a value filter path needs an object value")),
        }
    }
    Ok(())
}

/// 400 `noTarget`: the path selects no value to replace.
fn no_target(path: &PatchPath) -> ScimError {
    let name = match &path.attr.sub {
        Some(sub) => format!("{}.{sub}", path.attr.name),
        None => path.attr.name.clone(),
    };
    let how = if path.filter.is_some() { "no value matches the filter" } else { "it has no values" };
    ScimError::bad_request("noTarget", format!("nothing to replace at {name}: {how}; add the value instead"))
}

/// The `attr eq "value"` conditions of a filter's `and` chain, as attributes.
fn equalities(f: &Filter, into: &mut Map<String, Value>) {
    match f {
        Filter::Compare(p, filter::CompareOp::Eq, v) if p.sub.is_none() => {
            into.insert(p.name.clone(), v.clone());
        }
        Filter::And(a, b) => {
            equalities(a, into);
            equalities(b, into);
        }
        _ => {}
    }
}

#[cfg(test)]
// The helpers take the `json!` values the tests write inline.
#[allow(clippy::needless_pass_by_value)]
mod tests {
    use super::*;
    use crate::scim::{ENTERPRISE_SCHEMA, USER_SCHEMA};
    use serde_json::json;

    fn run(mut doc: Value, body: Value) -> Value {
        let ops = parse_request(&body).unwrap();
        apply(doc.as_object_mut().unwrap(), USER_SCHEMA, &ops).unwrap();
        doc
    }

    fn body(ops: Value) -> Value {
        json!({"schemas": [PATCH_SCHEMA], "Operations": ops})
    }

    #[test]
    fn entra_replace_without_path_with_capitalised_op_and_dotted_keys() {
        let doc = run(
            json!({"userName": "a@x", "name": {"givenName": "A"}, "active": true}),
            body(json!([{"op": "Replace", "value": {"active": "False", "name.givenName": "B"}}])),
        );
        assert_eq!(doc["active"], json!("False"));
        assert_eq!(doc["name"]["givenName"], json!("B"));
    }

    #[test]
    fn value_filter_paths_replace_add_and_remove() {
        let start = json!({"emails": [{"type": "work", "value": "a@x"}], "phoneNumbers": []});
        let doc = run(
            start,
            body(json!([
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@x"},
                {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555"},
            ])),
        );
        assert_eq!(doc["emails"], json!([{"type": "work", "value": "b@x"}]));
        assert_eq!(doc["phoneNumbers"], json!([{"type": "mobile", "value": "+1 555"}]));
        let doc = run(doc, body(json!([{"op": "remove", "path": "phoneNumbers[type eq \"mobile\"]"}])));
        assert_eq!(doc["phoneNumbers"], json!([]));
    }

    #[test]
    fn extension_attributes_by_urn_path_and_by_object() {
        let doc = run(
            json!({}),
            body(json!([
                {"op": "add", "path": format!("{ENTERPRISE_SCHEMA}:department"), "value": "Sales"},
                {"op": "replace", "value": {ENTERPRISE_SCHEMA: {"organization": "Acme"}}},
            ])),
        );
        assert_eq!(doc[ENTERPRISE_SCHEMA], json!({"department": "Sales", "organization": "Acme"}));
        let doc = run(doc, body(json!([{"op": "remove", "path": format!("{ENTERPRISE_SCHEMA}:department")}])));
        assert_eq!(doc[ENTERPRISE_SCHEMA], json!({"organization": "Acme"}));
        let doc = run(doc, body(json!([{"op": "replace", "path": ENTERPRISE_SCHEMA, "value": {"department": "Ops"}}])));
        assert_eq!(doc[ENTERPRISE_SCHEMA], json!({"department": "Ops", "organization": "Acme"}));
    }

    fn fails(doc: Value, ops: Value) -> Option<&'static str> {
        let ops = parse_request(&body(ops)).unwrap();
        apply(doc.clone().as_object_mut().unwrap(), USER_SCHEMA, &ops).err().and_then(|e| e.scim_type)
    }

    #[test]
    fn replace_needs_a_target_and_keeps_unnamed_sub_attributes() {
        let doc = json!({"emails": [{"type": "work", "value": "a@x"}], "phoneNumbers": [], "name": {"givenName": "A", "familyName": "B"}});
        let op = |op: &str, path: &str| json!([{"op": op, "path": path, "value": "x"}]);
        assert_eq!(fails(doc.clone(), op("replace", "emails[type eq \"home\"].value")), Some("noTarget"));
        assert_eq!(fails(doc.clone(), op("replace", "phoneNumbers.value")), Some("noTarget"));
        assert_eq!(fails(doc.clone(), op("add", "emails[type eq \"home\"].value")), None);
        assert_eq!(fails(doc.clone(), json!([{"op": "remove", "path": "emails[type eq \"home\"]"}])), None);
        let doc = run(doc, body(json!([{"op": "replace", "path": "name", "value": {"GivenName": "C"}}])));
        assert_eq!(doc["name"], json!({"givenName": "C", "familyName": "B"}));
    }

    #[test]
    fn refuses_bad_requests() {
        let e = parse_request(&json!({"Operations": []})).unwrap_err();
        assert_eq!(e.scim_type, Some("invalidSyntax"));
        let e = parse_request(&body(json!([{"op": "move", "path": "x"}]))).unwrap_err();
        assert_eq!(e.scim_type, Some("invalidSyntax"));
        let e = parse_request(&body(json!([{"op": "remove"}]))).unwrap_err();
        assert_eq!(e.scim_type, Some("noTarget"));
        let e = parse_request(&body(json!([{"op": "add", "path": "emails[type eq]", "value": 1}]))).unwrap_err();
        assert_eq!(e.scim_type, Some("invalidPath"));
    }
}
