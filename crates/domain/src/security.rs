//! Account security settings (PRODUCT.md §5): lockout, session lifetimes, password policy.
//! Every value has a range; [`SecuritySettings::validate`] names the first field outside it.

use crate::DomainError;
use crate::password::PasswordPolicy;
use serde::{Deserialize, Serialize};

/// An account's security settings, as stored and as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecuritySettings {
    /// Consecutive failed logins that lock a user.
    pub max_login_attempts: u32,
    /// Minutes until a locked user unlocks by themselves; 0 = only an admin unlocks.
    pub lockout_minutes: u32,
    /// Minutes without a request after which a session ends.
    pub idle_timeout_minutes: u32,
    /// Hours after sign-in at which a session ends whatever its activity.
    pub absolute_lifetime_hours: u32,
    pub password: PasswordSettings,
}

/// The password policy's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordSettings {
    pub min_length: u32,
    /// How many of the four classes (lower, upper, digit, symbol) a password must mix.
    pub min_classes: u32,
    /// A new password may not repeat any of the last N (0 = no history).
    pub history: u32,
    /// Refuse passwords that are common or easy to guess.
    pub reject_common: bool,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            max_login_attempts: 5,
            lockout_minutes: 30,
            idle_timeout_minutes: 60,
            absolute_lifetime_hours: 12,
            password: PasswordSettings::default(),
        }
    }
}

impl Default for PasswordSettings {
    fn default() -> Self {
        Self { min_length: 8, min_classes: 3, history: 5, reject_common: true }
    }
}

fn within(field: &'static str, value: u32, min: u32, max: u32) -> Option<(&'static str, String)> {
    (!(min..=max).contains(&value)).then(|| (field, format!("must be between {min} and {max}")))
}

impl SecuritySettings {
    /// Every field outside its range, `(field, why)` in form order; empty when all are valid.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<_> = [
            within("max_login_attempts", self.max_login_attempts, 1, 100),
            within("lockout_minutes", self.lockout_minutes, 0, 7 * 24 * 60),
            within("idle_timeout_minutes", self.idle_timeout_minutes, 1, 30 * 24 * 60),
            within("absolute_lifetime_hours", self.absolute_lifetime_hours, 1, 90 * 24),
            within("password.min_length", self.password.min_length, 8, 128),
            within("password.min_classes", self.password.min_classes, 1, 4),
            within("password.history", self.password.history, 0, 24),
        ]
        .into_iter()
        .flatten()
        .collect();
        let idle_in_range = out.iter().all(|(f, _)| *f != "idle_timeout_minutes");
        if idle_in_range && u64::from(self.idle_timeout_minutes) > u64::from(self.absolute_lifetime_hours) * 60 {
            out.push(("idle_timeout_minutes", "must not exceed the absolute lifetime".into()));
        }
        out
    }

    /// Checks every range; the error names the first field outside its range (every one:
    /// [`SecuritySettings::problems`]).
    ///
    /// # Errors
    /// [`DomainError::Invalid`] naming the first bad field.
    pub fn validate(&self) -> Result<(), DomainError> {
        match self.problems().into_iter().next() {
            Some((field, why)) => Err(DomainError::invalid(field, why)),
            None => Ok(()),
        }
    }

    pub fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy {
            min_length: self.password.min_length as usize,
            min_classes: self.password.min_classes as usize,
            reject_common: self.password.reject_common,
        }
    }

    /// Microseconds a session may stay idle.
    pub fn idle_timeout_us(&self) -> i64 {
        i64::from(self.idle_timeout_minutes) * 60_000_000
    }

    /// How stale a session's saved last activity may get before a request saves it again,
    /// in microseconds: min(60 s, idle timeout / 2). Saving at most this often keeps writes
    /// rare, and a session active within its idle timeout never ends as idle (with the
    /// 1-minute minimum, activity every 20 s is saved every 30 s).
    pub fn activity_save_interval_us(&self) -> i64 {
        (self.idle_timeout_us() / 2).min(60_000_000)
    }

    /// Microseconds a session may live.
    pub fn absolute_lifetime_us(&self) -> i64 {
        i64::from(self.absolute_lifetime_hours) * 3_600_000_000
    }

    /// When a user locked at `locked_at` unlocks by themselves (`None`: only by an admin).
    pub fn auto_unlock_at(&self, locked_at: i64) -> Option<i64> {
        (self.lockout_minutes > 0).then(|| locked_at + i64::from(self.lockout_minutes) * 60_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_is_saved_within_half_the_idle_timeout_and_at_least_once_a_minute() {
        let mut s = SecuritySettings { idle_timeout_minutes: 1, ..SecuritySettings::default() };
        assert_eq!(s.activity_save_interval_us(), 30_000_000);
        s.idle_timeout_minutes = 60;
        assert_eq!(s.activity_save_interval_us(), 60_000_000);
    }

    #[test]
    fn the_defaults_follow_the_product_spec_and_are_valid() {
        let s = SecuritySettings::default();
        assert_eq!((s.max_login_attempts, s.lockout_minutes), (5, 30));
        assert_eq!(s.password.history, 5);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        type BreakIt = fn(&mut SecuritySettings);
        let cases: [(&str, BreakIt); 6] = [
            ("max_login_attempts", |s| s.max_login_attempts = 0),
            ("lockout_minutes", |s| s.lockout_minutes = 100_000),
            ("idle_timeout_minutes", |s| s.idle_timeout_minutes = 0),
            ("absolute_lifetime_hours", |s| s.absolute_lifetime_hours = 0),
            ("password.min_length", |s| s.password.min_length = 4),
            ("password.history", |s| s.password.history = 25),
        ];
        for (field, break_it) in cases {
            let mut s = SecuritySettings::default();
            break_it(&mut s);
            match s.validate() {
                Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn every_field_out_of_range_is_named() {
        let s = SecuritySettings { max_login_attempts: 0, lockout_minutes: 100_000, ..Default::default() };
        let fields: Vec<&str> = s.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["max_login_attempts", "lockout_minutes"]);
    }

    #[test]
    fn idle_timeout_cannot_outlive_the_session() {
        let s = SecuritySettings { idle_timeout_minutes: 13 * 60, absolute_lifetime_hours: 12, ..Default::default() };
        assert!(s.validate().is_err());
    }

    #[test]
    fn zero_lockout_minutes_means_admin_only() {
        let mut s = SecuritySettings::default();
        assert_eq!(s.auto_unlock_at(0), Some(30 * 60_000_000));
        s.lockout_minutes = 0;
        assert_eq!(s.auto_unlock_at(0), None);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<SecuritySettings>(r#"{"max_login_attemps": 3}"#).is_err());
        let partial: SecuritySettings = serde_json::from_str(r#"{"max_login_attempts": 3}"#).unwrap();
        assert_eq!(partial.lockout_minutes, 30, "missing fields keep their defaults");
    }
}
