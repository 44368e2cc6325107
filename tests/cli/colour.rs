//! Colour: on under a pseudo-terminal (util-linux `script`), off into a pipe, with NO_COLOR or
//! `--color=never`; coloured output reads exactly as the plain one, which is kubectl's.

use std::process::{Command, Stdio};

use kz_testserver::{TestServer, User};

use crate::support::{Sandbox, run};

/// kz run with `args` on a pseudo-terminal 200 columns wide, with `env` on top of the
/// sandbox's (NO_COLOR removed, TERM=xterm); what the terminal received, with `\r\n` as `\n`.
fn on_terminal(sandbox: &Sandbox, args: &str, env: &[(&str, &str)]) -> String {
    let kz = sandbox.kz();
    let mut script = Command::new("script");
    for (name, value) in kz.get_envs() {
        match value {
            Some(value) => script.env(name, value),
            None => script.env_remove(name),
        };
    }
    script
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("TERM", "xterm");
    for (name, value) in env {
        script.env(name, value);
    }
    let line = format!(
        "stty cols 200 rows 50; exec {} {args}",
        kz.get_program().to_string_lossy()
    );
    let output = script
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("run script");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n")
}

/// `text` without SGR sequences.
fn plain(text: &str) -> String {
    kz::ui::colour::strip(text)
}

/// `text` with each line's AGE (its last word, `0s`, `12m`) left out: two runs a second
/// apart may differ there.
fn without_ages(text: &str) -> String {
    // An age: `7s`, `5m10s`, `3d` — digits and a unit, once or more.
    let is_age = |word: &str| {
        let mut rest = word;
        while !rest.is_empty() {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let unit = rest[digits..].chars().next();
            if digits == 0 || !unit.is_some_and(|u| "smhdy".contains(u)) {
                return false;
            }
            rest = &rest[digits + 1..];
        }
        !word.is_empty()
    };
    // Ages anywhere (describe's Events table has them mid-line), and the blanks around them:
    // a wider age moves the columns after it.
    text.lines()
        .map(|line| {
            line.split_whitespace()
                .map(|word| if is_age(word) { "AGE" } else { word })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn get_pods_on_a_terminal_is_coloured_and_reads_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let piped = run(sandbox.kz(), &["get", "pods", "-n", "shop"]);
    let piped = piped.success();
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, &["get", "pods", "-n", "shop"]);
        assert_eq!(without_ages(piped), without_ages(kubectl.success()));
    }
    let coloured = on_terminal(&sandbox, "get pods -n shop", &[]);
    assert_eq!(
        without_ages(&plain(&coloured)),
        without_ages(piped),
        "colour only adds escape sequences"
    );
    let header = coloured.lines().next().expect("a header");
    assert!(header.starts_with("\x1b[1mNAME "), "{coloured:?}");
    assert!(coloured.contains("\x1b[32mRunning\x1b[0m"), "{coloured:?}");
}

#[test]
fn no_colour_in_a_pipe_with_no_color_or_with_color_never() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut kz = sandbox.kz();
    kz.env_remove("NO_COLOR").env("TERM", "xterm");
    let piped = run(kz, &["get", "pods", "-n", "shop"]);
    assert!(!piped.success().contains('\x1b'), "{piped:?}");
    for (args, env) in [
        ("get pods -n shop", &[("NO_COLOR", "1")][..]),
        ("--color=never get pods -n shop", &[]),
        ("get pods -n shop", &[("TERM", "dumb")]),
    ] {
        let output = on_terminal(&sandbox, args, env);
        assert!(!output.contains('\x1b'), "{args} {env:?}: {output:?}");
        assert_eq!(
            without_ages(&output),
            without_ages(&piped.stdout),
            "{args} {env:?}"
        );
    }
    let mut forced = sandbox.kz();
    forced.env_remove("NO_COLOR");
    let always = run(forced, &["--color=always", "get", "pods", "-n", "shop"]);
    assert!(always.success().contains("\x1b[1mNAME"), "{always:?}");
}

#[test]
fn describe_keys_and_yaml_keys_are_coloured_on_a_terminal() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    for (args, painted) in [
        ("describe deploy -n shop", "\x1b[36mName:\x1b[0m"),
        ("get deploy -n shop -o yaml", "\x1b[36mapiVersion\x1b[0m: "),
    ] {
        let words: Vec<&str> = args.split(' ').collect();
        let piped = run(sandbox.kz(), &words);
        let coloured = on_terminal(&sandbox, args, &[]);
        assert!(coloured.contains(painted), "{args}: {coloured}");
        assert_eq!(
            without_ages(&plain(&coloured)),
            without_ages(piped.success()),
            "{args}"
        );
    }
    let json = on_terminal(&sandbox, "get deploy -n shop -o json", &[]);
    assert!(!json.contains('\x1b'), "JSON is for programs: {json}");
}
