//! Account security settings (PRODUCT.md §5): defaults, validated changes, audit, access.

use crate::on_both_backends;
use crate::sessions::{CHROME_UA, audit_events, invalid_name, request, send, sign_in};
use crate::support::app::ADMIN_EMAIL;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PATH: &str = "/api/v1/settings/security";

fn defaults() -> Value {
    json!({
        "max_login_attempts": 5,
        "lockout_minutes": 30,
        "idle_timeout_minutes": 60,
        "absolute_lifetime_hours": 12,
        "password": {"min_length": 8, "min_classes": 3, "history": 5, "reject_common": true},
    })
}

on_both_backends!(the_defaults_follow_the_product_spec, |app| async move {
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let (status, body) = send(request(&app, &root, Method::GET, PATH)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, defaults());
});

on_both_backends!(a_valid_change_is_saved_and_audited_with_old_and_new_values, |app| async move {
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let mut new = defaults();
    new["max_login_attempts"] = json!(3);
    new["lockout_minutes"] = json!(0);
    new["password"]["min_length"] = json!(12);
    let (status, body) = send(request(&app, &root, Method::PUT, PATH).json(&new)).await;
    assert_eq!((status, &body), (StatusCode::OK, &new));
    let (_, now) = send(request(&app, &root, Method::GET, PATH)).await;
    assert_eq!(now, new, "GET reflects the change");
    // A second instance reads the same settings.
    let second = app.second_instance().await;
    let on_b = sign_in(&second, ADMIN_EMAIL, CHROME_UA).await;
    assert_eq!(send(request(&second, &on_b, Method::GET, PATH)).await.1, new);

    let events = audit_events(&app, "action=settings.security.changed").await;
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["actor"]["email"], ADMIN_EMAIL);
    assert_eq!(e["details"]["old"], defaults(), "{e}");
    assert_eq!(e["details"]["new"], new, "{e}");
    assert_eq!(e["ip"], "127.0.0.1");

    // PATCH changes one field and keeps the others.
    let (status, body) =
        send(request(&app, &root, Method::PATCH, PATH).json(&json!({"idle_timeout_minutes": 15}))).await;
    assert_eq!(status, StatusCode::OK);
    let mut expected = new.clone();
    expected["idle_timeout_minutes"] = json!(15);
    assert_eq!(body, expected);
    let events = audit_events(&app, "action=settings.security.changed").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["details"]["old"], new, "newest first, with the previous values");
});

on_both_backends!(invalid_values_are_refused_by_name_and_change_nothing, |app| async move {
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let cases = [
        (json!({"max_login_attempts": 0}), "max_login_attempts"),
        (json!({"max_login_attempts": 101}), "max_login_attempts"),
        (json!({"lockout_minutes": 100_000}), "lockout_minutes"),
        (json!({"idle_timeout_minutes": 0}), "idle_timeout_minutes"),
        (json!({"idle_timeout_minutes": 800, "absolute_lifetime_hours": 12}), "idle_timeout_minutes"),
        (json!({"absolute_lifetime_hours": 0}), "absolute_lifetime_hours"),
        (json!({"password": {"min_length": 4}}), "password.min_length"),
        (json!({"password": {"min_classes": 5}}), "password.min_classes"),
        (json!({"password": {"history": 25}}), "password.history"),
    ];
    for (body, name) in cases {
        let (status, problem) = send(request(&app, &root, Method::PATCH, PATH).json(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        assert_eq!(invalid_name(&problem), name, "{body}: {problem}");
    }
    // Unknown fields and wrong types are named by their path, each with its reason.
    for (body, name) in [
        (json!({"max_login_attemps": 3}), "max_login_attemps"),
        (json!({"password": {"min_lenght": 10}}), "password.min_lenght"),
        (json!({"max_login_attempts": -1}), "max_login_attempts"),
        (json!({"max_login_attempts": "5"}), "max_login_attempts"),
        (json!({"password": {"history": true}}), "password.history"),
    ] {
        let (status, problem) = send(request(&app, &root, Method::PATCH, PATH).json(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        assert_eq!(invalid_name(&problem), name, "{body}: {problem}");
        assert_eq!(problem["invalid_params"].as_array().map(Vec::len), Some(1), "{body}: {problem}");
        assert!(!problem["invalid_params"][0]["reason"].as_str().unwrap().is_empty(), "{body}: {problem}");
    }
    let (_, now) = send(request(&app, &root, Method::GET, PATH)).await;
    assert_eq!(now, defaults(), "nothing changed");
    assert!(audit_events(&app, "action=settings.security.changed").await.is_empty());
});

on_both_backends!(only_settings_managers_see_or_change_security_settings, |app| async move {
    let org = app.seed_org().await;
    let manager = crate::support::roles::CustomAdmin {
        email: "settings@example.com",
        role_name: "Settings",
        permissions: &[domain::permission::Permission::SettingsManage],
        scope: None,
        workspaces: vec![org.default_ws],
    };
    app.add_custom_admin(org.account, manager).await;
    for email in ["alpha.admin@example.com", "auditor@example.com", "member@example.com"] {
        let c = sign_in(&app, email, CHROME_UA).await;
        let (status, body) = send(request(&app, &c, Method::GET, PATH)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {body}");
        assert!(body["detail"].as_str().unwrap().contains("settings.manage"), "{body}");
        for method in [Method::PUT, Method::PATCH] {
            let (status, _) = send(request(&app, &c, method, PATH).json(&json!({"max_login_attempts": 1}))).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        }
    }
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    assert_eq!(send(request(&app, &root, Method::GET, PATH)).await.1, defaults(), "nothing changed");
    let anon = reqwest::Client::new().get(app.url(PATH)).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);

    let c = sign_in(&app, "settings@example.com", CHROME_UA).await;
    let (status, _) = send(request(&app, &c, Method::PATCH, PATH).json(&json!({"max_login_attempts": 7}))).await;
    assert_eq!(status, StatusCode::OK, "settings.manage is enough");
    // Settings are per account: the other account keeps its defaults.
    let outsider = sign_in(&app, "outsider@other.example", CHROME_UA).await;
    assert_eq!(send(request(&app, &outsider, Method::GET, PATH)).await.1, defaults());
});

// Issue 11 point 4: after tightening, a PUT of one field is refused (naming every field it
// left out) instead of silently resetting the others; PATCH changes only what it names.
on_both_backends!(settings_are_never_reset_by_omission, |app| async move {
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let mut tight = defaults();
    tight["max_login_attempts"] = json!(3);
    tight["lockout_minutes"] = json!(120);
    tight["password"]["min_length"] = json!(14);
    assert_eq!(send(request(&app, &root, Method::PUT, PATH).json(&tight)).await.0, StatusCode::OK);

    let (status, problem) =
        send(request(&app, &root, Method::PUT, PATH).json(&json!({"idle_timeout_minutes": 30}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let named: Vec<&str> =
        problem["invalid_params"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(named, ["absolute_lifetime_hours", "lockout_minutes", "max_login_attempts", "password"], "{problem}");
    let (status, problem) =
        send(request(&app, &root, Method::PUT, PATH).json(&json!({"max_login_attempts": 3, "lockout_minutes": 1,
            "idle_timeout_minutes": 30, "absolute_lifetime_hours": 12, "password": {"min_length": 9}})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let named: Vec<&str> =
        problem["invalid_params"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(named, ["password.history", "password.min_classes", "password.reject_common"], "nested fields too");
    for not_a_document in [json!([]), json!(null), json!("x")] {
        let (status, problem) = send(request(&app, &root, Method::PUT, PATH).json(&not_a_document)).await;
        assert_eq!((status, invalid_name(&problem)), (StatusCode::BAD_REQUEST, "body"), "{not_a_document}");
    }
    assert_eq!(send(request(&app, &root, Method::GET, PATH)).await.1, tight, "nothing changed");

    // PATCH merges (RFC 7396), as application/merge-patch+json or plain JSON.
    let patch = request(&app, &root, Method::PATCH, PATH)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"idle_timeout_minutes": 30}"#);
    let (status, body) = send(patch).await;
    tight["idle_timeout_minutes"] = json!(30);
    assert_eq!((status, &body), (StatusCode::OK, &tight));
    let (status, body) =
        send(request(&app, &root, Method::PATCH, PATH).json(&json!({"password": {"reject_common": false}}))).await;
    tight["password"]["reject_common"] = json!(false);
    assert_eq!((status, &body), (StatusCode::OK, &tight), "a nested field alone");
    // A null would remove a field (and so reset it): refused, naming it.
    let (status, problem) =
        send(request(&app, &root, Method::PATCH, PATH).json(&json!({"lockout_minutes": null}))).await;
    assert_eq!((status, invalid_name(&problem)), (StatusCode::BAD_REQUEST, "lockout_minutes"), "{problem}");
    assert_eq!(send(request(&app, &root, Method::GET, PATH)).await.1, tight);
    assert_eq!(audit_events(&app, "action=settings.security.changed").await.len(), 3, "one event per saved change");
});
