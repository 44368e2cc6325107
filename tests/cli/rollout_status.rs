//! `kz rollout status` against the test server's controllers: kubectl's lines in kubectl's
//! order (each state once), the final line and exit codes, compared with the real kubectl;
//! and the waits kubectl cannot survive — a watch cut mid-rollout, a 410 — still complete.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use kz_testserver::{Fault, ObjectKey, TestServer, User};
use serde_json::json;

use crate::compare::like_kubectl;
use crate::support::{Run, Sandbox, fixture_stdout, run};

/// How long to wait for a line before the test fails (never a fixed sleep).
const PATIENCE: Duration = Duration::from_secs(20);

/// Deployment `web`: 3 replicas, and a progress deadline of `{deadline}` seconds.
const WEB: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: default
  labels:
    tier: front
spec:
  replicas: 3
  progressDeadlineSeconds: {deadline}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: web
        image: httpd:2.4
";

fn deployment(name: &str, deadline: u32) -> String {
    WEB.replace("{name}", name)
        .replace("{deadline}", &deadline.to_string())
}

/// A frozen server with Deployment `web` (3 replicas) rolled out, then given a new image:
/// the rollout waits for the controller's next steps.
fn rolling_web() -> TestServer {
    let server = TestServer::builder().frozen().start();
    server.create(&deployment("web", 600)).expect("create web");
    server.controller().step(10);
    set_image(&server, "httpd:2.5");
    server
}

fn set_image(server: &TestServer, image: &str) {
    let key = ObjectKey::new("apps", "deployments", "default", "web");
    let mut web = (*server.store().get(&key).expect("web")).clone();
    web["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
    server.store().update(&key, web).expect("update web");
}

/// A running `kz rollout status`, its stdout read line by line on a thread.
struct Waiting {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Waiting {
    fn start(sandbox: &Sandbox, args: &[&str]) -> Waiting {
        let mut child = sandbox
            .kz()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kz");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Waiting {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    #[track_caller]
    fn next(&mut self) -> String {
        let line = self
            .lines
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|err| panic!("no line ({err}); so far: {:?}", self.seen));
        self.seen.push(line.clone());
        line
    }

    /// Waits for the process to end; every line it printed, and how it exited.
    fn finish(mut self) -> (Vec<String>, Run) {
        let output = self.child.wait_with_output().expect("wait for kz");
        self.seen.extend(self.lines.iter());
        let run = Run::from(output);
        (self.seen, run)
    }
}

/// Steps the controller one tick at a time, asking kubectl and kz `--watch=false` at each
/// state: the same line from both, every time. Returns the distinct lines in order.
fn replay_against_kubectl(server: &TestServer, sandbox: &Sandbox) -> Vec<String> {
    let args = ["rollout", "status", "deploy/web", "--watch=false"];
    let mut lines: Vec<String> = Vec::new();
    for _ in 0..20 {
        let stdout = like_kubectl(sandbox, &args);
        let line = stdout.trim_end().to_string();
        if lines.last() != Some(&line) {
            lines.push(line.clone());
        }
        if line.ends_with("successfully rolled out") {
            return lines;
        }
        server.controller().step(1);
    }
    panic!("the rollout did not finish: {lines:?}");
}

#[track_caller]
fn assert_no_repeats(lines: &[String]) {
    for pair in lines.windows(2) {
        assert_ne!(pair[0], pair[1], "a line repeated: {lines:?}");
    }
}

#[test]
fn each_state_of_a_rollout_reads_as_kubectl_says_it() {
    let server = rolling_web();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let lines = replay_against_kubectl(&server, &sandbox);
    assert_eq!(
        lines,
        [
            "Waiting for deployment spec update to be observed...",
            "Waiting for deployment \"web\" rollout to finish: 0 out of 3 new replicas have been updated...",
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...",
            "Waiting for deployment \"web\" rollout to finish: 2 out of 3 new replicas have been updated...",
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...",
            "deployment \"web\" successfully rolled out",
        ]
    );
}

#[test]
fn a_slow_rollout_prints_each_state_once_in_order_then_the_final_line() {
    let server = rolling_web();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut waiting = Waiting::start(&sandbox, &["rollout", "status", "deploy/web"]);
    let first = waiting.next();
    // The same states, stepped without kz watching, on a second server.
    let replay_server = rolling_web();
    let replay_sandbox = Sandbox::for_server(&replay_server, &User::admin());
    let states = replay_against_kubectl(&replay_server, &replay_sandbox);
    assert_eq!(first, states[0]);
    for _ in 0..20 {
        server.controller().step(1);
    }
    let (lines, run) = waiting.finish();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stderr, "");
    assert_no_repeats(&lines);
    // Every line is one of the replayed states, in the replay's order.
    let mut position = 0;
    for line in &lines {
        let found = states[position..]
            .iter()
            .position(|state| state == line)
            .unwrap_or_else(|| panic!("{line:?} out of order; states {states:?}"));
        position += found;
    }
    assert_eq!(lines.last(), states.last());
}

#[test]
fn a_finished_rollout_prints_only_the_final_line_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    server.create(&deployment("web", 600)).expect("create web");
    server.controller().step(10);
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let stdout = like_kubectl(&sandbox, &["rollout", "status", "deployment/web"]);
    assert_eq!(stdout, "deployment \"web\" successfully rolled out\n");
}

#[test]
fn a_rollout_past_its_progress_deadline_fails_with_kubectls_message() {
    let server = TestServer::builder().frozen().start();
    server.create(&deployment("web", 1)).expect("create web");
    server.controller().step(10);
    set_image(&server, "httpd:broken");
    server.controller().step(8);
    server.controller().advance_clock(Duration::from_secs(2));
    server.controller().step(1);
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let args = ["rollout", "status", "deploy/web"];
    let kz = run(sandbox.kz(), &args);
    assert_eq!(kz.code, Some(1), "{kz:?}");
    assert_eq!(
        kz.stderr,
        "error: deployment \"web\" exceeded its progress deadline\n"
    );
    if let Some(kubectl) = sandbox.kubectl() {
        assert_eq!(kz, run(kubectl, &args));
    }
}

#[test]
fn a_rollout_that_does_not_finish_in_time_times_out() {
    let server = rolling_web();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let kz = run(
        sandbox.kz(),
        &["rollout", "status", "deploy/web", "--timeout=1s"],
    );
    assert_eq!(kz.code, Some(1), "{kz:?}");
    assert_eq!(kz.stderr, "error: timed out waiting for the condition\n");
    assert_eq!(kz.stdout.lines().count(), 1, "{kz:?}");
}

#[test]
fn a_watch_cut_mid_rollout_still_completes() {
    let server = rolling_web();
    server.inject(Fault::cut_stream_after(1).path_contains("watch=1").times(3));
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut waiting = Waiting::start(&sandbox, &["rollout", "status", "deploy/web"]);
    waiting.next();
    for _ in 0..20 {
        server.controller().step(1);
    }
    let (lines, run) = waiting.finish();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_no_repeats(&lines);
    assert_eq!(
        lines.last().map(String::as_str),
        Some("deployment \"web\" successfully rolled out")
    );
    let watches = server
        .requests()
        .into_iter()
        .filter(|r| r.query.contains("watch=1"))
        .count();
    assert!(watches >= 2, "the watch was resumed: {watches}");
}

#[test]
fn a_410_mid_rollout_still_completes() {
    let server = rolling_web();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut waiting = Waiting::start(&sandbox, &["rollout", "status", "deploy/web"]);
    waiting.next();
    server.controller().step(1);
    server.expire_history();
    for _ in 0..20 {
        server.controller().step(1);
    }
    let (lines, run) = waiting.finish();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_no_repeats(&lines);
    assert_eq!(
        lines.last().map(String::as_str),
        Some("deployment \"web\" successfully rolled out")
    );
}

#[test]
fn a_partitioned_stateful_set_reads_like_kubectl() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let stdout = like_kubectl(&sandbox, &["rollout", "status", "sts/cache", "-n", "shop"]);
    assert_eq!(stdout, fixture_stdout("rollout-status-sts.txt"));
}

#[test]
fn a_daemon_set_reads_like_kubectl() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let stdout = like_kubectl(
        &sandbox,
        &["rollout", "status", "ds/log-agent", "-n", "shop"],
    );
    assert_eq!(stdout, fixture_stdout("rollout-status-ds.txt"));
}

#[test]
fn several_deployments_are_waited_for_in_turn_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    for name in ["web", "api"] {
        server.create(&deployment(name, 600)).expect("create");
    }
    server.controller().step(10);
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let expected =
        "deployment \"api\" successfully rolled out\ndeployment \"web\" successfully rolled out\n";
    for args in [
        &["rollout", "status", "deploy"][..],
        &["rollout", "status", "deploy", "-l", "tier=front"][..],
    ] {
        assert_eq!(like_kubectl(&sandbox, args), expected, "{args:?}");
    }
    let named = like_kubectl(&sandbox, &["rollout", "status", "deploy", "web", "api"]);
    assert_eq!(
        named,
        "deployment \"web\" successfully rolled out\ndeployment \"api\" successfully rolled out\n"
    );
}

#[test]
fn kinds_without_a_rollout_and_missing_objects_fail_like_kubectl() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    for args in [
        &["rollout", "status", "deploy/missing", "-n", "shop"][..],
        &["rollout", "status", "svc", "-n", "shop"][..],
        &[
            "rollout", "status", "deploy", "-n", "shop", "-l", "app=none",
        ][..],
    ] {
        let kz = run(sandbox.kz(), args);
        assert_ne!(kz.stderr, "", "{args:?}: {kz:?}");
        if let Some(kubectl) = sandbox.kubectl() {
            assert_eq!(kz, run(kubectl, args), "{args:?}");
        }
    }
}

/// kz under a pseudo-terminal (util-linux `script`), its raw output collected on a thread.
struct OnTerminal {
    child: Child,
    output: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl OnTerminal {
    fn start(sandbox: &Sandbox, args: &str) -> OnTerminal {
        let kz = sandbox.kz();
        let line = format!(
            "stty cols 160 rows 20; exec {} {args}",
            kz.get_program().to_string_lossy()
        );
        let mut script = std::process::Command::new("script");
        for (name, value) in kz.get_envs() {
            match value {
                Some(value) => script.env(name, value),
                None => script.env_remove(name),
            };
        }
        let mut child = script
            .args(["-qfec", &line, "/dev/null"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn script");
        let mut stdout = child.stdout.take().expect("stdout");
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read) = std::io::Read::read(&mut stdout, &mut buffer) {
                if read == 0 {
                    break;
                }
                sink.lock()
                    .expect("output")
                    .extend_from_slice(&buffer[..read]);
            }
        });
        OnTerminal { child, output }
    }

    fn raw(&self) -> Vec<u8> {
        self.output.lock().expect("output").clone()
    }

    /// The screen as a terminal shows it after everything printed so far, row by row.
    fn screen(&self) -> String {
        let size = |n| std::num::NonZeroU16::new(n).expect("a size");
        let mut parser = vt100::Parser::new(size(20), size(160), 0);
        parser.process(&self.raw());
        let rows: Vec<String> = parser
            .screen()
            .rows(0, 160)
            .map(|row| row.trim_end().to_string())
            .collect();
        rows.join("\n")
    }

    /// Waits (up to PATIENCE) until the screen satisfies `done`.
    #[track_caller]
    fn until(&self, done: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the screen never got there:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn updated_replicas(server: &TestServer, name: &str) -> i64 {
    let key = ObjectKey::new("apps", "deployments", "default", name);
    let object = server.store().get(&key).expect("deployment");
    object["status"]["updatedReplicas"].as_i64().unwrap_or(0)
}

#[test]
fn on_a_terminal_bars_move_for_every_object_then_only_the_final_lines_remain() {
    let server = TestServer::builder().frozen().start();
    for name in ["web", "api"] {
        server.create(&deployment(name, 600)).expect("create");
    }
    server.controller().step(10);
    set_image(&server, "httpd:2.5");
    let key = ObjectKey::new("apps", "deployments", "default", "api");
    let mut api = (*server.store().get(&key).expect("api")).clone();
    api["spec"]["template"]["spec"]["containers"][0]["image"] = json!("httpd:2.5");
    server.store().update(&key, api).expect("update api");
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut terminal = OnTerminal::start(&sandbox, "rollout status deploy");
    terminal
        .until(|screen| screen.contains("deployment/api ") && screen.contains("deployment/web "));
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20 {
        server.controller().step(1);
        let updated = updated_replicas(&server, "web");
        let wanted = format!("] {updated}/3 ready [");
        let screen = terminal.until(|screen| {
            screen.contains("successfully rolled out")
                || screen
                    .lines()
                    .any(|line| line.starts_with("deployment/web ") && line.contains(&wanted))
        });
        if screen.contains("successfully rolled out") {
            break;
        }
        seen.insert(updated);
    }
    assert!(
        seen.contains(&0) && seen.contains(&2),
        "the updated bar moved: {seen:?}"
    );
    let status = terminal.child.wait().expect("wait for script");
    assert!(status.success(), "{status:?}");
    let screen = terminal.screen();
    assert_eq!(
        screen.trim_end(),
        "deployment \"api\" successfully rolled out\ndeployment \"web\" successfully rolled out",
        "only the final lines are left"
    );
    let raw = String::from_utf8_lossy(&terminal.raw()).into_owned();
    assert!(raw.contains("updated [░░░░░░] 0/3"), "{raw}");
    assert!(
        raw.contains("Waiting for deployment \"web\" rollout to finish"),
        "{raw}"
    );
    assert!(!raw.contains("\x1b[32m"), "no colour under NO_COLOR");
}

#[test]
fn objects_from_a_file_are_waited_for_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    server.create(&deployment("web", 600)).expect("create web");
    server.controller().step(10);
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let file = sandbox.path("web.yaml");
    std::fs::write(&file, deployment("web", 600)).expect("write manifest");
    let file = file.to_string_lossy().into_owned();
    let stdout = like_kubectl(&sandbox, &["rollout", "status", "-f", &file]);
    assert_eq!(stdout, "deployment \"web\" successfully rolled out\n");
}
