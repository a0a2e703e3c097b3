//! Values of the profile fields: which ones an editor may change under the User Settings
//! in force, and their validation. The controlled fields live in the user's `profile`
//! document (JSON, by field key); names are columns; the picture has its own upload.

use crate::{AppError, Problems};
use domain::profile::{ProfileField, ProfileSettings, postal_code};
use domain::user::PersonName;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Who edits: admins change any enabled field; users only those with Allow Edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editor {
    Admin,
    Own,
}

/// A stored profile document (unreadable documents read as empty).
pub fn parse_doc(raw: &str) -> Map<String, Value> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// The value of a controlled field in a profile document.
pub fn value_of(doc: &Map<String, Value>, f: ProfileField) -> Option<String> {
    doc.get(f.key()).and_then(Value::as_str).map(str::to_owned)
}

/// An edit checked against the settings: the new names (if changed), the new document and
/// what changed (for the audit log: `{field: {old, new}}`).
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub doc: Map<String, Value>,
    pub changes: Map<String, Value>,
}

/// Applies `edits` (field key → new value; empty clears a controlled field) to a user whose
/// names are `names` and document is `doc`. Refuses, naming the field: unknown fields (400),
/// the picture (400: it has its own upload), fields the settings hide (403), and for
/// [`Editor::Own`] fields without Allow Edits (403). Every value is validated; a zip code
/// is checked against the country (the new one, or the stored one).
pub fn apply(
    names: (&str, &str),
    doc: &Map<String, Value>,
    edits: &BTreeMap<String, String>,
    settings: &ProfileSettings,
    editor: Editor,
) -> Result<Applied, AppError> {
    let mut out = Applied { doc: doc.clone(), ..Applied::default() };
    // Every bad value is named at once; a refusal of the right to edit (403) ends it.
    let mut problems = Problems::new();
    for (key, raw) in edits {
        let Ok(field) = key.parse::<ProfileField>() else {
            problems.refuse(key, "is not a profile field");
            continue;
        };
        if field == ProfileField::Picture {
            problems.refuse(key, "is changed by uploading an image, not by a text value");
            continue;
        }
        // The admin's Edit form sends every field it showed; one hidden since, left as it
        // was, must not make an unrelated edit fail.
        let unchanged = !field.is_default() && value_of(doc, field).unwrap_or_default() == raw.trim();
        if editor == Editor::Admin && unchanged {
            continue;
        }
        if !settings.rule(field).enabled {
            return Err(AppError::field_forbidden(key.as_str(), "this field is not enabled in User Settings"));
        }
        if editor == Editor::Own && !settings.self_editable(field) {
            return Err(AppError::field_forbidden(
                key.as_str(),
                "your organization does not allow you to edit this field",
            ));
        }
        let mut note = |old: Option<&str>, new: Option<&str>| {
            if old != new {
                out.changes.insert(key.clone(), json!({"old": old, "new": new}));
            }
        };
        match field {
            ProfileField::FirstName | ProfileField::LastName => {
                let Some(name) = problems.check(PersonName::parse(field.key(), raw))? else { continue };
                let old = if field == ProfileField::FirstName { names.0 } else { names.1 };
                note(Some(old), Some(name.as_str()));
                if field == ProfileField::FirstName {
                    out.first_name = Some(name);
                } else {
                    out.last_name = Some(name);
                }
            }
            _ => {
                let Some(new) = problems.check(field.parse_value(raw))? else { continue };
                note(value_of(doc, field).as_deref(), new.as_deref());
                match new {
                    Some(v) => out.doc.insert(key.clone(), Value::String(v)),
                    None => out.doc.remove(key),
                };
            }
        }
    }
    // A zip code is judged against a country only when both were readable.
    if let Some(zip) = value_of(&out.doc, ProfileField::Zip)
        && (edits.contains_key("zip") || edits.contains_key("country"))
        && !problems.has("zip")
        && !problems.has("country")
    {
        let country = value_of(&out.doc, ProfileField::Country);
        if let Some(checked) = problems.check(postal_code(&zip, country.as_deref()))? {
            out.doc.insert("zip".into(), Value::String(checked));
        }
    }
    problems.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::profile::FieldRule;

    fn settings() -> ProfileSettings {
        let mut s = ProfileSettings::default();
        s.set(ProfileField::Company, FieldRule { enabled: true, allow_edits: true }).unwrap();
        s.set(ProfileField::Title, FieldRule { enabled: true, allow_edits: false }).unwrap();
        s.set(ProfileField::Zip, FieldRule { enabled: true, allow_edits: true }).unwrap();
        s.set(ProfileField::Country, FieldRule { enabled: true, allow_edits: true }).unwrap();
        s
    }

    fn edits(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn users_edit_only_fields_with_allow_edits_and_admins_any_enabled_one() {
        let doc = Map::new();
        let e = apply(("A", "B"), &doc, &edits(&[("title", "CTO")]), &settings(), Editor::Own).unwrap_err();
        assert!(matches!(&e, AppError::FieldForbidden { field, .. } if field == "title"), "{e}");
        assert!(e.to_string().starts_with("title:"), "{e}");
        let ok = apply(("A", "B"), &doc, &edits(&[("title", "CTO")]), &settings(), Editor::Admin).unwrap();
        assert_eq!(ok.doc["title"], "CTO");
        let hidden = apply(("A", "B"), &doc, &edits(&[("city", "Rome")]), &settings(), Editor::Admin).unwrap_err();
        assert!(matches!(hidden, AppError::FieldForbidden { .. }));
        // A hidden field sent back unchanged (a form rendered before it was hidden) is ignored.
        let mut with_city = Map::new();
        with_city.insert("city".into(), json!("Rome"));
        let same = apply(("A", "B"), &with_city, &edits(&[("city", "Rome")]), &settings(), Editor::Admin).unwrap();
        assert!(same.changes.is_empty() && same.doc == with_city);
        let unknown = apply(("A", "B"), &doc, &edits(&[("nickname", "x")]), &settings(), Editor::Admin).unwrap_err();
        assert!(matches!(unknown, AppError::Invalid { .. }));
    }

    #[test]
    fn values_are_validated_and_changes_recorded() {
        let mut doc = Map::new();
        doc.insert("company".into(), json!("Old"));
        let a =
            apply(("Ann", "Lee"), &doc, &edits(&[("company", ""), ("first_name", "Anna")]), &settings(), Editor::Own)
                .unwrap();
        assert!(!a.doc.contains_key("company"));
        assert_eq!(a.first_name.unwrap().as_str(), "Anna");
        assert_eq!(a.changes["company"], json!({"old": "Old", "new": null}));
        assert!(apply(("A", "B"), &doc, &edits(&[("first_name", " ")]), &settings(), Editor::Own).is_err());
    }

    #[test]
    fn a_zip_code_must_fit_the_country() {
        let doc = Map::new();
        let bad = edits(&[("country", "DE"), ("zip", "1234")]);
        assert!(apply(("A", "B"), &doc, &bad, &settings(), Editor::Own).is_err());
        let good = edits(&[("country", "de"), ("zip", "10115")]);
        let a = apply(("A", "B"), &doc, &good, &settings(), Editor::Own).unwrap();
        assert_eq!((a.doc["country"].as_str(), a.doc["zip"].as_str()), (Some("DE"), Some("10115")));
    }
}
