//! User Settings: which profile fields appear, and which users may edit themselves.
//!
//! A session keeps the settings in force when it was created (they take effect at each
//! user's next login), so the whole set packs into one integer the session row carries.

use super::ProfileField;
use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whether a field shows on profiles, and whether users may change their own value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRule {
    pub enabled: bool,
    pub allow_edits: bool,
}

/// The rule of every profile field. Default fields are always enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileSettings([FieldRule; 15]);

impl Default for ProfileSettings {
    /// Default fields visible and editable by their users; controlled fields hidden.
    fn default() -> Self {
        Self(ProfileField::ALL.map(|f| FieldRule { enabled: f.is_default(), allow_edits: f.is_default() }))
    }
}

impl ProfileSettings {
    pub fn rule(&self, f: ProfileField) -> FieldRule {
        self.0[f as usize]
    }

    /// Sets the rule of `f`; a default field cannot be disabled.
    pub fn set(&mut self, f: ProfileField, rule: FieldRule) -> Result<(), DomainError> {
        if f.is_default() && !rule.enabled {
            return Err(DomainError::invalid("fields", format!("{} is a default field and always visible", f.key())));
        }
        self.0[f as usize] = rule;
        Ok(())
    }

    /// The fields profiles show, in form order.
    pub fn visible(&self) -> impl Iterator<Item = ProfileField> + '_ {
        ProfileField::ALL.into_iter().filter(|f| self.rule(*f).enabled)
    }

    /// Whether users may change their own value of `f` (it must be visible too).
    pub fn self_editable(&self, f: ProfileField) -> bool {
        let r = self.rule(f);
        r.enabled && r.allow_edits
    }

    /// The packed form kept on each session: bit 2i = enabled, bit 2i+1 = allow edits.
    pub fn to_bits(self) -> i64 {
        self.0.iter().enumerate().fold(0, |bits, (i, r)| {
            bits | (i64::from(r.enabled) << (2 * i)) | (i64::from(r.allow_edits) << (2 * i + 1))
        })
    }

    /// Unpacks [`Self::to_bits`]; default fields stay enabled whatever the bits say.
    pub fn from_bits(bits: i64) -> Self {
        Self(ProfileField::ALL.map(|f| {
            let i = f as usize;
            FieldRule {
                enabled: f.is_default() || bits & (1 << (2 * i)) != 0,
                allow_edits: bits & (1 << (2 * i + 1)) != 0,
            }
        }))
    }

    /// The settings as the API shows them: every field by key.
    pub fn to_map(&self) -> BTreeMap<&'static str, FieldRule> {
        ProfileField::ALL.into_iter().map(|f| (f.key(), self.rule(f))).collect()
    }

    /// Settings from a document of rules by field key. Fields left out take their default;
    /// unknown fields and disabled default fields are refused, naming them.
    pub fn from_map(map: &BTreeMap<String, FieldRule>) -> Result<Self, DomainError> {
        let mut s = Self::default();
        for (key, rule) in map {
            s.set(key.parse()?, *rule)?;
        }
        Ok(s)
    }

    /// What changes for users when these settings replace `old`.
    pub fn changes_from(&self, old: &Self) -> SettingsChange {
        let mut c = SettingsChange::default();
        for f in ProfileField::ALL {
            let (was, now) = (old.rule(f), self.rule(f));
            match (was.enabled, now.enabled) {
                (false, true) => c.appear.push(f),
                (true, false) => c.disappear.push(f),
                _ => {}
            }
            match (old.self_editable(f), self.self_editable(f)) {
                (false, true) => c.become_editable.push(f),
                (true, false) if now.enabled => c.become_read_only.push(f),
                _ => {}
            }
        }
        c
    }
}

impl Serialize for ProfileSettings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ProfileSettings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, FieldRule>::deserialize(d)?;
        Self::from_map(&map).map_err(serde::de::Error::custom)
    }
}

/// The difference between two settings, as users will notice it at their next login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub appear: Vec<ProfileField>,
    pub disappear: Vec<ProfileField>,
    pub become_editable: Vec<ProfileField>,
    pub become_read_only: Vec<ProfileField>,
}

impl SettingsChange {
    pub fn is_empty(&self) -> bool {
        self.appear.is_empty()
            && self.disappear.is_empty()
            && self.become_editable.is_empty()
            && self.become_read_only.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: FieldRule = FieldRule { enabled: true, allow_edits: true };
    const READ_ONLY: FieldRule = FieldRule { enabled: true, allow_edits: false };
    const OFF: FieldRule = FieldRule { enabled: false, allow_edits: false };

    #[test]
    fn defaults_show_only_names_and_picture_and_let_users_edit_them() {
        let s = ProfileSettings::default();
        let visible: Vec<_> = s.visible().collect();
        assert_eq!(visible, [ProfileField::FirstName, ProfileField::LastName, ProfileField::Picture]);
        assert!(s.self_editable(ProfileField::FirstName));
        assert!(!s.self_editable(ProfileField::Company));
    }

    #[test]
    fn bits_round_trip_every_rule() {
        let mut s = ProfileSettings::default();
        s.set(ProfileField::Company, ON).unwrap();
        s.set(ProfileField::Country, READ_ONLY).unwrap();
        s.set(ProfileField::FirstName, READ_ONLY).unwrap();
        assert_eq!(ProfileSettings::from_bits(s.to_bits()), s);
        assert_eq!(ProfileSettings::from_bits(ProfileSettings::default().to_bits()), ProfileSettings::default());
        assert!(ProfileSettings::from_bits(0).rule(ProfileField::Picture).enabled);
    }

    #[test]
    fn default_fields_cannot_be_hidden_and_unknown_fields_are_named() {
        let mut s = ProfileSettings::default();
        let e = s.set(ProfileField::LastName, OFF).unwrap_err();
        assert!(e.to_string().contains("last_name"), "{e}");
        let map = BTreeMap::from([("nickname".to_owned(), ON)]);
        assert!(ProfileSettings::from_map(&map).unwrap_err().to_string().contains("nickname"));
        let json = serde_json::json!({"company": {"enabled": true, "allow_edits": false}});
        let s: ProfileSettings = serde_json::from_value(json).unwrap();
        assert_eq!(s.rule(ProfileField::Company), READ_ONLY);
        assert_eq!(serde_json::from_value::<ProfileSettings>(serde_json::to_value(s).unwrap()).unwrap(), s);
    }

    #[test]
    fn changes_name_what_appears_disappears_and_who_may_edit() {
        let mut old = ProfileSettings::default();
        old.set(ProfileField::Title, ON).unwrap();
        let mut new = ProfileSettings::default();
        new.set(ProfileField::Company, READ_ONLY).unwrap();
        new.set(ProfileField::FirstName, READ_ONLY).unwrap();
        let c = new.changes_from(&old);
        assert_eq!(c.appear, [ProfileField::Company]);
        assert_eq!(c.disappear, [ProfileField::Title]);
        assert_eq!(c.become_read_only, [ProfileField::FirstName]);
        assert!(c.become_editable.is_empty());
        assert!(old.changes_from(&old).is_empty());
    }
}
