//! Reading a JSON body into a typed value so that every bad field is named at once.
//!
//! serde stops at the first error, so [`every_problem`] reads the body again and again:
//! each time, the field serde refused is noted and taken out of the document (a wrong type,
//! an unknown field) or, when it is missing, filled with a stand-in of each JSON kind until
//! one is accepted, so that serde can go on to the next field. The reading is bounded, and
//! only runs on a body that was already refused.

use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt::Write;

/// At most this many problems are gathered (and as many readings made).
const MAX_PROBLEMS: usize = 50;

/// `value` as a `T`, or every refused field as `(name, reason)`: `invitations[2].email`,
/// `body` for the whole document.
pub fn every_problem<T: DeserializeOwned>(mut value: Value) -> Result<T, Vec<(String, String)>> {
    if !value.is_object() {
        // No field to name: the body as a whole is what is wrong (or right).
        return serde_json::from_value(value).map_err(|e| vec![("body".to_owned(), strip_position(&e.to_string()))]);
    }
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut stand_in: Option<(String, usize)> = None;
    for _ in 0..MAX_PROBLEMS * STAND_INS.len() {
        let e = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(v) if problems.is_empty() => return Ok(v),
            Ok(_) => return Err(problems),
            Err(e) => e,
        };
        let path = segments(&e.path().to_string());
        let message = e.inner().to_string();
        if let Some(name) = quoted(&message, "missing field `") {
            let mut field = path.clone();
            field.push(Seg::Key(name.to_owned()));
            let name = display(&field);
            // A stand-in of the next kind, until serde takes one and moves on.
            let tried = match &stand_in {
                Some((n, i)) if *n == name => i + 1,
                _ => {
                    // A field taken out for its wrong type is missing now: named once.
                    if problems.iter().all(|(n, _)| *n != name) {
                        problems.push((name.clone(), "is required".to_owned()));
                    }
                    0
                }
            };
            let Some(filler) = STAND_INS.get(tried) else { break };
            if !set(&mut value, &field, filler()) {
                break;
            }
            stand_in = Some((name, tried));
            continue;
        }
        let (field, reason) = match quoted(&message, "unknown field `") {
            Some(name) => {
                let mut field = path.clone();
                if !matches!(field.last(), Some(Seg::Key(k)) if k == name) {
                    field.push(Seg::Key(name.to_owned()));
                }
                (field, "is not a field of this request".to_owned())
            }
            None => (path, strip_position(&message)),
        };
        let name = display(&field);
        if let Some((n, _)) = &stand_in
            && *n == name
        {
            // The stand-in itself was refused: try the next kind.
            let tried = stand_in.as_ref().map_or(0, |(_, i)| i + 1);
            let Some(filler) = STAND_INS.get(tried) else { break };
            if !set(&mut value, &field, filler()) {
                break;
            }
            stand_in = Some((name, tried));
            continue;
        }
        if problems.iter().any(|(n, _)| *n == name) || field.is_empty() || problems.len() >= MAX_PROBLEMS {
            if problems.iter().all(|(n, _)| *n != name) {
                problems.push((name, reason));
            }
            break;
        }
        problems.push((name, reason));
        if !remove(&mut value, &field) {
            break;
        }
    }
    Err(problems)
}

/// Values of each JSON kind, tried in turn for a missing field.
const STAND_INS: [fn() -> Value; 6] = [
    || Value::String(String::new()),
    || Value::Bool(false),
    || Value::from(0),
    || Value::Array(Vec::new()),
    || Value::Object(serde_json::Map::new()),
    || Value::Null,
];

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// serde_path_to_error's path (`invitations[0].email`, `.` for the root) as segments.
fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Seg::Key(key.to_owned()));
        }
        for index in rest.split('[').filter(|i| !i.is_empty()) {
            match index.trim_end_matches(']').parse() {
                Ok(i) => out.push(Seg::Index(i)),
                Err(_) => out.push(Seg::Key(index.trim_end_matches(']').to_owned())),
            }
        }
    }
    out
}

/// The name a problem gives a field: `invitations[0].email`, or `body`.
fn display(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    if out.is_empty() { "body".to_owned() } else { out }
}

fn parent<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::Index(i) => v.get_mut(*i),
    })
}

/// Takes the field at `path` out of the document; an array item becomes null, so later
/// indices keep their names. False when there is nothing to take out.
fn remove(value: &mut Value, path: &[Seg]) -> bool {
    let Some((last, up)) = path.split_last() else { return false };
    match (parent(value, up), last) {
        (Some(Value::Object(map)), Seg::Key(k)) => map.remove(k).is_some(),
        (Some(Value::Array(items)), Seg::Index(i)) if *i < items.len() && !items[*i].is_null() => {
            items[*i] = Value::Null;
            true
        }
        _ => false,
    }
}

fn set(value: &mut Value, path: &[Seg], new: Value) -> bool {
    let Some((Seg::Key(k), up)) = path.split_last() else { return false };
    match parent(value, up) {
        Some(Value::Object(map)) => {
            map.insert(k.clone(), new);
            true
        }
        _ => false,
    }
}

/// The name in `` prefix`name` …``.
fn quoted<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message.strip_prefix(prefix)?.split('`').next()
}

/// serde_json's " at line 1 column 9" tells nothing once the field is named.
fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Row {
        email: String,
        #[serde(default)]
        groups: Vec<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: u32,
        flag: Option<bool>,
        rows: Vec<Row>,
    }

    /// The refused names, sorted (serde reads a JSON object's keys in their sorted order).
    fn names(v: Value) -> Vec<String> {
        let mut names: Vec<String> = every_problem::<Body>(v).unwrap_err().into_iter().map(|(n, _)| n).collect();
        names.sort();
        names
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        assert_eq!(
            names(json!({"name": 1, "count": "x", "flag": "y", "rows": [], "extra": 1})),
            ["count", "extra", "flag", "name"]
        );
        assert_eq!(names(json!({"flag": true})), ["count", "name", "rows"]);
        assert_eq!(
            names(json!({"name": "a", "count": 1, "rows": [{"email": 3}, {"groups": "g"}, {"email": "a", "x": 1}]})),
            ["rows[0].email", "rows[1].email", "rows[1].groups", "rows[2].x"]
        );
        assert_eq!(names(json!([1])), ["body"]);
        assert!(every_problem::<Body>(json!({"name": "a", "count": 1, "rows": []})).is_ok());
    }
}
