//! Reading a JSON object field by field while gathering every refusal, for the handlers
//! that read their body by hand (to name each field as their users know it): each read
//! notes its problem and goes on, and [`Fields::finish`] refuses them all at once (400 with
//! every field in `invalid_params`).

use app::{AppError, Problems};
use serde_json::{Map, Value};

/// A body being read.
pub struct Fields<'a> {
    map: Option<&'a Map<String, Value>>,
    problems: Problems,
}

impl<'a> Fields<'a> {
    /// Reading `body`, which must be an object (else `body` is refused).
    pub fn of(body: &'a Value) -> Self {
        let mut problems = Problems::new();
        if !body.is_object() {
            problems.refuse("body", "must be a JSON object");
        }
        Self { map: body.as_object(), problems }
    }

    /// Notes a refusal of `field`.
    pub fn refuse(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.problems.refuse(field, reason);
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

    /// `Ok` when nothing was refused; otherwise every refusal at once.
    pub fn finish(self) -> Result<(), AppError> {
        self.problems.finish()
    }
}
