//! The benchmark suite's smoke run: `SMOKE=1 benches/run.sh` — every case of the suite, at
//! 1,000 pods and small counts, one run each, with the binaries under test. Its figures mean
//! nothing (debug builds, a shared machine, one run); what it checks is that every case still
//! runs to the end for kz, kubectl and curl, and that kz prints what kubectl prints in each.
//! The full suite is manual (benches/README.md).

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

use crate::binaries::kz_binary;
use crate::kubectl::kubectl_may_run;

/// A row of the suite's table for each case, by the start of its command cell.
const CASES: &[&str] = &[
    "| startup | `version --client`",
    "| discovery | `get pods -n bench-0, cold cache",
    "| discovery | `api-resources, cold cache",
    "| discovery | `get widgets7 -n bench-0, cold cache",
    "| discovery | `get pods -n bench-0, warm cache",
    "| get 1000 | `get pods -A, cold cache`",
    "| get 1000 | `get pods -A`",
    "| get 1000 | `get pods -A -o json`",
    "| get 1000 | `get pods -A -o yaml`",
    "| get 1000 | `get pods -A -o name`",
    "| get 1000 | `get pods -A -o jsonpath=",
    "| get 1000 | `get pods -A -o custom-columns=",
    "| get 1000 | `get all -A`",
    "| describe | `describe pods -l app=app-0",
    "| describe | `describe node fake-node-1",
    "| apply | `apply -f` of 100 ConfigMaps, create",
    "| apply | `apply -f` of 100 ConfigMaps, unchanged",
    "| apply | `apply -f` of 100 ConfigMaps, changed",
    "| rollout | `rollout status deployment -l bench=rollout",
    "| logs | `logs -l … -f",
    "| delete | `delete configmaps -l app=bench-delete",
];

/// What the last cell of a compared row says when kz printed what kubectl printed.
const AGREEMENT: &[&str] = &["identical", "same lines", "same result"];

#[test]
fn the_benchmark_suite_runs_every_case_and_kz_prints_what_kubectl_prints() {
    if !kubectl_may_run("the benchmark smoke run") {
        return;
    }
    let dir = TempDir::new().expect("temp dir");
    let results = dir.path().join("results.md");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/run.sh");
    let output = Command::new("bash")
        .arg(&script)
        .env("SMOKE", "1")
        .env("KZ", kz_binary())
        .env("TESTSERVER", env!("CARGO_BIN_EXE_kz-testserver"))
        .env("RESULTS", &results)
        .env("TMPDIR", dir.path())
        .env("HOME", dir.path())
        .env_remove("KUBECONFIG")
        .env_remove("KZ_CACHE_DIR")
        .env_remove("ONLY")
        .output()
        .expect("run benches/run.sh");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let table = std::fs::read_to_string(&results).unwrap_or_default();
    assert!(
        output.status.success(),
        "the smoke run failed:\n{stderr}\n{table}"
    );

    for case in CASES {
        let rows: Vec<&str> = table.lines().filter(|l| l.starts_with(case)).collect();
        assert_eq!(rows.len(), 1, "one row for {case} in:\n{table}");
        let row = rows[0];
        assert!(!row.contains("FAIL"), "a command failed: {row}");
        let compared = !case.starts_with("| startup");
        let verdict = row
            .trim_end_matches(" |")
            .rsplit(" | ")
            .next()
            .unwrap_or("");
        assert!(
            !compared || AGREEMENT.iter().any(|word| verdict.starts_with(word)),
            "kz and kubectl printed differently: {row}"
        );
    }
    // The two paged floors, and nothing the list above does not know.
    let rows = table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| group") && !l.starts_with("| ---"))
        .count();
    assert_eq!(rows, CASES.len() + 2, "the table's rows:\n{table}");
}
