//! Ctrl-C (SIGINT) during the commands that wait — `get -w`, `rollout status`, `delete
//! --wait` — stops them promptly with kubectl's exit code (1, silently) and no half-printed
//! line; `config set-context` cannot truncate the kubeconfig (see `secrets`); a closed stdout
//! (`kz get pods -A | head -1`) ends kz quietly. (`apply` and `logs -f` have theirs in
//! apply.rs and logs_follow.rs.)

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use kz_testserver::{Generated, ObjectKey, TestServer, User};
use serde_json::json;

use crate::background::Background;
use crate::support::Sandbox;

/// Starts `args` with kz and with kubectl (when installed), waits until each printed
/// `printed`, calls `then(tool)` and waits for `then_printed` (kubectl handles Ctrl-C only once
/// it is watching: a change seen proves it is), sends Ctrl-C and checks how each ended: kz like
/// kubectl, exit code 1, nothing on stderr, stdout ending with a whole line.
#[track_caller]
fn interrupted_like_kubectl(
    sandbox: &Sandbox,
    args: &[&str],
    printed: &str,
    then: impl Fn(&str) -> String,
) {
    let mut tools: Vec<(&str, Command)> = vec![("kz", sandbox.kz())];
    tools.extend(sandbox.kubectl().map(|kubectl| ("kubectl", kubectl)));
    let mut codes = Vec::new();
    for (name, command) in tools {
        let mut running = Background::start(command, args);
        running.until_out(printed);
        let then_printed = then(name);
        running.until_out(&then_printed);
        running.interrupt();
        let status = running.wait();
        assert_eq!(status.code(), Some(1), "{name} {args:?}: {status:?}");
        assert!(
            running.stdout.ends_with(b"\n"),
            "{name} {args:?}: a half-printed line: {}",
            running.printed()
        );
        if name == "kz" {
            assert!(running.stderr.is_empty(), "{}", running.printed());
        }
        codes.push(status.code());
    }
    if let [kz, kubectl] = codes.as_slice() {
        assert_eq!(kz, kubectl, "{args:?}: kz (left) and kubectl (right)");
    }
}

#[test]
fn ctrl_c_stops_a_watch_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let new_pod = |prefix: &'static str| {
        let server = &server;
        move |tool: &str| {
            let name = format!("{prefix}-{tool}");
            server
                .create(&format!(
                    "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  containers: [{{name: c, image: busybox}}]\n"
                ))
                .expect("create pod");
            name
        }
    };
    // Created after the list was printed, the pod comes as a watch event.
    interrupted_like_kubectl(
        &sandbox,
        &["get", "pods", "-A", "-w"],
        "frontend-",
        new_pod("table"),
    );
    interrupted_like_kubectl(
        &sandbox,
        &["get", "pods", "-A", "-w", "-o", "name"],
        "pod/frontend-",
        new_pod("name"),
    );
}

#[test]
fn ctrl_c_stops_rollout_status_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    // A new template on a frozen cluster: the rollout waits for ever.
    let key = ObjectKey::new("apps", "deployments", "shop", "frontend");
    let mut frontend = (*server.store().get(&key).expect("frontend")).clone();
    frontend["spec"]["template"]["metadata"]["annotations"] = json!({"restarted": "now"});
    server.store().update(&key, frontend).expect("update");
    interrupted_like_kubectl(
        &sandbox,
        &["rollout", "status", "deployment/frontend", "-n", "shop"],
        "Waiting for deployment",
        |_| "\n".to_owned(),
    );
}

#[test]
fn ctrl_c_stops_delete_wait_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    for name in ["held-kz", "held-kubectl"] {
        server
            .create(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: shop, finalizers: [example.com/hold]}}\n"
            ))
            .expect("create");
    }
    let mut tools: Vec<(&str, Command)> = vec![("held-kz", sandbox.kz())];
    tools.extend(sandbox.kubectl().map(|kubectl| ("held-kubectl", kubectl)));
    for (name, command) in tools {
        let args = ["delete", "configmap", name, "-n", "shop", "--wait"];
        let mut running = Background::start(command, &args);
        running.until_out(&format!("configmap \"{name}\" deleted\n"));
        // kz listens for Ctrl-C from before the DELETE; kubectl only once it lists and watches
        // the object by field selector, after a first plain GET of it.
        let by_selector = name == "held-kubectl";
        wait_for_a_look_after_the_delete(&server, name, by_selector);
        running.interrupt();
        let status = running.wait();
        assert_eq!(status.code(), Some(1), "{name}: {}", running.printed());
        if name == "held-kz" {
            assert!(running.stderr.is_empty(), "{}", running.printed());
        }
    }
}

/// Waits until the server has been asked a GET of `name` after its DELETE: any read, or with
/// `by_selector` only a list or watch that selects it by `metadata.name`.
#[track_caller]
fn wait_for_a_look_after_the_delete(server: &TestServer, name: &str, by_selector: bool) {
    let deadline = std::time::Instant::now() + crate::background::PATIENCE;
    loop {
        let requests = server.requests();
        let mentions = |r: &kz_testserver::RecordedRequest| {
            r.path.ends_with(&format!("/{name}")) || r.query.contains(name)
        };
        let deleted_at = requests
            .iter()
            .position(|r| r.method == "DELETE" && mentions(r));
        let selects = |r: &kz_testserver::RecordedRequest| r.query.contains(name);
        let looked = deleted_at.is_some_and(|at| {
            requests[at..]
                .iter()
                .any(|r| r.method == "GET" && if by_selector { selects(r) } else { mentions(r) })
        });
        if looked {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no GET of {name} after its DELETE"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_closed_stdout_ends_kz_quietly() {
    let server = TestServer::builder()
        .frozen()
        .generated(Generated {
            pods: 2000,
            namespaces: 2,
            crds: 0,
        })
        .start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    for args in [
        &["get", "pods", "-A"][..],
        &["get", "pods", "-A", "-o", "json"],
        &["get", "pods", "-A", "-o", "name"],
    ] {
        let mut child = sandbox
            .kz()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kz");
        // `| head -1`: one line read, then the pipe closes. What kz writes after that (far more
        // than a pipe holds) meets a closed pipe.
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("a first line");
        assert!(!first.is_empty());
        let output = child.wait_with_output().expect("kz ends");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "",
            "{args:?}: not quiet"
        );
    }
}
