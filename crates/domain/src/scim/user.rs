//! The SCIM User (RFC 7643 §4.1, §4.3) as Roster stores it.
//!
//! `userName` is the user's email (stored canonically, matched case-insensitively);
//! `name.givenName`/`familyName` are the first and last names; `emails` is that one
//! address too (a PATCH changing it changes `userName`, [`settle_patch`]); `active` is the status (Active/Invited/Locked true, Suspended false);
//! `externalId` is the identity provider's id. These attributes fill the controlled profile
//! fields, whether or not User Settings show them:
//!
//! | SCIM | profile field |
//! |---|---|
//! | enterprise `organization` | Company |
//! | enterprise `department` | Department |
//! | enterprise `employeeNumber` | Employee Organisation ID |
//! | `title` | Title |
//! | `phoneNumbers[type eq "mobile"].value` | Mobile Number |
//! | `phoneNumbers[type eq "work"].value` (or untyped) | Work Number |
//! | `addresses[type eq "work"]` (or an untyped one) `streetAddress` | Address lines 1 and 2 (split at the first line break) |
//! | … `locality`, `region`, `postalCode`, `country` | City, State, Zip, Country |

use super::filter::get_ci;
use super::patch::PatchOp;
use super::{ENTERPRISE_SCHEMA, ScimError, USER_SCHEMA, loose_bool, schema};
use crate::profile::ProfileField;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Longest profile value accepted from SCIM, in characters.
pub const MAX_VALUE_CHARS: usize = 500;

/// What a SCIM User body (POST, PUT, or a patched document) says about the user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserAttrs {
    pub user_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub external_id: Option<String>,
    /// `None` when the body does not say (a new user is then active).
    pub active: Option<bool>,
    /// Every mapped controlled field, `None` when the body gives no value (cleared by PUT).
    pub profile: BTreeMap<ProfileField, Option<String>>,
}

/// The profile fields SCIM writes (the others, such as the picture, it leaves alone).
pub const MAPPED: [ProfileField; 12] = [
    ProfileField::Company,
    ProfileField::Department,
    ProfileField::Title,
    ProfileField::EmployeeOrgId,
    ProfileField::MobileNumber,
    ProfileField::WorkNumber,
    ProfileField::AddressLine1,
    ProfileField::AddressLine2,
    ProfileField::City,
    ProfileField::State,
    ProfileField::Zip,
    ProfileField::Country,
];

fn text(v: Option<&Value>, what: &str) -> Result<Option<String>, ScimError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) if s.chars().count() > MAX_VALUE_CHARS => {
            Err(ScimError::invalid_value(format!("{what} is longer than {MAX_VALUE_CHARS} characters")))
        }
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(ScimError::invalid_value(format!("{what} must be a string"))),
    }
}

fn obj<'a>(v: Option<&'a Value>, what: &str) -> Result<Option<&'a Map<String, Value>>, ScimError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(ScimError::invalid_value(format!("{what} must be an object"))),
    }
}

fn list<'a>(v: Option<&'a Value>, what: &str) -> Result<Vec<&'a Map<String, Value>>, ScimError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_object().ok_or_else(|| ScimError::invalid_value(format!("{what} must hold objects"))))
            .collect(),
        Some(_) => Err(ScimError::invalid_value(format!("{what} must be an array"))),
    }
}

fn typed(item: &Map<String, Value>) -> String {
    get_ci(item, "type").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase()
}

impl UserAttrs {
    /// Reads a User document. 400 `invalidValue` naming the attribute for a missing
    /// `userName` or a value of the wrong type.
    ///
    /// What Roster does not keep is ignored ([`super::unkept::forget`]), and so is
    /// anything else RFC 7643 does not define (RFC 7644 §3.3 lets a POST's content be
    /// ignored; a PATCH refuses it, [`check_patch_op`]): phone numbers of another `type`
    /// than `work` (or none) and `mobile`, addresses but the `work` one (or an untyped one).
    pub fn from_json(doc: &Map<String, Value>) -> Result<Self, ScimError> {
        let mut doc = doc.clone();
        super::unkept::forget(&mut doc);
        let doc = &doc;
        let user_name = text(get_ci(doc, "userName"), "userName")?
            .ok_or_else(|| ScimError::invalid_value("userName is required"))?;
        let name = obj(get_ci(doc, "name"), "name")?;
        let given_name = text(name.and_then(|n| get_ci(n, "givenName")), "name.givenName")?;
        let family_name = text(name.and_then(|n| get_ci(n, "familyName")), "name.familyName")?;
        let external_id = text(get_ci(doc, "externalId"), "externalId")?;
        let active = match get_ci(doc, "active") {
            None | Some(Value::Null) => None,
            Some(v) => Some(loose_bool(v).ok_or_else(|| ScimError::invalid_value("active must be true or false"))?),
        };
        let mut profile: BTreeMap<ProfileField, Option<String>> = MAPPED.iter().map(|f| (*f, None)).collect();
        let ext = obj(get_ci(doc, ENTERPRISE_SCHEMA), ENTERPRISE_SCHEMA)?;
        let ext_text = |k: &str| text(ext.and_then(|e| get_ci(e, k)), k);
        profile.insert(ProfileField::Company, ext_text("organization")?);
        profile.insert(ProfileField::Department, ext_text("department")?);
        profile.insert(ProfileField::EmployeeOrgId, ext_text("employeeNumber")?);
        profile.insert(ProfileField::Title, text(get_ci(doc, "title"), "title")?);
        for phone in list(get_ci(doc, "phoneNumbers"), "phoneNumbers")? {
            let field = match typed(phone).as_str() {
                "mobile" => ProfileField::MobileNumber,
                "work" | "" => ProfileField::WorkNumber,
                _ => continue,
            };
            if profile[&field].is_none() {
                profile.insert(field, text(get_ci(phone, "value"), "phoneNumbers.value")?);
            }
        }
        let addresses = list(get_ci(doc, "addresses"), "addresses")?;
        let address =
            addresses.iter().find(|a| typed(a) == "work").or_else(|| addresses.iter().find(|a| typed(a).is_empty()));
        if let Some(a) = address {
            if let Some(street) = text(get_ci(a, "streetAddress"), "addresses.streetAddress")? {
                let (one, two) = street.split_once('\n').unwrap_or((&street, ""));
                profile.insert(ProfileField::AddressLine1, Some(one.trim().to_owned()).filter(|s| !s.is_empty()));
                profile.insert(ProfileField::AddressLine2, Some(two.trim().to_owned()).filter(|s| !s.is_empty()));
            }
            profile.insert(ProfileField::City, text(get_ci(a, "locality"), "addresses.locality")?);
            profile.insert(ProfileField::State, text(get_ci(a, "region"), "addresses.region")?);
            profile.insert(ProfileField::Zip, text(get_ci(a, "postalCode"), "addresses.postalCode")?);
            profile.insert(ProfileField::Country, text(get_ci(a, "country"), "addresses.country")?);
        }
        // Each value as the console would store it (lengths, phone numbers, ISO country
        // codes, postal codes): what SCIM writes, people can later edit unchanged.
        for (field, value) in &mut profile {
            if let Some(raw) = value.take() {
                *value = field
                    .parse_value(&raw)
                    .map_err(|e| ScimError::invalid_value(format!("{} ({}): {e}", scim_name(*field), field.key())))?;
            }
        }
        Ok(Self { user_name, given_name, family_name, external_id, active, profile })
    }
}

/// The address `emails` names in a User document (all its values name one, see
/// [`super::kept`]), lower-cased.
fn email_in(doc: &Map<String, Value>) -> Option<String> {
    get_ci(doc, "emails")?
        .as_array()?
        .iter()
        .find_map(|e| e.as_object().and_then(|o| get_ci(o, "value")).and_then(Value::as_str))
        .map(|s| s.trim().to_lowercase())
}

/// The attributes made of others, checked once every operation is applied
/// ([`settle_patch`]): Entra ID sends them beside what they are made of.
const SETTLED: [&str; 2] = ["displayName", "emails"];

/// `doc` with only the attribute `name`.
fn only(doc: &Map<String, Value>, name: &str) -> Map<String, Value> {
    get_ci(doc, name).map(|v| (name.to_owned(), v.clone())).into_iter().collect()
}

/// Applies PATCH operations (RFC 7644 §3.5.2) to the rendered User document `doc`, as a
/// User takes them: what Roster does not keep ([`super::unkept`]: Entra ID's
/// `preferredLanguage`, `name.formatted`, `phoneNumbers[type eq "fax"].value`, the
/// enterprise `manager`, …) is accepted and changes nothing; every other change is checked
/// ([`check_patch_op`]) and the result settled ([`settle_patch`]). 400 with RFC 7644's
/// `scimType` (`invalidPath`, `invalidValue`, `mutability`, `noTarget`) for the first
/// operation refused; `doc` is then partly patched and must be dropped.
pub fn apply_patch(doc: &mut Map<String, Value>, ops: &[PatchOp]) -> Result<(), ScimError> {
    let before = doc.clone();
    super::patch::apply_checked(doc, USER_SCHEMA, ops, super::unkept::ignores, check_patch_op)?;
    settle_patch(&before, doc)
}

/// Checks one PATCH operation's change to a User document ([`super::kept`]), once what
/// Roster does not keep is forgotten from `after` ([`super::unkept::forget`]); `displayName`
/// and `emails` wait for [`settle_patch`].
pub fn check_patch_op(
    before: &Map<String, Value>,
    after: &mut Map<String, Value>,
    by_path: bool,
) -> Result<(), ScimError> {
    super::unkept::forget(after);
    let mut after = after.clone();
    for name in SETTLED {
        match get_ci(before, name) {
            Some(v) => after.insert(key_in(&after, name), v.clone()),
            None => after.remove(&key_in(&after, name)),
        };
    }
    super::kept::check_change(before, &after, schema::USER, &[(ENTERPRISE_SCHEMA, schema::ENTERPRISE)], by_path)
}

/// What a patched User document comes to, once every operation is applied: `emails` holds
/// one address ([`schema::EMAILS_PATCHED`]), which is the email ([`settle_email`]), and
/// `displayName` may only be written as the names make it (`"givenName familyName"`: 400
/// `mutability` otherwise).
pub fn settle_patch(before: &Map<String, Value>, after: &mut Map<String, Value>) -> Result<(), ScimError> {
    super::kept::check_change(&only(before, "emails"), &only(after, "emails"), schema::EMAILS_PATCHED, &[], true)?;
    settle_email(before, after)?;
    let shown = get_ci(after, "displayName");
    if shown == get_ci(before, "displayName") {
        return Ok(());
    }
    let name = get_ci(after, "name").and_then(Value::as_object);
    let part = |k: &str| name.and_then(|n| get_ci(n, k)).and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let made = format!("{} {}", part("givenName"), part("familyName"));
    if shown.and_then(Value::as_str).is_some_and(|s| s.split_whitespace().eq(made.split_whitespace())) {
        return Ok(());
    }
    Err(ScimError::bad_request("mutability", "displayName is read-only: it is \"givenName familyName\""))
}

fn key_in(doc: &Map<String, Value>, name: &str) -> String {
    doc.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_owned())
}

/// The one email a patched User document names (RFC 7644 §3.5.2 on a user whose `userName`
/// and `emails` are one address; see [`settle_patch`]): when only `emails` changed (Entra ID maps `mail` to
/// `emails[type eq "work"].value`), `userName` becomes its address; when only `userName`
/// changed, the stale `emails` follows it. 400 `invalidValue` when one request changes
/// both to different addresses.
fn settle_email(before: &Map<String, Value>, after: &mut Map<String, Value>) -> Result<(), ScimError> {
    let user_name =
        |d: &Map<String, Value>| get_ci(d, "userName").and_then(Value::as_str).map(|s| s.trim().to_lowercase());
    let Some(email) = email_in(after) else { return Ok(()) };
    let named = user_name(after);
    if named.as_deref() == Some(email.as_str()) || email_in(before).as_deref() == Some(email.as_str()) {
        return Ok(());
    }
    if named != user_name(before) {
        return Err(ScimError::invalid_value(
            "userName and emails name different addresses; a Roster user has one email: change either, or both alike",
        ));
    }
    let key = key_in(after, "userName");
    let value = get_ci(after, "emails")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find_map(|e| e.as_object().and_then(|o| get_ci(o, "value")).cloned()))
        .unwrap_or(Value::Null);
    after.insert(key, value);
    Ok(())
}

/// The SCIM attribute a profile field is written from.
pub fn scim_name(f: ProfileField) -> &'static str {
    match f {
        ProfileField::Company => "organization",
        ProfileField::Department => "department",
        ProfileField::EmployeeOrgId => "employeeNumber",
        ProfileField::Title => "title",
        ProfileField::MobileNumber => "phoneNumbers[type eq \"mobile\"].value",
        ProfileField::WorkNumber => "phoneNumbers[type eq \"work\"].value",
        ProfileField::AddressLine1 | ProfileField::AddressLine2 => "addresses.streetAddress",
        ProfileField::City => "addresses.locality",
        ProfileField::State => "addresses.region",
        ProfileField::Zip => "addresses.postalCode",
        ProfileField::Country => "addresses.country",
        ProfileField::FirstName => "name.givenName",
        ProfileField::LastName => "name.familyName",
        ProfileField::Picture => "photos",
    }
}

/// A stored user as SCIM shows it.
#[derive(Debug, Clone)]
pub struct UserView<'a> {
    pub id: String,
    pub email: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub external_id: Option<&'a str>,
    pub active: bool,
    /// Controlled profile values by field (absent: empty).
    pub profile: BTreeMap<ProfileField, String>,
    /// `(id, display name)` of the SCIM groups the user is in.
    pub groups: Vec<(String, String)>,
    /// RFC 3339 times.
    pub created: String,
    pub last_modified: String,
    pub version: i64,
    /// The resource's absolute URL (`…/scim/v2/Users/<id>`).
    pub location: String,
}

/// The weak entity tag of a version (`W/"3"`), as `meta.version` and `ETag` carry it.
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

impl UserView<'_> {
    /// The full User resource (RFC 7643 §4.1, §8.2).
    pub fn to_json(&self) -> Value {
        let p = |f: ProfileField| self.profile.get(&f).cloned();
        let mut doc = json!({
            "schemas": [USER_SCHEMA],
            "id": self.id,
            "userName": self.email,
            "name": {"givenName": self.given_name, "familyName": self.family_name},
            "displayName": format!("{} {}", self.given_name, self.family_name),
            "emails": [{"value": self.email, "type": "work", "primary": true}],
            "active": self.active,
            "groups": self.groups.iter().map(|(id, name)| json!({"value": id, "display": name, "type": "direct"})).collect::<Vec<_>>(),
            "meta": {
                "resourceType": "User",
                "created": self.created,
                "lastModified": self.last_modified,
                "version": etag(self.version),
                "location": self.location,
            },
        });
        let d = doc.as_object_mut().expect("an object");
        if let Some(x) = self.external_id {
            d.insert("externalId".into(), json!(x));
        }
        if let Some(t) = p(ProfileField::Title) {
            d.insert("title".into(), json!(t));
        }
        let phones: Vec<Value> = [(ProfileField::WorkNumber, "work"), (ProfileField::MobileNumber, "mobile")]
            .into_iter()
            .filter_map(|(f, kind)| p(f).map(|v| json!({"value": v, "type": kind})))
            .collect();
        if !phones.is_empty() {
            d.insert("phoneNumbers".into(), Value::Array(phones));
        }
        let mut address = Map::new();
        let street = match (p(ProfileField::AddressLine1), p(ProfileField::AddressLine2)) {
            (Some(a), Some(b)) => Some(format!("{a}\n{b}")),
            (a, b) => a.or(b),
        };
        for (key, v) in [
            ("streetAddress", street),
            ("locality", p(ProfileField::City)),
            ("region", p(ProfileField::State)),
            ("postalCode", p(ProfileField::Zip)),
            ("country", p(ProfileField::Country)),
        ] {
            if let Some(v) = v {
                address.insert(key.into(), json!(v));
            }
        }
        if !address.is_empty() {
            address.insert("type".into(), json!("work"));
            d.insert("addresses".into(), json!([address]));
        }
        let mut ext = Map::new();
        for (key, f) in [
            ("organization", ProfileField::Company),
            ("department", ProfileField::Department),
            ("employeeNumber", ProfileField::EmployeeOrgId),
        ] {
            if let Some(v) = p(f) {
                ext.insert(key.into(), json!(v));
            }
        }
        if !ext.is_empty() {
            d.insert(ENTERPRISE_SCHEMA.into(), Value::Object(ext));
            doc["schemas"] = json!([USER_SCHEMA, ENTERPRISE_SCHEMA]);
        }
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::PATCH_SCHEMA;

    fn okta_user() -> Value {
        json!({
            "schemas": [USER_SCHEMA],
            "userName": "Ann.Lee@Example.com",
            "name": {"givenName": "Ann", "familyName": "Lee"},
            "emails": [{"primary": true, "value": "ann.lee@example.com", "type": "work"}],
            "externalId": "00u1",
            "title": "Engineer",
            "active": "True",
            "phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}, {"value": "+1 555 0101"}],
            "addresses": [{"type": "work", "streetAddress": "1 Main St\nSuite 2", "locality": "Springfield", "country": "US"}],
            ENTERPRISE_SCHEMA: {"organization": "Acme", "department": "R&D", "employeeNumber": "42"},
        })
    }

    #[test]
    fn reads_core_and_enterprise_attributes() {
        let a = UserAttrs::from_json(okta_user().as_object().unwrap()).unwrap();
        assert_eq!(a.user_name, "Ann.Lee@Example.com");
        assert_eq!((a.given_name.as_deref(), a.family_name.as_deref()), (Some("Ann"), Some("Lee")));
        assert_eq!(a.active, Some(true));
        assert_eq!(a.external_id.as_deref(), Some("00u1"));
        let got = |f| a.profile[&f].as_deref();
        assert_eq!(got(ProfileField::Company), Some("Acme"));
        assert_eq!(got(ProfileField::Department), Some("R&D"));
        assert_eq!(got(ProfileField::EmployeeOrgId), Some("42"));
        assert_eq!(got(ProfileField::Title), Some("Engineer"));
        assert_eq!(got(ProfileField::MobileNumber), Some("+1 555 0100"));
        assert_eq!(got(ProfileField::WorkNumber), Some("+1 555 0101"));
        assert_eq!(got(ProfileField::AddressLine1), Some("1 Main St"));
        assert_eq!(got(ProfileField::AddressLine2), Some("Suite 2"));
        assert_eq!(got(ProfileField::City), Some("Springfield"));
        assert_eq!(got(ProfileField::Zip), None);
    }

    #[test]
    fn emails_and_user_name_are_one_address() {
        let before = json!({"userName": "a@x", "emails": [{"value": "a@x", "type": "work", "primary": true}]});
        let settle = |after: Value| {
            let mut after = after.as_object().unwrap().clone();
            settle_patch(before.as_object().unwrap(), &mut after).map(|()| after["userName"].clone())
        };
        // Only emails changed: userName follows.
        assert_eq!(settle(json!({"userName": "a@x", "emails": [{"value": "B@x", "type": "work"}]})), Ok(json!("B@x")));
        // Only userName changed: the stale emails follow it when rendered.
        assert_eq!(settle(json!({"userName": "c@x", "emails": [{"value": "a@x"}]})), Ok(json!("c@x")));
        // Both, alike.
        assert_eq!(settle(json!({"userName": "d@x", "emails": [{"value": "D@X"}]})), Ok(json!("d@x")));
        // Both, differently.
        let e = settle(json!({"userName": "d@x", "emails": [{"value": "e@x"}]})).unwrap_err();
        assert_eq!(e.scim_type, Some("invalidValue"));
    }

    /// Entra ID's default update: what Roster keeps changes, the rest is accepted and
    /// forgotten; a name RFC 7643 does not define is still refused.
    #[test]
    fn patch_takes_what_is_kept_and_forgets_the_rest() {
        let rendered = json!({
            "schemas": [USER_SCHEMA], "id": "u1", "userName": "a@x",
            "name": {"givenName": "A", "familyName": "B"}, "displayName": "A B",
            "emails": [{"value": "a@x", "type": "work", "primary": true}], "active": true,
            "addresses": [{"type": "work", "locality": "X"}],
            "meta": {"version": "W/\"1\""}, ENTERPRISE_SCHEMA: {},
        });
        let patched = |ops: Value| -> Result<Value, ScimError> {
            let ops = crate::scim::patch::parse_request(&json!({"schemas": [PATCH_SCHEMA], "Operations": ops}))?;
            let mut doc = rendered.as_object().unwrap().clone();
            apply_patch(&mut doc, &ops).map(|()| Value::Object(doc))
        };
        let doc = patched(json!([
            {"op": "Replace", "path": "preferredLanguage", "value": "en-US"},
            {"op": "Replace", "path": "name.formatted", "value": "C B"},
            {"op": "Replace", "path": "name.givenName", "value": "C"},
            {"op": "Replace", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St"},
            {"op": "Replace", "path": "phoneNumbers[type eq \"fax\"].value", "value": "+1 555 0100"},
            {"op": "Add", "path": format!("{ENTERPRISE_SCHEMA}:manager"), "value": "m1"},
            {"op": "Replace", "path": "title", "value": "Boss"},
            {"op": "Add", "value": {"nickName": "Cee", "name.middleName": "Q", "displayName": "C B"}},
        ]))
        .unwrap();
        let mut want = rendered.clone();
        want["name"]["givenName"] = json!("C");
        want["title"] = json!("Boss");
        want["displayName"] = json!("C B");
        assert_eq!(doc, want);
        let unchanged = patched(json!([{"op": "Replace", "path": "userType", "value": "Employee"}])).unwrap();
        assert_eq!(unchanged, rendered);
        for (ops, kind) in [
            (json!([{"op": "Add", "path": "nickname2", "value": "x"}]), "invalidPath"),
            (json!([{"op": "Add", "value": {"shoeSize": "42"}}]), "invalidValue"),
            (json!([{"op": "Add", "path": "phoneNumbers[type eq \"satellite\"].value", "value": "1"}]), "invalidValue"),
            (json!([{"op": "Replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "1"}]), "noTarget"),
            (json!([{"op": "Replace", "path": "displayName", "value": "Someone"}]), "mutability"),
        ] {
            assert_eq!(patched(ops.clone()).unwrap_err().scim_type, Some(kind), "{ops}");
        }
    }

    #[test]
    fn post_ignores_what_roster_does_not_keep() {
        let mut doc = okta_user();
        doc["addresses"] =
            json!([{"type": "home", "locality": "Home Town"}, {"locality": "Springfield", "primary": true}]);
        doc["phoneNumbers"] =
            json!([{"type": "fax", "value": "+1 555 0109"}, {"type": "work", "value": "+1 555 0101"}]);
        doc["preferredLanguage"] = json!("en-US");
        doc[ENTERPRISE_SCHEMA]["manager"] = json!({"value": "m1"});
        let a = UserAttrs::from_json(doc.as_object().unwrap()).unwrap();
        assert_eq!(
            a.profile[&ProfileField::City].as_deref(),
            Some("Springfield"),
            "the untyped address, not the home one"
        );
        assert_eq!(a.profile[&ProfileField::WorkNumber].as_deref(), Some("+1 555 0101"));
        assert_eq!(a.profile[&ProfileField::MobileNumber], None);
    }

    #[test]
    fn names_the_bad_attribute() {
        let e = UserAttrs::from_json(json!({"name": {}}).as_object().unwrap()).unwrap_err();
        assert!(e.detail.contains("userName"));
        let e = UserAttrs::from_json(json!({"userName": "a@x", "active": "maybe"}).as_object().unwrap()).unwrap_err();
        assert_eq!((e.status, e.scim_type), (400, Some("invalidValue")));
    }

    #[test]
    fn round_trips_through_the_view() {
        let a = UserAttrs::from_json(okta_user().as_object().unwrap()).unwrap();
        let view = UserView {
            id: "u1".into(),
            email: "ann.lee@example.com",
            given_name: "Ann",
            family_name: "Lee",
            external_id: a.external_id.as_deref(),
            active: true,
            profile: a.profile.iter().filter_map(|(f, v)| v.clone().map(|v| (*f, v))).collect(),
            groups: vec![],
            created: "2026-01-01T00:00:00Z".into(),
            last_modified: "2026-01-01T00:00:00Z".into(),
            version: 3,
            location: "https://r.example/scim/v2/Users/u1".into(),
        };
        let json = view.to_json();
        assert_eq!(json["meta"]["version"], "W/\"3\"");
        let back = UserAttrs::from_json(json.as_object().unwrap()).unwrap();
        assert_eq!(back.profile, a.profile);
    }
}
