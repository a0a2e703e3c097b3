//! CI runs the benchmark harness in its quick mode (10k users, a second per workload, on
//! SQLite and PostgreSQL): every workload must run and answer correctly. Timings are
//! reported, never asserted.

use serde_json::Value;
use std::process::Command;

/// Workloads every backend must report (names as the harness prints them, by prefix).
const EXPECTED: &[&str] = &[
    "list sort=name",
    "list sort=email",
    "list sort=status",
    "list sort=last_login",
    "list sort=created",
    "filter status=locked",
    "filter role=member",
    "filter role=master_admin (nobody)",
    "filter role=primary_master_admin (one)",
    "filter workspace",
    "filter group",
    "filter builder_access",
    "keyset page at row",
    "search email prefix",
    "search rare infix",
    "search common infix",
    "search 1 letter",
    "search 2 letters",
    "search absent",
    "search 'son' + status",
    "get user",
    "sessions tab",
    "groups list (API)",
    "groups page /admin/groups",
    "group members page",
    "sign-in right password",
    "sign-in wrong password",
    "sign-in burst right",
    "sign-in burst wrong",
    "/healthz throughput",
    "/me throughput",
    "/me alone",
    "/me while an export loops",
    "export all",
    "import ",
    "kill → next request refused",
];

#[test]
fn the_quick_benchmark_runs_every_workload_correctly_on_both_backends() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-quick-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_roster-bench"))
        .args(["--quick", "--drop-datasets", "--backend", "sqlite,postgres", "--data-dir"])
        .arg(&dir)
        .output()
        .expect("roster-bench runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "roster-bench --quick failed:\n{stderr}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("results-quick.json")).unwrap()).unwrap();
    let markdown = std::fs::read_to_string(dir.join("results-quick.md")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(markdown.contains("| workload |") && markdown.contains("load average"), "the Markdown table is written");
    let rows = json["rows"].as_array().unwrap();
    let pg_required = std::env::var("CI").is_ok_and(|v| v == "true");
    let backends: &[&str] = if pg_required || rows.iter().any(|r| r["backend"] == "postgres") {
        &["sqlite", "postgres"]
    } else {
        &["sqlite"]
    };
    for backend in backends {
        for name in EXPECTED {
            let row = rows
                .iter()
                .find(|r| r["backend"] == *backend && r["workload"].as_str().is_some_and(|w| w.starts_with(name)))
                .unwrap_or_else(|| panic!("{backend}: no workload {name:?}"));
            assert_eq!(row["ok"], true, "{backend} {name}: {}", row["check"]);
            assert!(row["requests"].as_u64().unwrap() > 0, "{backend} {name} sent no request");
        }
    }
    assert!(json["machine"]["cores"].as_u64().unwrap() > 0);
    assert!(json["machine"]["load_at_start"].as_array().is_some_and(|l| l.len() == 3));
}
