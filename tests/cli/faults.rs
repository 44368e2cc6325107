//! Network faults for every verb, injected by the test server: a refused connection, an
//! answer broken off mid-body, a silent server against `--request-timeout`, 429 and 503 with
//! `Retry-After` (retried, then answered; or retried until the bound, then the server's
//! message), writes whose answer never came (reported, never sent twice), and a server
//! restarted under `rollout status` and `logs -f`; and, as in kubectl, `--request-timeout`
//! ending a watch and a follow. Every run is bounded: a command still running after `LIMIT`
//! is killed and fails its test.
//!
//! Covered elsewhere, not repeated here: a watch cut mid-stream (get_watch.rs,
//! rollout_status.rs), a log follow cut mid-stream (logs_follow.rs), a continue token expiring
//! mid-list for tables, names, wide and JSON (get.rs).

use std::net::TcpListener;
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Command, Stdio};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use kz_testserver::{Fault, ObjectKey, RecordedRequest, TestServer, User};
use serde_json::json;

use crate::background::Background;
use crate::support::{Run, Sandbox};

/// The longest any command here may run.
const LIMIT: Duration = Duration::from_secs(60);

/// A manifest the file verbs (apply, create, diff) read: a ConfigMap the cluster lacks.
const MANIFEST: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: faulty\n  namespace: shop\ndata:\n  a: \"1\"\n";

/// Where a verb's arguments name the manifest.
const FILE: &str = "FILE";

/// One verb as the tests run it, and the request that does its work.
#[derive(Debug, Clone, Copy)]
struct Verb {
    args: &'static [&'static str],
    method: &'static str,
    /// A fragment of the path (and query) of that request, and of no other the verb sends.
    path: &'static str,
}

impl Verb {
    /// The fault, limited to this verb's request.
    fn at(&self, fault: Fault) -> Fault {
        fault.method(self.method).path_contains(self.path)
    }

    /// The requests for this verb's work the server saw.
    fn requests(&self, server: &TestServer) -> Vec<RecordedRequest> {
        server
            .requests()
            .into_iter()
            .filter(|r| r.method == self.method && path_and_query(r).contains(self.path))
            .collect()
    }
}

const GET_LIST: Verb = Verb {
    args: &["get", "pods", "-n", "shop"],
    method: "GET",
    path: "/namespaces/shop/pods?limit",
};
const GET_NAME: Verb = Verb {
    args: &["get", "deployment", "frontend", "-n", "shop"],
    method: "GET",
    path: "/deployments/frontend",
};
const DESCRIBE: Verb = Verb {
    args: &["describe", "deployment", "frontend", "-n", "shop"],
    method: "GET",
    path: "/deployments/frontend",
};
const API_RESOURCES: Verb = Verb {
    args: &["api-resources"],
    method: "GET",
    path: "/apis",
};
const APPLY: Verb = Verb {
    args: &["apply", "-f", FILE],
    method: "PATCH",
    path: "/configmaps/faulty",
};
const DIFF: Verb = Verb {
    args: &["diff", "-f", FILE],
    method: "GET",
    path: "/configmaps/faulty",
};
const CREATE: Verb = Verb {
    args: &["create", "-f", FILE],
    method: "POST",
    path: "/configmaps?",
};
const DELETE: Verb = Verb {
    args: &["delete", "configmap", "shop-config", "-n", "shop"],
    method: "DELETE",
    path: "/configmaps/shop-config",
};
const DELETE_WAIT: Verb = Verb {
    args: &["delete", "configmap", "shop-config", "-n", "shop", "--wait"],
    method: "GET",
    path: "/configmaps/shop-config",
};
const SCALE: Verb = Verb {
    args: &[
        "scale",
        "deployment",
        "frontend",
        "-n",
        "shop",
        "--replicas=3",
    ],
    method: "PATCH",
    path: "/deployments/frontend/scale",
};
const ROLLOUT_STATUS: Verb = Verb {
    args: &["rollout", "status", "deployment/frontend", "-n", "shop"],
    method: "GET",
    path: "/deployments?fieldSelector",
};
const ROLLOUT_RESTART: Verb = Verb {
    args: &["rollout", "restart", "deployment/frontend", "-n", "shop"],
    method: "PATCH",
    path: "/deployments/frontend",
};
const ROLLOUT_UNDO: Verb = Verb {
    args: &["rollout", "undo", "deployment/frontend", "-n", "shop"],
    method: "PATCH",
    path: "/deployments/frontend",
};
const ROLLOUT_HISTORY: Verb = Verb {
    args: &["rollout", "history", "deployment/frontend", "-n", "shop"],
    method: "GET",
    path: "/replicasets?",
};
const LOGS: Verb = Verb {
    args: &["logs", "deployment/frontend", "-n", "shop"],
    method: "GET",
    path: "/log",
};
const LOGS_FOLLOW: Verb = Verb {
    args: &["logs", "-f", "deployment/frontend", "-n", "shop"],
    method: "GET",
    path: "/log",
};
const GET_WATCH: Verb = Verb {
    args: &["get", "pods", "-n", "shop", "-w"],
    method: "GET",
    path: "/namespaces/shop/pods?limit",
};

/// Every verb that ends by itself on a healthy cluster.
const ENDING: &[Verb] = &[
    GET_LIST,
    GET_NAME,
    DESCRIBE,
    API_RESOURCES,
    APPLY,
    DIFF,
    CREATE,
    DELETE,
    DELETE_WAIT,
    SCALE,
    ROLLOUT_STATUS,
    ROLLOUT_RESTART,
    ROLLOUT_UNDO,
    ROLLOUT_HISTORY,
    LOGS,
];

/// The verbs that write, each with what it prints when it works.
const WRITES: &[(Verb, &str)] = &[
    (APPLY, "configmap/faulty created\n"),
    (CREATE, "configmap/faulty created\n"),
    (DELETE, "configmap \"shop-config\" deleted\n"),
    (SCALE, "deployment.apps/frontend scaled\n"),
    (ROLLOUT_RESTART, "deployment.apps/frontend restarted\n"),
    (ROLLOUT_UNDO, "deployment.apps/frontend rolled back\n"),
];

/// The verbs that only read, in the parts the faults hit (delete --wait: its wait). `logs`
/// reads a stream: see `a_log_cut_off_prints_its_whole_lines_then_the_error`.
const READS: &[Verb] = &[
    GET_LIST,
    GET_NAME,
    DESCRIBE,
    API_RESOURCES,
    DIFF,
    DELETE_WAIT,
    ROLLOUT_STATUS,
    ROLLOUT_HISTORY,
];

/// A request's path and query as the server's faults match them.
fn path_and_query(request: &RecordedRequest) -> String {
    if request.query.is_empty() {
        request.path.clone()
    } else {
        format!("{}?{}", request.path, request.query)
    }
}

/// Runs `check` for each verb on a thread of its own (each run waits on the network, not the
/// processor), failing with the first verb's failure.
fn each_verb(verbs: &[Verb], check: impl Fn(&Verb) + Sync) {
    std::thread::scope(|scope| {
        let running: Vec<_> = verbs
            .iter()
            .map(|verb| (verb, scope.spawn(|| check(verb))))
            .collect();
        for (verb, thread) in running {
            if let Err(panic) = thread.join() {
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    format!("failed for {:?}\n", verb.args).as_bytes(),
                );
                std::panic::resume_unwind(panic);
            }
        }
    });
}

/// `text` with ages (`0s`, `12m`) masked: two runs may straddle a second.
fn without_ages(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() && !previous.is_alphanumeric() {
            let mut number = c.to_string();
            while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                number.push(digit);
            }
            let unit = chars.next_if(|u| matches!(u, 's' | 'm' | 'h' | 'd'));
            let ends = chars.peek().is_none_or(|next| !next.is_alphanumeric());
            match unit {
                Some(_) if ends => masked.push_str("AGE"),
                Some(unit) => {
                    masked.push_str(&number);
                    masked.push(unit);
                }
                None => masked.push_str(&number),
            }
            previous = 'x';
            continue;
        }
        masked.push(c);
        previous = c;
    }
    masked
}

/// A cluster whose controllers move only when the test says, `frontend` with a second
/// revision to undo to.
fn cluster() -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    let key = ObjectKey::new("apps", "deployments", "shop", "frontend");
    let mut deployment = (*server.store().get(&key).expect("frontend")).clone();
    deployment["spec"]["template"]["metadata"]["annotations"]["revision"] = json!("2");
    server
        .store()
        .update(&key, deployment)
        .expect("update frontend");
    server.controller().step(30);
    let sandbox = Sandbox::for_server(&server, &User::admin());
    std::fs::write(sandbox.path("cm.yaml"), MANIFEST).expect("write the manifest");
    (server, sandbox)
}

/// The verb's arguments, the manifest's path put in.
fn args_of(sandbox: &Sandbox, verb: &Verb, extra: &[&str]) -> Vec<String> {
    let file = sandbox.path("cm.yaml");
    verb.args
        .iter()
        .map(|arg| match *arg {
            FILE => file.to_str().expect("utf-8 path").to_owned(),
            other => other.to_owned(),
        })
        .chain(extra.iter().map(|arg| (*arg).to_owned()))
        .collect()
}

/// Runs `command` to its end, or kills it after `LIMIT` and fails the test: no hang passes.
#[track_caller]
fn bounded(mut command: Command, args: &[String]) -> Run {
    let child = command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let (sender, finished) = channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match finished.recv_timeout(LIMIT) {
        Ok(output) => output.expect("wait for the command").into(),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("{args:?} still ran after {LIMIT:?}");
        }
    }
}

/// A port nobody listens on.
fn unused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// kubectl's last line and exit code, where kubectl is installed.
fn kubectl_ending(sandbox: &Sandbox, args: &[String]) -> Option<(Option<i32>, String)> {
    let kubectl = sandbox.kubectl()?;
    let run = bounded(kubectl, args);
    let last = run.stderr.lines().last().unwrap_or_default().to_owned();
    Some((run.code, last))
}

#[test]
fn a_refused_connection_fails_every_verb_like_kubectl() {
    let port = unused_port();
    let server = format!("http://127.0.0.1:{port}");
    let sandbox = Sandbox::new();
    std::fs::write(sandbox.path("cm.yaml"), MANIFEST).expect("write the manifest");
    let refused = format!(
        "The connection to the server 127.0.0.1:{port} was refused - did you specify the right host or port?"
    );
    let verbs: Vec<Verb> = ENDING
        .iter()
        .chain([&LOGS_FOLLOW, &GET_WATCH])
        .copied()
        .collect();
    each_verb(&verbs, |verb| {
        let args = args_of(&sandbox, verb, &["--server", &server]);
        let out = bounded(sandbox.kz(), &args);
        let expected_code = if verb.args[0] == "diff" { 2 } else { 1 };
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (Some(expected_code), "", format!("{refused}\n").as_str()),
            "{args:?}"
        );
        // kubectl's words are these, but for the verbs that read a file first: it fails
        // validating it, its line ending in Go's `connect: connection refused`.
        if let Some((code, last)) = kubectl_ending(&sandbox, &args) {
            assert_eq!(out.code, code, "{args:?}: {last}");
            if !verb.args.contains(&FILE) {
                assert_eq!(last, refused, "{args:?}");
            } else {
                assert!(
                    last.contains("connect: connection refused"),
                    "{args:?}: {last}"
                );
            }
        }
    });
}

/// What a verb prints when all goes well (stdout and stderr, made comparable), to compare a
/// run that met faults with. A delete is run on a twin cluster: it changes what it runs on.
fn clean_run(server: &TestServer, sandbox: &Sandbox, verb: &Verb) -> (String, String) {
    let twin = (verb.args[0] == "delete").then(cluster);
    let sandbox = twin.as_ref().map_or(sandbox, |(_, sandbox)| sandbox);
    let out = bounded(sandbox.kz(), &args_of(sandbox, verb, &[]));
    assert_eq!(out.code, success_code(verb), "{:?}: {out:?}", verb.args);
    server.clear_requests();
    comparable(&out)
}

/// `out`'s stdout and stderr without what differs from run to run: ages, and in a diff the
/// times of the files and the server's uid and creation time of the object.
fn comparable(out: &Run) -> (String, String) {
    let stdout: Vec<&str> = out
        .stdout
        .lines()
        .filter(|line| {
            !["--- ", "+++ ", "+  uid: ", "+  creationTimestamp: "]
                .iter()
                .any(|start| line.starts_with(start))
        })
        .collect();
    (without_ages(&stdout.join("\n")), out.stderr.clone())
}

/// The exit code of a verb that worked: `diff` says 1 for differences found.
fn success_code(verb: &Verb) -> Option<i32> {
    Some(if verb.args[0] == "diff" { 1 } else { 0 })
}

#[test]
fn throttled_reads_are_retried_after_the_servers_delay_then_answered() {
    each_verb(READS, |verb| {
        for code in [429, 503] {
            let (server, sandbox) = cluster();
            let expected = clean_run(&server, &sandbox, verb);
            server.inject(verb.at(Fault::retry_after(code, 0)).times(2));
            let out = bounded(sandbox.kz(), &args_of(&sandbox, verb, &[]));
            assert_eq!(
                (out.code, comparable(&out)),
                (success_code(verb), expected),
                "{:?} after two {code}s",
                verb.args
            );
            let statuses: Vec<u16> = verb.requests(&server).iter().map(|r| r.status).collect();
            assert_eq!(statuses.len(), 3, "{:?}: {statuses:?}", verb.args);
            assert_eq!(&statuses[..2], [code, code], "{:?}", verb.args);
        }
    });
}

#[test]
fn throttled_writes_are_sent_again_after_the_servers_delay() {
    let writes: Vec<Verb> = WRITES.iter().map(|(verb, _)| *verb).collect();
    each_verb(&writes, |verb| {
        let printed = WRITES
            .iter()
            .find_map(|(write, printed)| (write.args == verb.args).then_some(*printed))
            .expect("a write");
        for code in [429, 503] {
            let (server, sandbox) = cluster();
            server.clear_requests();
            server.inject(verb.at(Fault::retry_after(code, 0)).times(2));
            let out = bounded(sandbox.kz(), &args_of(&sandbox, verb, &[]));
            assert_eq!(
                (out.code, out.stdout.as_str(), out.stderr.as_str()),
                (Some(0), printed, ""),
                "{:?} after two {code}s",
                verb.args
            );
            let statuses: Vec<u16> = verb.requests(&server).iter().map(|r| r.status).collect();
            assert_eq!(statuses.len(), 3, "{:?}: {statuses:?}", verb.args);
            assert_eq!(&statuses[..2], [code, code], "{:?}", verb.args);
            assert!(
                (200..300).contains(&statuses[2]),
                "{:?}: {statuses:?}",
                verb.args
            );
        }
    });
}

/// The verbs whose faulted request kubectl sends too (kubectl's apply creates with a POST,
/// its delete --wait and rollout status watch).
const KUBECTL_SENDS_IT_TOO: &[Verb] = &[
    GET_LIST,
    GET_NAME,
    DESCRIBE,
    CREATE,
    DELETE,
    SCALE,
    ROLLOUT_RESTART,
    ROLLOUT_UNDO,
    ROLLOUT_HISTORY,
    LOGS,
];

/// The one error line of a failed run (logs may say first which pod it picked).
#[track_caller]
fn error_line(out: &Run) -> &str {
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|line| !line.starts_with("Found "))
        .collect();
    match lines.as_slice() {
        [line] => line,
        _ => panic!("one error line expected: {out:#?}"),
    }
}

/// The exit code of a verb that failed: `diff` says 2 for an error.
fn failure_code(verb: &Verb) -> Option<i32> {
    Some(if verb.args[0] == "diff" { 2 } else { 1 })
}

/// A server that keeps asking to wait: 10 retries (client-go's bound, and kubectl's), then
/// the server's own message, as the verb prints a server error. kubectl gives up after as
/// many, except in `rollout status`, which it retries for ever.
#[test]
fn throttling_that_never_ends_gives_the_servers_message_after_ten_retries_like_kubectl() {
    each_verb(ENDING, |verb| {
        let (server, sandbox) = cluster();
        let args = args_of(&sandbox, verb, &[]);
        server.clear_requests();
        server.inject(verb.at(Fault::retry_after(503, 0)));
        let out = bounded(sandbox.kz(), &args);
        // delete --wait deleted, then could not watch it go.
        let printed = match verb.args.last() {
            Some(&"--wait") => "configmap \"shop-config\" deleted\n",
            _ => "",
        };
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (failure_code(verb), printed),
            "{args:?}"
        );
        let line = error_line(&out);
        assert!(
            line.ends_with("the server is currently unable to handle the request"),
            "{args:?}: {line}"
        );
        assert_eq!(
            verb.requests(&server).len(),
            11,
            "{args:?}: once and 10 retries"
        );
        if !KUBECTL_SENDS_IT_TOO.iter().any(|v| v.args == verb.args) {
            return;
        }
        if let Some(kubectl) = sandbox.kubectl() {
            server.clear_requests();
            let theirs = bounded(kubectl, &args);
            assert_eq!(theirs.code, out.code, "{args:?}: {}", theirs.stderr);
            assert_eq!(
                verb.requests(&server).len(),
                11,
                "{args:?}: kubectl's bound is the same"
            );
        }
    });
}

/// An answer broken off mid-body: a read is sent again (after 250 ms) and its output is as if
/// nothing happened.
#[test]
fn a_read_whose_answer_broke_off_is_sent_again() {
    each_verb(READS, |verb| {
        let (server, sandbox) = cluster();
        let expected = clean_run(&server, &sandbox, verb);
        server.inject(verb.at(Fault::cut_body_after(20)).times(1));
        let out = bounded(sandbox.kz(), &args_of(&sandbox, verb, &[]));
        assert_eq!(
            (out.code, comparable(&out)),
            (success_code(verb), expected),
            "{:?}",
            verb.args
        );
        assert_eq!(verb.requests(&server).len(), 2, "{:?}", verb.args);
    });
}

/// Answers that always break off: three retries (250 ms, 500 ms, 1 s apart), then what the
/// system said. kubectl retries such a GET up to 10 times.
#[test]
fn a_read_whose_answers_always_break_off_gives_up_after_three_retries() {
    each_verb(READS, |verb| {
        let (server, sandbox) = cluster();
        server.inject(verb.at(Fault::cut_body_after(20)));
        let args = args_of(&sandbox, verb, &[]);
        let out = bounded(sandbox.kz(), &args);
        let printed = match verb.args.last() {
            Some(&"--wait") => "configmap \"shop-config\" deleted\n",
            _ => "",
        };
        assert_eq!(
            (out.code, out.stdout.as_str(), error_line(&out)),
            (
                failure_code(verb),
                printed,
                format!(
                    "Unable to connect to the server {}: unexpected EOF",
                    server.url()
                )
                .as_str()
            ),
            "{args:?}"
        );
        assert_eq!(verb.requests(&server).len(), 4, "{args:?}");
    });
}

/// The line kz prints for a write whose answer never came.
fn unconfirmed(server: &TestServer, action: &str, detail: &str) -> String {
    format!(
        "the connection to the server {} was lost after the request to {action} was sent ({detail}): it may have reached the server, so kz did not send it again",
        server.addr()
    )
}

/// What each write was to do, as kz names it when its answer never came.
fn action_of(verb: &Verb) -> &'static str {
    match verb.args[0..2] {
        ["apply", _] => r#"patch configmaps "faulty" in namespace "shop""#,
        ["create", _] => r#"create configmaps "faulty" in namespace "shop""#,
        ["delete", _] => r#"delete configmaps "shop-config" in namespace "shop""#,
        ["scale", _] => r#"patch deployments "frontend" (scale) in namespace "shop""#,
        ["rollout", _] => r#"patch deployments "frontend" in namespace "shop""#,
        _ => unreachable!("not a write: {:?}", verb.args),
    }
}

/// A write whose connection broke, before the server acted (the connection dropped unanswered)
/// or after (the answer broke off): it may have been done, so it is reported, with what it was
/// for, and never sent again — by kubectl neither.
#[test]
fn a_write_whose_answer_never_came_is_reported_and_not_sent_again() {
    let writes: Vec<Verb> = WRITES.iter().map(|(verb, _)| *verb).collect();
    each_verb(&writes, |verb| {
        for fault in [Fault::drop_connection(), Fault::cut_body_after(10)] {
            let (server, sandbox) = cluster();
            let args = args_of(&sandbox, verb, &[]);
            server.clear_requests();
            server.inject(verb.at(fault.clone()));
            let out = bounded(sandbox.kz(), &args);
            // Over TLS, a connection closed mid-answer is always an unexpected EOF.
            let line = unconfirmed(&server, action_of(verb), "unexpected EOF");
            let line = match verb.args[0..2] {
                ["apply", _] => format!("error: error when applying {:?}: {line}", args[2]),
                ["create", _] => format!("error: error when creating {:?}: {line}", args[2]),
                ["rollout", "undo"] => format!("error: failed restoring revision 0: {line}"),
                ["rollout", "restart"] => format!("error: failed to patch: {line}"),
                _ => format!("error: {line}"),
            };
            assert_eq!(
                (out.code, out.stdout.as_str(), out.stderr.as_str()),
                (Some(1), "", format!("{line}\n").as_str()),
                "{args:?} {fault:?}"
            );
            assert_eq!(verb.requests(&server).len(), 1, "{args:?}: sent once");
            let (server, sandbox) = cluster();
            if KUBECTL_SENDS_IT_TOO.iter().any(|v| v.args == verb.args)
                && let Some(kubectl) = sandbox.kubectl()
            {
                server.clear_requests();
                server.inject(verb.at(fault));
                let theirs = bounded(kubectl, &args_of(&sandbox, verb, &[]));
                assert_eq!(theirs.code, Some(1), "{args:?}: {}", theirs.stderr);
                assert_eq!(verb.requests(&server).len(), 1, "{args:?}: kubectl's too");
            }
        }
    });
}

/// The write that broke off after the server acted was done: kz said it may have been.
#[test]
fn a_create_whose_answer_broke_off_was_done_all_the_same() {
    let (server, sandbox) = cluster();
    server.inject(CREATE.at(Fault::cut_body_after(10)));
    let out = bounded(sandbox.kz(), &args_of(&sandbox, &CREATE, &[]));
    assert_eq!(out.code, Some(1));
    let key = ObjectKey::new("", "configmaps", "shop", "faulty");
    assert!(server.store().get(&key).is_some(), "{out:?}");
}

/// A log (not followed) whose answer breaks off: the whole lines that came are printed, then
/// the error; kubectl prints the half line too, and says only `error: unexpected EOF`.
#[test]
fn a_log_cut_off_prints_its_whole_lines_then_the_error() {
    let (server, sandbox) = cluster();
    let args = args_of(&sandbox, &LOGS, &[]);
    server.inject(LOGS.at(Fault::cut_body_after(100)));
    let out = bounded(sandbox.kz(), &args);
    let pod = out
        .stderr
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("Found 2 pods, using pod/"))
        .expect("the pod logs picked")
        .to_owned();
    assert_eq!(
        (out.code, out.stdout.as_str(), error_line(&out)),
        (
            Some(1),
            format!("{pod}/web line 1\n{pod}/web line 2\n").as_str(),
            format!(
                "Unable to connect to the server {}: unexpected EOF",
                server.url()
            )
            .as_str()
        )
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let theirs = bounded(kubectl, &args);
        assert_eq!(
            (theirs.code, theirs.stderr.lines().last()),
            (Some(1), Some("error: unexpected EOF"))
        );
        assert_eq!(
            theirs.stdout,
            format!("{pod}/web line 1\n{pod}/web line 2\n{pod}/")
        );
    }
}

/// A server that takes requests and never answers: with `--request-timeout=1s` every verb,
/// watches and follows too, gives up after a second with one line and exit code 1 (diff: 2).
/// kubectl gives up too, in Go's words (`Unable to connect to the server: context deadline
/// exceeded`).
#[test]
fn a_silent_server_times_out_every_verb() {
    let (server, sandbox) = cluster();
    server.inject(Fault::delay(Duration::from_secs(30)));
    let timed_out = format!(
        "Unable to connect to the server {}: no answer within the request timeout of 1s",
        server.url()
    );
    let verbs: Vec<Verb> = ENDING
        .iter()
        .chain([&LOGS_FOLLOW, &GET_WATCH])
        .copied()
        .collect();
    each_verb(&verbs, |verb| {
        let args = args_of(&sandbox, verb, &["--request-timeout=1s"]);
        let out = bounded(sandbox.kz(), &args);
        // The first request of create and delete is their write, which may have been done.
        let may_have_been_done = || {
            unconfirmed(
                &server,
                action_of(verb),
                "no answer within the request timeout of 1s",
            )
        };
        let expected = match verb.args[0] {
            "create" => format!(
                "error: error when creating {:?}: {}",
                args[2],
                may_have_been_done()
            ),
            "delete" => format!("error: {}", may_have_been_done()),
            _ => timed_out.clone(),
        };
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (failure_code(verb), "", format!("{expected}\n").as_str()),
            "{args:?}"
        );
    });
    if let Some(kubectl) = sandbox.kubectl() {
        let args = args_of(&sandbox, &GET_LIST, &["--request-timeout=1s"]);
        let theirs = bounded(kubectl, &args);
        let last = theirs.stderr.lines().last().unwrap_or_default();
        assert_eq!(theirs.code, Some(1), "{last}");
        // `context deadline exceeded`, or `net/http: request canceled (Client.Timeout …)`.
        assert!(
            last.starts_with("Unable to connect to the server: "),
            "{last}"
        );
    }
}

/// A write the server takes and does not answer in time may have been done: it is reported so,
/// not sent again. (Only the first is delayed: a second would be answered, and logged, at once.)
#[test]
fn a_write_not_answered_in_time_is_reported_and_not_sent_again() {
    let writes: Vec<Verb> = WRITES.iter().map(|(verb, _)| *verb).collect();
    each_verb(&writes, |verb| {
        let (server, sandbox) = cluster();
        server.clear_requests();
        server.inject(verb.at(Fault::delay(Duration::from_secs(30))).times(1));
        let args = args_of(&sandbox, verb, &["--request-timeout=1s"]);
        let out = bounded(sandbox.kz(), &args);
        let line = unconfirmed(
            &server,
            action_of(verb),
            "no answer within the request timeout of 1s",
        );
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (Some(1), ""),
            "{args:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.ends_with(&format!("{line}\n")),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
        assert_eq!(verb.requests(&server), [], "{args:?}: not sent again");
    });
}

/// `-v=4` says each retry, in client-go's words for a `Retry-After`.
#[test]
fn retries_show_under_v4() {
    let (server, sandbox) = cluster();
    server.inject(GET_LIST.at(Fault::retry_after(429, 0)).times(2));
    let out = bounded(sandbox.kz(), &args_of(&sandbox, &GET_LIST, &["-v=4"]));
    let url = format!("{}/api/v1/namespaces/shop/pods?limit=500", server.url());
    let retries: Vec<&str> = out
        .stderr
        .lines()
        .filter(|line| !line.starts_with("Config loaded from file"))
        .collect();
    assert_eq!(
        retries,
        [
            format!("Got a Retry-After 0s response for attempt 1 to {url}"),
            format!("Got a Retry-After 0s response for attempt 2 to {url}"),
        ],
        "{out:#?}"
    );
    assert_eq!(out.code, Some(0));

    let port = unused_port();
    let out = bounded(
        sandbox.kz(),
        &[
            "get".to_owned(),
            "pods".to_owned(),
            "-v=4".to_owned(),
            format!("--server=http://127.0.0.1:{port}"),
        ],
    );
    // Nothing listens there: said at once, as kubectl says it (client-go does not retry a
    // refused connection), not after three retries.
    let refused = format!(
        "The connection to the server 127.0.0.1:{port} was refused - did you specify the right host or port?"
    );
    assert_eq!(
        (out.code, out.stderr.lines().last()),
        (Some(1), Some(refused.as_str())),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("retrying"), "{out:#?}");
}

/// Ctrl-C during a wait the server asked for ends kz at once, as it ends kubectl: the waits
/// here (10 s, ten times) would outlast `LIMIT`.
#[test]
fn ctrl_c_ends_a_retry_wait() {
    let (server, sandbox) = cluster();
    server.inject(GET_LIST.at(Fault::retry_after(429, 10)));
    let args = args_of(&sandbox, &GET_LIST, &[]);
    let child = sandbox
        .kz()
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kz");
    let pid = child.id();
    let (sender, finished) = channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    // Once the first answer is in, kz is waiting.
    let deadline = std::time::Instant::now() + LIMIT;
    while !GET_LIST.requests(&server).iter().any(|r| r.status == 429) {
        assert!(
            std::time::Instant::now() < deadline,
            "kz never sent its list"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    let output = match finished.recv_timeout(LIMIT) {
        Ok(output) => output.expect("wait for kz"),
        Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("kz still waited after Ctrl-C");
        }
    };
    assert_eq!(
        output.status.signal(),
        Some(2),
        "killed by SIGINT: {output:?}"
    );
    assert_eq!(output.stdout, b"");
    assert_eq!(GET_LIST.requests(&server).len(), 1, "no retry after Ctrl-C");
}

/// Arguments as `Background::start` takes them.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The API server restarts in the middle of a rollout: `rollout status` loses its watch, finds
/// the port refused for a while, and resumes once the server is back, seeing the rollout finish
/// while it was away.
#[test]
fn rollout_status_outlives_a_restart_of_the_server() {
    let (server, sandbox) = cluster();
    let key = ObjectKey::new("apps", "deployments", "shop", "frontend");
    let mut deployment = (*server.store().get(&key).expect("frontend")).clone();
    deployment["spec"]["template"]["metadata"]["annotations"]["revision"] = json!("3");
    server
        .store()
        .update(&key, deployment)
        .expect("update frontend");
    server.controller().step(2);
    let args = args_of(&sandbox, &ROLLOUT_STATUS, &[]);
    let mut status = Background::start(sandbox.kz(), &strs(&args));
    status.until_out("Waiting for deployment \"frontend\" rollout to finish");
    server.go_down();
    let before = server.requests().len();
    server.controller().step(30);
    server.come_up();
    status.until_out("deployment \"frontend\" successfully rolled out\n");
    let exit = status.wait();
    assert_eq!((exit.code(), &status.stderr[..]), (Some(0), &b""[..]));
    let after: Vec<String> = server.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.path, r.query))
        .collect();
    assert!(
        after.iter().any(|r| r.contains("/deployments")),
        "asked again after the restart: {after:?}"
    );
}

/// The API server restarts while `delete --wait` waits for a finalizer: the wait rides out
/// the refused connections and ends once the object is gone, as kubectl's watch does.
#[test]
fn delete_wait_outlives_a_restart_of_the_server() {
    let (server, sandbox) = cluster();
    server
        .create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: shop, finalizers: [example.com/hold]}\n")
        .expect("create held");
    // -v=6 traces each look, so the test knows one was refused while the server was away
    // (the first meets the closed connection, which the request layer retries).
    let mut delete = Background::start(
        sandbox.kz(),
        &[
            "delete",
            "configmap",
            "held",
            "-n",
            "shop",
            "--wait",
            "-v=6",
        ],
    );
    delete.until_out("configmap \"held\" deleted\n");
    server.go_down();
    delete.until_err("was refused");
    // The finalizer's owner lets go while the API server is away.
    server
        .store()
        .delete(&ObjectKey::new("", "configmaps", "shop", "held"))
        .expect("finalized");
    server.come_up();
    let exit = delete.wait();
    let stderr = String::from_utf8_lossy(&delete.stderr);
    assert_eq!(exit.code(), Some(0), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("GET ") && last.contains("/configmaps/held 404 Not Found"),
        "{stderr}"
    );
}

/// The API server restarts while `logs -f` follows: the lines written while it was down and
/// after come, each once, in order.
#[test]
fn logs_follow_outlives_a_restart_of_the_server() {
    let (server, sandbox) = cluster();
    let pod = server
        .store()
        .all()
        .into_iter()
        .map(|(key, _)| key)
        .find(|key| key.collection.resource == "pods" && key.name.starts_with("frontend-"))
        .expect("a frontend pod")
        .name;
    server.set_log("shop", &pod, "web", &["one", "two"]);
    let mut follow = Background::start(
        sandbox.kz(),
        &["logs", "-f", &pod, "-c", "web", "-n", "shop"],
    );
    follow.until_out("two\n");
    server.go_down();
    server.append_log("shop", &pod, "web", "three, while the server was down");
    server.come_up();
    server.append_log("shop", &pod, "web", "four, after");
    follow.until_out("four, after\n");
    follow.interrupt();
    let exit = follow.wait();
    assert_eq!((exit.code(), &follow.stderr[..]), (Some(1), &b""[..]));
    assert_eq!(
        String::from_utf8_lossy(&follow.stdout),
        "one\ntwo\nthree, while the server was down\nfour, after\n"
    );
    let resumed: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/log"))
        .map(|r| r.query)
        .collect();
    assert_eq!(resumed.len(), 2, "{resumed:?}");
    assert!(resumed[1].contains("sinceTime="), "{resumed:?}");
}

/// kubectl applies `--request-timeout` to a watch as a whole: `get -w` ends when it runs out,
/// having printed what it saw, and succeeds. So does kz.
#[test]
fn a_watch_ends_when_the_request_timeout_runs_out_like_kubectl() {
    let (_server, sandbox) = cluster();
    let args = args_of(
        &sandbox,
        &GET_WATCH,
        &["--request-timeout=1s", "-o", "name"],
    );
    let out = bounded(sandbox.kz(), &args);
    assert_eq!((out.code, out.stderr.as_str()), (Some(0), ""), "{out:#?}");
    assert!(
        out.stdout
            .lines()
            .any(|line| line.starts_with("pod/frontend-")),
        "{out:#?}"
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let theirs = bounded(kubectl, &args);
        assert_eq!(theirs, out);
    }
}

/// kubectl applies `--request-timeout` to a log follow as a whole: when it runs out, the lines
/// read are printed and the command fails. So does kz, in its own words (kubectl's: `error:
/// context deadline exceeded (Client.Timeout or context cancellation while reading body)`).
#[test]
fn a_follow_fails_when_the_request_timeout_runs_out_like_kubectl() {
    let (server, sandbox) = cluster();
    let pod = server
        .store()
        .all()
        .into_iter()
        .map(|(key, _)| key)
        .find(|key| key.collection.resource == "pods" && key.name.starts_with("frontend-"))
        .expect("a frontend pod")
        .name;
    server.set_log("shop", &pod, "web", &["one", "two"]);
    let args: Vec<String> = ["logs", "-f", &pod, "-n", "shop", "--request-timeout=1s"]
        .map(String::from)
        .to_vec();
    let out = bounded(sandbox.kz(), &args);
    assert_eq!(
        out,
        Run {
            code: Some(1),
            stdout: "one\ntwo\n".to_owned(),
            stderr: "error: the request timeout of 1s ran out while following\n".to_owned(),
        }
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let theirs = bounded(kubectl, &args);
        assert_eq!(
            (theirs.code, theirs.stdout.as_str()),
            (Some(1), "one\ntwo\n"),
            "{theirs:#?}"
        );
    }
}
