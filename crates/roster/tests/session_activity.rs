//! Session activity is saved often enough for the idle timeout (issue 10, point 4): with
//! the minimum idle timeout of one minute, a user active every 20 seconds is never signed
//! out as idle — activity is saved once min(60 s, idle / 2) has passed, in batches — and one
//! silent for a minute is. Time comes from a clock the test moves.

use crate::on_both_backends;
use crate::sessions::{CHROME_UA, request, send, sign_in};
use crate::support::app::{ADMIN_EMAIL, PASSWORD};
use app::auth::LoginRequest;
use app::auth::activity::Activity;
use app::clock::{Clock, SECOND};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_backends!(a_session_active_within_its_idle_timeout_never_ends_as_idle, |app| async move {
    app.seed_org().await;
    let root = sign_in(&app, ADMIN_EMAIL, CHROME_UA).await;
    let (status, body) = send(
        request(&app, &root, Method::PATCH, "/api/v1/settings/security").json(&json!({"idle_timeout_minutes": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let clock = Clock::manual(app::clock::now());
    let instance = app.ctx.clone().with_clock(clock.clone());
    let request = LoginRequest {
        email: "cat.cooper@example.com".into(),
        password: PASSWORD.into(),
        account: None,
        ip: "127.0.0.1".into(),
        user_agent: CHROME_UA.into(),
    };
    let app::auth::Login::Opened(opened) = app::auth::login(&instance, request).await.expect("cat signs in") else {
        panic!("cat is in one account")
    };
    let token = opened.token;
    // Another instance on the same database knows only what the first one saved.
    let mut other = instance.clone();
    other.activity = Activity::default();

    for step in 1..=9 {
        clock.advance(20 * SECOND);
        app::auth::authenticate(&instance, &token, "127.0.0.1")
            .await
            .unwrap_or_else(|e| panic!("active {}s ago, signed out at {}s: {e}", 20, step * 20));
        instance.activity.flush(&instance).await.expect("save the batch");
        app::auth::authenticate(&other, &token, "127.0.0.1")
            .await
            .unwrap_or_else(|e| panic!("the other instance signed cat out at {}s: {e}", step * 20));
    }

    clock.advance(61 * SECOND);
    let idle = app::auth::authenticate(&other, &token, "127.0.0.1").await;
    assert!(matches!(idle, Err(app::AppError::Unauthenticated)), "silent for 61 s: {:?}", idle.map(|_| ()));
});
