//! Single sign-on, second review (issue 15): the attribute mapping acts with its saver's
//! authority at each sign-in; the client secret cannot be guessed by anyone but the Primary
//! Master Admin; mapping entries can be removed; mapped groups need groups.manage and
//! mapped names obey the text rules; a save never undoes a change made since it read; and
//! a mapping grants only what its saver may grant at each sign-in, never to the saver.

use crate::on_both_backends;
use crate::sso::{add, audit, group, sign_in_with, sso, standing};
use crate::sso_safety::{custom_admin, first_account, mapping, names};
use crate::support::app::{PASSWORD, TestApp};
use crate::support::oidc::CLIENT_SECRET;
use crate::support::roles::CustomAdmin;
use domain::ids::UserId;
use domain::permission::Permission;
use domain::user::UserStatus;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn builder_access(app: &TestApp, root: &reqwest::Client, user: UserId) -> Value {
    app.get_json(root, &format!("/api/v1/users/{}", user.0)).await.1["builder_access"].clone()
}

on_both_backends!(a_mapping_changes_only_users_its_saver_could_change_on_the_console, |app| async move {
    let settings = mapping(json!({}), json!({"builders": "builder"}), json!({"eng": "Engineering"}));
    let Some(s) = sso(&app, json!({}), settings).await else { return };
    group(&app, &s, "Engineering").await;
    let mia = app.add_master_admin(s.account, "mia@example.com", ("Mia", "Master"), vec![s.ws]).await;
    let ann = add(&app, &s, "ann@example.com", UserStatus::Active).await;
    // Saved by the Primary Master Admin, the mapping reaches both.
    for (login, email, who) in [("mia", "mia@example.com", mia), ("ann", "ann@example.com", ann)] {
        sign_in_with(&app, &s, login, email, Some(json!(["eng", "builders"]))).await;
        assert_eq!(standing(&app, &s, who).await.0, ["Engineering"]);
        assert_eq!(builder_access(&app, &s.root, who).await, "builder");
    }
    // An IT admin who may not change a Master Admin on the console saves a mapping change.
    let perms = [
        Permission::SettingsManage,
        Permission::UsersManage,
        Permission::UsersView,
        Permission::GroupsManage,
        Permission::BotsAssign,
    ];
    let it = custom_admin(&app, "it.admin@example.com", &perms).await;
    let (status, body) = app
        .send(&it, Method::PATCH, &format!("/api/v1/users/{}", mia.0), Some(json!({"builder_access": "none"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the console refuses: {body}");
    let change = json!({"mapping": {"groups": {"eng": "Engineering", "eng2": "Engineering"}}});
    let (status, body) = app.send(&it, Method::PATCH, "/api/v1/settings/sso", Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Full sync with an empty claim: the Master Admin keeps everything, the member is synced.
    sign_in_with(&app, &s, "mia", "mia@example.com", Some(json!([]))).await;
    assert_eq!(standing(&app, &s, mia).await.0, ["Engineering"], "not the IT admin's to remove");
    assert_eq!(builder_access(&app, &s.root, mia).await, "builder", "not the IT admin's to lower");
    sign_in_with(&app, &s, "ann", "ann@example.com", Some(json!([]))).await;
    assert!(standing(&app, &s, ann).await.0.is_empty());
    assert_eq!(builder_access(&app, &s.root, ann).await, "none");
    // The event names the user skipped and why.
    let events = audit(&app, &s.root, "user.sso_mapping_applied").await;
    let skipped: Vec<&Value> = events.iter().filter(|e| !e["details"]["skipped"].is_null()).collect();
    assert_eq!(skipped.len(), 1, "{events:?}");
    let e = skipped[0];
    assert!(e.to_string().contains(&mia.0.to_string()), "names Mia: {e}");
    assert_eq!(e["details"]["skipped"]["leave"], json!(["Engineering"]), "{e}");
    assert_eq!(e["details"]["skipped"]["builder_access"], "none", "{e}");
    let why = e["details"]["skipped"]["builder_access_reason"].as_str().unwrap();
    assert!(why.contains("authority") && why.contains("Mia Master"), "{why}");
});

on_both_backends!(only_the_primary_master_admin_may_send_a_client_secret_right_or_wrong, |app| async move {
    let Some(_s) = sso(&app, json!({}), json!({})).await else { return };
    let c = custom_admin(&app, "settings.admin@example.com", &[Permission::SettingsManage]).await;
    for guess in [CLIENT_SECRET, "a-wrong-guess"] {
        let (status, problem) =
            app.send(&c, Method::PATCH, "/api/v1/settings/sso", Some(json!({"client_secret": guess}))).await;
        assert_eq!((status, names(&problem)), (StatusCode::FORBIDDEN, vec!["client_secret".to_owned()]), "{problem}");
    }
    let root = app.login_admin().await;
    let (status, _) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"client_secret": CLIENT_SECRET}))).await;
    assert_eq!(status, StatusCode::OK);
});

on_both_backends!(mapping_entries_can_be_removed_through_the_api, |app| async move {
    let root = app.login_admin().await;
    let two = mapping(json!({}), json!({}), json!({"eng": "Engineering", "ops": "Operations"}));
    let (status, body) = app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(two)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let drop = json!({"mapping": {"groups": {"eng": null}}});
    let (status, body) = app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(drop)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mapping"]["groups"], json!({"ops": "Operations"}));
    let (_, mut doc) = app.get_json(&root, "/api/v1/settings/sso").await;
    doc["mapping"]["groups"] = json!({});
    let (status, body) = app.send(&root, Method::PUT, "/api/v1/settings/sso", Some(doc)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mapping"]["groups"], json!({}));
    // The maps themselves stay required by PUT.
    let (_, mut doc) = app.get_json(&root, "/api/v1/settings/sso").await;
    doc["mapping"].as_object_mut().unwrap().remove("admin_roles");
    let (status, problem) = app.send(&root, Method::PUT, "/api/v1/settings/sso", Some(doc)).await;
    assert_eq!((status, names(&problem)), (StatusCode::BAD_REQUEST, vec!["mapping.admin_roles".to_owned()]));
});

on_both_backends!(mapped_groups_need_groups_manage_and_names_obey_the_text_rules, |app| async move {
    let perms = [Permission::SettingsManage, Permission::UsersManage, Permission::UsersView];
    let c = custom_admin(&app, "users.admin@example.com", &perms).await;
    let groups = mapping(json!({}), json!({}), json!({"eng": "Engineering"}));
    let (status, problem) = app.send(&c, Method::PATCH, "/api/v1/settings/sso", Some(groups)).await;
    assert_eq!((status, names(&problem)), (StatusCode::FORBIDDEN, vec!["mapping.groups".to_owned()]), "{problem}");
    assert!(problem.to_string().contains("groups.manage"), "{problem}");
    let root = app.login_admin().await;
    let long = "x".repeat(101);
    let bad = mapping(json!({}), json!({}), json!({"eng": long}));
    let (status, problem) = app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(names(&problem), ["mapping.groups.eng"], "the entry, by its claim value: {problem}");
    // Stored as names are: trimmed and NFC, so a decomposed "é" matches the group "Café".
    let decomposed = mapping(json!({}), json!({}), json!({"cafe": " Cafe\u{301} "}));
    let (status, body) = app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(decomposed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mapping"]["groups"]["cafe"], "Caf\u{e9}");
});

on_both_backends!(a_save_never_undoes_a_change_made_since_it_read, |app| async move {
    let (account, _) = first_account(&app).await;
    let root = app.login_admin().await;
    let (status, _) =
        app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(json!({"provider_name": "Before"}))).await;
    assert_eq!(status, StatusCode::OK);
    let read = store::settings::get(&app.db, account, store::sso::SETTINGS_KEY).await.unwrap().unwrap();
    // The Primary Master Admin changes the issuer after that read ...
    let trust = json!({"issuer": "https://idp.example.com"});
    assert_eq!(app.send(&root, Method::PATCH, "/api/v1/settings/sso", Some(trust)).await.0, StatusCode::OK);
    // ... so a save decided on the read writes nothing.
    let event = store::audit::NewAuditEvent {
        id: uuid::Uuid::new_v4(),
        account_id: account,
        at: app::clock::now(),
        actor_user_id: None,
        action: domain::closed::AuditAction::SsoSettingsChanged,
        target_user_id: None,
        workspace_id: None,
        ip: None,
        details: "{}".into(),
    };
    let seen = store::sso::Seen { doc: Some(&read), enabled: false };
    let stale = store::sso::save_settings(&app.db, account, seen, &read, false, app::clock::now(), &event).await;
    assert!(!stale.unwrap(), "a stale save is refused");
    let (_, doc) = app.get_json(&root, "/api/v1/settings/sso").await;
    assert_eq!(doc["issuer"], "https://idp.example.com", "{doc}");
    // Reading again, it saves.
    let fresh = store::settings::get(&app.db, account, store::sso::SETTINGS_KEY).await.unwrap().unwrap();
    let seen = store::sso::Seen { doc: Some(&fresh), enabled: false };
    assert!(store::sso::save_settings(&app.db, account, seen, &fresh, false, app::clock::now(), &event).await.unwrap());
});

/// The `user.sso_mapping_applied` events about `email`, newest first.
async fn applied_to(app: &TestApp, root: &reqwest::Client, email: &str) -> Vec<Value> {
    let events = audit(app, root, "user.sso_mapping_applied").await;
    events.into_iter().filter(|e| e["target"]["email"] == email).collect()
}

on_both_backends!(a_mapping_grants_only_what_its_saver_may_grant_now_and_never_to_the_saver, |app| async move {
    let Some(s) = sso(&app, json!({}), json!({})).await else { return };
    group(&app, &s, "Engineering").await;
    app.add_role(s.account, "Helpdesk", &[Permission::UsersView, Permission::AuditView], None).await;
    // Ava may grant Helpdesk and any Bot Builder level (bots.assign on all workspaces).
    let perms = [
        Permission::SettingsManage,
        Permission::UsersManage,
        Permission::UsersView,
        Permission::GroupsManage,
        Permission::AuditView,
        Permission::BotsAssign,
    ];
    let ava_admin = CustomAdmin {
        email: "ava@example.com",
        role_name: "Ava's role",
        permissions: &perms,
        scope: None,
        workspaces: vec![s.ws],
    };
    let ava = app.add_custom_admin(s.account, ava_admin).await;
    let ava_client = app.login("ava@example.com", PASSWORD).await;
    let saved = mapping(json!({"helpers": "Helpdesk"}), json!({"builders": "builder"}), json!({"eng": "Engineering"}));
    let (status, body) = app.send(&ava_client, Method::PATCH, "/api/v1/settings/sso", Some(saved)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claim = json!(["helpers", "builders", "eng"]);
    // While Ava may grant it all, the mapping grants it all.
    let vic = add(&app, &s, "vic@example.com", UserStatus::Active).await;
    sign_in_with(&app, &s, "vic", "vic@example.com", Some(claim.clone())).await;
    assert_eq!(standing(&app, &s, vic).await, (vec!["Engineering".to_owned()], json!("Helpdesk")));
    assert_eq!(builder_access(&app, &s.root, vic).await, "builder");
    // The Primary Master Admin lowers Ava's role: no audit.view, no bots.assign.
    let lower = [Permission::SettingsManage, Permission::UsersManage, Permission::UsersView, Permission::GroupsManage];
    let lowered = app.add_role(s.account, "Lowered", &lower, None).await;
    let (status, body) = crate::authority_holes::patch(&app, &s.root, ava, &json!({"admin_role_id": lowered.0})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Uma signs in: she joins the group (Ava may still do that), but is neither made
    // Helpdesk nor raised to builder, and the event names each part skipped and why.
    let uma = add(&app, &s, "uma@example.com", UserStatus::Active).await;
    sign_in_with(&app, &s, "uma", "uma@example.com", Some(claim.clone())).await;
    assert_eq!(standing(&app, &s, uma).await, (vec!["Engineering".to_owned()], json!("Member")));
    assert_eq!(builder_access(&app, &s.root, uma).await, "none");
    let events = applied_to(&app, &s.root, "uma@example.com").await;
    let skipped = &events[0]["details"]["skipped"];
    assert_eq!(skipped["admin_role"], json!({"grant": "Helpdesk"}), "{skipped}");
    let why = skipped["admin_role_reason"].as_str().unwrap_or_default();
    assert!(why.contains("Custom Admin") && why.contains("Helpdesk") && why.contains("audit.view"), "{why}");
    assert_eq!(skipped["builder_access"], "builder", "{skipped}");
    let why = skipped["builder_access_reason"].as_str().unwrap_or_default();
    assert!(why.contains("Custom Admin") && why.contains("bots.assign"), "{why}");
    assert!(skipped.get("join").is_none() && skipped.get("groups_reason").is_none(), "{skipped}");
    // Full sync would take everything from Vic, whose Helpdesk role now lies above Ava's
    // authority: as on the console, she may change nothing of Vic's any more.
    sign_in_with(&app, &s, "vic", "vic@example.com", Some(json!([]))).await;
    assert_eq!(standing(&app, &s, vic).await, (vec!["Engineering".to_owned()], json!("Helpdesk")));
    assert_eq!(builder_access(&app, &s.root, vic).await, "builder");
    let skipped = &applied_to(&app, &s.root, "vic@example.com").await[0]["details"]["skipped"];
    assert_eq!((&skipped["admin_role"], &skipped["leave"]), (&json!("revoke"), &json!(["Engineering"])), "{skipped}");
    for reason in ["admin_role_reason", "builder_access_reason", "groups_reason"] {
        assert!(skipped[reason].as_str().is_some_and(|w| w.contains("audit.view")), "{reason}: {skipped}");
    }
    // Ava signs in through SSO with the same claim: her own account does not change.
    sign_in_with(&app, &s, "ava", "ava@example.com", Some(claim)).await;
    assert_eq!(standing(&app, &s, ava).await, (Vec::<String>::new(), json!("Lowered")));
    assert_eq!(builder_access(&app, &s.root, ava).await, "none");
    let skipped = &applied_to(&app, &s.root, "ava@example.com").await[0]["details"]["skipped"];
    assert_eq!(
        (&skipped["builder_access"], &skipped["join"]),
        (&json!("builder"), &json!(["Engineering"])),
        "{skipped}"
    );
    for reason in ["builder_access_reason", "groups_reason"] {
        let why = skipped[reason].as_str().unwrap_or_default();
        assert!(why.contains("never changes the account of Custom Admin"), "{reason}: {why}");
    }
});
