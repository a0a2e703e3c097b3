//! The RFC 7643 User attributes Roster does not keep: accepted, and changing nothing.
//!
//! Identity providers send whatever their default mappings name. Microsoft Entra ID's
//! include `preferredLanguage`, `name.formatted`, `addresses[type eq "work"].formatted`,
//! `phoneNumbers[type eq "fax"].value` and the enterprise `manager`; Okta's create carries
//! `locale` and `password`. RFC 7644 §3.3 lets a service provider ignore what it does not
//! store, so POST, PUT and PATCH all do, by this one table: a User document is
//! [`forget`]-ed before it is read or checked, and a PATCH operation whose path names only
//! what this table lists ([`ignores`]) is skipped (a `replace` through a value filter that
//! selects an unkept value, `phoneNumbers[type eq "fax"].value`, is then no `noTarget`).
//!
//! Anything else that is not in [`super::schema`] is not an RFC 7643 User attribute at all
//! (a typo, another extension): [`super::kept`] refuses it as before.

use super::filter::{AttrPath, CompareOp, Filter, get_ci};
use super::patch::PatchPath;
use super::{ENTERPRISE_SCHEMA, USER_SCHEMA};
use serde_json::{Map, Value};

/// Core User attributes (RFC 7643 §4.1) Roster keeps none of. `password` too: people set
/// their own (invitation, reset) or sign in through SSO; a provider's copy is not stored.
pub const CORE: &[&str] = &[
    "nickName",
    "profileUrl",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "password",
    "ims",
    "photos",
    "entitlements",
    "roles",
    "x509Certificates",
];

/// Sub-attributes (RFC 7643 §4.1.1, §4.1.2, §2.4) of attributes Roster keeps, that it
/// does not keep: `(attribute, sub-attributes)`.
pub const SUBS: &[(&str, &[&str])] = &[
    ("name", &["formatted", "middleName", "honorificPrefix", "honorificSuffix"]),
    ("emails", &["display"]),
    ("phoneNumbers", &["display", "primary"]),
    ("addresses", &["formatted", "display", "primary"]),
];

/// Values of kept multi-valued attributes whose canonical `type` (RFC 7643 §4.1.2) Roster
/// does not keep: `(attribute, types)`. Roster keeps the work and mobile phone numbers and
/// the work address (an untyped value counts as work); a `type` outside RFC 7643's
/// canonical values is no attribute this table covers, and stays refused.
pub const TYPES: &[(&str, &[&str])] =
    &[("phoneNumbers", &["home", "fax", "pager", "other"]), ("addresses", &["home", "other"])];

/// Enterprise User extension attributes (RFC 7643 §4.3) Roster does not keep.
pub const ENTERPRISE: &[&str] = &["costCenter", "division", "manager"];

fn listed(list: &[&str], name: &str) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

fn in_table(table: &[(&str, &'static [&'static str])], attr: &str, name: &str) -> bool {
    table.iter().any(|(a, names)| a.eq_ignore_ascii_case(attr) && listed(names, name))
}

/// Whether the User attribute `name` (with `sub`, a sub-attribute) is one RFC 7643 defines
/// and Roster does not keep. `uri`: the schema URN the name was written with (`None` and
/// the core User URN: §4.1; the enterprise URN: §4.3; any other: `false`, unknown).
pub fn is_unkept(uri: Option<&str>, name: &str, sub: Option<&str>) -> bool {
    match uri {
        None => {}
        Some(u) if u.eq_ignore_ascii_case(USER_SCHEMA) => {}
        Some(u) if u.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) => return listed(ENTERPRISE, name),
        Some(_) => return false,
    }
    listed(CORE, name) || sub.is_some_and(|s| in_table(SUBS, name, s))
}

/// Whether the value filter `f` of a path on `attr` selects only values of a `type` Roster
/// does not keep ([`TYPES`]: `phoneNumbers[type eq "fax"]`).
fn selects_unkept_type(attr: &str, f: &Filter) -> bool {
    match f {
        Filter::Compare(AttrPath { uri: None, name, sub: None }, CompareOp::Eq, Value::String(t))
            if name.eq_ignore_ascii_case("type") =>
        {
            in_table(TYPES, attr, t)
        }
        Filter::And(a, b) => selects_unkept_type(attr, a) || selects_unkept_type(attr, b),
        _ => false,
    }
}

/// Whether a PATCH path (RFC 7644 §3.5.2) names only what Roster does not keep — the
/// operation then changes nothing and is skipped: an unkept attribute
/// (`preferredLanguage`, `urn:…:enterprise:2.0:User:manager`), an unkept sub-attribute
/// (`name.formatted`, `addresses[type eq "work"].formatted`), or values of an unkept type
/// (`phoneNumbers[type eq "fax"].value`).
pub fn ignores(path: &PatchPath) -> bool {
    let a = &path.attr;
    if is_unkept(a.uri.as_deref(), &a.name, a.sub.as_deref()) {
        return true;
    }
    let Some(filter) = &path.filter else { return false };
    let core = a.uri.as_deref().is_none_or(|u| u.eq_ignore_ascii_case(USER_SCHEMA));
    core && (selects_unkept_type(&a.name, filter) || path.sub.as_deref().is_some_and(|s| in_table(SUBS, &a.name, s)))
}

/// Removes from the User document `doc` every attribute, sub-attribute and typed value
/// Roster does not keep (core, and in the enterprise extension's object). What Roster
/// renders holds none of them, so for a PATCH this puts back the value the attribute had
/// before (absent): the checks in [`super::kept`] see no change, and the save none either.
pub fn forget(doc: &mut Map<String, Value>) {
    doc.retain(|k, _| !listed(CORE, k));
    for (attr, subs) in SUBS {
        let Some((_, v)) = doc.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(attr)) else { continue };
        let types = TYPES.iter().find(|(a, _)| a == attr).map_or(&[][..], |(_, t)| *t);
        match v {
            Value::Object(o) => o.retain(|k, _| !listed(subs, k)),
            Value::Array(items) => {
                items.retain(|item| {
                    let ty = item.as_object().and_then(|o| get_ci(o, "type")).and_then(Value::as_str);
                    !ty.is_some_and(|t| listed(types, t))
                });
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    item.retain(|k, _| !listed(subs, k));
                }
            }
            _ => {}
        }
    }
    let ext = doc.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(ENTERPRISE_SCHEMA));
    if let Some((_, Value::Object(ext))) = ext {
        ext.retain(|k, _| !listed(ENTERPRISE, k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(p: &str) -> PatchPath {
        PatchPath::parse(p).unwrap()
    }

    #[test]
    fn ignores_entra_defaults_but_not_what_roster_keeps_or_rfc_does_not_define() {
        for p in [
            "preferredLanguage",
            "NickName",
            "name.formatted",
            "name.middleName",
            "addresses[type eq \"work\"].formatted",
            "addresses[type eq \"home\"].locality",
            "addresses[type eq \"other\"]",
            "phoneNumbers[type eq \"fax\"].value",
            "phoneNumbers[type eq \"pager\" and primary eq true].value",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter",
            "urn:ietf:params:scim:schemas:core:2.0:User:locale",
        ] {
            assert!(ignores(&path(p)), "{p}");
        }
        for p in [
            "name.givenName",
            "title",
            "phoneNumbers[type eq \"work\"].value",
            "phoneNumbers[type eq \"satellite\"].value",
            "phoneNumbers[type eq \"fax\" or type eq \"work\"].value",
            "addresses[type eq \"work\"].locality",
            "emails[type eq \"home\"].value",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "urn:example:ext:1.0:User:manager",
            "shoeSize",
            "name.shoeSize",
        ] {
            assert!(!ignores(&path(p)), "{p}");
        }
    }

    #[test]
    fn forgets_exactly_what_roster_does_not_keep() {
        let mut doc = json!({
            "userName": "a@x", "preferredLanguage": "en-US", "Locale": "en", "shoeSize": 42,
            "name": {"givenName": "A", "familyName": "B", "formatted": "A B", "middleName": "Q"},
            "emails": [{"value": "a@x", "type": "work", "primary": true, "display": "A"}],
            "phoneNumbers": [{"type": "work", "value": "1", "primary": true}, {"type": "fax", "value": "2"},
                {"type": "satellite", "value": "3"}],
            "addresses": [{"type": "work", "formatted": "1 Main St", "locality": "X"}, {"type": "home", "locality": "Y"}],
            ENTERPRISE_SCHEMA: {"department": "Ops", "manager": {"value": "m"}, "costCenter": "7"},
        });
        forget(doc.as_object_mut().unwrap());
        assert_eq!(
            doc,
            json!({
                "userName": "a@x", "shoeSize": 42,
                "name": {"givenName": "A", "familyName": "B"},
                "emails": [{"value": "a@x", "type": "work", "primary": true}],
                "phoneNumbers": [{"type": "work", "value": "1"}, {"type": "satellite", "value": "3"}],
                "addresses": [{"type": "work", "locality": "X"}],
                ENTERPRISE_SCHEMA: {"department": "Ops"},
            })
        );
    }

    #[test]
    fn knows_rfc_names_from_unknown_ones() {
        assert!(is_unkept(None, "timezone", None));
        assert!(is_unkept(Some(ENTERPRISE_SCHEMA), "division", None));
        assert!(!is_unkept(Some(ENTERPRISE_SCHEMA), "department", None), "kept");
        assert!(!is_unkept(Some(ENTERPRISE_SCHEMA), "nickName", None), "not in the extension");
        assert!(!is_unkept(Some("urn:example:ext:1.0:User"), "nickName", None), "another schema");
        assert!(!is_unkept(None, "name", Some("givenName")), "kept");
        assert!(!is_unkept(None, "nickname2", None), "unknown");
    }
}
