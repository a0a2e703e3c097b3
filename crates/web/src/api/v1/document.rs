//! Settings documents over HTTP — the security settings, the User Settings and the SSO
//! switch all follow these rules:
//! - `GET` shows the whole document;
//! - `PUT` replaces it, so its body must be the whole document (RFC 9110 §9.3.4): a field left
//!   out is refused with 400 naming every missing field, never reset to its default;
//! - `PATCH` changes some fields: the body is a JSON merge patch (RFC 7396) of the current
//!   document, sent as `application/merge-patch+json` or plain `application/json`. A `null`
//!   would remove a field, and every field must keep a value, so it is refused the same way.
//!
//! A document may hold **maps** (`mapping.groups` of the SSO settings: claim value → group):
//! their keys are data, not fields, so a map is one value — PUT carries it whole, whatever
//! keys it has, and a PATCH's `null` inside it removes that entry (RFC 7396 §2).

use crate::error::ApiError;
use app::Input;
use serde::de::DeserializeOwned;
use serde_json::Value;

const MISSING: &str =
    "is required: a PUT carries the whole settings document (GET shows it); PATCH changes some fields";

/// The body of a PUT, checked to be the whole document whose current state is `current`
/// (the document as GET shows it): an object holding every field of `current`, at every
/// depth. Errors: 400 naming `body` (not an object) or every missing field
/// (`password.min_length`). `maps` are the dotted paths of the document's maps, whose keys
/// are never required.
pub fn whole(body: Value, current: &Value, maps: &[&str]) -> Result<Value, ApiError> {
    if !body.is_object() {
        return Err(ApiError::invalid(
            "body",
            "must be a JSON object holding the whole settings document (GET shows it); PATCH changes some fields",
        ));
    }
    let mut missing = Vec::new();
    missing_fields(&body, current, "", maps, &mut missing);
    if missing.is_empty() { Ok(body) } else { Err(ApiError::missing(missing, MISSING)) }
}

/// `current` with the merge patch `patch` applied (RFC 7396 §2), checked to still hold every
/// field. The patch must be an object: any other JSON value would replace the whole
/// document, which is what PUT is for. A `null` inside one of `maps` removes that entry.
pub fn patched(current: &Value, patch: &Value, maps: &[&str]) -> Result<Value, ApiError> {
    if !patch.is_object() {
        return Err(ApiError::invalid("body", "must be a JSON object of the fields to change (RFC 7396 merge patch)"));
    }
    let mut doc = current.clone();
    json_patch::merge(&mut doc, patch);
    let mut removed = Vec::new();
    missing_fields(&doc, current, "", maps, &mut removed);
    if removed.is_empty() {
        Ok(doc)
    } else {
        Err(ApiError::missing(removed, "cannot be removed (null in a merge patch): every setting keeps a value"))
    }
}

/// How a request changes a settings document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// PUT: the body is the whole new document.
    Replace,
    /// PATCH: the body is a merge patch.
    Merge,
}

/// The new document `body` asks for, by [`whole`] or [`patched`] (`maps`: the dotted paths
/// of the document's maps).
pub fn changed(current: &Value, body: Value, how: Change, maps: &[&str]) -> Result<Value, ApiError> {
    match how {
        Change::Replace => whole(body, current, maps),
        Change::Merge => patched(current, &body, maps),
    }
}

/// The checked document as the use case's input: `T` with a stand-in for each field of the
/// wrong type or unknown, and those fields by path (`password.min_length`), which the use
/// case names with every value it refuses itself. 400 naming every such field when no `T`
/// can be made of the document at all.
pub fn typed<T: DeserializeOwned>(doc: Value) -> Result<Input<T>, ApiError> {
    crate::extract::lenient(doc)
}

/// Adds to `out` the dotted path of every field of `shape` that `body` lacks, not looking
/// into `maps` (a map is one value: its keys are data).
fn missing_fields(body: &Value, shape: &Value, prefix: &str, maps: &[&str], out: &mut Vec<String>) {
    if maps.contains(&prefix) {
        return;
    }
    let (Some(body), Some(shape)) = (body.as_object(), shape.as_object()) else { return };
    for (key, inner) in shape {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match body.get(key) {
            None => out.push(path),
            Some(b) => missing_fields(b, inner, &path, maps, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(e: &ApiError) -> Vec<String> {
        let v = serde_json::to_value(e).unwrap();
        v["invalid_params"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn a_put_must_carry_every_field_at_every_depth() {
        let current = json!({"a": 1, "b": {"c": true, "d": 2}});
        assert_eq!(whole(json!({"a": 3, "b": {"c": false, "d": 4}}), &current, &[]).unwrap()["a"], 3);
        let err = whole(json!({"b": {"c": false}}), &current, &[]).unwrap_err();
        assert_eq!(names(&err), ["a", "b.d"]);
        for not_a_document in [json!([]), json!(null), json!("a"), json!(1)] {
            assert_eq!(names(&whole(not_a_document, &current, &[]).unwrap_err()), ["body"]);
        }
    }

    #[test]
    fn a_patch_merges_and_cannot_remove_a_field() {
        let current = json!({"a": 1, "b": {"c": true, "d": 2}});
        assert_eq!(patched(&current, &json!({"b": {"d": 5}}), &[]).unwrap(), json!({"a": 1, "b": {"c": true, "d": 5}}));
        assert_eq!(patched(&current, &json!({}), &[]).unwrap(), current, "an empty patch changes nothing");
        assert_eq!(names(&patched(&current, &json!({"a": null, "b": {"c": null}}), &[]).unwrap_err()), ["a", "b.c"]);
        assert_eq!(names(&patched(&current, &json!([]), &[]).unwrap_err()), ["body"]);
    }

    #[test]
    fn a_map_is_one_value_its_entries_come_and_go() {
        let current = json!({"a": 1, "m": {"x": "X", "y": "Y"}});
        let maps = ["m"];
        assert_eq!(patched(&current, &json!({"m": {"x": null}}), &maps).unwrap(), json!({"a": 1, "m": {"y": "Y"}}));
        assert_eq!(whole(json!({"a": 1, "m": {}}), &current, &maps).unwrap()["m"], json!({}));
        assert_eq!(names(&whole(json!({"a": 1}), &current, &maps).unwrap_err()), ["m"], "the map itself is required");
        assert_eq!(names(&patched(&current, &json!({"m": {"x": null}}), &[]).unwrap_err()), ["m.x"]);
    }
}
