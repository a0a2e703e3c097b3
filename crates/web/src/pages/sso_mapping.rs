//! The attribute mapping editor of Security → Single sign-on: each map (groups, admin roles,
//! Bot Builder access) as rows of two inputs, claim value → group name / admin role / level
//! (a select where the set is closed: the roles and levels the admin may map, which is what
//! `authz` lets them save). It works without JavaScript: one blank row is always offered
//! (save to get another), and a row goes with its Remove box or by clearing both inputs.
//! Claim values are taken exactly as typed, so `CN=Eng,OU=Groups,DC=corp` round-trips.
//!
//! Problems name rows: `mapping.groups[2]` is the third row shown. The API names a bad entry
//! by its claim value (`mapping.groups.CN=Eng,OU=Groups,DC=corp`, [`domain::sso::entry`]);
//! [`Maps::row_names`] turns those into the row holding that value, so every message stands
//! beside its row.

use crate::csrf::one_or_many;
use domain::sso::AttributeMapping;
use domain::user::BuilderAccess;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The rows as the form sends them: each input repeats once per row, in row order.
#[derive(Deserialize, Default, Clone)]
pub(super) struct MappingRows {
    #[serde(default, deserialize_with = "one_or_many")]
    group_value: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    group_name: Vec<String>,
    /// Indices of the rows whose Remove box is ticked.
    #[serde(default, deserialize_with = "one_or_many")]
    group_remove: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    role_value: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    role_name: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    role_remove: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    builder_value: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    builder_level: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    builder_remove: Vec<String>,
}

/// The maps read from the rows: groups, admin roles, Bot Builder access.
type Parsed = (BTreeMap<String, String>, BTreeMap<String, String>, BTreeMap<String, BuilderAccess>);

/// One map's rows, claim value → target, as shown (removed and empty rows dropped).
type Rows = Vec<(String, String)>;

/// The three maps as rows, in the order the editor shows them.
#[derive(Clone, Default)]
pub(super) struct Maps {
    groups: Rows,
    admin_roles: Rows,
    builder_access: Rows,
}

/// The maps: `(map, rows)` for `groups`, `admin_roles`, `builder_access`.
impl Maps {
    fn each(&self) -> [(&'static str, &Rows); 3] {
        [("groups", &self.groups), ("admin_roles", &self.admin_roles), ("builder_access", &self.builder_access)]
    }

    /// The rows of a saved mapping.
    pub(super) fn of(m: &AttributeMapping) -> Self {
        let rows = |m: &BTreeMap<String, String>| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Self {
            groups: rows(&m.groups),
            admin_roles: rows(&m.admin_roles),
            builder_access: m.builder_access.iter().map(|(k, a)| (k.clone(), a.as_str().to_owned())).collect(),
        }
    }

    /// The rows the form sent, without those removed or left empty.
    pub(super) fn sent(f: &MappingRows) -> Self {
        Self {
            groups: kept(&f.group_value, &f.group_name, &f.group_remove),
            admin_roles: kept(&f.role_value, &f.role_name, &f.role_remove),
            builder_access: kept(&f.builder_value, &f.builder_level, &f.builder_remove),
        }
    }

    /// The three maps, or `(mapping.<map>[row], message)` for every row that cannot be read:
    /// a claim value or target missing, a claim value given twice, a level that is none.
    pub(super) fn parse(&self) -> Result<Parsed, Vec<(String, String)>> {
        let mut bad = Vec::new();
        let mut read = |map: &str, what: &str, rows: &Rows| {
            let mut out = BTreeMap::new();
            for (i, (value, target)) in rows.iter().enumerate() {
                let name = row_name(map, i);
                if value.trim().is_empty() {
                    bad.push((name, format!("needs the claim value to map to {target:?}")));
                } else if target.trim().is_empty() {
                    bad.push((name, format!("needs {what} for the claim value {value:?}")));
                } else if let Some(first) = rows[..i].iter().position(|(v, _)| v == value) {
                    bad.push((name, format!("the claim value {value:?} is already mapped in row {}", first + 1)));
                } else {
                    out.insert(value.clone(), target.clone());
                }
            }
            out
        };
        let groups = read("groups", "a group name", &self.groups);
        let admin_roles = read("admin_roles", "an admin role", &self.admin_roles);
        let levels = read("builder_access", "a Bot Builder level", &self.builder_access);
        let mut builder_access = BTreeMap::new();
        for (value, level) in levels {
            if let Ok(a) = level.parse::<BuilderAccess>() {
                builder_access.insert(value, a);
            } else {
                let i = self.builder_access.iter().position(|(v, _)| *v == value).unwrap_or_default();
                bad.push((row_name("builder_access", i), "must be none, builder or builder_and_create".into()));
            }
        }
        if bad.is_empty() { Ok((groups, admin_roles, builder_access)) } else { Err(bad) }
    }

    /// `errors` with each entry's name (`mapping.groups.<claim value>`) turned into its row's
    /// (`mapping.groups[i]`); other names as they are.
    pub(super) fn row_names(&self, errors: Vec<(String, String)>) -> Vec<(String, String)> {
        errors
            .into_iter()
            .map(|(field, message)| {
                let row = self.each().into_iter().find_map(|(map, rows)| {
                    rows.iter().position(|(v, _)| domain::sso::entry(map, v) == field).map(|i| row_name(map, i))
                });
                (row.unwrap_or(field), message)
            })
            .collect()
    }

    /// The editors to show: each map's rows and a blank one, with the message for each row
    /// (from `errors`, named as [`Self::row_names`] names them), and the choices for the
    /// closed sets (`roles`: the admin role names the viewer may map; `levels`: the Bot
    /// Builder levels) — a value already mapped stays a choice, so it shows as saved.
    pub(super) fn editors(
        &self,
        errors: &[(String, String)],
        roles: &[String],
        levels: &[BuilderAccess],
    ) -> Vec<Editor> {
        let message = |name: &str| errors.iter().find(|(f, _)| f == name).map(|(_, m)| m.clone());
        let levels: Vec<(String, String)> =
            levels.iter().map(|l| (l.as_str().to_owned(), l.label().to_owned())).collect();
        let roles: Vec<(String, String)> = roles.iter().map(|r| (r.clone(), r.clone())).collect();
        let specs = [
            ("groups", "Groups", "group", "name", "Group name", None),
            ("admin_roles", "Admin role", "role", "name", "Admin role", Some(roles)),
            ("builder_access", "Bot Builder access", "builder", "level", "Bot Builder access", Some(levels)),
        ];
        specs
            .into_iter()
            .zip(self.each())
            .map(|((map, legend, prefix, target, target_label, choices), (_, rows))| {
                let blank = (String::new(), String::new());
                let rows = rows
                    .iter()
                    .chain([&blank])
                    .enumerate()
                    .map(|(i, (value, chosen))| {
                        let mut options: Vec<Choice> = choices
                            .iter()
                            .flatten()
                            .map(|(v, label)| Choice { value: v.clone(), label: label.clone(), selected: v == chosen })
                            .collect();
                        if choices.is_some() && !chosen.is_empty() && !options.iter().any(|o| o.selected) {
                            options.push(Choice { value: chosen.clone(), label: chosen.clone(), selected: true });
                        }
                        Row {
                            index: i,
                            name: row_name(map, i),
                            value: value.clone(),
                            target: chosen.clone(),
                            blank: i == rows.len(),
                            error: message(&row_name(map, i)),
                            options,
                        }
                    })
                    .collect();
                Editor {
                    map,
                    legend,
                    value_field: format!("{prefix}_value"),
                    target_field: format!("{prefix}_{target}"),
                    remove_field: format!("{prefix}_remove"),
                    target_label,
                    select: choices.is_some(),
                    rows,
                    error: message(&format!("mapping.{map}")),
                }
            })
            .collect()
    }
}

/// The rows of `values`/`targets` (paired by position), without removed and empty ones.
fn kept(values: &[String], targets: &[String], removed: &[String]) -> Rows {
    let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
    (0..values.len().max(targets.len()))
        .filter(|i| !removed.iter().any(|r| r.trim() == i.to_string()))
        .map(|i| (at(values, i), at(targets, i)))
        .filter(|(v, t)| !(v.trim().is_empty() && t.trim().is_empty()))
        .collect()
}

/// The name problems give row `i` of `map`: `mapping.groups[2]`.
fn row_name(map: &str, i: usize) -> String {
    format!("mapping.{map}[{i}]")
}

/// One map's editor.
pub(super) struct Editor {
    /// `groups`, `admin_roles` or `builder_access`.
    pub map: &'static str,
    pub legend: &'static str,
    pub value_field: String,
    pub target_field: String,
    pub remove_field: String,
    pub target_label: &'static str,
    /// Whether the target is a select (a closed set) rather than a text input.
    pub select: bool,
    /// The rows, the blank one last.
    pub rows: Vec<Row>,
    /// A message about the whole map.
    pub error: Option<String>,
}

/// One row of an editor.
pub(super) struct Row {
    pub index: usize,
    /// `mapping.groups[2]`, as problems name it.
    pub name: String,
    pub value: String,
    pub target: String,
    /// The blank row offered for a new entry.
    pub blank: bool,
    pub error: Option<String>,
    pub options: Vec<Choice>,
}

/// One option of a select.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn rows_pair_by_position_and_drop_removed_and_empty_ones() {
        let f = MappingRows {
            group_value: strings(&["CN=Eng,OU=Groups,DC=corp", "ops", "", "gone"]),
            group_name: strings(&["Engineering", "Operations", "", "Gone"]),
            group_remove: strings(&["3"]),
            ..MappingRows::default()
        };
        let maps = Maps::sent(&f);
        let (groups, _, _) = maps.parse().unwrap();
        assert_eq!(groups.get("CN=Eng,OU=Groups,DC=corp").map(String::as_str), Some("Engineering"));
        assert_eq!(groups.len(), 2);
    }

    #[test]
    fn a_bad_row_is_named_by_its_row() {
        let f = MappingRows {
            role_value: strings(&["admins", "", "admins"]),
            role_name: strings(&["Helpdesk", "Helpdesk", "Ops"]),
            builder_value: strings(&["b"]),
            builder_level: strings(&["everything"]),
            ..MappingRows::default()
        };
        let bad = Maps::sent(&f).parse().unwrap_err();
        let names: Vec<&str> = bad.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, ["mapping.admin_roles[1]", "mapping.admin_roles[2]", "mapping.builder_access[0]"]);
    }

    #[test]
    fn entry_names_become_row_names() {
        let f = MappingRows {
            group_value: strings(&["a.b", "CN=Eng,OU=Groups"]),
            group_name: strings(&["A", "Eng"]),
            ..MappingRows::default()
        };
        let maps = Maps::sent(&f);
        let named = maps.row_names(vec![
            (domain::sso::entry("groups", "CN=Eng,OU=Groups"), "too long".into()),
            ("mapping.groups".into(), "needs groups.manage".into()),
        ]);
        assert_eq!(named[0].0, "mapping.groups[1]");
        assert_eq!(named[1].0, "mapping.groups");
        let editors = maps.editors(&named, &[], &[]);
        assert_eq!(editors[0].rows.len(), 3, "a blank row follows");
        assert_eq!(editors[0].rows[1].error.as_deref(), Some("too long"));
        assert_eq!(editors[0].error.as_deref(), Some("needs groups.manage"));
    }
}
