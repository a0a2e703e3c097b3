//! The users list page's bulk actions, per-row delete links and CSV export link, over
//! HTTP: every bulk action asks first (how many, the first few, admins among them), a bulk
//! suspend reports each user's result (one refusal never aborts the rest), a forged token is
//! refused, and an empty selection re-renders the list with a message.

use crate::on_both_backends;
use reqwest::StatusCode;
use reqwest::header::LOCATION;

/// The CSRF token of the form on `html`.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().expect("a closing quote").to_owned()
}

/// The `<tr>` of the result table for `user`.
fn result_row<'a>(html: &'a str, user: &str) -> &'a str {
    let start = html.find(&format!("data-user=\"{user}\"")).unwrap_or_else(|| panic!("a result row for {user}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").expect("the row ends")]
}

on_both_backends!(a_bulk_suspend_reports_every_user_and_refuses_a_forged_token, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let list = app.get(&admin, "/admin/users?status=active").await;
    assert_eq!(list.status(), StatusCode::OK);
    let html = list.text().await.unwrap();
    assert!(html.contains("action=\"/admin/users/bulk\""), "the table sits in the bulk form");
    assert!(html.contains("id=\"bulk-action\""));
    let csrf = csrf_of(&html);
    let ids = [org.ann, org.dan, org.eve].map(|u| u.to_string());
    let form = |token: &str, action: &str| {
        let mut f: Vec<(&str, String)> = vec![
            ("csrf", token.to_owned()),
            ("back", "/admin/users?status=active".to_owned()),
            ("action", action.to_owned()),
            ("group_id", String::new()),
            ("confirmed", "yes".to_owned()),
        ];
        f.extend(ids.iter().map(|id| ("ids", id.clone())));
        f
    };

    // Unconfirmed, it asks: how many, who, and the same fields to post again; nothing changes.
    let mut unconfirmed = form(&csrf, "suspend");
    unconfirmed.retain(|(k, _)| *k != "confirmed");
    let res = admin.post(app.url("/admin/users/bulk")).form(&unconfirmed).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Suspend 3 users?") && html.contains("Ann Archer (ann.archer@example.com)"), "{html}");
    assert!(!html.contains("id=\"confirm-warning\""), "no admin among them: {html}");
    for id in &ids {
        assert!(html.contains(&format!("name=\"ids\" value=\"{id}\"")), "{id} posted again: {html}");
    }
    assert!(html.contains("name=\"confirmed\" value=\"yes\""), "{html}");
    assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{}", org.ann)).await.1["status"], "active");

    // A forged token changes nothing.
    let res = admin.post(app.url("/admin/users/bulk")).form(&form("forged", "suspend")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{}", org.ann)).await.1["status"], "active");

    let res = admin.post(app.url("/admin/users/bulk")).form(&form(&csrf, "suspend")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("2 done, 1 refused."), "{html}");
    // Ann (active) and Eve (invited: her invitation is revoked with it) are suspended.
    for (user, name) in [(org.ann, "Ann Archer"), (org.eve, "Eve")] {
        let row = result_row(&html, &user.to_string());
        assert!(row.contains(name) && row.contains(">done<"), "{row}");
    }
    let dan = result_row(&html, &org.dan.to_string());
    assert!(dan.contains("Dan") && dan.contains("refused: ") && !dan.contains(">done<"), "{dan}");
    let reason = dan.split("refused: ").nth(1).unwrap();
    assert!(reason.trim_start().len() > "</td>".len(), "Dan (already suspended) has a reason: {dan}");
    assert!(html.contains("href=\"/admin/users?status=active\""), "a link back to the filtered list");
    for user in [org.ann, org.eve] {
        assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{user}")).await.1["status"], "suspended");
    }

    // No selection: back to the same list, with a message.
    let res = admin
        .post(app.url("/admin/users/bulk"))
        .form(&[("csrf", csrf.as_str()), ("back", "/admin/users?status=active"), ("action", "suspend")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(to, "/admin/users?status=active&notice=none_selected");
    let html = app.get(&admin, &to).await.text().await.unwrap();
    assert!(html.contains("Select at least one user"), "{html}");

    // Add to group needs a group; with one, the members join.
    let res = admin.post(app.url("/admin/users/bulk")).form(&form(&csrf, "add_to_group")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let mut with_group = form(&csrf, "add_to_group");
    with_group.retain(|(k, _)| *k != "group_id");
    with_group.push(("group_id", org.alpha_team.to_string()));
    let res = admin.post(app.url("/admin/users/bulk")).form(&with_group).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(result_row(&html, &org.dan.to_string()).contains(">done<"), "dan joins Alpha Team: {html}");
    assert!(result_row(&html, &org.eve.to_string()).contains("refused: "), "eve is not in Alpha: {html}");
});

on_both_backends!(a_bulk_action_on_many_names_the_first_few_and_warns_of_admins_among_them, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let csrf = csrf_of(&app.get(&admin, "/admin/users").await.text().await.unwrap());
    let chosen = [org.ann, org.bob, org.cat, org.dan, org.eve, org.member, org.alpha_admin, org.auditor];
    let mut form: Vec<(&str, String)> =
        vec![("csrf", csrf.clone()), ("back", "/admin/users".to_owned()), ("action", "delete".to_owned())];
    form.extend(chosen.iter().map(|id| ("ids", id.to_string())));
    let res = admin.post(app.url("/admin/users/bulk")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Delete 8 users?") && html.contains("… and 3 more"), "{html}");
    let warning = html.split("id=\"confirm-warning\"").nth(1).expect("a warning about admins");
    let warning = &warning[..warning.find("</p>").unwrap()];
    assert!(warning.contains("2 of them hold an admin role"), "{warning}");
    let (_, alpha) = app.get_json(&admin, &format!("/api/v1/users/{}", org.alpha_admin)).await;
    assert!(warning.contains(alpha["account_role"].as_str().unwrap()), "names the role: {warning}");
    // Nothing was deleted by asking.
    for id in chosen {
        assert_eq!(app.get_json(&admin, &format!("/api/v1/users/{id}")).await.0, StatusCode::OK);
    }
});

on_both_backends!(the_list_links_its_export_with_the_filters_and_each_row_to_delete, |app| async move {
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let html = app.get(&admin, "/admin/users?q=archer&status=active&sort=email&order=desc&cursor=").await;
    let html = html.text().await.unwrap();
    let marker = "id=\"export-csv\"";
    assert!(html.contains(marker), "an export link");
    let export = html.split("href=\"/api/v1/users/export").nth(1).expect("the export href");
    // The attribute's `&` arrives as a character reference (`&#38;` or `&amp;`), as a browser reads it.
    let export = format!("/api/v1/users/export{}", &export[..export.find('"').unwrap()])
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(export.contains("q=archer") && export.contains("status=active"), "{export}");
    assert!(export.contains("sort=email") && export.contains("order=desc") && !export.contains("cursor"), "{export}");
    let res = app.get(&admin, &export).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.text().await.unwrap();
    assert!(csv.contains("ann.archer@example.com") && !csv.contains("bob."), "{csv}");

    let html = app.get(&admin, "/admin/users").await.text().await.unwrap();
    for u in [org.ann, org.bob, org.cat, org.dan, org.eve] {
        assert!(html.contains(&format!("href=\"/admin/users/{u}/delete\"")), "a delete link for {u}");
    }
    assert!(html.contains("class=\"row-delete\""));
    // A viewer without users.delete gets no delete links and no bulk controls.
    let viewer = app.login("alpha.admin@example.com", crate::support::app::PASSWORD).await;
    let html = app.get(&viewer, "/admin/users").await.text().await.unwrap();
    assert!(html.contains("Ann Archer") && !html.contains("/delete\"") && !html.contains("id=\"bulk-action\""));
});

/// A `multipart/form-data` body with the invite form's fields and `file` as `csv_file`.
pub fn invite_upload(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "roster-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("emails", ""), ("csv", "")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csv_file\"; filename=\"people.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

on_both_backends!(the_invite_page_takes_an_uploaded_csv_file, |app| async move {
    let admin = app.login_admin().await;
    let html = app.get(&admin, "/admin/users/invite").await.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("name=\"csv_file\""));
    let csrf = csrf_of(&html);
    let post = async |file: &[u8], token: &str| {
        let (content_type, body) = invite_upload(token, file);
        let res = admin
            .post(app.url("/admin/users/invite"))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("upload");
        (res.status(), res.text().await.unwrap_or_default())
    };

    let csv = b"\xEF\xBB\xBFemail,first_name,last_name\r\nzoe.zed@example.com,Zoe,Zed\r\nnot-an-email,No,Body\r\n";
    assert_eq!(post(csv, "forged").await.0, StatusCode::FORBIDDEN);
    let (status, html) = post(csv, &csrf).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("zoe.zed@example.com") && html.contains("invite-invited"), "{html}");
    assert!(html.contains("invite-invalid"), "the bad row is reported: {html}");
    let (_, users) = app.get_json(&admin, "/api/v1/users?q=zoe.zed").await;
    assert_eq!(users["items"][0]["status"], "invited", "{users}");

    // A row that is not UTF-8 is reported with its line; a UTF-16 file is refused whole.
    let (status, html) = post(b"email\r\n\xFF\xFEbad@example.com\r\n", &csrf).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<td>2</td><td></td><td>invalid</td><td>not UTF-8 text (byte 0xFF)"), "{html}");
    let (status, html) = post(b"\xFF\xFEe\0m\0a\0i\0l\0", &csrf).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("id=\"csv-file-error\"") && html.contains("not a UTF-8 CSV file"), "{html}");

    let mut big = b"email\r\n".to_vec();
    big.resize(5 * 1024 * 1024 + 10, b'a');
    let (status, html) = post(&big, &csrf).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("larger than 5 MB"), "{html}");
});
