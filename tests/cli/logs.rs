//! `kz logs` without following, against the test server's log subresource: each flag, pods
//! with several containers and init containers, the default-container annotation, workload
//! references, selectors over many pods, and kubectl's errors — compared with the real
//! kubectl on the same server. kubectl reads several streams in Go's map order (random from
//! run to run), so where there are several, the lines are compared as sets and kz's own
//! order (pods as listed, containers in spec order) is checked on its own.

use kz_testserver::{ObjectKey, TestServer, User};

use crate::support::{Run, Sandbox, fixture_stdout, run};

/// A pod with an init container, two containers, and the default-container annotation.
const WITH_INIT: &str = "apiVersion: v1
kind: Pod
metadata:
  name: with-init
  namespace: shop
  labels: {app: with-init}
  annotations: {kubectl.kubernetes.io/default-container: sidecar}
spec:
  initContainers: [{name: setup, image: busybox}]
  containers: [{name: main, image: busybox}, {name: sidecar, image: busybox}]
";

fn server() -> TestServer {
    let server = TestServer::builder().frozen().start();
    server.create(WITH_INIT).expect("create with-init");
    server.controller().step(3);
    server
}

/// The names of the pods in `shop` whose name starts with `prefix`, in name order.
fn pods(server: &TestServer, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = server
        .store()
        .all()
        .into_iter()
        .filter(|(key, _)| key.collection.resource == "pods" && key.namespace == "shop")
        .map(|(key, _)| key.name)
        .filter(|name| name.starts_with(prefix))
        .collect();
    names.sort();
    names
}

fn kz(sandbox: &Sandbox, args: &[&str]) -> Run {
    run(sandbox.kz(), args)
}

/// kz and kubectl exit the same way and print the same bytes on both streams (kubectl's
/// notices and errors included); returns kz's stdout.
#[track_caller]
fn like_kubectl(sandbox: &Sandbox, args: &[&str]) -> String {
    let ours = kz(sandbox, args);
    if let Some(kubectl) = sandbox.kubectl() {
        assert_eq!(
            ours,
            run(kubectl, args),
            "kz (left) and kubectl (right) differ for {args:?}"
        );
    }
    ours.stdout
}

/// kz and kubectl agree on exit code and stderr, and print the same lines in any order;
/// returns kz's run.
#[track_caller]
fn like_kubectl_unordered(sandbox: &Sandbox, args: &[&str]) -> Run {
    let ours = kz(sandbox, args);
    if let Some(kubectl) = sandbox.kubectl() {
        let theirs = run(kubectl, args);
        let sorted = |run: &Run| {
            let mut lines: Vec<String> = run.stdout.lines().map(String::from).collect();
            lines.sort();
            (run.code, lines, run.stderr.clone())
        };
        assert_eq!(
            sorted(&ours),
            sorted(&theirs),
            "kz (left) and kubectl (right) differ for {args:?}"
        );
    }
    ours
}

#[test]
fn one_container_with_each_snapshot_flag_like_kubectl() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pod = &pods(&server, "frontend-")[0];
    let all = like_kubectl(&sandbox, &["logs", pod, "-n", "shop"]);
    assert_eq!(all.lines().count(), 20);
    assert_eq!(
        all.lines().last(),
        Some(format!("{pod}/web line 20").as_str())
    );
    let tail = like_kubectl(&sandbox, &["logs", pod, "-n", "shop", "--tail=3"]);
    assert_eq!(
        tail,
        format!("{pod}/web line 18\n{pod}/web line 19\n{pod}/web line 20\n")
    );
    let stamped = like_kubectl(
        &sandbox,
        &["logs", pod, "-n", "shop", "--tail=2", "--timestamps"],
    );
    assert!(
        stamped.lines().all(|l| l.len() > 31 && &l[30..31] == " "),
        "{stamped}"
    );
    let limited = like_kubectl(&sandbox, &["logs", pod, "-n", "shop", "--limit-bytes=10"]);
    assert_eq!(
        limited,
        &format!("{pod}/web line 1")[..10],
        "cut mid-line, no newline"
    );
    like_kubectl(
        &sandbox,
        &["logs", pod, "-n", "shop", "--since=87600h", "--tail=1"],
    );
    let since = like_kubectl(
        &sandbox,
        &[
            "logs",
            pod,
            "-n",
            "shop",
            "--since-time=2000-01-01T00:00:00Z",
            "--tail=1",
        ],
    );
    assert_eq!(since, format!("{pod}/web line 20\n"));
    like_kubectl(
        &sandbox,
        &[
            "logs",
            &format!("pod/{pod}"),
            "-n",
            "shop",
            "--tail=1",
            "-c",
            "web",
        ],
    );
    like_kubectl(
        &sandbox,
        &["logs", pod, "web", "-n", "shop", "--tail=1", "--prefix"],
    );
}

#[test]
fn previous_instances_like_kubectl() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pod = &pods(&server, "frontend-")[0];
    let missing = kz(&sandbox, &["logs", pod, "-n", "shop", "-p"]);
    assert_eq!(
        missing.failure(),
        format!(
            "Error from server (BadRequest): previous terminated container \"web\" in pod \"{pod}\" not found\n"
        )
    );
    like_kubectl(&sandbox, &["logs", pod, "-n", "shop", "-p"]);
    server.set_previous_log("shop", pod, "web", &["panic: out of cheese", "exit 2"]);
    let previous = like_kubectl(&sandbox, &["logs", pod, "-n", "shop", "--previous"]);
    assert_eq!(previous, "panic: out of cheese\nexit 2\n");
}

#[test]
fn several_containers_default_container_and_init_containers_like_kubectl() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let agent = &pods(&server, "log-agent-")[0];
    // The recorded transcript: the first container, and kubectl's notice on stderr.
    let defaulted = kz(&sandbox, &["logs", agent, "-n", "shop"]);
    assert_eq!(
        defaulted.stdout,
        fixture_stdout("logs-multi-container-error.txt").replace("log-agent-dhfr8", agent)
    );
    assert_eq!(
        defaulted.stderr,
        "Defaulted container \"shipper\" out of: shipper, rotator\n"
    );
    like_kubectl(&sandbox, &["logs", agent, "-n", "shop", "--tail=2"]);
    like_kubectl(
        &sandbox,
        &["logs", agent, "-n", "shop", "-c", "rotator", "--tail=2"],
    );

    let annotated = like_kubectl(&sandbox, &["logs", "with-init", "-n", "shop", "--tail=1"]);
    assert_eq!(annotated, "with-init/sidecar line 20\n");
    like_kubectl(
        &sandbox,
        &["logs", "with-init", "-n", "shop", "-c", "setup", "--tail=1"],
    );
    let all = like_kubectl_unordered(
        &sandbox,
        &[
            "logs",
            "with-init",
            "-n",
            "shop",
            "--all-containers",
            "--tail=1",
            "--prefix",
        ],
    );
    assert_eq!(
        all.stdout,
        "[pod/with-init/setup] with-init/setup line 20\n\
         [pod/with-init/main] with-init/main line 20\n\
         [pod/with-init/sidecar] with-init/sidecar line 20\n",
        "init containers first, then the others in spec order"
    );
}

#[test]
fn workloads_pick_a_pod_like_kubectl() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    for workload in [
        "deploy/frontend",
        "sts/cache",
        "ds/log-agent",
        "job/migrate",
        "svc/frontend",
    ] {
        like_kubectl(&sandbox, &["logs", workload, "-n", "shop", "--tail=1"]);
    }
    let replica_set = server
        .store()
        .all()
        .into_iter()
        .find(|(key, _)| key.collection.resource == "replicasets")
        .map(|(key, _)| key.name)
        .expect("a replica set");
    like_kubectl(
        &sandbox,
        &[
            "logs",
            &format!("rs/{replica_set}"),
            "-n",
            "shop",
            "--tail=1",
        ],
    );
    let found = kz(
        &sandbox,
        &["logs", "deploy/frontend", "-n", "shop", "--tail=1"],
    );
    assert!(
        found
            .stderr
            .starts_with("Found 2 pods, using pod/frontend-"),
        "{found:?}"
    );

    let every = like_kubectl_unordered(
        &sandbox,
        &[
            "logs",
            "deploy/frontend",
            "-n",
            "shop",
            "--tail=2",
            "--all-pods",
        ],
    );
    assert_eq!(every.stdout.lines().count(), 4);
    assert!(
        every
            .stdout
            .lines()
            .all(|l| l.starts_with("[pod/frontend-")),
        "--all-pods prefixes"
    );
}

#[test]
fn a_selector_over_many_pods_with_prefixes_like_kubectl() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let listed = like_kubectl_unordered(
        &sandbox,
        &[
            "logs",
            "-l",
            "app=log-agent",
            "-n",
            "shop",
            "--prefix",
            "--all-containers",
        ],
    );
    // --tail defaults to 10 with a selector.
    assert_eq!(listed.stdout.lines().count(), 2 * 2 * 10);
    let agents = pods(&server, "log-agent-");
    let sources: Vec<String> = listed
        .stdout
        .lines()
        .map(|l| l.split(' ').next().unwrap_or_default().to_string())
        .collect();
    let mut expected = Vec::new();
    for agent in &agents {
        for container in ["shipper", "rotator"] {
            expected.extend(std::iter::repeat_n(
                format!("[pod/{agent}/{container}]"),
                10,
            ));
        }
    }
    assert_eq!(
        sources, expected,
        "pods as listed, each container's lines together"
    );
    like_kubectl_unordered(
        &sandbox,
        &["logs", "-l", "app=frontend", "-n", "shop", "--tail=-1"],
    );
    // The recorded transcript's form.
    let recorded = like_kubectl_unordered(
        &sandbox,
        &[
            "logs",
            "-l",
            "app=frontend",
            "--prefix",
            "--tail=2",
            "-n",
            "shop",
        ],
    );
    let shape = fixture_stdout("logs-selector-prefix.txt");
    assert_eq!(
        recorded.stdout.lines().count() * 2,
        shape.lines().count(),
        "2 of its 4 pods"
    );
}

#[test]
fn errors_like_kubectl() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pod = &pods(&server, "frontend-")[0];
    let agent = &pods(&server, "log-agent-")[0];
    let cases: Vec<Vec<&str>> = vec![
        vec!["logs", "nope", "-n", "shop"],
        vec!["logs", "deploy/nope", "-n", "shop"],
        vec!["logs", "-n", "shop"],
        vec!["logs", pod, "-l", "app=frontend", "-n", "shop"],
        vec!["logs", pod, "a", "b", "-n", "shop"],
        vec!["logs", agent, "-c", "nope", "-n", "shop"],
        vec!["logs", agent, "rotator", "--all-containers", "-n", "shop"],
        vec!["logs", agent, "rotator", "-c", "rotator", "-n", "shop"],
        vec!["logs", pod, "--tail=-2", "-n", "shop"],
        vec!["logs", pod, "--limit-bytes=-1", "-n", "shop"],
        vec![
            "logs",
            pod,
            "--since=1h",
            "--since-time=2026-01-01T00:00:00Z",
            "-n",
            "shop",
        ],
        vec![
            "logs",
            "-l",
            "app=frontend",
            "-f",
            "--max-log-requests=1",
            "-n",
            "shop",
        ],
        vec![
            "logs",
            "-l",
            "app=log-agent",
            "-f",
            "--all-containers",
            "--max-log-requests=3",
            "-n",
            "shop",
        ],
        vec!["logs", "svc/kubernetes", "-n", "default"],
        vec!["logs", pod, "--since-time=yesterday", "-n", "shop"],
        vec!["logs", pod, "--since=-5m", "-n", "shop"],
    ];
    for args in &cases {
        let ours = kz(&sandbox, args);
        assert_eq!(ours.code, Some(1), "{args:?}: {ours:?}");
        like_kubectl(&sandbox, args);
    }
    assert_eq!(
        kz(
            &sandbox,
            &[
                "logs",
                "-l",
                "app=frontend",
                "-f",
                "--max-log-requests=1",
                "-n",
                "shop"
            ]
        )
        .stderr,
        "error: you are attempting to follow 2 log streams, but maximum allowed concurrency is 1, use --max-log-requests to increase the limit\n"
    );
    let nothing = like_kubectl(&sandbox, &["logs", "-l", "app=none", "-n", "shop"]);
    assert_eq!(nothing, "");
    assert_eq!(
        kz(&sandbox, &["logs", "-l", "app=none", "-n", "shop"]).stderr,
        "No resources found in shop namespace.\n"
    );
}

#[test]
fn a_workload_without_pods_waits_for_one_then_times_out() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let key = ObjectKey::new("apps", "deployments", "shop", "frontend");
    let mut frontend = (*server.store().get(&key).expect("frontend")).clone();
    frontend["spec"]["selector"]["matchLabels"]["app"] = "nobody".into();
    server.store().update(&key, frontend).expect("update");
    let args = [
        "logs",
        "deploy/frontend",
        "-n",
        "shop",
        "--pod-running-timeout=1s",
    ];
    let waited = kz(&sandbox, &args);
    assert_eq!(
        waited.failure(),
        "error: timed out waiting for the condition\n"
    );
    like_kubectl(&sandbox, &args);
}

#[test]
fn json_raw_and_line_filters() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pod = &pods(&server, "frontend-")[0];
    server.set_timed_log(
        "shop",
        pod,
        "web",
        &[
            ("2026-11-22T10:00:01.5Z", "GET /health 200"),
            ("2026-11-22T10:00:02Z", "POST /orders 201"),
            ("2026-11-22T10:00:03Z", "GET /orders \"x\" 500"),
        ],
    );
    let json = kz(
        &sandbox,
        &[
            "logs",
            pod,
            "-n",
            "shop",
            "-o",
            "json",
            "--exclude",
            "health",
        ],
    );
    assert_eq!(
        json.success(),
        format!(
            "{{\"pod\":\"{pod}\",\"container\":\"web\",\"namespace\":\"shop\",\"timestamp\":\"2026-11-22T10:00:02Z\",\"message\":\"POST /orders 201\"}}\n\
             {{\"pod\":\"{pod}\",\"container\":\"web\",\"namespace\":\"shop\",\"timestamp\":\"2026-11-22T10:00:03Z\",\"message\":\"GET /orders \\\"x\\\" 500\"}}\n"
        )
    );
    let raw = kz(
        &sandbox,
        &[
            "logs",
            pod,
            "-n",
            "shop",
            "-o",
            "raw",
            "--prefix",
            "--include",
            "^GET",
            "--timestamps",
        ],
    );
    assert_eq!(raw.success(), "GET /health 200\nGET /orders \"x\" 500\n");
    let stamped = kz(
        &sandbox,
        &[
            "logs",
            pod,
            "-n",
            "shop",
            "--timestamps",
            "--include",
            "20[01]$",
        ],
    );
    assert_eq!(
        stamped.success(),
        "2026-11-22T10:00:01.500000000Z GET /health 200\n2026-11-22T10:00:02.000000000Z POST /orders 201\n"
    );
    let bad = kz(&sandbox, &["logs", pod, "-n", "shop", "--include", "("]);
    assert!(
        bad.failure()
            .starts_with("error: invalid --include expression \"(\""),
        "{bad:?}"
    );
}

#[test]
fn prefixes_are_coloured_only_when_colour_is_on() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let args = [
        "logs",
        "-l",
        "app=frontend",
        "-n",
        "shop",
        "--tail=1",
        "--prefix",
    ];
    let plain = kz(&sandbox, &args);
    assert!(!plain.success().contains('\x1b'));
    let mut coloured = sandbox.kz();
    coloured.env_remove("NO_COLOR");
    let coloured = run(coloured, &[&args[..], &["--color=always"]].concat());
    let first = coloured
        .success()
        .lines()
        .next()
        .expect("a line")
        .to_string();
    assert!(
        first.starts_with("\x1b[") && first.contains("m[pod/frontend-"),
        "{first:?}"
    );
    let pod = &pods(&server, "frontend-")[0];
    let same = run(sandbox.kz(), &[&args[..], &["--color=always"]].concat());
    assert!(
        same.stdout
            .lines()
            .any(|l| l.contains(&format!("[pod/{pod}/web]\x1b[0m ")))
    );
    let never = run(sandbox.kz(), &[&args[..], &["--color=never"]].concat());
    assert!(!never.success().contains('\x1b'));
}

/// What kz prints under a pseudo-terminal (util-linux `script`), colour allowed.
fn on_terminal(sandbox: &Sandbox, args: &str) -> String {
    let kz = sandbox.kz();
    let mut script = std::process::Command::new("script");
    for (name, value) in kz.get_envs() {
        match value {
            Some(value) => script.env(name, value),
            None => script.env_remove(name),
        };
    }
    script.env_remove("NO_COLOR").env("TERM", "xterm");
    let line = format!("exec {} {args}", kz.get_program().to_string_lossy());
    let output = script
        .args(["-qec", &line, "/dev/null"])
        .output()
        .expect("run script");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n")
}

#[test]
fn several_streams_on_a_terminal_are_prefixed_in_stable_colours() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pods = pods(&server, "frontend-");
    let several = on_terminal(&sandbox, "logs -l app=frontend -n shop --tail=1");
    let lines: Vec<&str> = several.lines().collect();
    assert_eq!(lines.len(), 2, "{several:?}");
    for (line, pod) in lines.iter().zip(&pods) {
        let (coloured, rest) = line.split_once("\x1b[0m ").expect("a coloured prefix");
        assert!(coloured.starts_with("\x1b[") && coloured.ends_with(&format!("m[pod/{pod}/web]")));
        assert_eq!(rest, format!("{pod}/web line 20"));
    }
    let again = on_terminal(&sandbox, "logs -l app=frontend -n shop --tail=1");
    assert_eq!(again, several, "the same colours every run");
    let opted_out = on_terminal(
        &sandbox,
        "logs -l app=frontend -n shop --tail=1 --prefix=false",
    );
    assert!(
        !opted_out.contains('\x1b') && !opted_out.contains("[pod/"),
        "{opted_out:?}"
    );
    let one = on_terminal(&sandbox, &format!("logs {} -n shop --tail=1", pods[0]));
    assert_eq!(
        one,
        format!("{}/web line 20\n", pods[0]),
        "one stream: no prefix"
    );
}

#[test]
fn watch_pods_needs_a_follow_and_pods_to_watch() {
    let server = server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pod = &pods(&server, "frontend-")[0];
    let unfollowed = kz(
        &sandbox,
        &["logs", "-l", "app=frontend", "-n", "shop", "--watch-pods"],
    );
    assert_eq!(
        unfollowed.failure(),
        "error: --watch-pods needs -f (--follow)\n"
    );
    let one_pod = kz(&sandbox, &["logs", pod, "-n", "shop", "-f", "--watch-pods"]);
    assert_eq!(
        one_pod.failure(),
        "error: --watch-pods needs a selector (-l) or a workload (TYPE/NAME)\n"
    );
}
