//! The groups an SSO mapping governs are those of the account's default workspace, taken by
//! identity, not by name; a user outside that workspace joins none of them (as on the
//! console); and two first sign-ins of one invited user at once both get in (issue 15).

use crate::on_both_backends;
use crate::sso::{add, audit, group, sign_in_with, sso, standing};
use crate::support::org::Person;
use domain::ids::WorkspaceId;
use domain::user::UserStatus;
use serde_json::json;

fn full_sync() -> serde_json::Value {
    json!({"mapping": {
        "mode": "full_sync", "claim": "groups",
        "groups": {"eng": "Engineering"},
        "admin_roles": {}, "builder_access": {},
    }})
}

on_both_backends!(a_user_outside_the_default_workspace_joins_none_of_its_groups, |app| async move {
    let Some(s) = sso(&app, json!({}), full_sync()).await else { return };
    group(&app, &s, "Engineering").await;
    let other = WorkspaceId::new();
    store::workspaces::create(&app.db, s.account, other, "Other", app::clock::now()).await.unwrap();
    let p = Person {
        email: "zed@example.com",
        first: "Zed",
        last: "Z",
        status: UserStatus::Active,
        workspaces: vec![other],
        role: None,
    };
    let zed = app.add_user(s.account, p).await;
    sign_in_with(&app, &s, "zed", "zed@example.com", Some(json!(["eng"]))).await;
    let (groups, _) = standing(&app, &s, zed).await;
    assert!(groups.is_empty(), "joined a group of a workspace the user is not in: {groups:?}");
    let events = audit(&app, &s.root, "user.sso_mapping_applied").await;
    let skipped = &events.last().expect("the skipped join is audited")["details"]["skipped"];
    assert_eq!(skipped["join"], json!(["Engineering"]), "{events:?}");
    let reason = skipped["groups_reason"].as_str().unwrap();
    // The console's words (the one rule), and why the default workspace.
    assert!(
        reason.starts_with("the user is not a member of workspace \"Default\", so cannot join its groups"),
        "{skipped}"
    );
    assert!(reason.contains("default workspace"), "{skipped}");
});

on_both_backends!(a_group_of_the_same_name_in_another_workspace_is_another_group, |app| async move {
    let Some(s) = sso(&app, json!({}), full_sync()).await else { return };
    group(&app, &s, "Engineering").await;
    let other = WorkspaceId::new();
    store::workspaces::create(&app.db, s.account, other, "Other", app::clock::now()).await.unwrap();
    let res = app.post_json(&s.root, "/api/v1/groups", &json!({"name": "Engineering", "workspace_id": other.0})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let p = Person {
        email: "amy@example.com",
        first: "Amy",
        last: "A",
        status: UserStatus::Active,
        workspaces: vec![s.ws, other],
        role: None,
    };
    let amy = app.add_user(s.account, p).await;
    let groups = store::lookups::groups(&app.db, s.account).await.unwrap();
    let other_eng = groups.iter().find(|g| g.workspace_id == other.0).unwrap().id;
    let (st, body) =
        app.send(&s.root, reqwest::Method::PUT, &format!("/api/v1/groups/{other_eng}/members/{}", amy.0), None).await;
    assert!(st.is_success(), "{body}");
    // The claim names eng: she joins the default workspace's Engineering too.
    sign_in_with(&app, &s, "amy", "amy@example.com", Some(json!(["eng"]))).await;
    let mine = store::lookups::user_groups(&app.db, amy).await.unwrap();
    assert!(mine.iter().any(|g| g.workspace_id == s.ws.0), "{mine:?}");
    assert!(mine.iter().any(|g| g.id == other_eng), "{mine:?}");
    // Full sync without eng: she leaves the default workspace's one only, once.
    let before = audit(&app, &s.root, "user.sso_mapping_applied").await.len();
    sign_in_with(&app, &s, "amy", "amy@example.com", Some(json!([]))).await;
    sign_in_with(&app, &s, "amy", "amy@example.com", Some(json!([]))).await;
    let mine = store::lookups::user_groups(&app.db, amy).await.unwrap();
    assert_eq!(mine.iter().map(|g| g.id).collect::<Vec<_>>(), [other_eng], "{mine:?}");
    let events = audit(&app, &s.root, "user.sso_mapping_applied").await;
    assert_eq!(events.len(), before + 1, "a sign-in that changes nothing records nothing: {events:?}");
});

on_both_backends!(two_first_sign_ins_of_an_invited_user_at_once_both_get_in, |app| async move {
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    add(&app, &s, "ivy@example.com", UserStatus::Invited).await;
    let claims = json!({"email": "ivy@example.com", "email_verified": true});
    let mut calls = Vec::new();
    for i in 0..4 {
        calls.push(crate::sso::forged_sign_in(&app, &s, claims.clone(), json!({}), &format!("code-{i}")).await);
    }
    let handles: Vec<_> =
        calls.into_iter().map(|(c, url)| tokio::spawn(async move { c.get(url).send().await })).collect();
    for h in handles {
        let answer = h.await.unwrap().unwrap();
        assert_eq!(answer.status(), reqwest::StatusCode::SEE_OTHER, "{}", answer.text().await.unwrap());
    }
});
