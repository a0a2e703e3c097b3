//! A fresh reviewer's walk of issue 16 (SCIM): odd inputs and real clients' quirks that must
//! answer a SCIM error (never a 5xx) and change nothing. On both backends.

use crate::on_both_backends;
use crate::scim::{PROVISIONING, patch_op, scim, token};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

on_both_backends!(a_deeply_nested_filter_is_refused_and_the_server_lives, |app| async move {
    let org = app.seed_org().await;
    let root = app.login_admin().await;
    let secret = token(&app, &root, PROVISIONING).await;
    // Within the 4096-character cap, groups nest 2,000 deep: this aborted the whole server
    // with a stack overflow (every instance a token holder can reach, one GET each).
    for deep in [
        format!("{}userName pr{}", "(".repeat(2040), ")".repeat(2040)),
        format!("{}userName pr{}", "not (".repeat(680), ")".repeat(680)),
        format!("{}userName pr{}", "emails[".repeat(500), "]".repeat(500)),
    ] {
        let res = scim(&app, &secret, Method::GET, &format!("/Users?filter={}", enc(&deep)), None).await;
        assert_eq!(
            (res.status, res.body["scimType"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalidFilter")),
            "{}",
            res.body
        );
    }
    // A PATCH path's value filter goes through the same parser.
    let path = format!("emails[{}value pr{}].value", "(".repeat(2000), ")".repeat(2000));
    let ops = patch_op(json!([{"op": "replace", "path": path, "value": "x@example.com"}]));
    let res = scim(&app, &secret, Method::PATCH, &format!("/Users/{}", org.ann), Some(ops)).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    // Nesting a client writes still works, and the server still answers.
    let ok = format!("{}userName eq \"ann.archer@example.com\"{}", "(".repeat(20), ")".repeat(20));
    let res = scim(&app, &secret, Method::GET, &format!("/Users?filter={}", enc(&ok)), None).await;
    assert_eq!((res.status, res.body["totalResults"].as_u64()), (StatusCode::OK, Some(1)), "{}", res.body);
});
