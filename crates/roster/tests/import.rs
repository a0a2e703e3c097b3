//! `roster user import FILE.csv`: the binary invites valid rows, reports refused ones by
//! line number, and writes one invitation email per invited user.

use std::process::Command;

fn roster(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("ROSTER_DATABASE_URL")
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// An unknown `--workspace` fails before any row, naming the flag (it used to refuse every
/// row one by one and exit 0); a wrong data directory fails without creating a database.
#[test]
fn import_refuses_an_unknown_workspace_and_a_missing_database_up_front() {
    let dir = std::env::temp_dir().join(format!("roster-import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    roster(&dir, &["demo", "--users", "10"]);
    let csv = dir.join("people.csv");
    std::fs::write(&csv, "email,first_name,last_name,workspace,groups\nzed.zimmer@example.com,Zed,Zimmer,,\n").unwrap();
    let run = |data_dir: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["user", "import", csv.to_str().unwrap(), "--no-email", "--workspace", "Nope"])
            .arg("--data-dir")
            .arg(data_dir)
            .env_remove("ROSTER_DATABASE_URL")
            .output()
            .expect("the binary runs")
    };
    let out = run(&dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("--workspace") && err.contains("\"Nope\""), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "no row was tried");
    let elsewhere = dir.join("typo");
    let out = run(&elsewhere);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no Roster database at"));
    assert!(!elsewhere.exists(), "nothing created");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn import_invites_valid_rows_and_reports_refused_ones_by_line() {
    let dir = std::env::temp_dir().join(format!("roster-import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    roster(&dir, &["demo", "--users", "10"]);
    let csv = dir.join("people.csv");
    std::fs::write(
        &csv,
        "email,first_name,last_name,workspace,groups\n\
         zed.zimmer@example.com,Zed,Zimmer,,Managers;New hires\n\
         not-an-email,Bad,Row,,\n\
         yan.young@example.com,Yan,Young,Support,Everyone\n\
         admin@example.com,Already,There,,\n\
         xia.xu@example.com,Xia,Xu,Nowhere,\n",
    )
    .unwrap();
    let out = roster(&dir, &["user", "import", csv.to_str().unwrap(), "--workspace", "Sales"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 invited, 0 re-sent (still invited, never emailed), 1 already users, 2 refused"),
        "{stdout}"
    );
    assert!(stdout.contains("line 3: not-an-email: invalid: email: must contain @"), "{stdout}");
    assert!(stdout.contains("line 6: xia.xu@example.com: invalid") && stdout.contains("Nowhere"), "{stdout}");
    assert!(stdout.contains("line 5: admin@example.com: exists: already a user (user "), "{stdout}");
    let mails = std::fs::read_dir(dir.join("outbox")).unwrap().count();
    assert_eq!(mails, 2, "one invitation email per invited user");
    // Running it again invites nobody twice.
    let out = roster(&dir, &["user", "import", csv.to_str().unwrap(), "--workspace", "Sales", "--no-email"]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("0 invited, 0 re-sent (still invited, never emailed), 3 already users, 2 refused")
    );

    // Imported without email, then again with: the row still invited and never emailed is
    // sent its invitation, once.
    let later = dir.join("later.csv");
    std::fs::write(&later, "email,first_name,last_name,workspace,groups\nwen.wu@example.com,Wen,Wu,,\n").unwrap();
    let args = ["user", "import", later.to_str().unwrap(), "--workspace", "Sales"];
    let out = roster(&dir, &[&args[..], &["--no-email"]].concat());
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 invited, 0 re-sent"));
    let out = String::from_utf8_lossy(&roster(&dir, &args).stdout).into_owned();
    assert!(out.contains("0 invited, 1 re-sent (still invited, never emailed), 0 already users"), "{out}");
    assert!(out.contains("line 2: wen.wu@example.com: resent: still invited"), "{out}");
    let eml = |dir: &std::path::Path| std::fs::read_dir(dir.join("outbox")).unwrap().count();
    assert_eq!(eml(&dir), 3, "the re-sent invitation was delivered before the command ended");
    let out = String::from_utf8_lossy(&roster(&dir, &args).stdout).into_owned();
    assert!(out.contains("0 invited, 0 re-sent (still invited, never emailed), 1 already users"), "{out}");
    assert_eq!(eml(&dir), 3, "nothing twice");
    std::fs::remove_dir_all(&dir).ok();
}

/// Files as spreadsheets save them, each with the report both the page and the command
/// give, line by line (`<id>` stands for a user id).
fn spreadsheet_files() -> Vec<(&'static str, Vec<u8>, Vec<&'static str>)> {
    vec![
        (
            // Excel "CSV UTF-8": BOM, CRLF, a quoted field over two lines, a blank line,
            // a known address, a bad one, an unknown workspace.
            "crlf.csv",
            b"\xEF\xBB\xBFemail,first_name,last_name,workspace\r\n\
              una.crlf@example.com,Una,Crlf,\r\n\
              \r\n\
              vic.crlf@example.com,\"Vic\r\nVictor\",Crlf,Alpha\r\n\
              not-an-email,Bad,Row,\r\n\
              ann.archer@example.com,Ann,Archer,\r\n\
              wes.crlf@example.com,Wes,Crlf,Nowhere\r\n"
                .to_vec(),
            vec![
                "line 2: una.crlf@example.com: invited: invited; invitation email queued for delivery",
                "line 4: vic.crlf@example.com: invalid: first_name: must be a single line",
                "line 6: not-an-email: invalid: email: must contain @",
                "line 7: ann.archer@example.com: exists: already a user (user <id>); not invited again",
                "line 8: wes.crlf@example.com: invalid: workspace: there is no workspace named \"Nowhere\"",
            ],
        ),
        (
            // Excel where the decimal mark is a comma: `;`-separated, groups quoted.
            "semicolon.csv",
            b"email;first_name;last_name;workspace;groups\r\n\
              una.semi@example.com;Una;Semi;Alpha;\"Alpha Team\"\r\n\
              vic.semi@example.com;Vic;Semi;;\r\n"
                .to_vec(),
            vec![
                "line 2: una.semi@example.com: invited: invited; invitation email queued for delivery",
                "line 3: vic.semi@example.com: invited: invited; invitation email queued for delivery",
            ],
        ),
        (
            // "Text (Tab delimited)", LF, header words as people type them.
            "tab.txt",
            b"Email\tFirst Name\tLast Name\nuna.tab@example.com\tUna\tTab\n\nvic.tab@example.com\tVic\tTab\n".to_vec(),
            vec![
                "line 2: una.tab@example.com: invited: invited; invitation email queued for delivery",
                "line 4: vic.tab@example.com: invited: invited; invitation email queued for delivery",
            ],
        ),
        (
            // Plain "CSV" from Excel on Windows: Windows-1252 (Zoë, Müller).
            "windows-1252.csv",
            b"email,first_name,last_name\r\nuna.cp@example.com,Una,Cp\r\nzoe.cp@example.com,Zo\xEB,M\xFCller\r\nvic.cp@example.com,Vic,Cp\r\n"
                .to_vec(),
            vec![
                "line 2: una.cp@example.com: invited: invited; invitation email queued for delivery",
                "line 3: invalid: not UTF-8 text (byte 0xEB): the file looks saved as Windows-1252 or Latin-1; save it as \"CSV UTF-8\" and import it again",
                "line 4: vic.cp@example.com: invited: invited; invitation email queued for delivery",
            ],
        ),
    ]
}

/// `user <uuid>` → `user <id>`.
fn without_ids(line: &str) -> String {
    let mut out = line.to_owned();
    while let Some(at) = out.find("(user ").map(|i| i + 6)
        && out.len() >= at + 36
        && uuid::Uuid::parse_str(&out[at..at + 36]).is_ok()
    {
        out.replace_range(at..at + 36, "<id>");
    }
    out
}

/// The invite page's result table as report lines.
fn page_report(html: &str) -> Vec<String> {
    let unescape =
        |s: &str| s.replace("&#34;", "\"").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    let Some(start) = html.find("<tbody>") else { return Vec::new() };
    let body = &html[start..html[start..].find("</tbody>").map_or(html.len(), |e| start + e)];
    body.split("<tr class=\"invite-")
        .skip(1)
        .map(|row| {
            let cells: Vec<String> =
                row.split("<td>").skip(1).map(|c| unescape(c.split(['<']).next().unwrap_or_default().trim())).collect();
            match cells[1].as_str() {
                "" => format!("line {}: {}: {}", cells[0], cells[2], cells[3]),
                email => format!("line {}: {email}: {}: {}", cells[0], cells[2], cells[3]),
            }
        })
        .map(|l| without_ids(&l))
        .collect()
}

/// The same spreadsheet files through the invite page (one app) and `roster user import`
/// (another, seeded alike): the same report, line for line, in file order, with the
/// file's own line numbers.
async fn the_page_and_the_command_line_report_a_file_alike(backend: store::Backend) {
    use crate::list_bulk_pages::{csrf_of, invite_upload};
    let Some(web) = crate::support::spawn_app(backend).await else { return };
    let Some(cli) = crate::support::spawn_app(backend).await else { return };
    web.seed_org().await;
    cli.seed_org().await;
    let admin = web.login_admin().await;
    let csrf = csrf_of(&web.get(&admin, "/admin/users/invite").await.text().await.unwrap());
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes, want) in spreadsheet_files() {
        let (content_type, body) = invite_upload(&csrf, &bytes);
        let res = admin
            .post(web.url("/admin/users/invite"))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK, "{name}");
        let on_page = page_report(&res.text().await.unwrap());

        let file = dir.join(name);
        std::fs::write(&file, &bytes).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args([
                "user",
                "import",
                file.to_str().unwrap(),
                "--account",
                "default",
                "--workspace",
                "Default",
                "--no-email",
            ])
            .arg("--database-url")
            .arg(cli.config().database_url)
            .arg("--data-dir")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let from_cli: Vec<String> = stdout
            .lines()
            .filter(|l| l.starts_with("line "))
            .map(|l| {
                without_ids(&l.replace("invited (no email sent)", "invited; invitation email queued for delivery"))
            })
            .collect();
        assert_eq!(on_page, want, "{name}: the page");
        assert_eq!(from_cli, want, "{name}: the command line:\n{stdout}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

mod the_page_and_the_command_line_report_a_file_alike {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::the_page_and_the_command_line_report_a_file_alike(store::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::the_page_and_the_command_line_report_a_file_alike(store::Backend::Postgres).await;
    }
}

#[test]
fn a_file_refused_as_a_whole_names_its_separator_or_encoding() {
    let dir = std::env::temp_dir().join(format!("roster-import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    roster(&dir, &["demo", "--users", "3"]);
    for (bytes, want) in [
        (&b"mail;first_name\r\nann@x.org;Ann\r\n"[..], "looks separated by ';'"),
        (&b"\xFF\xFEe\0m\0a\0i\0l\0\r\0\n\0"[..], "UTF-16"),
    ] {
        let file = dir.join("refused.csv");
        std::fs::write(&file, bytes).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["user", "import", file.to_str().unwrap(), "--data-dir"])
            .arg(&dir)
            .env_remove("ROSTER_DATABASE_URL")
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `roster user import` of a deleted user's address says so, with the user and the date
/// until which they can be restored (issue 11 point 3: API, page and CLI agree).
async fn the_command_line_names_a_deleted_users_address(backend: store::Backend) {
    let Some(app) = crate::support::spawn_app(backend).await else { return };
    let org = app.seed_org().await;
    let admin = app.login_admin().await;
    let path = format!("/api/v1/users/{}", org.bob);
    let (status, body) = app.send(&admin, reqwest::Method::DELETE, &path, None).await;
    assert!(status.is_success(), "{body}");
    let dir =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("again.csv");
    std::fs::write(&file, "email\nbob.baker@example.com\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["user", "import", file.to_str().unwrap(), "--account", "default", "--no-email"])
        .arg("--database-url")
        .arg(app.config().database_url)
        .arg("--data-dir")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|l| l.starts_with("line 2: ")).unwrap_or_default();
    assert!(line.contains("exists") && line.contains("belongs to a deleted user"), "{stdout}");
    assert!(line.contains(&org.bob.to_string()) && line.contains("restorable until"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

mod the_command_line_names_a_deleted_users_address {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::the_command_line_names_a_deleted_users_address(store::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::the_command_line_names_a_deleted_users_address(store::Backend::Postgres).await;
    }
}
