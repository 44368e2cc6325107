//! The real kubectl against the test server: if the server were wrong where kubectl looks,
//! these commands would fail or print something else than the recorded real transcripts.
//! Without kubectl on PATH each test says so on stderr and passes, except under
//! `KZ_REQUIRE_KUBECTL` (as in CI), where it fails.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use kz_testserver::{TestServer, User};
use tempfile::TempDir;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");

const SCRATCH_NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: scratch}\n";

/// How long a streaming kubectl may take to print its next line before the test fails.
const LINE_TIMEOUT: Duration = Duration::from_secs(30);

fn kubectl_on_path() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    *FOUND.get_or_init(|| {
        Command::new("kubectl")
            .args(["version", "--client"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// kubectl with its own HOME (so its discovery cache is fresh) and a kubeconfig for `user`.
struct Kubectl {
    home: TempDir,
    kubeconfig: PathBuf,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Set (to anything but empty or `0`) where kubectl is installed, as in CI: these tests must
/// then run, and a missing kubectl fails them instead of skipping them.
const REQUIRE_KUBECTL: &str = "KZ_REQUIRE_KUBECTL";

/// What a test that runs kubectl does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KubectlRule {
    Run,
    /// A contributor without kubectl: the test is skipped, saying so.
    Skip,
    /// kubectl is required (`KZ_REQUIRE_KUBECTL`) but missing: the test fails.
    Fail,
}

/// The rule, given whether kubectl is on PATH and the value of `KZ_REQUIRE_KUBECTL`: a test
/// that cannot run must not pass where it should have run.
fn kubectl_rule(on_path: bool, require: Option<&str>) -> KubectlRule {
    let required = require.is_some_and(|value| !value.is_empty() && value != "0");
    match (on_path, required) {
        (true, _) => KubectlRule::Run,
        (false, false) => KubectlRule::Skip,
        (false, true) => KubectlRule::Fail,
    }
}

/// Whether a test that runs kubectl goes on: `false`, after saying so on stderr, when kubectl
/// is not installed; a failed test instead under `KZ_REQUIRE_KUBECTL`.
#[track_caller]
pub(crate) fn kubectl_may_run(test: &str) -> bool {
    let required = std::env::var(REQUIRE_KUBECTL).ok();
    match kubectl_rule(kubectl_on_path(), required.as_deref()) {
        KubectlRule::Run => true,
        KubectlRule::Skip => {
            // Not through eprintln!: the test harness would swallow it for a passing test.
            let _ = writeln!(
                std::io::stderr(),
                "kubectl is not on PATH: {test} was not run"
            );
            false
        }
        KubectlRule::Fail => panic!(
            "kubectl is not on PATH, but {REQUIRE_KUBECTL} is set: {test} must run (install kubectl, or unset {REQUIRE_KUBECTL})"
        ),
    }
}

impl Kubectl {
    /// `None`, after saying so on stderr, when kubectl is not installed; a failed test
    /// instead under `KZ_REQUIRE_KUBECTL`.
    #[track_caller]
    fn new(server: &TestServer, user: &User, test: &str) -> Option<Kubectl> {
        if !kubectl_may_run(test) {
            return None;
        }
        let home = TempDir::new().expect("temp HOME");
        let kubeconfig = home.path().join("config");
        server
            .write_kubeconfig(&kubeconfig, user)
            .expect("kubeconfig");
        Some(Kubectl { home, kubeconfig })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("kubectl");
        command
            .args(args)
            .env("HOME", self.home.path())
            .env("KUBECONFIG", &self.kubeconfig)
            .env_remove("KUBECTL_EXTERNAL_DIFF")
            .current_dir(FIXTURES);
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run kubectl");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and insists on success, returning stdout.
    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code, 0,
            "kubectl {args:?} failed: {}{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    fn spawn(&self, args: &[&str]) -> Lines {
        let mut child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn kubectl");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Lines { child, lines: rx }
    }
}

/// A running kubectl's output, line by line; killed on drop.
struct Lines {
    child: Child,
    lines: Receiver<String>,
}

impl Lines {
    fn next(&self) -> String {
        self.lines
            .recv_timeout(LINE_TIMEOUT)
            .expect("kubectl printed no further line in time")
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A recorded kubectl transcript: `$ command`, `# exit code: N`, stdout, stderr.
struct Transcript {
    code: i32,
    stdout: String,
    stderr: String,
}

fn transcript(name: &str) -> Transcript {
    let text =
        std::fs::read_to_string(format!("{FIXTURES}/kubectl/{name}.txt")).expect("transcript");
    let code = text
        .lines()
        .find_map(|l| l.strip_prefix("# exit code: "))
        .and_then(|c| c.trim().parse().ok())
        .expect("exit code");
    let (_, rest) = text.split_once("# --- stdout\n").expect("stdout section");
    let (stdout, stderr) = rest.split_once("# --- stderr\n").expect("stderr section");
    Transcript {
        code,
        stdout: stdout.to_string(),
        stderr: stderr.to_string(),
    }
}

/// Replaces ages (`15m`, `6m58s`, `2d`) with `<age>`, keeping the column layout comparable.
fn without_ages(text: &str) -> String {
    let is_age = |word: &str| {
        !word.is_empty()
            && word.starts_with(|c: char| c.is_ascii_digit())
            && word.ends_with(['s', 'm', 'h', 'd', 'y'])
            && word
                .chars()
                .all(|c| c.is_ascii_digit() || "smhdy".contains(c))
    };
    text.lines()
        .map(|line| {
            line.split_whitespace()
                .map(|w| if is_age(w) { "<age>" } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn kubectl_lists_namespaces_and_api_resources_like_the_real_server() {
    let server = TestServer::start();
    let Some(kubectl) = Kubectl::new(&server, &User::admin(), "kubectl_lists_namespaces") else {
        return;
    };
    assert_eq!(
        without_ages(&kubectl.ok(&["get", "ns"])),
        without_ages(&transcript("get-ns").stdout)
    );
    assert_eq!(
        kubectl.ok(&["api-resources"]),
        transcript("api-resources").stdout
    );
    assert_eq!(
        kubectl.ok(&["api-resources", "-o", "wide"]),
        transcript("api-resources-wide").stdout
    );
    assert_eq!(
        kubectl.ok(&["api-versions"]),
        transcript("api-versions").stdout
    );
}

#[test]
fn kubectl_get_pods_wide_prints_the_real_columns() {
    let server = TestServer::start();
    let Some(kubectl) = Kubectl::new(&server, &User::cert_admin(), "kubectl_get_pods_wide") else {
        return;
    };
    let ours = kubectl.ok(&["get", "pods", "-o", "wide", "-n", "shop"]);
    let real = transcript("get-pods-wide").stdout;
    let header = |t: &str| {
        t.lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(header(&ours), header(&real));
    for pod in ["cache-0", "cache-1"] {
        let row = ours
            .lines()
            .find(|l| l.starts_with(&format!("{pod} ")))
            .unwrap_or_else(|| panic!("{pod} missing from\n{ours}"));
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(&cells[1..4], &["1/1", "Running", "0"], "{row}");
        assert!(cells[5].starts_with("10.244."), "{row}");
        assert!(cells[6].starts_with("fake-node-"), "{row}");
        assert_eq!(&cells[7..], &["<none>", "<none>"], "{row}");
    }
    let running = ours.lines().filter(|l| l.contains(" Running ")).count();
    assert_eq!(
        running, 6,
        "2 cache, 2 frontend and 2 log-agent pods:\n{ours}"
    );
    assert!(
        ours.lines()
            .any(|l| l.starts_with("migrate-") && l.contains(" Completed ")),
        "{ours}"
    );
}

#[test]
fn kubectl_apply_creates_then_leaves_unchanged_then_configures() {
    let server = TestServer::start();
    let Some(kubectl) = Kubectl::new(&server, &User::admin(), "kubectl_apply") else {
        return;
    };
    // kubectl's typed create sends protobuf, which the test server does not speak.
    server.create(SCRATCH_NAMESPACE).expect("namespace");
    let apply = |file: &str, extra: &[&str]| {
        let mut args = vec!["apply", "-f", file, "-n", "scratch"];
        args.extend_from_slice(extra);
        kubectl.ok(&args)
    };
    assert_eq!(
        apply("manifests/scratch-app.yaml", &[]),
        transcript("apply-create").stdout
    );
    assert_eq!(
        apply("manifests/scratch-app.yaml", &[]),
        transcript("apply-unchanged").stdout
    );
    assert_eq!(
        apply("manifests/scratch-app-v2.yaml", &[]),
        transcript("apply-configured").stdout
    );
    assert_eq!(
        apply("manifests/scratch-app-v2.yaml", &["--server-side"]),
        transcript("apply-server-side").stdout
    );
    let image = kubectl.ok(&[
        "get",
        "deploy",
        "scratch",
        "-n",
        "scratch",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, "caddy:2.8");
}

#[test]
fn kubectl_server_side_apply_conflicts_until_forced() {
    let server = TestServer::builder().empty().start();
    let Some(kubectl) = Kubectl::new(
        &server,
        &User::admin(),
        "kubectl_server_side_apply_conflicts",
    ) else {
        return;
    };
    let dir = TempDir::new().expect("manifests");
    let write = |name: &str, mode: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: default}}\ndata: {{mode: {mode}}}\n"),
        )
        .expect("write manifest");
        path.to_string_lossy().into_owned()
    };
    let (alice, bob) = (write("a.yaml", "a"), write("b.yaml", "b"));
    let apply = |file: &str, manager: &str, extra: &[&str]| {
        let mut args = vec![
            "apply",
            "--server-side",
            "--field-manager",
            manager,
            "-f",
            file,
        ];
        args.extend_from_slice(extra);
        kubectl.run(&args)
    };
    let first = apply(&alice, "alice", &[]);
    assert_eq!(
        (first.code, first.stdout.as_str()),
        (0, "configmap/settings serverside-applied\n")
    );
    let conflict = apply(&bob, "bob", &[]);
    assert_eq!(conflict.code, 1);
    assert!(
        conflict
            .stderr
            .contains("Apply failed with 1 conflict: conflict with \"alice\": .data.mode"),
        "{}",
        conflict.stderr
    );
    let forced = apply(&bob, "bob", &["--force-conflicts"]);
    assert_eq!(
        (forced.code, forced.stdout.as_str()),
        (0, "configmap/settings serverside-applied\n")
    );
    assert_eq!(
        kubectl.ok(&["get", "cm", "settings", "-o", "jsonpath={.data.mode}"]),
        "b"
    );
}

/// Client-side apply, then `kubectl apply --server-side` of the manifest with a field removed
/// (kubectl migrates client-side apply's fields to its own Apply entry and applies again), then
/// client-side apply again with another field removed: each time the removed field is gone.
#[test]
fn kubectl_switches_between_client_side_and_server_side_apply() {
    let server = TestServer::builder().empty().start();
    let Some(kubectl) = Kubectl::new(
        &server,
        &User::admin(),
        "kubectl_switches_between_client_side_and_server_side_apply",
    ) else {
        return;
    };
    let dir = TempDir::new().expect("manifests");
    let manifest = |data: &str| {
        let path = dir.path().join("settings.yaml");
        std::fs::write(
            &path,
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: default}}\ndata: {{{data}}}\n"),
        )
        .expect("write manifest");
        path.to_string_lossy().into_owned()
    };
    let stored = || -> serde_json::Value {
        serde_json::from_str(&kubectl.ok(&[
            "get",
            "cm",
            "settings",
            "-o",
            "json",
            "--show-managed-fields",
        ]))
        .expect("JSON")
    };
    let managers = |object: &serde_json::Value| -> Vec<String> {
        object["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                format!(
                    "{} {}",
                    e["manager"].as_str().unwrap_or_default(),
                    e["operation"].as_str().unwrap_or_default()
                )
            })
            .collect()
    };
    let annotation = "kubectl.kubernetes.io/last-applied-configuration";

    assert_eq!(
        kubectl.ok(&["apply", "-f", &manifest("a: '1', b: '2', c: '3'")]),
        "configmap/settings created\n"
    );
    assert_eq!(managers(&stored()), ["kubectl-client-side-apply Update"]);

    let run = kubectl.run(&["apply", "--server-side", "-f", &manifest("a: '1', b: '2'")]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "configmap/settings serverside-applied\n", "")
    );
    let object = stored();
    assert_eq!(object["data"], serde_json::json!({"a": "1", "b": "2"}));
    assert_eq!(
        object["metadata"]["annotations"][annotation],
        "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\",\"b\":\"2\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\",\"namespace\":\"default\"}}\n"
    );
    assert_eq!(
        managers(&object),
        ["kubectl Apply", "kubectl-last-applied Apply"],
        "kubectl took over client-side apply's fields"
    );
    let kubectl_entry = &object["metadata"]["managedFields"][0];
    assert_eq!(
        kubectl_entry["fieldsV1"],
        serde_json::json!({"f:data": {"f:a": {}, "f:b": {}}})
    );

    assert_eq!(
        kubectl.ok(&["apply", "-f", &manifest("a: '1'")]),
        "configmap/settings configured\n"
    );
    let object = stored();
    assert_eq!(object["data"], serde_json::json!({"a": "1"}));
    assert_eq!(
        object["metadata"]["annotations"][annotation],
        "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"name\":\"settings\",\"namespace\":\"default\"}}\n"
    );
}

/// `kubectl apply --server-side` may change what its client-side apply last set without
/// `--force-conflicts`, but not what someone changed since.
#[test]
fn kubectl_server_side_apply_overrides_only_its_own_client_side_values() {
    let server = TestServer::builder().empty().start();
    let Some(kubectl) = Kubectl::new(
        &server,
        &User::admin(),
        "kubectl_server_side_apply_overrides_only_its_own_client_side_values",
    ) else {
        return;
    };
    let dir = TempDir::new().expect("manifests");
    let manifest = |data: &str| {
        let path = dir.path().join("settings.yaml");
        std::fs::write(
            &path,
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: default}}\ndata: {{{data}}}\n"),
        )
        .expect("write manifest");
        path.to_string_lossy().into_owned()
    };
    kubectl.ok(&["apply", "-f", &manifest("mode: a, size: s")]);
    kubectl.ok(&[
        "patch",
        "cm",
        "settings",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"size":"m"}}"#,
    ]);

    let conflict = kubectl.run(&[
        "apply",
        "--server-side",
        "-f",
        &manifest("mode: b, size: l"),
    ]);
    assert_eq!(conflict.code, 1);
    assert!(
        conflict.stderr.contains(
            "Apply failed with 1 conflict: conflict with \"kubectl-patch\" using v1: .data.size"
        ),
        "only the patched field conflicts: {}",
        conflict.stderr
    );
    assert_eq!(
        kubectl.ok(&[
            "apply",
            "--server-side",
            "-f",
            &manifest("mode: b, size: m")
        ]),
        "configmap/settings serverside-applied\n"
    );
    assert_eq!(
        kubectl.ok(&[
            "get",
            "cm",
            "settings",
            "-o",
            "jsonpath={.data.mode} {.data.size}"
        ]),
        "b m"
    );
}

#[test]
fn kubectl_scales_and_rolls_out() {
    let server = TestServer::start();
    let Some(kubectl) = Kubectl::new(&server, &User::admin(), "kubectl_scales_and_rolls_out")
    else {
        return;
    };
    server.create(SCRATCH_NAMESPACE).expect("namespace");
    kubectl.ok(&["apply", "-f", "manifests/scratch-app.yaml", "-n", "scratch"]);
    let rollout_done = "deployment \"scratch\" successfully rolled out\n";
    let status = || {
        kubectl.ok(&[
            "rollout",
            "status",
            "deploy/scratch",
            "-n",
            "scratch",
            "--timeout=60s",
        ])
    };
    assert!(status().ends_with(rollout_done));

    assert_eq!(
        kubectl.ok(&["scale", "deploy/scratch", "--replicas=3", "-n", "scratch"]),
        transcript("scale").stdout
    );
    assert!(status().ends_with(rollout_done));
    let ready = kubectl.ok(&[
        "get",
        "deploy",
        "scratch",
        "-n",
        "scratch",
        "-o",
        "jsonpath={.status.readyReplicas}",
    ]);
    assert_eq!(ready, "3");

    kubectl.ok(&[
        "set",
        "image",
        "deploy/scratch",
        "main=caddy:2.8",
        "-n",
        "scratch",
    ]);
    assert!(status().ends_with(rollout_done));
    assert_eq!(
        kubectl.ok(&["rollout", "history", "deploy/scratch", "-n", "scratch"]),
        "deployment.apps/scratch \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    );
    assert_eq!(
        kubectl.ok(&["rollout", "undo", "deploy/scratch", "-n", "scratch"]),
        transcript("rollout-undo").stdout
    );
    assert!(status().ends_with(rollout_done));
    let image = kubectl.ok(&[
        "get",
        "deploy",
        "scratch",
        "-n",
        "scratch",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(
        image, "caddy:2.7",
        "undo went back to revision 1's template"
    );
    assert_eq!(
        kubectl.ok(&["rollout", "restart", "deploy/scratch", "-n", "scratch"]),
        transcript("rollout-restart").stdout
    );
    assert!(status().ends_with(rollout_done));
    assert_eq!(
        kubectl.ok(&["rollout", "history", "deploy/scratch", "-n", "scratch"]),
        "deployment.apps/scratch \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n4         <none>\n\n"
    );
}

/// The labels of the top-level describe fields (`Name:`, `Replicas:` …), in order.
fn describe_fields(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with(' ') && l.contains(':'))
        .filter_map(|l| l.split(':').next().map(String::from))
        .collect()
}

#[test]
fn kubectl_describes_a_deployment_with_the_real_layout() {
    let server = TestServer::start();
    let Some(kubectl) = Kubectl::new(&server, &User::admin(), "kubectl_describes") else {
        return;
    };
    let ours = kubectl.ok(&["describe", "deploy", "frontend", "-n", "shop"]);
    let real = transcript("describe-deployment").stdout;
    let mut real_fields = describe_fields(&real);
    // The recorded deployment was mid-rollout, with old ReplicaSets; ours has settled.
    let mut our_fields = describe_fields(&ours);
    real_fields.retain(|f| f != "OldReplicaSets");
    our_fields.retain(|f| f != "OldReplicaSets");
    assert_eq!(our_fields, real_fields, "{ours}");
    assert!(
        ours.contains(
            "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable"
        ),
        "{ours}"
    );
    assert!(ours.contains("Normal  ScalingReplicaSet"), "{ours}");
    assert!(
        ours.contains("THEME:       <set to the key 'theme' of config map 'shop-config'>"),
        "{ours}"
    );
}

#[test]
fn kubectl_reads_and_follows_logs() {
    let server = TestServer::start();
    let Some(kubectl) = Kubectl::new(&server, &User::admin(), "kubectl_reads_and_follows_logs")
    else {
        return;
    };
    let pod = kubectl.ok(&[
        "get",
        "pods",
        "-n",
        "shop",
        "-l",
        "app=frontend",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ]);
    assert_eq!(
        kubectl.ok(&["logs", &pod, "--tail=3", "-n", "shop"]),
        format!("{pod}/web line 18\n{pod}/web line 19\n{pod}/web line 20\n")
    );
    let agent = kubectl.ok(&[
        "get",
        "pods",
        "-n",
        "shop",
        "-l",
        "app=log-agent",
        "-o",
        "jsonpath={.items[0].metadata.name}",
    ]);
    let defaulted = kubectl.run(&["logs", &agent, "-n", "shop"]);
    assert_eq!(defaulted.code, 0);
    assert_eq!(defaulted.stdout.lines().count(), 20);
    assert_eq!(
        defaulted.stderr,
        transcript("logs-multi-container-error").stderr
    );

    let follow = kubectl.spawn(&["logs", "-f", &pod, "--tail=1", "-n", "shop"]);
    assert_eq!(follow.next(), format!("{pod}/web line 20"));
    server.append_log("shop", &pod, "web", "appended while following");
    assert_eq!(follow.next(), "appended while following");
}

#[test]
fn kubectl_watch_prints_rows_as_events_arrive() {
    let server = TestServer::start();
    let Some(kubectl) = Kubectl::new(&server, &User::admin(), "kubectl_watch") else {
        return;
    };
    let watch = kubectl.spawn(&["get", "deploy", "-n", "shop", "-w"]);
    let header = watch.next();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    );
    assert!(watch.next().starts_with("frontend   2/2"));
    kubectl.ok(&["scale", "deploy/frontend", "--replicas=3", "-n", "shop"]);
    // The scale and the controller's progress arrive as new rows of the same table.
    let mut seen = Vec::new();
    loop {
        let row = watch.next();
        seen.push(row.clone());
        if row.starts_with("frontend   3/3") {
            break;
        }
        assert!(seen.len() < 20, "no 3/3 row: {seen:?}");
    }
}

#[test]
fn kubectl_gets_the_real_forbidden_error() {
    let server = TestServer::start();
    server.deny("viewer", "list", "pods");
    let Some(kubectl) = Kubectl::new(
        &server,
        &User::named("viewer"),
        "kubectl_gets_the_real_forbidden",
    ) else {
        return;
    };
    let run = kubectl.run(&["get", "pods", "-n", "shop"]);
    let real = transcript("get-pods-forbidden");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (real.code, "", real.stderr.as_str())
    );
}

#[test]
fn a_missing_kubectl_skips_only_where_it_is_not_required() {
    use KubectlRule::{Fail, Run, Skip};
    let cases = [
        ((true, None), Run),
        ((true, Some("1")), Run),
        ((false, None), Skip),
        ((false, Some("")), Skip),
        ((false, Some("0")), Skip),
        ((false, Some("1")), Fail),
        ((false, Some("true")), Fail),
    ];
    for ((on_path, require), expected) in cases {
        assert_eq!(
            kubectl_rule(on_path, require),
            expected,
            "on PATH: {on_path}, {REQUIRE_KUBECTL}={require:?}"
        );
    }
}

#[test]
fn kubectl_meets_the_real_field_validation() {
    let server = TestServer::builder().empty().start();
    let Some(kubectl) = Kubectl::new(&server, &User::admin(), "kubectl_field_validation") else {
        return;
    };
    let dir = TempDir::new().expect("manifests");
    let manifest = dir.path().join("web.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec:\n  foo: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n",
    )
    .expect("write manifest");
    let file = manifest.to_string_lossy().into_owned();

    let created = kubectl.run(&["create", "-f", &file]);
    assert_eq!(created.code, 1, "{}{}", created.stdout, created.stderr);
    assert_eq!(
        created.stderr,
        format!(
            "Error from server (BadRequest): error when creating \"{file}\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\"\n"
        )
    );

    let warned = kubectl.run(&["apply", "--validate=warn", "-f", &file]);
    assert_eq!(
        (warned.code, warned.stdout.as_str(), warned.stderr.as_str()),
        (
            0,
            "deployment.apps/web created\n",
            "Warning: unknown field \"spec.foo\"\n"
        )
    );
    assert_eq!(
        kubectl.ok(&[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.foo}{.spec.replicas}"
        ]),
        "1"
    );

    let server_side = kubectl.run(&["apply", "--server-side", "--validate=warn", "-f", &file]);
    assert_eq!(server_side.code, 1, "{}", server_side.stdout);
    assert_eq!(
        server_side.stderr,
        "Error from server: failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema\n"
    );
    // kubectl found the server's support in /openapi/v3 and left validation to the server.
    let directives: Vec<(String, String)> = server
        .requests()
        .iter()
        .filter(|r| r.is_write() && r.path.contains("/deployments"))
        .map(|r| {
            let directive = r
                .query
                .split('&')
                .find(|p| p.starts_with("fieldValidation="));
            (r.method.clone(), directive.unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(
        directives,
        [
            ("POST".into(), "fieldValidation=Strict".into()),
            ("POST".into(), "fieldValidation=Warn".into()),
            ("PATCH".into(), "fieldValidation=Warn".into()),
        ]
    );
}

#[test]
fn kubectl_leaves_a_new_crds_validation_to_the_server() {
    let server = TestServer::builder().empty().start();
    let Some(kubectl) = Kubectl::new(&server, &User::admin(), "kubectl_crd_field_validation")
    else {
        return;
    };
    let dir = TempDir::new().expect("manifests");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write manifest");
        path.to_string_lossy().into_owned()
    };
    let crd = write(
        "crd.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              size: {type: integer}\n              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}\n",
    );
    kubectl.ok(&["apply", "-f", &crd]);
    let widget = write(
        "widget.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\nspec: {size: 1, colour: red, extra: {anything: [1]}}\n",
    );
    let created = kubectl.run(&["create", "-f", &widget]);
    assert_eq!(
        (created.code, created.stderr),
        (
            1,
            format!(
                "Error from server (BadRequest): error when creating \"{widget}\": Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.colour\"\n"
            )
        )
    );
    let ignored = kubectl.run(&["create", "--validate=ignore", "-f", &widget]);
    assert_eq!(
        (
            ignored.code,
            ignored.stdout.as_str(),
            ignored.stderr.as_str()
        ),
        (0, "widget.example.com/w created\n", "")
    );
    assert_eq!(
        kubectl.ok(&["get", "widget", "w", "-o", "jsonpath={.spec}"]),
        r#"{"extra":{"anything":[1]},"size":1}"#
    );
}
