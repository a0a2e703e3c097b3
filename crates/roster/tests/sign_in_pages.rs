//! The forms that ask for a password say what they need (issue 13): an empty sign-in names
//! each empty field beside it instead of "wrong email or password", refusals are tied to
//! their fields (`aria-invalid`, `aria-describedby`, `role=alert`), and the invitation's
//! password step shows the account's password rules before anything is typed.

use crate::on_both_backends;
use crate::support::app::{ADMIN_EMAIL, client};
use reqwest::StatusCode;
use serde_json::json;

async fn sign_in_page(app: &crate::support::app::TestApp, email: &str, password: &str) -> (StatusCode, String) {
    let res = client().post(app.url("/login")).form(&[("email", email), ("password", password)]).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

on_both_backends!(an_empty_sign_in_names_each_empty_field_and_a_refusal_is_tied_to_both, |app| async move {
    let (status, html) = sign_in_page(&app, "", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"email-error\" role=\"alert\">Enter your email address."), "{html}");
    assert!(html.contains("id=\"password-error\" role=\"alert\">Enter your password."), "{html}");
    assert!(!html.contains("Wrong email or password"), "nothing was checked: {html}");
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"email-error\""), "{html}");

    let (status, html) = sign_in_page(&app, ADMIN_EMAIL, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Enter your password.") && !html.contains("email-error"), "{html}");
    assert!(html.contains(&format!("value=\"{ADMIN_EMAIL}\"")), "the email is kept: {html}");

    let (status, html) = sign_in_page(&app, ADMIN_EMAIL, "not-the-password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("id=\"login-error\" role=\"alert\">Wrong email or password."), "{html}");
    assert_eq!(html.matches("aria-describedby=\"login-error\"").count(), 2, "both fields point at it: {html}");
});

on_both_backends!(the_invitation_shows_the_accounts_password_rules, |app| async move {
    let admin = app.login_admin().await;
    let (_, mut settings) = app.get_json(&admin, "/api/v1/settings/security").await;
    settings["password"]["min_length"] = json!(14);
    settings["password"]["min_classes"] = json!(2);
    let res = admin.put(app.url("/api/v1/settings/security")).json(&settings).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let res = app.post_json(&admin, "/api/v1/invitations", &json!({"emails": ["rules@example.com"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let token = crate::invitations::invitation_token(&app, "rules@example.com").await;

    let html = app.get(&client(), &format!("/invitations/accept?token={token}")).await.text().await.unwrap();
    assert!(
        html.contains(
            "id=\"password-rules\">At least 14 characters, mixing 2 of: lowercase letters, capitals, digits, symbols"
        ),
        "{html}"
    );
    assert!(html.contains("aria-describedby=\"password-rules\""), "{html}");

    // A refused password is named beside the field, tied to it, with the rules still shown.
    let form = [("token", token.as_str()), ("password", "short"), ("confirm", "short")];
    let res = client().post(app.url("/invitations/accept")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"password-error\" role=\"alert\">"), "{html}");
    assert!(
        html.contains("aria-describedby=\"password-rules password-error\"") && html.contains("aria-invalid=\"true\"")
    );
    assert!(html.contains("At least 14 characters"), "{html}");
});
