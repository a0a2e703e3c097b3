//! Reading a JSON object field by field while gathering every refusal, for the handlers
//! that read their body by hand (to name each field as their users know it): each read
//! notes its problem and goes on with a stand-in (an empty value), and [`Fields::input`]
//! hands the use case its [`Input`], which refuses these fields together with every field
//! the use case judges bad (400 with every field in `invalid_params`), changing nothing.

use app::Input;
use serde_json::{Map, Value};

/// A body being read.
pub struct Fields<'a> {
    map: Option<&'a Map<String, Value>>,
    unreadable: Vec<(String, String)>,
}

impl<'a> Fields<'a> {
    /// Reading `body`, which must be an object (else `body` is refused).
    pub fn of(body: &'a Value) -> Self {
        let mut unreadable = Vec::new();
        if !body.is_object() {
            unreadable.push(("body".to_owned(), "must be a JSON object".to_owned()));
        }
        Self { map: body.as_object(), unreadable }
    }

    /// Notes a refusal of `field`.
    pub fn refuse(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        let field = field.into();
        if self.unreadable.iter().all(|(f, _)| *f != field) {
            self.unreadable.push((field, reason.into()));
        }
    }

    /// The field's value, if present.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(name))
    }

    /// A string field that may be absent or null.
    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.refuse(name, "must be a string");
                None
            }
        }
    }

    /// A string field that must be there (empty when it is not, with the refusal noted).
    pub fn required(&mut self, name: &str) -> String {
        if let Some(Value::String(s)) = self.get(name) {
            s.clone()
        } else {
            self.refuse(name, "is required (a string)");
            String::new()
        }
    }

    /// Every field name not in `known`, refused as `reason`.
    pub fn only(&mut self, known: &[&str], reason: &str) {
        let unknown: Vec<String> =
            self.map.into_iter().flat_map(Map::keys).filter(|k| !known.contains(&k.as_str())).cloned().collect();
        for k in unknown {
            self.refuse(k, reason);
        }
    }

    /// What was read, as the use case's input: `value` (made of what was read, stand-ins
    /// for the rest) with every field refused here.
    pub fn input<T>(self, value: T) -> Input<T> {
        Input::read(value, self.unreadable)
    }
}
