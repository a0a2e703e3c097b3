//! The identifiers schemathesis fuzzes path parameters with: without them a generated id is
//! an unknown one (404) or the token's own creator (refused), so operations on a user, a
//! bot or a session would be fuzzed only for their refusals. They are handed over as
//! schemathesis dictionaries bound to each path parameter with a probability, so the other
//! cases still try ids of every shape.

use crate::support::app::TestApp;
use crate::support::org::{Org, Person};
use domain::bot::BotRole;
use domain::ids::{BotId, UserId};
use domain::user::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::fmt::Write as _;

/// How often a path parameter takes one of the seeded ids rather than a generated value.
const PROBABILITY: f64 = 0.8;

/// Seeds what the ids point at (bots with owners and developers, sessions of a member, a
/// deleted user) on top of `org`, and returns the `schemathesis.toml` that binds them:
/// users under `/users/{id}` and as group members, groups, admin roles, bots and sessions.
/// Neither the Primary Master Admin nor the token's creator is among the users (every
/// action on them is refused by rule).
pub async fn config(app: &TestApp, org: &Org, root: &reqwest::Client) -> String {
    let now = app::clock::now();
    let person = |email, first, workspaces| Person {
        email,
        first,
        last: "Fuzz",
        status: UserStatus::Active,
        workspaces,
        role: None,
    };
    // A developer of both bots whose roles only `DELETE /users/{id}/bots/{bot_id}` removes.
    let developer = app.add_user(org.account, person("dev@example.com", "Devon", vec![org.alpha, org.beta])).await;
    let bots = [BotId::new(), BotId::new()];
    let holders = [
        vec![(org.ann, BotRole::Owner), (developer, BotRole::Developer)],
        vec![(org.cat, BotRole::Owner), (org.bob, BotRole::Developer), (developer, BotRole::Developer)],
    ];
    for ((bot, holders), (ws, name)) in
        bots.iter().zip(&holders).zip([(org.alpha, "Fuzz Helper"), (org.beta, "Fuzz Second")])
    {
        store::bots::create(&app.db, *bot, ws, name, holders, now).await.expect("a bot");
    }
    // A user whose sessions only `DELETE /users/{id}/sessions/{session_id}` ends (the other
    // operations would end them all at once).
    let keeper_id = app.add_user(org.account, person("keeper@example.com", "Keeper", vec![org.default_ws])).await;
    let keeper = app.login("keeper@example.com", crate::support::app::PASSWORD).await;
    for _ in 0..3 {
        app.login("keeper@example.com", crate::support::app::PASSWORD).await;
    }
    let (status, keeper_sessions) = app.get_json(&keeper, "/api/v1/me/sessions").await;
    assert_eq!(status, StatusCode::OK, "{keeper_sessions}");
    let (_, my_sessions) = app.get_json(root, "/api/v1/me/sessions").await;
    // Users only the deleting operations take (every other one would find them gone), and
    // one deleted already, for restore.
    let mut victims = Vec::new();
    for (email, first) in
        [("gone@example.com", "Gone"), ("leaving@example.com", "Leaving"), ("last@example.com", "Last")]
    {
        let person =
            Person { email, first, last: "Away", status: UserStatus::Active, workspaces: vec![org.alpha], role: None };
        victims.push(app.add_user(org.account, person).await);
    }
    // Users only `PATCH /users/{id}` takes, so that their versions grow only with its edits.
    let mut edited = Vec::new();
    for (email, first) in [("edit.one@example.com", "Edith"), ("edit.two@example.com", "Eddie")] {
        edited.push(app.add_user(org.account, person(email, first, vec![org.beta])).await);
    }
    let (status, body) = app.send(root, Method::DELETE, &format!("/api/v1/users/{}", victims[0]), None).await;
    assert!(status.is_success(), "{status} {body}");

    let list = |ids: &[String]| serde_json::to_string(ids).expect("a list");
    let ids = |ids: &[UserId]| list(&ids.iter().map(ToString::to_string).collect::<Vec<_>>());
    let users = ids(&[org.ann, org.bob, org.cat, org.dan, org.eve, org.member, org.alpha_admin, org.auditor]);
    let alpha_members = ids(&[org.ann, org.cat, org.dan, org.alpha_admin]);
    let bot_holders = ids(&[org.ann, org.bob, org.cat]);
    let keeper = ids(&[keeper_id]);
    let developer = ids(&[developer]);
    let victims = ids(&victims);
    let edited = ids(&edited);
    let bots = list(&bots.map(|b| b.to_string()));
    let groups = list(&[org.alpha_team.to_string()]);
    let roles = list(&[org.alpha_admin_role.to_string()]);
    let sessions = |s: &Value| {
        let ids: Vec<Value> =
            s["items"].as_array().cloned().unwrap_or_default().iter().map(|s| s["id"].clone()).collect();
        assert!(!ids.is_empty(), "{s}");
        serde_json::to_string(&ids).expect("a list")
    };
    let (keeper_sessions, my_sessions) = (sessions(&keeper_sessions), sessions(&my_sessions));
    let dictionaries = [
        ("users", users),
        ("alpha_members", alpha_members),
        ("bot_holders", bot_holders),
        ("keeper", keeper),
        ("developer", developer),
        ("victims", victims),
        ("edited", edited),
        ("bots", bots),
        ("groups", groups),
        ("roles", roles),
        ("keeper_sessions", keeper_sessions),
        ("my_sessions", my_sessions),
        // A user's version starts at 1 and grows with each edit.
        ("versions", list(&(1..=3).map(|v| format!("\"v{v}\"")).collect::<Vec<_>>())),
    ];
    let special = SPECIAL.iter().map(|op| format!("\"{op}\"")).collect::<Vec<_>>().join(", ");
    let names = |ops: &[&str]| {
        format!("include-name = [{}]", ops.iter().map(|op| format!("\"{op}\"")).collect::<Vec<_>>().join(", "))
    };
    // (which operations, [(parameter, dictionary)]): path parameters, but If-Match is a header.
    let operations: [(String, &[(&str, &str)]); 10] = [
        (format!("include-path-regex = '^/users/\\{{id\\}}'\nexclude-name = [{special}]"), &[("id", "users")]),
        (names(&SPECIAL[..3]), &[("id", "victims")]),
        (names(&SPECIAL[3..4]), &[("id", "keeper"), ("session_id", "keeper_sessions")]),
        (names(&SPECIAL[4..6]), &[("id", "bot_holders"), ("bot_id", "bots")]),
        (names(&SPECIAL[6..7]), &[("id", "developer"), ("bot_id", "bots")]),
        (names(&SPECIAL[7..]), &[("id", "edited"), ("If-Match", "versions")]),
        ("include-path-regex = '^/groups/\\{id\\}'".to_owned(), &[("id", "groups"), ("user_id", "alpha_members")]),
        ("include-path-regex = '^/admin-roles/\\{id\\}'".to_owned(), &[("id", "roles")]),
        ("include-path-regex = '^/bots/\\{bot_id\\}'".to_owned(), &[("bot_id", "bots")]),
        ("include-path-regex = '^/me/sessions/\\{session_id\\}'".to_owned(), &[("session_id", "my_sessions")]),
    ];
    let mut toml = String::from("[dictionaries]\n");
    for (name, values) in dictionaries {
        writeln!(toml, "{name} = {{ values = {values} }}").expect("a string takes it");
    }
    for (selector, parameters) in operations {
        let bound: Vec<String> = parameters
            .iter()
            .map(|(p, d)| {
                let place = if *p == "If-Match" { "header" } else { "path" };
                format!("\"{place}.{p}\" = {{ dictionary = \"{d}\", probability = {PROBABILITY} }}")
            })
            .collect();
        write!(toml, "\n[[operations]]\n{selector}\nparameters = {{ {} }}\n", bound.join(", "))
            .expect("a string takes it");
    }
    toml
}

/// The operations under `/users/{id}` that take their own ids (those to delete, or a pair of
/// user and bot or session that belong together).
const SPECIAL: [&str; 8] = [
    "DELETE /users/{id}",
    "POST /users/{id}/transfer-and-delete",
    "POST /users/{id}/restore",
    "DELETE /users/{id}/sessions/{session_id}",
    "PUT /users/{id}/bots/{bot_id}",
    "POST /users/{id}/bots/{bot_id}/transfer",
    "DELETE /users/{id}/bots/{bot_id}",
    "PATCH /users/{id}",
];

/// The operations schemathesis's warnings name under the block `title` (e.g.
/// "Authentication failed", "Missing test data"), as `METHOD /path`, from its full output: a
/// block is its title line, then groups of a heading (ending in `:`), items (`  - …`) and
/// tips (`💡 …`), up to the next title.
pub fn warned(out: &str, title: &str) -> Vec<String> {
    let mut ops = Vec::new();
    for line in out.lines().skip_while(|l| !l.starts_with(title)).skip(1) {
        if let Some(op) = line.strip_prefix("  - ") {
            ops.push(op.trim().to_owned());
            continue;
        }
        let line = line.trim_end();
        if !(line.is_empty() || line.starts_with(' ') || line.starts_with('💡') || line.ends_with(':')) {
            break;
        }
    }
    ops
}

#[test]
fn warned_operations_are_read_from_their_block_only() {
    let out = "Authentication failed: 2 operations returned only 401/403 responses\n\n403 Forbidden (2 operations):\n  - GET /me/profile\n  - POST /auth/logout\n💡 Ensure valid credentials\n\nMissing test data: 2 operations repeatedly returned 404 Not Found\nNo links point to this operation - POST /bots appears to supply the data it needs:\n  - GET /bots/{bot_id}/owner-candidates\n💡 Add a link\nNo links point to these operations:\n  - POST /users/{id}/restore\n\nSchema validation mismatch: 1 operation mostly rejected generated data\n  - POST /groups\n";
    assert_eq!(warned(out, "Authentication failed"), ["GET /me/profile", "POST /auth/logout"]);
    assert_eq!(warned(out, "Missing test data"), ["GET /bots/{bot_id}/owner-candidates", "POST /users/{id}/restore"]);
    assert!(warned(out, "Low valid-input rate").is_empty());
}
