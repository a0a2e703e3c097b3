//! Bad input gets a 400 problem+json naming the parameter, never a 500.

use crate::on_both_backends;
use reqwest::StatusCode;

on_both_backends!(bad_list_parameters_are_named_in_a_400_problem, |app| async move {
    app.seed_org().await;
    let c = app.login_admin().await;
    let long_q = "x".repeat(10 * 1024);
    let cases: Vec<(String, &str)> = vec![
        ("sort=password".into(), "sort"),
        ("sort=name;drop table users".into(), "sort"),
        ("order=sideways".into(), "order"),
        ("limit=0".into(), "limit"),
        ("limit=10000".into(), "limit"),
        ("limit=-1".into(), "limit"),
        ("cursor=not-a-cursor".into(), "cursor"),
        ("cursor=eyJzIjoibmFtZSJ9".into(), "cursor"),
        (format!("q={}", &long_q[..300]), "q"),
        (format!("q={long_q}"), "q"),
        (format!("q={}", "x".repeat(40 * 1024)), "query"),
        ("q=%FF%FE".into(), "q"),
        ("q=%E2%82".into(), "q"),
        ("status=deleted".into(), "status"),
        ("workspace=alpha".into(), "workspace"),
        ("group=1".into(), "group"),
        ("role=superuser".into(), "role"),
        ("builder_access=everything".into(), "builder_access"),
    ];
    for (query, param) in cases {
        let res = app.get(&c, &format!("/api/v1/users?{query}")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{}", &query[..query.len().min(60)]);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["status"], 400);
        assert_eq!(body["invalid_params"][0]["name"], param, "{body}");
    }
});

on_both_backends!(a_cursor_from_one_sort_is_refused_by_another, |app| async move {
    app.seed_org().await;
    let c = app.login_admin().await;
    let first = app.get_json(&c, "/api/v1/users?sort=email&limit=1").await.1;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (status, body) = app.get_json(&c, &format!("/api/v1/users?sort=created&limit=1&cursor={cursor}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "cursor");
});

on_both_backends!(malformed_ids_and_bodies_are_400_and_unknown_routes_404, |app| async move {
    let c = app.login_admin().await;
    let (status, body) = app.get_json(&c, "/api/v1/users/not-a-uuid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["invalid_params"][0]["name"], "id");
    let (status, _) = app.get_json(&c, &format!("/api/v1/users/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = c
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let (status, _) = app.get_json(&c, "/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
});
