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
