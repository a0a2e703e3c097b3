//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes of a
//! resource a response shows. `id` and `schemas` are always shown (`returned: always`).

use super::filter::AttrPath;
use serde_json::{Map, Value};

/// The comma-separated attribute paths of a parameter, parsed (unreadable ones dropped).
pub fn paths(raw: Option<&str>) -> Vec<AttrPath> {
    raw.unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).filter_map(AttrPath::parse).collect()
}

fn always(key: &str) -> bool {
    key.eq_ignore_ascii_case("id") || key.eq_ignore_ascii_case("schemas")
}

/// The object a path addresses: the resource, or the extension its URN names (the core
/// schema `core_schema` addresses the resource itself).
fn target<'a>(doc: &'a mut Map<String, Value>, p: &AttrPath, core_schema: &str) -> Option<&'a mut Map<String, Value>> {
    match &p.uri {
        Some(uri) if !uri.eq_ignore_ascii_case(core_schema) => {
            let key = doc.keys().find(|k| k.eq_ignore_ascii_case(uri))?.clone();
            doc.get_mut(&key)?.as_object_mut()
        }
        _ => Some(doc),
    }
}

/// Shows only `attributes` (when any) and hides `excluded`.
pub fn project(doc: &mut Map<String, Value>, attributes: &[AttrPath], excluded: &[AttrPath], core_schema: &str) {
    if !attributes.is_empty() {
        let keep = |key: &str| {
            always(key)
                || attributes.iter().any(|p| {
                    let top = match &p.uri {
                        Some(uri) if !uri.eq_ignore_ascii_case(core_schema) => uri.as_str(),
                        _ => p.name.as_str(),
                    };
                    top.eq_ignore_ascii_case(key)
                })
        };
        doc.retain(|k, _| keep(k));
        // `name.givenName` keeps only that sub-attribute of `name`.
        let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
        for p in attributes.iter().filter(|p| p.uri.as_deref().is_none_or(|u| u.eq_ignore_ascii_case(core_schema))) {
            match (&p.sub, wanted.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&p.name))) {
                (Some(s), Some((_, subs))) if !subs.is_empty() => subs.push(s.clone()),
                (_, Some((_, subs))) => subs.clear(),
                (Some(s), None) => wanted.push((p.name.clone(), vec![s.clone()])),
                (None, None) => wanted.push((p.name.clone(), Vec::new())),
            }
        }
        for (name, subs) in wanted.into_iter().filter(|(_, s)| !s.is_empty()) {
            let Some(key) = doc.keys().find(|k| k.eq_ignore_ascii_case(&name)).cloned() else { continue };
            let keep_sub = |k: &str| subs.iter().any(|s| s.eq_ignore_ascii_case(k));
            match doc.get_mut(&key) {
                Some(Value::Object(o)) => o.retain(|k, _| keep_sub(k)),
                Some(Value::Array(items)) => {
                    for o in items.iter_mut().filter_map(Value::as_object_mut) {
                        o.retain(|k, _| keep_sub(k));
                    }
                }
                _ => {}
            }
        }
    }
    for p in excluded {
        let Some(obj) = target(doc, p, core_schema) else { continue };
        let Some(key) = obj.keys().find(|k| k.eq_ignore_ascii_case(&p.name)).cloned() else { continue };
        match &p.sub {
            None if !always(&key) => {
                obj.remove(&key);
            }
            None => {}
            Some(sub) => match obj.get_mut(&key) {
                Some(Value::Object(o)) => o.retain(|k, _| !k.eq_ignore_ascii_case(sub)),
                Some(Value::Array(items)) => {
                    for o in items.iter_mut().filter_map(Value::as_object_mut) {
                        o.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                    }
                }
                _ => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::{ENTERPRISE_SCHEMA, USER_SCHEMA};
    use serde_json::json;

    fn user() -> Map<String, Value> {
        json!({
            "schemas": [USER_SCHEMA], "id": "1", "userName": "a@x",
            "name": {"givenName": "A", "familyName": "B"}, "active": true,
            ENTERPRISE_SCHEMA: {"department": "D", "organization": "O"},
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn attributes_keep_only_what_is_asked_and_always_id() {
        let mut d = user();
        project(&mut d, &paths(Some("userName,name.givenName")), &[], USER_SCHEMA);
        assert_eq!(
            Value::Object(d),
            json!({"schemas": [USER_SCHEMA], "id": "1", "userName": "a@x", "name": {"givenName": "A"}})
        );
    }

    #[test]
    fn excluded_attributes_hide_attributes_sub_attributes_and_extension_attributes() {
        let mut d = user();
        let ex = format!("name.familyName,active,id,{ENTERPRISE_SCHEMA}:department");
        project(&mut d, &[], &paths(Some(&ex)), USER_SCHEMA);
        assert_eq!(d["name"], json!({"givenName": "A"}));
        assert!(d.get("active").is_none());
        assert_eq!(d["id"], "1");
        assert_eq!(d[ENTERPRISE_SCHEMA], json!({"organization": "O"}));
    }
}
