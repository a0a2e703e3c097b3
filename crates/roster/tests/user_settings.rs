//! User Settings (PRODUCT.md §4): which profile fields show and which users may edit, the
//! preview of a change, its audit event, and the rule that a change reaches a user only at
//! their next login (each session keeps its copy).

use crate::on_both_backends;
use crate::support::app::PASSWORD;
use crate::support::roles::CustomAdmin;
use domain::permission::Permission;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PATH: &str = "/api/v1/settings/user-profile";

/// The rule of one field in a GET body: (enabled, allow_edits).
fn rule(settings: &Value, field: &str) -> (bool, bool) {
    let f = settings["fields"].as_array().unwrap().iter().find(|f| f["field"] == field).expect(field);
    (f["enabled"].as_bool().unwrap(), f["allow_edits"].as_bool().unwrap())
}

/// The whole document a PUT carries: the defaults (default fields visible and editable,
/// controlled ones hidden) with the rules of `body["fields"]` put in. A body whose `fields`
/// is not an object is left as it is.
fn whole(body: &Value) -> Value {
    let Some(rules) = body["fields"].as_object() else { return body.clone() };
    let mut fields: serde_json::Map<String, Value> = domain::profile::ProfileField::ALL
        .iter()
        .map(|f| (f.key().to_owned(), json!({"enabled": f.is_default(), "allow_edits": f.is_default()})))
        .collect();
    fields.extend(rules.clone());
    json!({"fields": fields})
}

/// The field keys of a `/me/profile` body.
fn profile_fields(profile: &Value) -> Vec<String> {
    profile["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect()
}

on_both_backends!(defaults_and_enabling_controlled_fields, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let (status, settings) = app.get_json(&root, PATH).await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["fields"].as_array().unwrap().len(), 15);
    for f in ["first_name", "last_name", "picture"] {
        assert_eq!(rule(&settings, f), (true, true), "{f}");
    }
    for f in ["company", "department", "title", "employee_org_id", "mobile_number", "zip", "country"] {
        assert_eq!(rule(&settings, f), (false, false), "{f}");
    }
    let body = json!({"fields": {
        "company": {"enabled": true, "allow_edits": true},
        "title": {"enabled": true, "allow_edits": false},
        "picture": {"enabled": true, "allow_edits": false},
    }});
    let (status, saved) = app.send(&root, Method::PATCH, PATH, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, now) = app.get_json(&root, PATH).await;
    assert_eq!(rule(&now, "company"), (true, true));
    assert_eq!(rule(&now, "title"), (true, false));
    assert_eq!(rule(&now, "picture"), (true, false));
    assert_eq!(rule(&now, "city"), (false, false));
    // A GET body, edited, can be PUT back.
    let mut list = now.clone();
    for f in list["fields"].as_array_mut().unwrap() {
        if f["field"] == "city" {
            f["enabled"] = json!(true);
        }
    }
    let (status, _) = app.send(&root, Method::PUT, PATH, Some(list)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, now) = app.get_json(&root, PATH).await;
    assert_eq!(rule(&now, "city"), (true, false));
    assert_eq!(rule(&now, "company"), (true, true));

    let (_, audit) = app.get_json(&root, "/api/v1/audit?action=settings.user_profile.changed").await;
    let events = audit["items"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{audit}");
    // Newest first: the second change names only the city.
    let fields = events[0]["details"]["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["city"], "{audit}");
    let fields = events[1]["details"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("company") && fields.contains_key("title") && fields.contains_key("picture"));
    assert_eq!(events[1]["details"]["fields"]["company"]["new"], json!({"enabled": true, "allow_edits": true}));
    assert_eq!(events[1]["actor"]["id"], json!(audit["items"][1]["actor"]["id"]));
});

on_both_backends!(invalid_settings_and_callers_without_settings_manage_are_refused, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let (_, before) = app.get_json(&root, PATH).await;
    let bad = [
        (json!({"fields": {"first_name": {"enabled": false, "allow_edits": true}}}), "first_name"),
        (json!({"fields": {"picture": {"enabled": false, "allow_edits": false}}}), "picture"),
        (json!({"fields": {"nickname": {"enabled": true, "allow_edits": true}}}), "nickname"),
        (json!({"fields": {"company": {"enabled": "yes", "allow_edits": true}}}), "fields"),
        (json!({"fields": 3}), "fields"),
    ];
    let preview = format!("{PATH}/preview");
    for (body, named) in bad {
        // As a merge patch, and as the whole document it makes (a PUT and its preview).
        let tries = [
            (Method::PATCH, PATH, body.clone()),
            (Method::PUT, PATH, whole(&body)),
            (Method::POST, preview.as_str(), whole(&body)),
        ];
        for (method, path, body) in tries {
            let (status, err) = app.send(&root, method.clone(), path, Some(body.clone())).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {body}: {err}");
            assert!(err["detail"].as_str().unwrap().contains(named), "{method} {body} should name {named}: {err}");
        }
    }
    // A PUT (and its preview) carries every field: none is reset to its default by omission.
    for path in [PATH, preview.as_str()] {
        let method = if path == PATH { Method::PUT } else { Method::POST };
        let (status, err) = app.send(&root, method.clone(), path, Some(json!({}))).await;
        assert_eq!(
            (status, err["invalid_params"][0]["name"].as_str()),
            (StatusCode::BAD_REQUEST, Some("fields")),
            "{err}"
        );
        let partial = json!({"fields": {"company": {"enabled": true, "allow_edits": true}}});
        let (status, err) = app.send(&root, method.clone(), path, Some(partial)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        let named: Vec<&str> =
            err["invalid_params"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(named.len(), 14, "every other field is named: {err}");
        assert!(named.contains(&"fields.city") && !named.iter().any(|n| n.starts_with("fields.company")), "{err}");
        let (status, err) = app.send(&root, method, path, Some(json!([]))).await;
        assert_eq!(
            (status, err["invalid_params"][0]["name"].as_str()),
            (StatusCode::BAD_REQUEST, Some("body")),
            "{err}"
        );
    }
    let null = json!({"fields": {"company": {"allow_edits": null}}});
    let (status, err) = app.send(&root, Method::PATCH, PATH, Some(null)).await;
    assert_eq!(
        (status, err["invalid_params"][0]["name"].as_str()),
        (StatusCode::BAD_REQUEST, Some("fields.company.allow_edits")),
        "{err}"
    );
    assert_eq!(app.get_json(&root, PATH).await.1, before, "nothing changed");

    let good = json!({"fields": {"company": {"enabled": true, "allow_edits": true}}});
    let perms = [Permission::UsersView, Permission::UsersManage, Permission::AuditView];
    let no_settings = CustomAdmin {
        email: "no.settings@example.com",
        role_name: "No Settings",
        permissions: &perms,
        scope: None,
        workspaces: vec![org.default_ws],
    };
    app.add_custom_admin(org.account, no_settings).await;
    for email in ["no.settings@example.com", "member@example.com", "alpha.admin@example.com"] {
        let c = app.login(email, PASSWORD).await;
        assert_eq!(app.get_json(&c, PATH).await.0, StatusCode::FORBIDDEN, "{email}");
        for method in [Method::PUT, Method::PATCH] {
            assert_eq!(app.send(&c, method, PATH, Some(whole(&good))).await.0, StatusCode::FORBIDDEN, "{email}");
        }
        let preview = format!("{PATH}/preview");
        assert_eq!(app.send(&c, Method::POST, &preview, Some(good.clone())).await.0, StatusCode::FORBIDDEN);
    }
    // A custom admin with settings.manage scoped to one workspace may not: the settings
    // shape every profile of the account. The same permission on all workspaces may.
    let perms = [Permission::SettingsManage];
    let scoped = CustomAdmin {
        email: "settings.admin@example.com",
        role_name: "Settings",
        permissions: &perms,
        scope: Some(vec![org.alpha]),
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, scoped).await;
    let c = app.login("settings.admin@example.com", PASSWORD).await;
    let (status, body) = app.send(&c, Method::PUT, PATH, Some(good.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("all workspaces"), "{body}");
    assert_eq!(rule(&app.get_json(&root, PATH).await.1, "company"), (false, false), "nothing changed");
    let wide = CustomAdmin {
        email: "settings.wide@example.com",
        role_name: "Settings everywhere",
        permissions: &perms,
        scope: None,
        workspaces: vec![org.alpha],
    };
    app.add_custom_admin(org.account, wide).await;
    let c = app.login("settings.wide@example.com", PASSWORD).await;
    let (status, body) = app.send(&c, Method::PATCH, PATH, Some(good)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(rule(&app.get_json(&root, PATH).await.1, "company"), (true, true));
    // Another account's settings are its own.
    let outsider = app.login("outsider@other.example", PASSWORD).await;
    assert_eq!(rule(&app.get_json(&outsider, PATH).await.1, "company"), (false, false));
});

on_both_backends!(the_preview_counts_users_and_hidden_values_and_changes_nothing, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let enable = json!({"fields": {
        "company": {"enabled": true, "allow_edits": true},
        "title": {"enabled": true, "allow_edits": true},
    }});
    let enable = whole(&enable);
    let preview = format!("{PATH}/preview");
    let (status, p) = app.send(&root, Method::POST, &preview, Some(enable.clone())).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["appear"], json!(["company", "title"]));
    assert_eq!(p["disappear"], json!([]));
    assert_eq!(p["become_editable"], json!(["company", "title"]));
    // The root, eight seeded users of this account (not the outsider).
    assert_eq!(p["users_affected"], 9, "{p}");
    assert_eq!(p["users_with_hidden_values"], 0);
    assert_eq!(rule(&app.get_json(&root, PATH).await.1, "company"), (false, false), "a preview saves nothing");
    assert!(
        app.get_json(&root, "/api/v1/audit?action=settings.user_profile.changed").await.1["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    assert_eq!(app.send(&root, Method::PUT, PATH, Some(enable.clone())).await.0, StatusCode::OK);
    // Ann and Cat get a company (through the root's next session, which has the new settings).
    let root = app.login_admin().await;
    for user in [org.ann, org.cat] {
        let res = app.get(&root, &format!("/api/v1/users/{user}")).await;
        let tag = res.headers()["etag"].to_str().unwrap().to_owned();
        let res = root
            .patch(app.url(&format!("/api/v1/users/{user}")))
            .header("If-Match", tag)
            .json(&json!({"company": "Acme"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    }
    // The same settings again: nothing changes, nobody is touched.
    let (_, p) = app.send(&root, Method::POST, &preview, Some(enable)).await;
    assert_eq!((p["users_affected"].as_i64(), p["appear"].as_array().unwrap().len()), (Some(0), 0), "{p}");
    // Hiding the company and making the title read-only.
    let body = whole(&json!({"fields": {"title": {"enabled": true, "allow_edits": false}}}));
    let (status, p) = app.send(&root, Method::POST, &preview, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["disappear"], json!(["company"]));
    assert_eq!(p["become_read_only"], json!(["title"]));
    assert_eq!(p["users_affected"], 9);
    assert_eq!(p["users_with_hidden_values"], 2, "{p}");
    assert_eq!(rule(&app.get_json(&root, PATH).await.1, "company"), (true, true), "still unchanged");
    // Deleted users are not counted.
    let res = root.delete(app.url(&format!("/api/v1/users/{}", org.cat))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let body = whole(&json!({"fields": {}}));
    let (_, p) = app.send(&root, Method::POST, &preview, Some(body)).await;
    assert_eq!((p["users_affected"].as_i64(), p["users_with_hidden_values"].as_i64()), (Some(8), Some(1)), "{p}");
});

on_both_backends!(a_settings_change_reaches_a_user_at_their_next_login, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let before = app.login("ann.archer@example.com", PASSWORD).await;
    let (status, profile) = app.get_json(&before, "/api/v1/me/profile").await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile_fields(&profile), ["first_name", "last_name", "picture"]);

    let body = json!({"fields": {
        "company": {"enabled": true, "allow_edits": true},
        "first_name": {"enabled": true, "allow_edits": false},
    }});
    assert_eq!(app.send(&root, Method::PATCH, PATH, Some(body)).await.0, StatusCode::OK);

    // The old session keeps its copy: no company, and the first name still editable.
    let (_, profile) = app.get_json(&before, "/api/v1/me/profile").await;
    assert_eq!(profile_fields(&profile), ["first_name", "last_name", "picture"]);
    assert_eq!(profile["fields"][0]["editable"], true);
    let (status, _) = app.send(&before, Method::PATCH, "/api/v1/me/profile", Some(json!({"company": "Acme"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not enabled in this session's copy");
    // A new login has the new list.
    let after = app.login("ann.archer@example.com", PASSWORD).await;
    let (_, profile) = app.get_json(&after, "/api/v1/me/profile").await;
    assert_eq!(profile_fields(&profile), ["first_name", "last_name", "picture", "company"]);
    assert_eq!(profile["fields"][0]["editable"], false);
    let (status, body) = app.send(&after, Method::PATCH, "/api/v1/me/profile", Some(json!({"company": "Acme"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.send(&after, Method::PATCH, "/api/v1/me/profile", Some(json!({"first_name": "Anna"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // And on another instance too (the copy lives in the database).
    let second = app.second_instance().await;
    let (_, profile) = second.get_json(&before, "/api/v1/me/profile").await;
    assert_eq!(profile_fields(&profile), ["first_name", "last_name", "picture"]);
});
