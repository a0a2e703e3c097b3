//! The User Settings page, the self-service `/me/profile` page and the profile fields of the
//! admin Profile tab, over HTTP without JavaScript (PRODUCT.md §3.1, §4, §7): Preview stores
//! nothing, Save does; the profile page follows the session's settings copy; refused edits
//! re-render beside the field and store nothing; pictures and password changes.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp};
use image::{ImageFormat, RgbaImage};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::io::Cursor;

const SETTINGS: &str = "/admin/settings/user-profile";
const MEMBER: &str = "member@example.com";
const ANN: &str = "ann.archer@example.com";

/// The CSRF token of the first form on `html`.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("a closing quote").to_owned()
}

async fn page(app: &TestApp, c: &Client, path: &str) -> String {
    let res = app.get(c, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("html")
}

async fn post_form(app: &TestApp, c: &Client, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let res = c.post(app.url(path)).form(form).send().await.expect("post");
    let location = res.headers().get(LOCATION).map(|l| l.to_str().expect("ascii").to_owned()).unwrap_or_default();
    (res.status(), location, res.text().await.expect("body"))
}

/// The settings form: `csrf` plus `enabled_<key>` and `allow_<key>` for the listed fields.
fn settings_form<'a>(csrf: &'a str, enabled: &[&'a str], allow: &[&'a str]) -> Vec<(String, &'a str)> {
    let mut form = vec![("csrf".to_owned(), csrf)];
    form.extend(enabled.iter().map(|k| (format!("enabled_{k}"), "on")));
    form.extend(allow.iter().map(|k| (format!("allow_{k}"), "on")));
    form
}

async fn post_settings(app: &TestApp, c: &Client, path: &str, form: &[(String, &str)]) -> (StatusCode, String, String) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    post_form(app, c, path, &pairs).await
}

/// The rule of `key` as the JSON API reports it: (enabled, allow_edits).
async fn rule(app: &TestApp, admin: &Client, key: &str) -> (bool, bool) {
    let (status, body) = app.get_json(admin, "/api/v1/settings/user-profile").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let f = body["fields"].as_array().expect("fields").iter().find(|f| f["field"] == key).expect("the field").clone();
    (f["enabled"].as_bool().expect("bool"), f["allow_edits"].as_bool().expect("bool"))
}

/// The signed-in user's stored value of `key` (JSON API).
async fn my_value(app: &TestApp, c: &Client, key: &str) -> Value {
    let (status, body) = app.get_json(c, "/api/v1/me/profile").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["field"] == key)
        .map_or(Value::Null, |f| f["value"].clone())
}

/// Saves settings through the page as the admin `c`.
async fn save_settings(app: &TestApp, c: &Client, enabled: &[&str], allow: &[&str]) {
    let csrf = csrf_of(&page(app, c, SETTINGS).await);
    let (status, location, _) = post_settings(app, c, SETTINGS, &settings_form(&csrf, enabled, allow)).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/admin/settings/user-profile?notice=saved"));
}

fn png() -> Vec<u8> {
    let img = RgbaImage::from_fn(40, 30, |x, y| image::Rgba([(x * 6) as u8, (y * 8) as u8, 90, 255]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("encode PNG");
    out.into_inner()
}

/// A `multipart/form-data` body with `csrf` and the file `picture`: (content type, body).
fn multipart(csrf: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----roster-test-boundary-7f3a";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"picture\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    c: &Client,
    path: &str,
    csrf: &str,
    name: &str,
    ct: &str,
    bytes: &[u8],
) -> (StatusCode, String) {
    let (content_type, body) = multipart(csrf, name, ct, bytes);
    let res = c.post(app.url(path)).header(CONTENT_TYPE, content_type).body(body).send().await.expect("upload");
    (res.status(), res.text().await.expect("body"))
}

on_both_backends!(preview_shows_the_change_and_stores_nothing_and_save_stores_it, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let html = page(&app, &root, SETTINGS).await;
    assert!(html.contains("take effect at each user"), "{html}");
    assert!(html.contains("id=\"allow_first_name\"") && !html.contains("id=\"enabled_first_name\""), "{html}");
    assert_eq!(html.matches("id=\"enabled_").count(), 12, "twelve controlled fields");
    assert_eq!(html.matches("id=\"allow_").count(), 15, "every field has Allow Edits");
    let csrf = csrf_of(&html);

    // Enable Company (editable) and Title (read-only); First Name becomes read-only.
    let form = settings_form(&csrf, &["company", "title"], &["last_name", "picture", "company"]);
    let (status, _, html) = post_settings(&app, &root, "/admin/settings/user-profile/preview", &form).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"preview\""), "{html}");
    assert!(html.contains("Will appear: Company, Title"), "{html}");
    assert!(html.contains("Users may now edit: Company"), "{html}");
    assert!(html.contains("Becomes read-only: First Name"), "{html}");
    let (_, api) = app.get_json(&root, "/api/v1/settings/user-profile").await;
    let users = {
        // The whole document (as a PUT carries it): the current one, with the form's changes.
        let mut body = api.clone();
        for f in body["fields"].as_array_mut().expect("fields") {
            let (enabled, allow_edits) = match f["field"].as_str() {
                Some("company") => (true, true),
                Some("title" | "first_name") => (true, false),
                _ => continue,
            };
            (f["enabled"], f["allow_edits"]) = (enabled.into(), allow_edits.into());
        }
        let res = app.post_json(&root, "/api/v1/settings/user-profile/preview", &body).await;
        res.json::<Value>().await.expect("json")["users_affected"].as_i64().expect("a count")
    };
    assert!(users > 0);
    assert!(html.contains(&format!("<strong>{users}</strong> users will see this at their next login")), "{html}");
    // The form keeps what was previewed.
    assert!(html.contains(
        "id=\"enabled_company\" name=\"enabled_company\" value=\"on\" aria-label=\"Enable: Company\" checked"
    ));
    // Nothing changed.
    assert_eq!(rule(&app, &root, "company").await, (false, false));
    assert_eq!(rule(&app, &root, "first_name").await, (true, true));
    assert_eq!(app.get_json(&root, "/api/v1/settings/user-profile").await.1, api);

    // Save stores it and says when it takes effect.
    let (status, location, _) = post_settings(&app, &root, SETTINGS, &form).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/admin/settings/user-profile?notice=saved"));
    assert!(page(&app, &root, &location).await.contains("Saved. Changes take effect at each user"));
    assert_eq!(rule(&app, &root, "company").await, (true, true));
    assert_eq!(rule(&app, &root, "title").await, (true, false));
    assert_eq!(rule(&app, &root, "first_name").await, (true, false));

    // A user with a Company value: hiding Company again counts them as keeping a hidden value.
    let ann = app.login(ANN, PASSWORD).await;
    let res = ann.patch(app.url("/api/v1/me/profile")).json(&serde_json::json!({"company": "Acme"})).send().await;
    assert_eq!(res.expect("patch").status(), StatusCode::OK);
    let form = settings_form(&csrf, &["title"], &["first_name", "last_name", "picture"]);
    let (_, _, html) = post_settings(&app, &root, "/admin/settings/user-profile/preview", &form).await;
    assert!(html.contains("Will disappear: Company"), "{html}");
    assert!(html.contains("<strong>1</strong> user has values in fields that disappear (kept, hidden)"), "{html}");
    assert_eq!(rule(&app, &root, "company").await, (true, true), "a preview stores nothing");

    // A forged token changes nothing.
    let forged = settings_form("forged", &[], &[]);
    let (status, _, _) = post_settings(&app, &root, SETTINGS, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(rule(&app, &root, "company").await, (true, true));
});

on_both_backends!(members_may_not_open_or_post_user_settings, |app| async move {
    app.seed_org().await;
    let member = app.login(MEMBER, PASSWORD).await;
    let res = app.get(&member, SETTINGS).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let csrf = csrf_of(&page(&app, &member, "/me/profile").await);
    let form = settings_form(&csrf, &["company"], &["company"]);
    for path in [SETTINGS, "/admin/settings/user-profile/preview"] {
        let (status, _, _) = post_settings(&app, &member, path, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let root = app.login_admin().await;
    assert_eq!(rule(&app, &root, "company").await, (false, false));
});

on_both_backends!(my_profile_follows_the_sessions_settings_and_refuses_by_field, |app| async move {
    app.seed_org().await;
    let root = app.login_admin().await;
    let before = app.login(MEMBER, PASSWORD).await;
    save_settings(
        &app,
        &root,
        &["company", "title", "mobile_number"],
        &["first_name", "last_name", "picture", "company", "mobile_number"],
    )
    .await;

    // The session opened before the save keeps the old fields.
    let html = page(&app, &before, "/me/profile").await;
    assert!(html.contains("id=\"field-first_name\"") && !html.contains("Company"), "{html}");

    let member = app.login(MEMBER, PASSWORD).await;
    let html = page(&app, &member, "/me/profile").await;
    assert!(html.contains("id=\"field-company\" name=\"company\""), "{html}");
    assert!(html.contains("id=\"field-mobile_number\""), "{html}");
    assert!(html.contains("id=\"value-title\"") && !html.contains("id=\"field-title\""), "Title is read-only: {html}");
    assert!(!html.contains("City") && !html.contains("Department"), "only enabled fields: {html}");
    assert!(html.contains("member@example.com <span class=\"muted\">(read-only)</span>"), "{html}");
    let csrf = csrf_of(&html);

    // A field without Allow Edits is refused by name, and nothing is stored.
    let (status, _, html) =
        post_form(&app, &member, "/me/profile", &[("csrf", &csrf), ("company", "Acme"), ("title", "CEO")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("id=\"error-title\""), "{html}");
    assert!(html.contains("Title: your organization does not allow you to edit this field."), "{html}");
    assert_eq!(my_value(&app, &member, "company").await, Value::Null);
    assert_eq!(my_value(&app, &member, "title").await, Value::Null);

    // An invalid phone number: the message beside it, the typed values kept, nothing stored.
    let form = [("csrf", csrf.as_str()), ("company", "Acme"), ("mobile_number", "call me")];
    let (status, _, html) = post_form(&app, &member, "/me/profile", &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        html.contains(
            "<p class=\"field-error\" role=\"alert\" id=\"error-mobile_number\">Mobile Number is not a phone number"
        ),
        "{html}"
    );
    assert!(html.contains("name=\"company\" value=\"Acme\""), "typed value kept: {html}");
    assert!(html.contains("name=\"mobile_number\" value=\"call me\""), "{html}");
    assert_eq!(my_value(&app, &member, "company").await, Value::Null);

    // A valid edit is stored.
    let form = [("csrf", csrf.as_str()), ("company", "Acme"), ("mobile_number", "+49 30 1234-5678")];
    let (status, location, _) = post_form(&app, &member, "/me/profile", &form).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/me/profile?notice=saved"));
    assert_eq!(my_value(&app, &member, "company").await, "Acme");
    assert_eq!(my_value(&app, &member, "mobile_number").await, "+49 30 1234-5678");
    assert!(page(&app, &member, &location).await.contains("Profile saved."));
});

on_both_backends!(pictures_upload_show_and_refuse_what_is_not_an_image, |app| async move {
    let org = app.seed_org().await;
    let member = app.login(MEMBER, PASSWORD).await;
    let html = page(&app, &member, "/me/profile").await;
    assert!(html.contains("No picture yet.") && html.contains("accept=\"image/png,image/jpeg,image/webp\""), "{html}");
    let csrf = csrf_of(&html);

    let (status, html) =
        upload(&app, &member, "/me/profile/picture", &csrf, "a.png", "image/png", b"just text\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("id=\"error-picture\">Profile Picture is not a PNG, JPEG or WebP image"), "{html}");
    assert_eq!(app.get(&member, "/api/v1/me/profile/picture").await.status(), StatusCode::NOT_FOUND);

    // A file just over 2 MB gets the clear message, not a bare 413.
    let mut big = png();
    big.resize(2 * 1024 * 1024 + 10_000, 0);
    let (status, html) = upload(&app, &member, "/me/profile/picture", &csrf, "big.png", "image/png", &big).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("id=\"error-picture\">Profile Picture is larger than 2 MB."), "{html}");

    let (status, _) = upload(&app, &member, "/me/profile/picture", &csrf, "me.png", "image/png", &png()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let html = page(&app, &member, "/me/profile?notice=picture").await;
    assert!(html.contains("<img src=\"/api/v1/me/profile/picture?v="), "{html}");
    assert!(html.contains("alt=\"Your profile picture\""), "{html}");
    let res = app.get(&member, "/api/v1/me/profile/picture").await;
    assert_eq!((res.status(), res.headers()[CONTENT_TYPE].to_str().unwrap()), (StatusCode::OK, "image/jpeg"));

    // A forged token stores nothing; Remove removes it.
    let (status, _) = upload(&app, &member, "/me/profile/picture", "forged", "me.png", "image/png", &png()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, location, _) = post_form(&app, &member, "/me/profile/picture/remove", &[("csrf", &csrf)]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/me/profile?notice=picture_removed"));
    assert!(page(&app, &member, &location).await.contains("No picture yet."));

    // The admin uploads one on the Profile tab, where it then shows.
    let org_ann = org.ann;
    let root = app.login_admin().await;
    let tab = format!("/admin/users/{org_ann}");
    let csrf = csrf_of(&page(&app, &root, &tab).await);
    let (status, html) = upload(&app, &root, &format!("{tab}/picture"), &csrf, "x.png", "image/png", b"nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("Profile Picture is not a PNG, JPEG or WebP image"), "{html}");
    let (status, _) = upload(&app, &root, &format!("{tab}/picture"), &csrf, "x.png", "image/png", &png()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let html = page(&app, &root, &tab).await;
    assert!(html.contains(&format!("<img src=\"/api/v1/users/{org_ann}/picture?v=")), "{html}");
});

on_both_backends!(the_admin_profile_tab_shows_and_edits_enabled_fields, |app| async move {
    let org = app.seed_org().await;
    let first = app.login_admin().await;
    save_settings(&app, &first, &["company", "mobile_number"], &["first_name", "last_name", "picture"]).await;
    // The tab follows the admin's session copy, so sign in again.
    let root = app.login_admin().await;
    let tab = format!("/admin/users/{}", org.ann);
    let html = page(&app, &root, &tab).await;
    assert!(html.contains("<dt>Company</dt><dd class=\"profile-value\">—</dd>"), "{html}");
    assert!(html.contains("name=\"profile_mobile_number\""), "{html}");
    assert!(!html.contains("Department"), "{html}");
    let csrf = csrf_of(&html);
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("version") + marker.len();
    let version = html[start..].split('"').next().expect("quote").to_owned();
    let group = format!("group_{}", org.alpha_team);
    let mut form = vec![("csrf", csrf.as_str()), ("version", version.as_str()), (group.as_str(), "on")];
    form.extend([("profile_company", "Initech"), ("profile_mobile_number", "12")]);
    let (status, _, html) = post_form(&app, &root, &format!("{tab}/edit"), &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("id=\"edit-error\">Mobile Number has 2 digits"), "{html}");
    assert!(
        page(&app, &root, &tab).await.contains("<dt>Company</dt><dd class=\"profile-value\">—</dd>"),
        "nothing stored"
    );
    form[4].1 = "+1 555 010 9999";
    let (status, _, html) = post_form(&app, &root, &format!("{tab}/edit"), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let html = page(&app, &root, &tab).await;
    assert!(html.contains("<dt>Company</dt><dd class=\"profile-value\">Initech</dd>"), "{html}");
    assert!(html.contains("+1 555 010 9999"), "{html}");
});

on_both_backends!(changing_my_password_checks_the_current_one_and_the_confirmation, |app| async move {
    app.seed_org().await;
    let member = app.login(MEMBER, PASSWORD).await;
    let csrf = csrf_of(&page(&app, &member, "/me/profile").await);
    let new = "Brand-New-Pass-42";
    let form = [("csrf", csrf.as_str()), ("current_password", "Wrong-Pass-1"), ("new_password", new), ("confirm", new)];
    let (status, _, html) = post_form(&app, &member, "/me/password", &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("id=\"error-current_password\">Current password is not your current password"), "{html}");
    let form = [("csrf", csrf.as_str()), ("current_password", PASSWORD), ("new_password", new), ("confirm", "other")];
    let (status, _, html) = post_form(&app, &member, "/me/password", &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("id=\"error-confirm\">"), "{html}");
    // Still the old password.
    app.login(MEMBER, PASSWORD).await;

    let form = [("csrf", csrf.as_str()), ("current_password", PASSWORD), ("new_password", new), ("confirm", new)];
    let (status, location, _) = post_form(&app, &member, "/me/password", &form).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/me/profile?notice=password"));
    assert!(page(&app, &member, &location).await.contains("Password changed."), "this session stays");
    app.login(MEMBER, new).await;
    let res = app
        .post_json(
            &crate::support::app::client(),
            "/api/v1/auth/login",
            &serde_json::json!({"email": MEMBER, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the old password no longer works");
});
