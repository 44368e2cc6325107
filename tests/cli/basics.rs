use std::process::Command;

fn kz() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kz"))
}

#[test]
fn version_flag_prints_package_version() {
    let out = kz().arg("--version").output().expect("run kz");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.trim(), format!("kz {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_flag_fails_with_usage_and_kubectls_exit_code() {
    let out = kz().arg("--no-such-flag").output().expect("run kz");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-flag"));
}
