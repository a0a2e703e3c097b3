//! scim2-tester (PyPI, pinned in `scim_tester/requirements.txt`, installed by `.ci/run`)
//! against a seeded server, on both backends: every check passes or is skipped; none
//! errs. The Python it runs is `$SCIM_TESTER_PYTHON` (else `python3`); without the tester
//! the test is skipped, except under `CI=true`, where that fails it.

use crate::on_both_backends;
use crate::scim::{PROVISIONING, token};
use std::process::Command;

fn python() -> String {
    std::env::var("SCIM_TESTER_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether the tester can be imported; `false` (skip) only outside CI.
fn tester_installed() -> bool {
    let ok = Command::new(python()).args(["-c", "import scim2_tester"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "scim2-tester is missing: pip install -r crates/roster/tests/scim_tester/requirements.txt and set SCIM_TESTER_PYTHON"
        );
        eprintln!("skipped: scim2-tester is not installed for {}", python());
    }
    ok
}

on_both_backends!(scim2_tester_finds_no_failure, |app| async move {
    if !tester_installed() {
        return;
    }
    app.seed_org().await;
    let root = app.login_admin().await;
    // Seeded as an identity provider would find it: SSO on (provisioned users are active).
    crate::support::oidc::force_sso_on(&app).await;
    let secret = token(&app, &root, PROVISIONING).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scim_tester/check.py");
    let base = app.url("/scim/v2");
    let out = tokio::task::spawn_blocking(move || Command::new(python()).args([script, &base, &secret]).output())
        .await
        .expect("join")
        .expect("run the tester");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "scim2-tester found failures:\n{stdout}\n{stderr}");
    assert!(stdout.contains("SUCCESS"), "the tester ran checks:\n{stdout}");
});
