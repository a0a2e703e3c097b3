//! Signing in and out: cookies, wrong credentials, statuses, CSRF.

use crate::on_both_backends;
use crate::support::app::{ADMIN_EMAIL, PASSWORD, client};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(login_sets_an_http_only_session_cookie_and_returns_the_user, |app| async move {
    let c = client();
    let res = app.post_json(&c, "/api/v1/auth/login", &json!({"email": ADMIN_EMAIL, "password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers().get("set-cookie").expect("cookie").to_str().unwrap().to_owned();
    assert!(cookie.starts_with("roster_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["user"]["email"], ADMIN_EMAIL);
    assert_eq!(body["user"]["account_role"], "Primary Master Admin");
    let session_id = body["session_id"].as_str().expect("session id").to_owned();

    let (status, me) = app.get_json(&c, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["email"], ADMIN_EMAIL);
    assert_eq!(me["session_id"], session_id.as_str());
    assert!(!cookie.contains(&session_id), "the cookie holds the secret token, not the public id");
});

on_both_backends!(email_is_matched_case_insensitively, |app| async move {
    app.login(&ADMIN_EMAIL.to_uppercase(), PASSWORD).await;
});

on_both_backends!(wrong_password_and_unknown_email_get_the_same_401_problem, |app| async move {
    let c = client();
    let mut bodies = Vec::new();
    for (email, password) in
        [(ADMIN_EMAIL, "Wrong-Password-1"), ("nobody@example.com", PASSWORD), ("not an email", PASSWORD)]
    {
        let res = app.post_json(&c, "/api/v1/auth/login", &json!({"email": email, "password": password})).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{email}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        assert!(res.headers().get("set-cookie").is_none());
        bodies.push(res.text().await.unwrap());
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "no user enumeration: {bodies:?}");
    let (status, _) = app.get_json(&c, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

on_both_backends!(logout_ends_the_session_for_every_copy_of_the_cookie, |app| async move {
    let c = app.login_admin().await;
    let res = app.post_json(&c, "/api/v1/auth/logout", &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, body) = app.get_json(&c, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
});

on_both_backends!(a_stolen_cookie_is_dead_after_logout, |app| async move {
    let c = client();
    let res = app.post_json(&c, "/api/v1/auth/login", &json!({"email": ADMIN_EMAIL, "password": PASSWORD})).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let copy = reqwest::Client::new();
    let me = |cl: reqwest::Client, cookie: String| {
        let url = app.url("/api/v1/me");
        async move { cl.get(url).header("cookie", cookie).send().await.unwrap().status() }
    };
    assert_eq!(me(copy.clone(), cookie.clone()).await, StatusCode::OK);
    app.post_json(&c, "/api/v1/auth/logout", &json!({})).await;
    assert_eq!(me(copy, cookie).await, StatusCode::UNAUTHORIZED);
});

// Suspended and invited users get exactly the answer of an unknown email (issue 10.3:
// a suspended user's 403 "this account is suspended" told an attacker the account exists
// and the password was right).
on_both_backends!(suspended_and_invited_users_cannot_sign_in_and_are_told_nothing_more, |app| async move {
    app.seed_org().await;
    let c = client();
    let mut answers = Vec::new();
    for email in ["dan.dunn@example.com", "eve.evans@example.com", "nobody@example.com"] {
        let res = app.post_json(&c, "/api/v1/auth/login", &json!({"email": email, "password": PASSWORD})).await;
        answers.push((res.status(), res.text().await.unwrap()));
    }
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED, "suspended: {answers:?}");
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "suspended, invited, unknown: {answers:?}");
    let page = c
        .post(app.url("/login"))
        .form(&[("email", "dan.dunn@example.com"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    let html = page.text().await.unwrap();
    assert!(html.contains("Wrong email or password.") && !html.contains("suspended"), "{html}");
});

on_both_backends!(cross_site_state_changes_are_refused_but_scripts_pass, |app| async move {
    let c = client();
    let url = app.url("/api/v1/auth/login");
    let body = json!({"email": ADMIN_EMAIL, "password": PASSWORD});
    let evil = c.post(&url).header("origin", "http://evil.example").json(&body).send().await.unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let cross = c.post(&url).header("sec-fetch-site", "cross-site").json(&body).send().await.unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let same = c
        .post(&url)
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::OK);
    let script = client().post(&url).json(&body).send().await.unwrap();
    assert_eq!(script.status(), StatusCode::OK, "no Origin and no Sec-Fetch-Site: curl and scripts work");
});

on_both_backends!(the_login_page_signs_in_and_sign_out_needs_the_form_token, |app| async move {
    let c = client();
    let res = c
        .post(app.url("/login"))
        .form(&[("email", ADMIN_EMAIL), ("password", "nope"), ("next", "/admin/users")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.text().await.unwrap().contains("Wrong email or password."));
    let res = c
        .post(app.url("/login"))
        .form(&[("email", ADMIN_EMAIL), ("password", PASSWORD), ("next", "//evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/", "no open redirect");
    let page = app.get(&c, "/admin/users").await.text().await.unwrap();
    let token = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf token in the page")
        .to_owned();
    let forged = c.post(app.url("/logout")).form(&[("csrf", "forged")]).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_json(&c, "/api/v1/me").await.0, StatusCode::OK, "a forged sign-out changes nothing");
    let out = c.post(app.url("/logout")).form(&[("csrf", token.as_str())]).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get_json(&c, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
});

on_both_backends!(pages_send_visitors_without_a_session_to_the_login_page, |app| async move {
    let res = app.get(&client(), "/admin/users?status=active").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login?next=%2Fadmin%2Fusers%3Fstatus%3Dactive");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_attempts_are_rate_limited_per_address() {
    let app =
        crate::support::app::spawn_app_with(store::Backend::Sqlite, |c| c.login_rate_per_minute = 3).await.unwrap();
    let c = client();
    let wrong = json!({"email": ADMIN_EMAIL, "password": "Wrong-Password-1"});
    for _ in 0..3 {
        assert_eq!(app.post_json(&c, "/api/v1/auth/login", &wrong).await.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.post_json(&c, "/api/v1/auth/login", &json!({"email": ADMIN_EMAIL, "password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let page = c.post(app.url("/login")).form(&[("email", ADMIN_EMAIL), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS, "the login page shares the limit");
    assert!(page.headers().contains_key("retry-after"));
    assert_eq!(app.get(&c, "/healthz").await.status(), StatusCode::OK, "other endpoints are not limited");
}
