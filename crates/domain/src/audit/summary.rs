//! The one-line [`summary`] of an audit event for people to read: actor, action, target and
//! the details that matter.

use crate::closed::AuditAction;
use serde_json::Value;
use uuid::Uuid;

/// A person an event names, as far as it is still known (a purged user's row is gone).
#[derive(Debug, Clone, Copy, Default)]
pub struct Named<'a> {
    pub id: Option<Uuid>,
    /// "First Last", when the user still exists.
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// An event as [`summary`] reads it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub action: AuditAction,
    /// Who did it; `None` for events with no signed-in actor (a sign-in, a timer).
    pub actor: Option<Named<'a>>,
    /// Whom it was done to, if anyone.
    pub target: Option<Named<'a>>,
    /// The workspace the actor acted for.
    pub workspace: Option<&'a str>,
    /// The event's details object (its shape depends on the action).
    pub details: &'a Value,
}

/// One readable line for `e`: actor, action, target and the details that matter, such as
/// "Alex Morgan ended one of Casey Lee's sessions for Support (reason: shared laptop)".
/// Never empty, never the raw JSON.
pub fn summary(e: &Event) -> String {
    let r = Reader { e };
    let (line, tail) = r.line();
    let mut out = line;
    if let (Some(ws), Some(_)) = (e.workspace, e.actor) {
        out = format!("{out} for {ws}");
    }
    let mut notes: Vec<String> = tail.into_iter().collect();
    if r.text("via") == Some("scim") {
        notes.push("over SCIM".into());
    }
    if let Some(token) = e.details.get("api_token").and_then(|t| t.get("name")).and_then(Value::as_str) {
        notes.push(format!("with the API token {token:?}"));
    }
    if !notes.is_empty() {
        out = format!("{out} ({})", notes.join("; "));
    }
    out
}

struct Reader<'a, 'e> {
    e: &'a Event<'e>,
}

impl Reader<'_, '_> {
    fn text(&self, key: &str) -> Option<&str> {
        self.e.details.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    fn new_text(&self, key: &str) -> Option<&str> {
        self.e.details.get(key).and_then(|v| v.get("new")).and_then(Value::as_str)
    }

    fn who(p: Option<Named>, fallback: Option<&str>) -> String {
        let p = p.unwrap_or_default();
        p.name
            .filter(|n| !n.trim().is_empty())
            .or(p.email)
            .or(fallback)
            .map_or_else(|| "a removed user".to_owned(), str::to_owned)
    }

    /// The actor's name, or `nobody` for events no one signed in did.
    fn actor(&self, nobody: &str) -> String {
        match self.e.actor {
            Some(a) => Self::who(Some(a), None),
            None => nobody.to_owned(),
        }
    }

    /// The target's name; a purged user's recorded email when the row is gone.
    fn target(&self) -> String {
        match self.e.target {
            Some(t) => Self::who(Some(t), self.text("email")),
            None => self.text("email").map_or_else(|| "an unknown user".to_owned(), str::to_owned),
        }
    }

    /// The actor acted on themself.
    fn on_self(&self) -> bool {
        let id = |n: Option<Named>| n.and_then(|n| n.id);
        id(self.e.actor).is_some() && id(self.e.actor) == id(self.e.target)
    }

    /// "Casey Lee's", or "their own" when the actor acted on themself.
    fn targets(&self) -> String {
        if self.on_self() { "their own".into() } else { format!("{}'s", self.target()) }
    }

    fn quoted(&self, key: &str) -> String {
        self.text(key).map_or_else(String::new, |s| format!(" {s:?}"))
    }

    /// The keys of `old`/`new` objects whose values differ, readable.
    fn changed_keys(&self) -> Vec<String> {
        let (old, new) = (self.e.details.get("old"), self.e.details.get("new"));
        let (Some(Value::Object(old)), Some(Value::Object(new))) = (old, new) else { return Vec::new() };
        let mut keys: Vec<&String> = new.keys().filter(|k| old.get(*k) != new.get(*k)).collect();
        keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
        keys.into_iter().map(|k| field_name(k)).collect()
    }

    /// The line and an optional note for the parentheses.
    fn line(&self) -> (String, Option<String>) {
        use AuditAction as A;
        let e = self.e;
        let actor = || self.actor("Someone");
        let target = || self.target();
        let reason = self.text("reason").map(|r| format!("reason: {r}"));
        match e.action {
            A::LoginSucceeded => {
                let how = if self.text("method") == Some("sso") { " with single sign-on" } else { "" };
                (format!("{} signed in{how}", target()), None)
            }
            A::LoginFailed => {
                let who = if e.target.is_some() { target() } else { "an unknown email".into() };
                let how = if self.text("method") == Some("sso") { "Single sign-on" } else { "Sign-in" };
                (format!("{how} failed for {who}"), reason)
            }
            A::UserLocked => {
                let n = e.details.get("failed_logins").and_then(Value::as_u64);
                let after = n.map_or_else(String::new, |n| format!(" after {n} failed sign-ins"));
                (format!("{} was locked{after}", target()), None)
            }
            A::UserUnlocked => match (e.actor, self.text("by")) {
                (Some(_), _) => (format!("{} unlocked {}", actor(), target()), None),
                (None, Some("timer")) => (format!("{} was unlocked when the lock ran out", target()), None),
                (None, _) => (format!("{} was unlocked from the command line", target()), None),
            },
            A::UserSuspended => (format!("{} suspended {}", actor(), target()), None),
            A::UserActivated => (format!("{} activated {}", actor(), target()), None),
            A::UserDeleted => {
                let bots = list_of(e.details.get("bots_transferred"));
                let note = (!bots.is_empty()).then(|| format!("bots handed over: {bots}"));
                (format!("{} deleted {}", actor(), target()), note)
            }
            A::UserRestored => (format!("{} restored {}", actor(), target()), None),
            A::UserPurged => (format!("{} was purged for good, past the deleted users' retention", target()), None),
            A::PasswordResetRequested => match (e.actor, self.on_self()) {
                (Some(_), false) => (format!("{} sent {} a password reset link", actor(), target()), None),
                _ => (format!("{} asked for a password reset link", target()), None),
            },
            A::PasswordResetCompleted => {
                let unlocked = e.details.get("was_locked") == Some(&Value::Bool(true));
                (format!("{} set a new password with a reset link", target()), unlocked.then(|| "unlocked".into()))
            }
            A::PasswordChanged => (format!("{} changed their password", target()), None),
            A::SsoSettingsChanged => {
                let mut fields = self.changed_keys();
                if e.details.get("client_secret_changed") == Some(&Value::Bool(true)) {
                    fields.push("client secret".into());
                }
                (format!("{} changed the single sign-on settings", actor()), changed(&fields))
            }
            A::SsoConnectionTested => {
                let ok = e.details.get("ok") == Some(&Value::Bool(true));
                let outcome = if ok { "it connected" } else { "it failed" };
                (format!("{} tested the single sign-on connection: {outcome}", actor()), None)
            }
            A::ScimSettingsChanged => (format!("{} changed the SCIM settings", actor()), changed(&self.changed_keys())),
            A::SecuritySettingsChanged => {
                (format!("{} changed the security settings", actor()), changed(&self.changed_keys()))
            }
            A::UserSettingsChanged => {
                let fields: Vec<String> = list_items(e.details.get("fields")).iter().map(|f| field_name(f)).collect();
                (format!("{} changed the User Settings", actor()), changed(&fields))
            }
            A::UserRemovedFromWorkspaces => {
                let from = list_of(e.details.get("workspaces"));
                let from = if from.is_empty() { "their workspaces".to_owned() } else { from };
                (format!("{} removed {} from {from}", actor(), target()), None)
            }
            A::SessionSignedOut => {
                let others = e.details.get("others") == Some(&Value::Bool(true));
                let what = if others { "signed out of their other sessions" } else { "signed out" };
                (format!("{} {what}", target()), None)
            }
            A::SessionKilled => {
                if self.on_self() {
                    (format!("{} ended one of their other sessions", actor()), reason)
                } else {
                    (format!("{} ended one of {} sessions", actor(), self.targets()), reason)
                }
            }
            A::SessionsKilledAll => (format!("{} ended all of {} sessions", actor(), self.targets()), reason),
            A::SessionReported => {
                let from = self.text("ip").map(|ip| format!("from {ip}"));
                (format!("{} reported a session as suspicious", target()), from)
            }
            A::UserUpdated => self.user_updated(),
            A::PrimaryAdminHandedOver => {
                (format!("{} handed the Primary Master Admin over to {}", actor(), target()), None)
            }
            A::GroupCreated => (format!("{} created the group{}", actor(), self.quoted("name")), None),
            A::GroupRenamed => {
                let (old, new) = (self.text("old").unwrap_or("?"), self.text("new").unwrap_or("?"));
                (format!("{} renamed the group {old:?} to {new:?}", actor()), None)
            }
            A::GroupDeleted => (format!("{} deleted the group{}", actor(), self.quoted("name")), None),
            A::GroupMemberAdded => {
                (format!("{} added {} to the group{}", actor(), target(), self.quoted("group")), None)
            }
            A::GroupMemberRemoved => {
                (format!("{} removed {} from the group{}", actor(), target(), self.quoted("group")), None)
            }
            A::RoleCreated => (format!("{} created the admin role{}", actor(), self.quoted("name")), None),
            A::RoleUpdated => {
                let name = self.new_text("name").map_or_else(String::new, |n| format!(" {n:?}"));
                let fields = self.old_new_fields(&["name", "permissions", "scope"]);
                (format!("{} changed the admin role{name}", actor()), changed(&fields))
            }
            A::RoleDeleted => (format!("{} deleted the admin role{}", actor(), self.quoted("name")), None),
            A::UserInvited => match e.actor {
                Some(_) => (format!("{} invited {}", actor(), target()), None),
                None => (format!("{} was invited from the command line", target()), None),
            },
            A::InvitationResent => match e.actor {
                Some(_) => (format!("{} resent {} invitation", actor(), self.targets()), reason),
                None => (format!("{}'s invitation was sent again", target()), reason),
            },
            A::InvitationAccepted => {
                let how = if self.text("method") == Some("sso") { " with single sign-on" } else { "" };
                (format!("{} accepted their invitation{how}", target()), None)
            }
            A::UserProvisioned => (format!("{} provisioned {}", actor(), target()), None),
            A::SsoUserCreated => (format!("{} was created at their first single sign-on", target()), None),
            A::SsoMappingApplied => self.mapping_applied(),
            A::BotCreated => {
                (format!("{} created the bot{}, owned by {}", actor(), self.quoted("bot"), target()), None)
            }
            A::BotRoleSet => {
                let role = self.text("new").map_or_else(|| "a role".to_owned(), field_name);
                (format!("{} made {} {role} of the bot{}", actor(), target(), self.quoted("bot")), None)
            }
            A::BotRoleRemoved => (format!("{} removed {} from the bot{}", actor(), target(), self.quoted("bot")), None),
            A::BotOwnershipTransferred => {
                let to = self.text("to_email").map_or_else(String::new, |t| format!(" to {t}"));
                (format!("{} handed {} bot{}{to}", actor(), self.targets(), self.quoted("bot")), None)
            }
            A::BotOwnershipReceived => {
                (format!("{} made {} the Owner of the bot{}", actor(), target(), self.quoted("bot")), None)
            }
            A::ProfileUpdated => {
                let fields: Vec<String> = match e.details {
                    Value::Object(m) => m.keys().filter(|k| *k != "api_token").map(|k| field_name(k)).collect(),
                    _ => Vec::new(),
                };
                (format!("{} updated their profile", target()), changed(&fields))
            }
            A::PictureChanged | A::PictureRemoved => {
                let verb = if e.action == A::PictureChanged { "changed" } else { "removed" };
                if self.on_self() || e.actor.is_none() {
                    (format!("{} {verb} their picture", target()), None)
                } else {
                    (format!("{} {verb} {}'s picture", actor(), target()), None)
                }
            }
            A::AccountCreated => {
                let how = self.text("by").map(|b| format!("by {b}"));
                (format!("The account{} was created", self.quoted("name")), how)
            }
            A::ApiTokenCreated => (format!("{} created the API token{}", actor(), self.quoted("name")), None),
            A::ApiTokenRevoked => (format!("{} revoked the API token{}", actor(), self.quoted("name")), None),
        }
    }

    /// The fields among `keys` whose `old` and `new` differ.
    fn old_new_fields(&self, keys: &[&str]) -> Vec<String> {
        keys.iter()
            .filter(|k| {
                let v = self.e.details.get(**k);
                v.and_then(|v| v.get("old")) != v.and_then(|v| v.get("new"))
            })
            .map(|k| field_name(k))
            .collect()
    }

    /// An admin's edit: the admin role by name when it alone changed, else the fields.
    fn user_updated(&self) -> (String, Option<String>) {
        let d = self.e.details;
        // A SCIM update nests its changes.
        let changes = d.get("changes").filter(|_| d.get("via").is_some()).unwrap_or(d);
        let Value::Object(m) = changes else {
            return (format!("{} edited {}", self.actor("Someone"), self.target()), None);
        };
        let keys: Vec<&String> =
            m.keys().filter(|k| !matches!(k.as_str(), "api_token" | "admin_role_id" | "via")).collect();
        let role = m.get("admin_role").and_then(|r| r.get("new"));
        let (actor, targets) = (self.actor("Someone"), self.targets());
        match (keys.as_slice(), role) {
            ([only], Some(role)) if only.as_str() == "admin_role" => {
                let to = role.as_str().map_or_else(|| "no admin role".to_owned(), str::to_owned);
                (format!("{actor} changed {targets} admin role to {to}"), None)
            }
            _ => {
                let mut fields: Vec<String> = keys.iter().map(|k| field_name(k)).collect();
                if fields.is_empty() && m.contains_key("admin_role_id") {
                    fields.push("admin role".into());
                }
                let what = if fields.is_empty() { "details".to_owned() } else { and_list(&fields) };
                (format!("{actor} changed {targets} {what}"), None)
            }
        }
    }

    /// What a single sign-on's attribute mapping changed.
    fn mapping_applied(&self) -> (String, Option<String>) {
        let d = self.e.details;
        let mut parts = Vec::new();
        let joined = list_of(d.get("joined"));
        if !joined.is_empty() {
            parts.push(format!("joined {joined}"));
        }
        let left = list_of(d.get("left"));
        if !left.is_empty() {
            parts.push(format!("left {left}"));
        }
        if let Some(role) = d.get("admin_role").filter(|r| !r.is_null()) {
            let to = role.get("new").and_then(Value::as_str).unwrap_or("no admin role");
            parts.push(format!("admin role {to}"));
        }
        if let Some(b) = d.get("builder_access").and_then(|b| b.get("new")).and_then(Value::as_str) {
            parts.push(format!("Bot Builder access {}", field_name(b)));
        }
        let note = (!parts.is_empty()).then(|| parts.join("; "));
        (format!("Single sign-on updated {} from the identity provider", self.target()), note)
    }
}

/// A stored key as words: `max_login_attempts` → "max login attempts".
fn field_name(key: &str) -> String {
    match key {
        "admin_role_id" | "admin_role" => "admin role".into(),
        "builder_access" => "Bot Builder access".into(),
        other => other.replace(['_', '.'], " "),
    }
}

fn changed(fields: &[String]) -> Option<String> {
    (!fields.is_empty()).then(|| format!("changed: {}", fields.join(", ")))
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn list_items(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => {
            items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect()
        }
        _ => Vec::new(),
    }
}

fn list_of(v: Option<&Value>) -> String {
    list_items(v).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::closed::ClosedSet;
    use serde_json::json;

    fn alex() -> Named<'static> {
        Named { id: Some(Uuid::from_u128(1)), name: Some("Alex Morgan"), email: Some("alex@example.com") }
    }

    fn casey() -> Named<'static> {
        Named { id: Some(Uuid::from_u128(2)), name: Some("Casey Lee"), email: Some("casey@example.com") }
    }

    fn line(action: AuditAction, details: &Value) -> String {
        summary(&Event { action, actor: Some(alex()), target: Some(casey()), workspace: None, details })
    }

    #[test]
    fn every_action_has_a_readable_summary() {
        let empty = json!({});
        for a in AuditAction::ALL {
            for (actor, target) in
                [(Some(alex()), Some(casey())), (None, Some(casey())), (Some(alex()), None), (None, None)]
            {
                let s = summary(&Event { action: *a, actor, target, workspace: None, details: &empty });
                assert!(!s.trim().is_empty(), "{}", a.as_str());
                assert!(!s.contains(a.as_str()), "{}: no raw action name in {s:?}", a.as_str());
                assert!(!s.contains('{'), "{}: no JSON in {s:?}", a.as_str());
            }
        }
    }

    #[test]
    fn summaries_name_actor_action_target_and_what_matters() {
        use AuditAction as A;
        let cases = [
            (A::UserSuspended, json!({"from": "active", "to": "suspended"}), "Alex Morgan suspended Casey Lee"),
            (A::UserActivated, json!({}), "Alex Morgan activated Casey Lee"),
            (
                A::UserUpdated,
                json!({"admin_role_id": {"old": null, "new": "x"}, "admin_role": {"old": null, "new": "Support admin (Support)"}}),
                "Alex Morgan changed Casey Lee's admin role to Support admin (Support)",
            ),
            (
                A::UserUpdated,
                json!({"first_name": {"old": "C", "new": "Casey"}, "job_title": {"old": null, "new": "Chef"}}),
                "Alex Morgan changed Casey Lee's first name and job title",
            ),
            (
                A::UserUpdated,
                json!({"changes": {"first_name": {}}, "via": "scim"}),
                "Alex Morgan changed Casey Lee's first name (over SCIM)",
            ),
            (
                A::SessionKilled,
                json!({"reason": "shared laptop"}),
                "Alex Morgan ended one of Casey Lee's sessions (reason: shared laptop)",
            ),
            (A::SessionsKilledAll, json!({"reason": null}), "Alex Morgan ended all of Casey Lee's sessions"),
            (A::GroupMemberAdded, json!({"group": "Chefs"}), "Alex Morgan added Casey Lee to the group \"Chefs\""),
            (A::GroupRenamed, json!({"old": "A", "new": "B"}), "Alex Morgan renamed the group \"A\" to \"B\""),
            (
                A::UserDeleted,
                json!({"email": "casey@example.com", "bots_transferred": ["Helper"]}),
                "Alex Morgan deleted Casey Lee (bots handed over: Helper)",
            ),
            (
                A::SecuritySettingsChanged,
                json!({"old": {"max_login_attempts": 5, "x": 1}, "new": {"max_login_attempts": 3, "x": 1}}),
                "Alex Morgan changed the security settings (changed: max login attempts)",
            ),
            (
                A::BotRoleSet,
                json!({"bot": "Helper", "new": "developer"}),
                "Alex Morgan made Casey Lee developer of the bot \"Helper\"",
            ),
            (
                A::ApiTokenRevoked,
                json!({"name": "ci", "api_token": {"id": "t", "name": "deploy"}}),
                "Alex Morgan revoked the API token \"ci\" (with the API token \"deploy\")",
            ),
        ];
        for (action, details, expected) in cases {
            assert_eq!(line(action, &details), expected);
        }
    }

    #[test]
    fn events_without_an_actor_read_passively_and_purged_users_by_their_email() {
        let purged = Named { id: Some(Uuid::from_u128(3)), name: None, email: None };
        let d = json!({"email": "gone@example.com", "deleted_at": "2026-01-01T00:00:00Z"});
        let s = summary(&Event {
            action: AuditAction::UserPurged,
            actor: None,
            target: Some(purged),
            workspace: None,
            details: &d,
        });
        assert_eq!(s, "gone@example.com was purged for good, past the deleted users' retention");
        let d = json!({"reason": "wrong password"});
        let s = summary(&Event {
            action: AuditAction::LoginFailed,
            actor: None,
            target: Some(casey()),
            workspace: None,
            details: &d,
        });
        assert_eq!(s, "Sign-in failed for Casey Lee (reason: wrong password)");
        let d = json!({"failed_logins": 5});
        let s = summary(&Event {
            action: AuditAction::UserLocked,
            actor: None,
            target: Some(casey()),
            workspace: None,
            details: &d,
        });
        assert_eq!(s, "Casey Lee was locked after 5 failed sign-ins");
        let s = summary(&Event {
            action: AuditAction::UserLocked,
            actor: None,
            target: Some(purged),
            workspace: None,
            details: &json!({}),
        });
        assert_eq!(s, "a removed user was locked");
    }

    #[test]
    fn the_workspace_acted_for_is_named_and_self_actions_say_their_own() {
        let d = json!({"reason": "lost phone"});
        let s = summary(&Event {
            action: AuditAction::SessionsKilledAll,
            actor: Some(alex()),
            target: Some(alex()),
            workspace: Some("Support"),
            details: &d,
        });
        assert_eq!(s, "Alex Morgan ended all of their own sessions for Support (reason: lost phone)");
        let s = summary(&Event {
            action: AuditAction::UserSuspended,
            actor: Some(alex()),
            target: Some(casey()),
            workspace: Some("Support"),
            details: &json!({}),
        });
        assert_eq!(s, "Alex Morgan suspended Casey Lee for Support");
    }
}
