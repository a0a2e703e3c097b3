//! The self-service profile (PRODUCT.md §4, §7): editing the fields with Allow Edits, value
//! validation naming the field, admin edits of controlled fields, pictures (type, size,
//! re-encoding without metadata) and changing one's password.

use crate::on_both_backends;
use crate::support::app::{PASSWORD, TestApp, client};
use domain::ids::UserId;
use image::{ImageFormat, RgbaImage};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::io::Cursor;

const ANN: &str = "ann.archer@example.com";
const ME: &str = "/api/v1/me/profile";
const PICTURE: &str = "/api/v1/me/profile/picture";

/// Saves User Settings as the root: `(field, allow_edits)` pairs are enabled.
async fn enable(app: &TestApp, fields: &[(&str, bool)]) {
    let root = app.login_admin().await;
    let rules: serde_json::Map<String, Value> =
        fields.iter().map(|(f, edit)| ((*f).to_owned(), json!({"enabled": true, "allow_edits": edit}))).collect();
    let (status, body) =
        app.send(&root, Method::PATCH, "/api/v1/settings/user-profile", Some(json!({"fields": rules}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The value of one field of a `/me/profile` body.
fn value(profile: &Value, field: &str) -> Value {
    profile["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == field)
        .map_or(Value::Null, |f| f["value"].clone())
}

async fn patch_me(app: &TestApp, c: &Client, body: Value) -> (StatusCode, Value) {
    app.send(c, Method::PATCH, ME, Some(body)).await
}

async fn admin_patch(app: &TestApp, c: &Client, user: UserId, body: Value) -> (StatusCode, Value) {
    let res = app.get(c, &format!("/api/v1/users/{user}")).await;
    let tag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res =
        c.patch(app.url(&format!("/api/v1/users/{user}"))).header("If-Match", tag).json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn encode(img: &RgbaImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    match format {
        // JPEG has no alpha channel.
        ImageFormat::Jpeg => image::DynamicImage::ImageRgba8(img.clone()).to_rgb8().write_to(&mut out, format),
        _ => img.write_to(&mut out, format),
    }
    .expect("encode");
    out.into_inner()
}

fn picture(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x * 7) as u8, (y * 5) as u8, 120, 255]));
    encode(&img, format)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG carrying a `tEXt` chunk with `text`, right after its header chunk.
fn png_with_text(text: &str) -> Vec<u8> {
    let png = picture(40, 30, ImageFormat::Png);
    let ihdr_end = 8 + 4 + 4 + 13 + 4;
    let mut data = b"Comment\0".to_vec();
    data.extend_from_slice(text.as_bytes());
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut typed = b"tEXt".to_vec();
    typed.extend_from_slice(&data);
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    let mut out = png[..ihdr_end].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[ihdr_end..]);
    out
}

/// A JPEG carrying an EXIF (APP1) segment and a comment with `text`.
fn jpeg_with_exif(text: &str) -> Vec<u8> {
    let jpeg = picture(50, 40, ImageFormat::Jpeg);
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0".to_vec();
    exif.extend_from_slice(text.as_bytes());
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

async fn put_picture(app: &TestApp, c: &Client, path: &str, bytes: Vec<u8>, content_type: &str) -> (StatusCode, Value) {
    let res = c.put(app.url(path)).header("Content-Type", content_type).body(bytes).send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// GET a picture: (status, bytes).
async fn get_picture(app: &TestApp, c: &Client, path: &str) -> (StatusCode, Vec<u8>) {
    let res = app.get(c, path).await;
    let status = res.status();
    if status == StatusCode::OK {
        assert_eq!(res.headers()["content-type"], "image/jpeg");
    }
    (status, res.bytes().await.unwrap().to_vec())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Checks a stored picture: a 256×256 JPEG.
fn assert_stored_jpeg(bytes: &[u8]) {
    assert_eq!(image::guess_format(bytes).unwrap(), ImageFormat::Jpeg);
    let img = image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).expect("a JPEG");
    assert_eq!((img.width(), img.height()), (256, 256));
}

on_both_backends!(users_edit_their_fields_with_allow_edits_only, |app| async move {
    let org = app.seed_org().await;
    enable(&app, &[("company", true), ("title", false), ("mobile_number", true), ("zip", true), ("country", true)])
        .await;
    let ann = app.login(ANN, PASSWORD).await;
    let (status, profile) = app.get_json(&ann, ME).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["email"], ANN);
    let editable: Vec<(String, bool)> = profile["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap().to_owned(), f["editable"].as_bool().unwrap()))
        .collect();
    assert!(
        editable.contains(&("company".into(), true)) && editable.contains(&("title".into(), false)),
        "{editable:?}"
    );

    let (status, profile) = patch_me(&app, &ann, json!({"company": "  Acme Corp ", "first_name": "Anna"})).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(value(&profile, "company"), "Acme Corp");
    assert_eq!(value(&profile, "first_name"), "Anna");
    assert_eq!(value(&app.get_json(&ann, ME).await.1, "company"), "Acme Corp");
    let (status, profile) =
        patch_me(&app, &ann, json!({"mobile_number": "+49 30 1234-5678", "country": "de", "zip": "10115"})).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(value(&profile, "country"), "DE");

    // Refusals, each naming the field, none storing anything.
    let refused = [
        (json!({"title": "CTO"}), StatusCode::FORBIDDEN, "title"),
        (json!({"city": "Rome"}), StatusCode::FORBIDDEN, "city"),
        (json!({"nickname": "Annie"}), StatusCode::BAD_REQUEST, "nickname"),
        (json!({"email": "new@example.com"}), StatusCode::BAD_REQUEST, "email"),
        (json!({"company": "Other", "mobile_number": "call me"}), StatusCode::BAD_REQUEST, "mobile_number"),
        (json!({"company": "Other", "mobile_number": "12"}), StatusCode::BAD_REQUEST, "mobile_number"),
        (json!({"company": "Other", "country": "XX"}), StatusCode::BAD_REQUEST, "country"),
        (json!({"company": "Other", "zip": "1234"}), StatusCode::BAD_REQUEST, "zip"),
        (json!({"country": "CA"}), StatusCode::BAD_REQUEST, "zip"),
        (json!({"company": "x".repeat(101)}), StatusCode::BAD_REQUEST, "company"),
        (json!({"company": 7}), StatusCode::BAD_REQUEST, "company"),
        (json!({"first_name": " "}), StatusCode::BAD_REQUEST, "first_name"),
        (json!({"picture": "me.png"}), StatusCode::BAD_REQUEST, "picture"),
    ];
    for (body, status, field) in refused {
        let (got, err) = patch_me(&app, &ann, body.clone()).await;
        assert_eq!(got, status, "{body}: {err}");
        assert!(err["detail"].as_str().unwrap().contains(field), "{body} should name {field}: {err}");
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(err["invalid_params"][0]["name"], field, "{err}");
        }
    }
    let (_, profile) = app.get_json(&ann, ME).await;
    assert_eq!(value(&profile, "company"), "Acme Corp");
    assert_eq!(value(&profile, "mobile_number"), "+49 30 1234-5678");
    assert_eq!(value(&profile, "zip"), "10115");
    assert_eq!(value(&profile, "country"), "DE");
    assert_eq!(value(&profile, "title"), Value::Null);
    // null clears.
    let (status, profile) = patch_me(&app, &ann, json!({"mobile_number": null})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(value(&profile, "mobile_number"), Value::Null);
    let (_, audit) = app.get_json(&app.login_admin().await, &format!("/api/v1/audit?target={}", org.ann)).await;
    let updates = audit["items"].as_array().unwrap().iter().filter(|e| e["action"] == "user.profile_updated").count();
    assert_eq!(updates, 3, "{audit}");
});

on_both_backends!(admins_edit_enabled_controlled_fields_users_cannot, |app| async move {
    let org = app.seed_org().await;
    enable(&app, &[("company", true), ("title", false)]).await;
    let root = app.login_admin().await;
    let (status, body) = admin_patch(&app, &root, org.ann, json!({"title": "CTO", "company": "Acme"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ann = app.login(ANN, PASSWORD).await;
    let (_, profile) = app.get_json(&ann, ME).await;
    assert_eq!((value(&profile, "title"), value(&profile, "company")), (json!("CTO"), json!("Acme")));
    // Disabled fields, default fields by key, and invalid values are refused.
    let (status, err) = admin_patch(&app, &root, org.ann, json!({"city": "Rome"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert!(err["detail"].as_str().unwrap().contains("city"), "{err}");
    let (status, err) = admin_patch(&app, &root, org.ann, json!({"nickname": "A"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["invalid_params"][0]["name"], "nickname");
    let (status, _) = admin_patch(&app, &root, org.ann, json!({"title": "x".repeat(101)})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, profile) = app.get_json(&ann, ME).await;
    assert_eq!(value(&profile, "title"), "CTO");
    // Without If-Match: 428.
    let res = root.patch(app.url(&format!("/api/v1/users/{}", org.ann))).json(&json!({"title": "X"})).send().await;
    assert_eq!(res.unwrap().status(), StatusCode::PRECONDITION_REQUIRED);
});

on_both_backends!(pictures_are_checked_and_stored_as_a_square_jpeg_without_metadata, |app| async move {
    let org = app.seed_org().await;
    let ann = app.login(ANN, PASSWORD).await;
    assert_eq!(get_picture(&app, &ann, PICTURE).await.0, StatusCode::NOT_FOUND);
    // A refusal before any picture leaves none.
    let (status, _) = put_picture(&app, &ann, PICTURE, b"hello, not an image".to_vec(), "image/png").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(get_picture(&app, &ann, PICTURE).await.0, StatusCode::NOT_FOUND);

    let secret = "SECRET-GPS-48.8584N-2.2945E";
    let uploads = [
        (png_with_text(secret), "image/png"),
        (jpeg_with_exif(secret), "image/jpeg"),
        (picture(300, 120, ImageFormat::WebP), "image/webp"),
        (picture(64, 64, ImageFormat::Png), "image/png; charset=binary"),
    ];
    for (bytes, content_type) in uploads {
        assert!(!content_type.starts_with("image/png") || image::load_from_memory(&bytes).is_ok());
        let (status, err) = put_picture(&app, &ann, PICTURE, bytes, content_type).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{content_type}: {err}");
        let (status, stored) = get_picture(&app, &ann, PICTURE).await;
        assert_eq!(status, StatusCode::OK);
        assert_stored_jpeg(&stored);
        assert!(!contains(&stored, secret.as_bytes()), "{content_type}: metadata must be gone");
        assert!(!contains(&stored, b"Exif"), "{content_type}: no EXIF");
    }
    let (_, previous) = get_picture(&app, &ann, PICTURE).await;
    let (_, profile) = app.get_json(&ann, ME).await;
    assert_eq!(value(&profile, "picture"), PICTURE);

    // Refusals leave the previous picture.
    let mut big = picture(16, 16, ImageFormat::Png);
    big.resize(2 * 1024 * 1024 + 1, 0);
    let mut cut = picture(64, 64, ImageFormat::Png);
    cut.truncate(cut.len() / 2);
    let refused = [
        (big, "image/png"),
        (b"just some text\n".to_vec(), "image/png"),
        (b"just some text\n".to_vec(), "text/plain"),
        (cut, "image/png"),
        (picture(20, 20, ImageFormat::Png), "image/jpeg"),
        (picture(20, 20, ImageFormat::Png), "image/gif"),
        (Vec::new(), "image/png"),
        (picture(10_001, 1, ImageFormat::Png), "image/png"),
    ];
    for (bytes, content_type) in refused {
        let len = bytes.len();
        let (status, err) = put_picture(&app, &ann, PICTURE, bytes, content_type).await;
        assert!(
            status == StatusCode::BAD_REQUEST || (len > 2 * 1024 * 1024 && status == StatusCode::PAYLOAD_TOO_LARGE),
            "{len} bytes as {content_type}: {status} {err}"
        );
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(err["invalid_params"][0]["name"], "picture", "{err}");
        }
        assert_eq!(get_picture(&app, &ann, PICTURE).await.1, previous, "{content_type}: unchanged");
    }
    // Far too big: refused with 413 before it is read (the server may close the connection
    // while the client still writes, so a broken pipe counts as refused too), never a 500.
    // A client of its own: the connection the server closed must not be reused by `ann`.
    let once = app.login(ANN, PASSWORD).await;
    let res =
        once.put(app.url(PICTURE)).header("Content-Type", "image/png").body(vec![0u8; 5 * 1024 * 1024]).send().await;
    if let Ok(res) = res {
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(get_picture(&app, &ann, PICTURE).await.1, previous, "unchanged");
    // Just over 2 MB fits the request limit and gets the clear answer.
    let (status, err) = put_picture(&app, &ann, PICTURE, vec![0u8; 2 * 1024 * 1024 + 1], "image/png").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(err["detail"].as_str().unwrap_or_default().contains("larger than 2 MB"), "{err}");

    // Admins see it, and replace it.
    let root = app.login_admin().await;
    let path = format!("/api/v1/users/{}/picture", org.ann);
    assert_eq!(get_picture(&app, &root, &path).await.1, previous);
    let (status, err) = put_picture(&app, &root, &path, picture(500, 500, ImageFormat::Jpeg), "image/jpeg").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{err}");
    let (_, by_admin) = get_picture(&app, &root, &path).await;
    assert_stored_jpeg(&by_admin);
    assert_ne!(by_admin, previous);
    assert_eq!(get_picture(&app, &ann, PICTURE).await.1, by_admin);
    let (status, _) = put_picture(&app, &root, &path, b"nope".to_vec(), "image/png").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Admins without users.manage, or outside the account, may not.
    let alpha_admin = app.login("alpha.admin@example.com", PASSWORD).await;
    assert_eq!(get_picture(&app, &alpha_admin, &path).await.0, StatusCode::OK);
    let (status, _) = put_picture(&app, &alpha_admin, &path, picture(8, 8, ImageFormat::Png), "image/png").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let outsider = app.login("outsider@other.example", PASSWORD).await;
    assert_eq!(get_picture(&app, &outsider, &path).await.0, StatusCode::NOT_FOUND);
    let (status, _) = put_picture(&app, &outsider, &path, picture(8, 8, ImageFormat::Png), "image/png").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let member = app.login("member@example.com", PASSWORD).await;
    assert_eq!(get_picture(&app, &member, &path).await.0, StatusCode::FORBIDDEN);

    let audit = app.get_json(&root, &format!("/api/v1/audit?action=user.picture_changed&target={}", org.ann)).await.1;
    assert_eq!(audit["items"].as_array().unwrap().len(), 5, "{audit}");
    // An admin removes it (users.manage only; then there is nothing left to remove).
    assert_eq!(app.send(&alpha_admin, Method::DELETE, &path, None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.send(&root, Method::DELETE, &path, None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(get_picture(&app, &ann, PICTURE).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.send(&root, Method::DELETE, &path, None).await.0, StatusCode::NOT_FOUND);
    // The user removes their own.
    let (status, err) = put_picture(&app, &ann, PICTURE, picture(40, 40, ImageFormat::Png), "image/png").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{err}");
    let (status, _) = app.send(&ann, Method::DELETE, PICTURE, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(get_picture(&app, &ann, PICTURE).await.0, StatusCode::NOT_FOUND);
    assert_eq!(value(&app.get_json(&ann, ME).await.1, "picture"), Value::Null);
});

on_both_backends!(a_picture_without_allow_edits_is_refused, |app| async move {
    let org = app.seed_org().await;
    enable(&app, &[("picture", false)]).await;
    let ann = app.login(ANN, PASSWORD).await;
    let (status, err) = put_picture(&app, &ann, PICTURE, picture(32, 32, ImageFormat::Png), "image/png").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert!(err["detail"].as_str().unwrap().contains("picture"), "{err}");
    assert_eq!(app.send(&ann, Method::DELETE, PICTURE, None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(get_picture(&app, &ann, PICTURE).await.0, StatusCode::NOT_FOUND);
    // The admin still may.
    let root = app.login_admin().await;
    let path = format!("/api/v1/users/{}/picture", org.ann);
    let (status, _) = put_picture(&app, &root, &path, picture(32, 32, ImageFormat::Png), "image/png").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(get_picture(&app, &ann, PICTURE).await.0, StatusCode::OK);
    let (_, profile) = app.get_json(&ann, ME).await;
    let pic = profile["fields"].as_array().unwrap().iter().find(|f| f["field"] == "picture").unwrap().clone();
    assert_eq!(pic["editable"], false);
});

on_both_backends!(changing_ones_password, |app| async move {
    let org = app.seed_org().await;
    let ann = app.login(ANN, PASSWORD).await;
    let other = app.login(ANN, PASSWORD).await;
    let path = "/api/v1/me/password";
    let new = "Battery-Staple-42";
    let refused = [
        (json!({"current_password": "Wrong-Horse-7", "new_password": new}), "current_password"),
        (json!({"current_password": PASSWORD, "new_password": "short"}), "new_password"),
        (json!({"current_password": PASSWORD, "new_password": "alllowercaseletters"}), "new_password"),
        (json!({"current_password": PASSWORD, "new_password": PASSWORD}), "new_password"),
        (json!({"new_password": new}), "current_password"),
        (json!({"current_password": PASSWORD}), "new_password"),
    ];
    for (body, field) in refused {
        let (status, err) = app.send(&ann, Method::POST, path, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert_eq!(err["invalid_params"][0]["name"], field, "{body}: {err}");
    }
    // A wrong current password and a weak new one: both named at once.
    let body = json!({"current_password": "Wrong-Horse-7", "new_password": "short"});
    let (status, err) = app.send(&ann, Method::POST, path, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let names: Vec<&str> =
        err["invalid_params"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["current_password", "new_password"], "{err}");
    assert_eq!(app.get_json(&other, "/api/v1/me").await.0, StatusCode::OK, "refusals end nothing");

    let (status, err) =
        app.send(&ann, Method::POST, path, Some(json!({"current_password": PASSWORD, "new_password": new}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{err}");
    assert_eq!(app.get_json(&other, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "other sessions end");
    assert_eq!(app.get_json(&ann, "/api/v1/me").await.0, StatusCode::OK, "this one stays");
    let res = app.post_json(&client(), "/api/v1/auth/login", &json!({"email": ANN, "password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "the old password is gone");
    let again = app.login(ANN, new).await;
    // The previous password is in the history now.
    let (status, err) =
        app.send(&again, Method::POST, path, Some(json!({"current_password": new, "new_password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["invalid_params"][0]["name"], "new_password");
    let root = app.login_admin().await;
    let (_, audit) = app.get_json(&root, &format!("/api/v1/audit?action=password.changed&target={}", org.ann)).await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");

    // Under SSO: 409.
    crate::support::oidc::force_sso_on(&app).await;
    let (status, err) = app
        .send(&ann, Method::POST, path, Some(json!({"current_password": new, "new_password": "Other-Pass-99"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["detail"].as_str().unwrap().contains("SSO"), "{err}");
    assert_eq!(app.get_json(&ann, ME).await.1["can_change_password"], false);
    assert_eq!(app.get_json(&again, "/api/v1/me").await.0, StatusCode::OK);
});

on_both_backends!(wrong_current_passwords_count_toward_the_lockout, |app| async move {
    let org = app.seed_org().await;
    let ann = app.login(ANN, PASSWORD).await;
    let wrong = json!({"current_password": "Wrong-Horse-7", "new_password": "Battery-Staple-42"});
    // A stolen session must not be a free password oracle: the default limit is 5.
    for attempt in 1..=4 {
        let (status, err) = app.send(&ann, Method::POST, "/api/v1/me/password", Some(wrong.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "attempt {attempt}: {err}");
    }
    assert_eq!(app.get_json(&ann, ME).await.0, StatusCode::OK, "four wrong guesses do not lock");
    let (status, _) = app.send(&ann, Method::POST, "/api/v1/me/password", Some(wrong)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get_json(&ann, ME).await.0, StatusCode::UNAUTHORIZED, "the fifth locks and ends the session");
    let root = app.login_admin().await;
    let (_, user) = app.get_json(&root, &format!("/api/v1/users/{}", org.ann)).await;
    assert_eq!(user["status"], "locked", "{user}");
});
