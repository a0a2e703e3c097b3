//! Reading a JSON body into a typed value so that every bad field is named at once.
//!
//! serde stops at the first error, so [`every_problem`] reads the body again and again:
//! each time, the field serde refused is noted and taken out of the document (an unknown
//! field) or replaced by a stand-in of each JSON kind in turn (a field of the wrong type, a
//! missing one, an array item of the wrong type) until serde accepts one and goes on to the
//! next field. What it ends with is the value with its stand-ins, which the use case judges
//! with the unreadable fields ([`app::Input`]). The reading is bounded.

use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt::Write;

/// At most this many problems are gathered.
const MAX_PROBLEMS: usize = 50;

/// What [`every_problem`] got: the value (with stand-ins for the refused fields) when one
/// could be made, and every refused field as `(name, reason)`.
pub struct Read<T> {
    pub value: Option<T>,
    pub problems: Vec<(String, String)>,
}

/// `value` read as a `T`: every refused field named `invitations[2].email`, or `body` for
/// the whole document; and the `T` read with stand-ins in their place, unless none fits
/// (a body that is not an object, a field no JSON kind of stand-in satisfies).
pub fn every_problem<T: DeserializeOwned>(mut value: Value) -> Read<T> {
    if !value.is_object() {
        // No field to name: the body as a whole is what is wrong (or right).
        return match serde_json::from_value(value) {
            Ok(v) => Read { value: Some(v), problems: Vec::new() },
            Err(e) => Read { value: None, problems: vec![("body".to_owned(), strip_position(&e.to_string()))] },
        };
    }
    let mut problems: Vec<(String, String)> = Vec::new();
    // The field last taken out (`None`) or given a stand-in (which one).
    let mut stand_in: Option<(String, Option<usize>)> = None;
    for _ in 0..MAX_PROBLEMS * (STAND_INS.len() + 2) {
        let e = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(v) => return Read { value: Some(v), problems },
            Err(e) => e,
        };
        let path = segments(&e.path().to_string());
        let message = e.inner().to_string();
        let (field, reason) = if let Some(name) = quoted(&message, "missing field `") {
            let mut field = path;
            field.push(Seg::Key(name.to_owned()));
            (field, "is required".to_owned())
        } else if let Some(name) = quoted(&message, "unknown field `") {
            let mut field = path;
            if !matches!(field.last(), Some(Seg::Key(k)) if k == name) {
                field.push(Seg::Key(name.to_owned()));
            }
            let name = display(&field);
            if problems.iter().all(|(n, _)| *n != name) {
                problems.push((name, "is not a field of this request".to_owned()));
            }
            if problems.len() > MAX_PROBLEMS || !remove(&mut value, &field) {
                return Read { value: None, problems };
            }
            continue;
        } else {
            (path, strip_position(&message))
        };
        let name = display(&field);
        if field.is_empty() {
            problems.push((name, reason));
            return Read { value: None, problems };
        }
        // A field refused again after a stand-in gets the next kind; named once, for what
        // the request held. A key of the wrong type is first taken out (an optional or
        // defaulted field then reads as absent), then given stand-ins.
        let next = match &stand_in {
            Some((n, tried)) if *n == name => tried.map_or(0, |i| i + 1),
            _ => {
                if problems.iter().all(|(n, _)| *n != name) {
                    problems.push((name.clone(), reason));
                }
                if problems.len() > MAX_PROBLEMS {
                    return Read { value: None, problems };
                }
                if matches!(field.last(), Some(Seg::Key(_))) && remove(&mut value, &field) {
                    stand_in = Some((name, None));
                    continue;
                }
                0
            }
        };
        let Some(filler) = STAND_INS.get(next) else {
            // No value of any kind fits here (an element where a struct reads its fields
            // in order, say `mapping[0]`): the nearest enclosing field is taken out instead
            // (it then reads as absent, or gets stand-ins of its own), so the fields after
            // it are still read and named.
            let Some(at) = field.iter().rposition(|s| matches!(s, Seg::Key(_))) else {
                return Read { value: None, problems };
            };
            let outer = field[..=at].to_vec();
            if outer.len() == field.len() || !remove(&mut value, &outer) {
                return Read { value: None, problems };
            }
            stand_in = Some((display(&outer), None));
            continue;
        };
        if !set(&mut value, &field, filler()) {
            return Read { value: None, problems };
        }
        stand_in = Some((name, Some(next)));
    }
    Read { value: None, problems }
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

/// Takes the key at `path` out of its object. False when there is nothing to take out.
fn remove(value: &mut Value, path: &[Seg]) -> bool {
    let Some((Seg::Key(k), up)) = path.split_last() else { return false };
    match parent(value, up) {
        Some(Value::Object(map)) => map.remove(k).is_some(),
        _ => false,
    }
}

/// Puts `new` at `path` (a key of an object, an item of an array). False when there is no
/// such place.
fn set(value: &mut Value, path: &[Seg], new: Value) -> bool {
    let Some((last, up)) = path.split_last() else { return false };
    match (parent(value, up), last) {
        (Some(Value::Object(map)), Seg::Key(k)) => {
            map.insert(k.clone(), new);
            true
        }
        (Some(Value::Array(items)), Seg::Index(i)) if *i < items.len() => {
            items[*i] = new;
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
        let mut names: Vec<String> = every_problem::<Body>(v).problems.into_iter().map(|(n, _)| n).collect();
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
        let read = every_problem::<Body>(json!({"name": "a", "count": 1, "rows": []}));
        assert!(read.value.is_some() && read.problems.is_empty());
    }

    #[test]
    fn the_value_is_read_with_stand_ins_for_the_refused_fields() {
        let read = every_problem::<Body>(
            json!({"name": 5, "count": 2, "flag": "y", "rows": [{"email": "a", "groups": ["g", 7]}], "x": 1}),
        );
        let body = read.value.expect("a value with stand-ins");
        assert_eq!((body.name.as_str(), body.count, body.flag), ("", 2, None));
        assert_eq!(body.rows[0].groups, ["g", ""]);
        let names: Vec<&str> = read.problems.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["flag", "name", "rows[0].groups[1]", "x"]);
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            A,
        }
        #[derive(Debug, Deserialize)]
        struct Closed {
            #[allow(dead_code)]
            kind: Kind,
        }
        let read = every_problem::<Closed>(json!({"kind": "b"}));
        assert!(read.value.is_none(), "no stand-in is a variant");
        assert_eq!(read.problems.len(), 1);
    }
}
