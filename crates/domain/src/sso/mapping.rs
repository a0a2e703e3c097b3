//! Attribute mapping: what the values of one ID token claim (say `groups`) make of the
//! user at each SSO sign-in — Roster groups, an admin role, Bot Builder access — in one of
//! two modes (as the Kore.ai console offers): *Full sync* replaces what the mapping governs,
//! *Inclusion only* only adds.

use super::settings::is_claim_name;
use crate::user::BuilderAccess;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingMode {
    /// Each sign-in makes the mapped attributes match the claim: mapped groups the claim
    /// no longer names are left, a mapped role it no longer names is taken away.
    FullSync,
    /// Each sign-in only adds: groups joined, a role given to a user holding none, builder
    /// access raised — never removed or lowered.
    #[default]
    InclusionOnly,
}

/// The longest group or admin role name (as groups and roles are created).
pub const NAME_MAX_CHARS: usize = 100;

/// The most entries one map of a mapping holds (every sign-in reads them all).
pub const MAX_ENTRIES: usize = 500;

/// Claim values → what they grant. Keys are the claim's values as the provider sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttributeMapping {
    pub mode: MappingMode,
    /// The claim read (default `groups`): an array of strings, or one string.
    pub claim: String,
    /// Claim value → the name of a Roster group (in the account's default workspace).
    pub groups: BTreeMap<String, String>,
    /// Claim value → the name of an admin role. When several match, the first value in
    /// sorted order wins.
    pub admin_roles: BTreeMap<String, String>,
    /// Claim value → Bot Builder access; the highest matching level wins.
    pub builder_access: BTreeMap<String, BuilderAccess>,
}

impl Default for AttributeMapping {
    fn default() -> Self {
        Self {
            mode: MappingMode::default(),
            claim: "groups".into(),
            groups: BTreeMap::new(),
            admin_roles: BTreeMap::new(),
            builder_access: BTreeMap::new(),
        }
    }
}

/// What the user has now, as far as the mapping governs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAttributes {
    /// Names of the groups the user belongs to.
    pub groups: BTreeSet<String>,
    /// The name of the user's admin role, if any.
    pub admin_role: Option<String>,
    pub builder_access: BuilderAccess,
    /// The Primary Master Admin's role is never changed by a mapping.
    pub is_primary_admin: bool,
}

/// A role change the mapping asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleChange {
    Grant(String),
    Revoke,
}

/// What one sign-in changes. Empty when nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MappingPlan {
    pub join: Vec<String>,
    pub leave: Vec<String>,
    pub role: Option<RoleChange>,
    pub builder_access: Option<BuilderAccess>,
}

impl MappingPlan {
    pub fn is_empty(&self) -> bool {
        self.join.is_empty() && self.leave.is_empty() && self.role.is_none() && self.builder_access.is_none()
    }
}

impl AttributeMapping {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.admin_roles.is_empty() && self.builder_access.is_empty()
    }

    /// Every problem, as `(field, message)`: the map (`mapping.groups`) for an empty claim
    /// value, else the entry by its claim value (`mapping.groups.CN=Eng,OU=Groups`, the
    /// name a JSON body's field at that path gets) — so every bad entry is named.
    pub(super) fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !is_claim_name(&self.claim) {
            out.push(("mapping.claim".into(), "must be the name of a claim (letters, digits, _ : . / -)".into()));
        }
        let empty_value = |map: &str| (format!("mapping.{map}"), "claim values may not be empty".to_owned());
        // Names obey the rules group and role names are created by (one line, no control or
        // invisible characters, at most NAME_MAX_CHARS), so a mapped name can match one.
        let names = |map: &str, what: &str, m: &BTreeMap<String, String>, out: &mut Vec<(String, String)>| {
            if m.keys().any(String::is_empty) {
                out.push(empty_value(map));
            }
            for (value, name) in m.iter().filter(|(k, _)| !k.is_empty()) {
                let why = if crate::text::is_blank(name) {
                    Some(format!("maps the claim value to no {what} name"))
                } else {
                    match crate::text::line("name", name, NAME_MAX_CHARS) {
                        Err(crate::DomainError::Invalid { message, .. }) => Some(format!("a {what} name {message}")),
                        Err(e) => Some(format!("a {what} name {e}")),
                        Ok(_) => None,
                    }
                };
                out.extend(why.map(|why| (entry(map, value), why)));
            }
        };
        names("groups", "group", &self.groups, &mut out);
        names("admin_roles", "admin role", &self.admin_roles, &mut out);
        if self.builder_access.keys().any(String::is_empty) {
            out.push(empty_value("builder_access"));
        }
        for (map, len) in [
            ("groups", self.groups.len()),
            ("admin_roles", self.admin_roles.len()),
            ("builder_access", self.builder_access.len()),
        ] {
            if len > MAX_ENTRIES {
                out.push((format!("mapping.{map}"), format!("must have at most {MAX_ENTRIES} entries")));
            }
        }
        out
    }

    /// The mapping with each group and role name as the text rules store names: trimmed
    /// and NFC-normalized ([`crate::text::line`]), so a name matches the group or role
    /// however its characters were composed. Names those rules refuse are kept as sent
    /// ([`Self::problems`] names them).
    #[must_use]
    pub fn normalized(mut self) -> Self {
        let norm = |m: &mut BTreeMap<String, String>| {
            for v in m.values_mut() {
                if let Ok(Some(n)) = crate::text::line("name", v, NAME_MAX_CHARS) {
                    *v = n;
                }
            }
        };
        norm(&mut self.groups);
        norm(&mut self.admin_roles);
        self
    }

    /// What a sign-in whose token carries `values` in the mapped claim changes for a user
    /// who has `now`. `values` is `None` when the claim is absent: that changes nothing (an
    /// absent claim is not an empty list, so Full sync removes nothing).
    ///
    /// Names are compared by [`name_key`] only, so a mapping naming "engineering" governs
    /// the group "Engineering". What the mapping governs is what it names: Full sync leaves
    /// only mapped groups, replaces or takes away only a mapped role, and lowers Bot Builder
    /// access only from a mapped level (or from none) — a role, group or level given by hand
    /// that the mapping does not name is never removed. The Primary Master Admin's role is
    /// never touched and their Bot Builder access never lowered.
    pub fn plan(&self, values: Option<&[String]>, now: &UserAttributes) -> MappingPlan {
        let Some(values) = values else {
            return MappingPlan::default();
        };
        let has = |v: &String| values.contains(v);
        let full = self.mode == MappingMode::FullSync;
        let mapped: BTreeSet<String> = self.groups.values().map(|g| name_key(g)).collect();
        let wanted: BTreeMap<String, &String> =
            self.groups.iter().filter(|(v, _)| has(v)).map(|(_, g)| (name_key(g), g)).collect();
        let held: BTreeSet<String> = now.groups.iter().map(|g| name_key(g)).collect();
        let join = wanted.iter().filter(|(k, _)| !held.contains(*k)).map(|(_, g)| (*g).clone()).collect();
        let leave = if full {
            let dropped = |g: &&String| mapped.contains(&name_key(g)) && !wanted.contains_key(&name_key(g));
            now.groups.iter().filter(dropped).cloned().collect()
        } else {
            Vec::new()
        };
        MappingPlan { join, leave, role: self.role_change(&has, now), builder_access: self.builder_change(&has, now) }
    }

    fn role_change(&self, has: &dyn Fn(&String) -> bool, now: &UserAttributes) -> Option<RoleChange> {
        if now.is_primary_admin {
            return None;
        }
        let full = self.mode == MappingMode::FullSync;
        let want = self.admin_roles.iter().find(|(v, _)| has(v)).map(|(_, r)| r);
        let governed = |held: &String| self.admin_roles.values().any(|r| same_name(r, held));
        match (want, &now.admin_role) {
            (Some(w), Some(held)) if same_name(w, held) => None,
            (Some(w), None) => Some(RoleChange::Grant(w.clone())),
            (Some(w), Some(held)) if full && governed(held) => Some(RoleChange::Grant(w.clone())),
            (None, Some(held)) if full && governed(held) => Some(RoleChange::Revoke),
            _ => None,
        }
    }

    fn builder_change(&self, has: &dyn Fn(&String) -> bool, now: &UserAttributes) -> Option<BuilderAccess> {
        if self.builder_access.is_empty() {
            return None;
        }
        let current = now.builder_access;
        let matched = self.builder_access.iter().filter(|(v, _)| has(v)).map(|(_, a)| *a).max();
        // Full sync governs a level the mapping names, or none at all; a level given by hand
        // is only ever raised.
        let governed = current == BuilderAccess::None || self.builder_access.values().any(|a| *a == current);
        let mut target = if self.mode == MappingMode::FullSync && governed {
            matched.unwrap_or(BuilderAccess::None)
        } else {
            matched.map_or(current, |m| m.max(current))
        };
        if now.is_primary_admin {
            target = target.max(current);
        }
        Some(target).filter(|t| *t != current)
    }
}

/// The name problems give one entry of a map (`groups`, `admin_roles`, `builder_access`):
/// `mapping.{map}.{claim value}`, as a JSON body's field at that path is named.
pub fn entry(map: &str, claim_value: &str) -> String {
    format!("mapping.{map}.{claim_value}")
}

/// The one comparison of group and admin role names, wherever a mapping meets them:
/// trimmed, ASCII letters folded — the folding both stores' unique indexes
/// (`lower(name)`) agree on, so a key matches at most one group of a workspace or one role of
/// an account.
pub fn name_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// Whether two group or role names are the same name ([`name_key`]).
pub fn same_name(a: &str, b: &str) -> bool {
    name_key(a) == name_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(mode: MappingMode) -> AttributeMapping {
        AttributeMapping {
            mode,
            claim: "groups".into(),
            groups: [("eng".into(), "Engineering".into()), ("ops".into(), "Operations".into())].into(),
            admin_roles: [("admins".into(), "Master Admin".into())].into(),
            builder_access: [("builders".into(), BuilderAccess::Builder)].into(),
        }
    }

    fn user(groups: &[&str], role: Option<&str>) -> UserAttributes {
        UserAttributes {
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            admin_role: role.map(str::to_owned),
            builder_access: BuilderAccess::None,
            is_primary_admin: false,
        }
    }

    fn vals(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn full_sync_leaves_only_mapped_groups_the_claim_dropped() {
        let m = mapping(MappingMode::FullSync);
        let p = m.plan(Some(&vals(&["eng"])), &user(&["Operations", "Hand-made"], None));
        assert_eq!(p.join, ["Engineering"]);
        assert_eq!(p.leave, ["Operations"]);
    }

    #[test]
    fn inclusion_only_never_removes() {
        let m = mapping(MappingMode::InclusionOnly);
        let p = m.plan(Some(&vals(&["eng"])), &user(&["Operations"], Some("Master Admin")));
        assert_eq!(p.join, ["Engineering"]);
        assert!(p.leave.is_empty());
        assert_eq!(p.role, None);
    }

    #[test]
    fn a_missing_claim_changes_nothing_even_in_full_sync() {
        let m = mapping(MappingMode::FullSync);
        assert!(m.plan(None, &user(&["Operations"], Some("Master Admin"))).is_empty());
        // An empty list is not a missing claim.
        assert_eq!(m.plan(Some(&[]), &user(&["Operations"], None)).leave, ["Operations"]);
    }

    #[test]
    fn full_sync_revokes_a_mapped_role_but_never_the_primary_admins() {
        let m = mapping(MappingMode::FullSync);
        assert_eq!(m.plan(Some(&[]), &user(&[], Some("Master Admin"))).role, Some(RoleChange::Revoke));
        assert_eq!(m.plan(Some(&[]), &user(&[], Some("Hand-made role"))).role, None);
        let mut primary = user(&[], Some("Primary Master Admin"));
        primary.is_primary_admin = true;
        assert_eq!(m.plan(Some(&[]), &primary).role, None);
        assert_eq!(m.plan(Some(&vals(&["admins"])), &primary).role, None);
    }

    #[test]
    fn roles_and_builder_access_are_granted() {
        let m = mapping(MappingMode::InclusionOnly);
        let p = m.plan(Some(&vals(&["admins", "builders"])), &user(&[], None));
        assert_eq!(p.role, Some(RoleChange::Grant("Master Admin".into())));
        assert_eq!(p.builder_access, Some(BuilderAccess::Builder));
        let mut higher = user(&[], None);
        higher.builder_access = BuilderAccess::BuilderAndCreate;
        assert_eq!(m.plan(Some(&vals(&["builders"])), &higher).builder_access, None);
        let full = mapping(MappingMode::FullSync);
        // A hand-given level the mapping does not name is never lowered.
        assert_eq!(full.plan(Some(&[]), &higher).builder_access, None);
        let mut mapped = user(&[], None);
        mapped.builder_access = BuilderAccess::Builder;
        assert_eq!(full.plan(Some(&[]), &mapped).builder_access, Some(BuilderAccess::None));
    }

    #[test]
    fn names_compare_one_way_so_full_sync_removes_what_it_resolves() {
        let m = mapping(MappingMode::FullSync);
        let p = m.plan(Some(&[]), &user(&["operations", "engineering "], Some("master admin")));
        assert_eq!(p.leave, ["engineering ", "operations"]);
        assert_eq!(p.role, Some(RoleChange::Revoke));
        let p = m.plan(Some(&vals(&["eng", "admins"])), &user(&["ENGINEERING"], Some("MASTER ADMIN")));
        assert!(p.join.is_empty() && p.leave.is_empty() && p.role.is_none(), "{p:?}");
    }

    #[test]
    fn full_sync_never_replaces_a_hand_given_role_nor_lowers_the_primary_admin() {
        let m = mapping(MappingMode::FullSync);
        let p = m.plan(Some(&vals(&["admins"])), &user(&[], Some("Helpdesk")));
        assert_eq!(p.role, None, "an unmapped role held is not the mapping's to replace");
        let mut primary = user(&[], Some("Primary Master Admin"));
        primary.is_primary_admin = true;
        primary.builder_access = BuilderAccess::Builder;
        let p = m.plan(Some(&[]), &primary);
        assert_eq!((p.role, p.builder_access), (None, None));
        let p = m.plan(Some(&vals(&["builders"])), &user(&[], None));
        assert_eq!(p.builder_access, Some(BuilderAccess::Builder));
    }

    #[test]
    fn each_bad_entry_is_named_by_its_claim_value() {
        let mut m = mapping(MappingMode::FullSync);
        m.groups.insert("CN=Eng,OU=Groups,DC=corp".into(), "x".repeat(NAME_MAX_CHARS + 1));
        m.groups.insert("blank".into(), "  ".into());
        m.admin_roles.insert(String::new(), "Ops".into());
        let names: Vec<String> = m.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(names, ["mapping.groups.CN=Eng,OU=Groups,DC=corp", "mapping.groups.blank", "mapping.admin_roles"]);
    }
}
