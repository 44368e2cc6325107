use std::process::{Command, Stdio};

use kz_testserver::{TestServer, User};

use crate::support::{Run, Sandbox, run};

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

/// A mistyped command gets kubectl's suggestions (commands within two edits, or starting with
/// what was typed), where kubectl names the same command.
#[test]
fn a_mistyped_command_suggests_what_kubectl_suggests() {
    for (typed, suggested) in [
        ("gte", "tip: a similar subcommand exists: 'get'"),
        ("confg", "tip: a similar subcommand exists: 'config'"),
        (
            "des",
            "tip: some similar subcommands exist: 'get', 'describe'",
        ),
    ] {
        let out: Run = kz().args([typed, "pods"]).output().expect("run kz").into();
        assert_eq!(out.code, Some(1), "{typed}");
        assert!(out.stdout.is_empty(), "{typed}");
        assert!(
            out.stderr.starts_with(&format!(
                "error: unrecognized subcommand '{typed}'\n\n  {suggested}\n"
            )),
            "{typed}: {}",
            out.stderr
        );
        let Some(kubectl) = Sandbox::new().kubectl() else {
            continue;
        };
        let kubectl = run(kubectl, &[typed]);
        let first = suggested.split('\'').nth(1).expect("a name");
        assert!(
            kubectl.stderr.contains("Did you mean this?")
                && kubectl.stderr.contains(&format!("\t{first}\n")),
            "kubectl {typed}: {}",
            kubectl.stderr
        );
    }
}

/// Runs `command` with `args` and a stderr nobody reads: a pipe whose read end is already
/// closed, so every write to it fails with a broken pipe.
#[cfg(unix)]
fn run_with_broken_stderr(mut command: Command, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(writer))
        .output()
        .expect("run command")
        .into()
}

/// Runs `command` with `args` and stderr closed, as `2>&-` does in a shell.
#[cfg(unix)]
fn run_with_closed_stderr(command: Command, args: &[&str]) -> Run {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(r#"exec "$0" "$@" 2>&-"#)
        .arg(command.get_program())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => shell.env(name, value),
            None => shell.env_remove(name),
        };
    }
    shell.output().expect("run command").into()
}

/// Whatever happens to stderr, kz keeps its exit code and its stdout, and does not crash.
#[cfg(unix)]
#[test]
fn a_closed_or_broken_stderr_changes_neither_exit_code_nor_stdout() {
    let server = TestServer::builder().empty().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let cases: [(&[&str], i32); 4] = [
        // Success, with a request trace on stderr.
        (
            &["get", "namespace", "kube-system", "-o", "name", "-v=6"],
            0,
        ),
        // Success, with only a notice on stderr.
        (&["get", "configmaps", "-n", "nowhere"], 0),
        // One object found, then the error for the other.
        (
            &[
                "get",
                "namespaces",
                "kube-system",
                "nosuch",
                "-o",
                "name",
                "-v=6",
            ],
            1,
        ),
        // Several errors, each printed by get itself.
        (&["get", "namespaces", "nosuch", "nothere"], 1),
    ];
    for (args, code) in cases {
        let open = run(sandbox.kz(), args);
        assert_eq!(open.code, Some(code), "{args:?}: {open:#?}");
        assert!(
            !open.stderr.is_empty(),
            "{args:?} writes to stderr: {open:#?}"
        );
        let broken = run_with_broken_stderr(sandbox.kz(), args);
        assert_eq!(
            broken.code,
            Some(code),
            "{args:?}, broken stderr: {broken:#?}"
        );
        assert_eq!(broken.stdout, open.stdout, "{args:?}, broken stderr");
        let closed = run_with_closed_stderr(sandbox.kz(), args);
        assert_eq!(
            closed.code,
            Some(code),
            "{args:?}, closed stderr: {closed:#?}"
        );
        assert_eq!(closed.stdout, open.stdout, "{args:?}, closed stderr");
        assert_eq!(
            closed.stderr, "",
            "{args:?}: the shell itself printed nothing"
        );
    }
}
