//! `kz apply -f` against the test server: what it prints next to the real kubectl's
//! client-side apply on a twin cluster, what the clusters hold after, the interop sequences
//! with kubectl on one cluster, input checked before any write, order, conflicts, refusals,
//! many objects, Ctrl-C and --wait.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use kz_testserver::{Fault, ObjectKey, TestServer, User};
use serde_json::Value;

use crate::support::{Run, Sandbox, run, run_with_stdin};

/// A Deployment and a ConfigMap, three revisions of them: each removes fields the one
/// before had (a label, an env var, a data key) and changes others.
const V1: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: caddy:2.8
        env: [{name: MODE, value: fast}, {name: DEBUG, value: '1'}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: a, level: '1', extra: x}
";

const V2: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: caddy:2.9
        env: [{name: MODE, value: fast}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: b, level: '1'}
";

const V3: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: caddy:2.9
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: c}
";

/// One cluster and a home with manifests to apply to it.
struct Cluster {
    server: TestServer,
    sandbox: Sandbox,
}

impl Cluster {
    fn start() -> Cluster {
        Cluster::with_server(TestServer::builder().frozen().start(), &User::admin())
    }

    fn with_server(server: TestServer, user: &User) -> Cluster {
        let sandbox = Sandbox::for_server(&server, user);
        Cluster { server, sandbox }
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.sandbox.path(name), text).expect("manifest");
    }

    /// `kz ARGS -n shop` from the home.
    fn kz(&self, args: &[&str]) -> Run {
        let mut command = self.sandbox.kz();
        command.current_dir(&self.sandbox.home);
        run(command, &with_namespace(args))
    }

    /// `kubectl ARGS -n shop` from the home; `None` only where kubectl may be missing.
    fn kubectl(&self, args: &[&str]) -> Option<Run> {
        let mut command = self.sandbox.kubectl()?;
        command.current_dir(&self.sandbox.home);
        Some(run(command, &with_namespace(args)))
    }

    fn object(&self, group: &str, resource: &str, name: &str) -> Option<Value> {
        let key = ObjectKey::new(group, resource, "shop", name);
        self.server
            .store()
            .get(&key)
            .map(|object| (*object).clone())
    }

    /// The objects the manifests name, without what differs between any two clusters (uids,
    /// versions, times, who manages what) — what a user sees as the object.
    fn contents(&self) -> Vec<Option<Value>> {
        vec![
            self.object("apps", "deployments", "web").map(comparable),
            self.object("", "configmaps", "settings").map(comparable),
        ]
    }

    fn writes(&self) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .filter(|request| request.is_write())
            .map(|request| format!("{} {}", request.method, request.path))
            .collect()
    }
}

fn with_namespace<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["-n", "shop"]);
    all
}

fn comparable(mut object: Value) -> Value {
    if let Some(metadata) = object["metadata"].as_object_mut() {
        for volatile in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
        ] {
            metadata.remove(volatile);
        }
    }
    if let Some(fields) = object.as_object_mut() {
        fields.remove("status");
    }
    object
}

/// kz on one cluster and kubectl on its twin, given the same manifests.
struct Twins {
    kz: Cluster,
    kubectl: Option<Cluster>,
}

impl Twins {
    fn start() -> Twins {
        let kz = Cluster::start();
        let kubectl = kz.sandbox.kubectl().map(|_| Cluster::start());
        Twins { kz, kubectl }
    }

    fn write(&self, name: &str, text: &str) {
        self.kz.write(name, text);
        if let Some(twin) = &self.kubectl {
            twin.write(name, text);
        }
    }

    /// Runs `apply ARGS` with each client, asserts they answered alike, returns kz's run.
    #[track_caller]
    fn apply(&self, args: &[&str]) -> Run {
        let mut all = vec!["apply"];
        all.extend_from_slice(args);
        let kz = self.kz.kz(&all);
        if let Some(twin) = &self.kubectl {
            let kubectl = twin.kubectl(&all).expect("kubectl");
            assert_eq!(
                kz, kubectl,
                "kz (left) and kubectl (right) differ for {all:?}"
            );
        }
        kz
    }

    #[track_caller]
    fn assert_same_objects(&self) {
        if let Some(twin) = &self.kubectl {
            assert_eq!(self.kz.contents(), twin.contents());
        }
    }
}

#[test]
fn creates_configures_and_leaves_alone_like_kubectl() {
    let twins = Twins::start();
    twins.write("v1.yaml", V1);
    twins.write("v2.yaml", V2);
    let created = twins.apply(&["-f", "v1.yaml"]);
    assert_eq!(
        created.success(),
        "deployment.apps/web created\nconfigmap/settings created\n"
    );
    twins.assert_same_objects();
    assert_eq!(
        twins.apply(&["-f", "v1.yaml"]).success(),
        "deployment.apps/web unchanged\nconfigmap/settings unchanged\n"
    );
    assert_eq!(
        twins.apply(&["-f", "v2.yaml"]).success(),
        "deployment.apps/web configured\nconfigmap/settings configured\n"
    );
    twins.assert_same_objects();
    let settings = twins
        .kz
        .object("", "configmaps", "settings")
        .expect("settings");
    assert_eq!(
        settings["data"],
        serde_json::json!({"mode": "b", "level": "1"})
    );
}

#[test]
fn dry_runs_change_nothing_and_say_so_like_kubectl() {
    let twins = Twins::start();
    twins.write("v1.yaml", V1);
    twins.write("v2.yaml", V2);
    assert_eq!(
        twins
            .apply(&["-f", "v1.yaml", "--dry-run=client"])
            .success(),
        "deployment.apps/web created (dry run)\nconfigmap/settings created (dry run)\n"
    );
    assert_eq!(
        twins
            .apply(&["-f", "v1.yaml", "--dry-run=server"])
            .success(),
        "deployment.apps/web created (server dry run)\nconfigmap/settings created (server dry run)\n"
    );
    assert_eq!(twins.kz.contents(), vec![None, None]);
    twins.apply(&["-f", "v1.yaml"]);
    let before = twins.kz.contents();
    assert_eq!(
        twins
            .apply(&["-f", "v2.yaml", "--dry-run=client"])
            .success(),
        "deployment.apps/web configured (dry run)\nconfigmap/settings configured (dry run)\n"
    );
    assert_eq!(
        twins
            .apply(&["-f", "v2.yaml", "--dry-run=server"])
            .success(),
        "deployment.apps/web configured (server dry run)\nconfigmap/settings configured (server dry run)\n"
    );
    assert_eq!(
        twins
            .apply(&["-f", "v1.yaml", "--dry-run=server"])
            .success(),
        "deployment.apps/web unchanged (server dry run)\nconfigmap/settings unchanged (server dry run)\n"
    );
    assert_eq!(twins.kz.contents(), before);
}

/// Runs `steps` (each: which client, which manifest) on one cluster and the same manifests
/// with kubectl alone on another; the objects must end the same, and every step succeed.
#[track_caller]
fn interop(steps: [(&str, &str); 3]) {
    let mixed = Cluster::start();
    let Some(_) = mixed.sandbox.kubectl() else {
        return;
    };
    let alone = Cluster::start();
    for (name, text) in [("v1.yaml", V1), ("v2.yaml", V2), ("v3.yaml", V3)] {
        mixed.write(name, text);
        alone.write(name, text);
    }
    for (client, manifest) in steps {
        let args = ["apply", "-f", manifest];
        let step = match client {
            "kz" => mixed.kz(&args),
            _ => mixed.kubectl(&args).expect("kubectl"),
        };
        assert_eq!(step.code, Some(0), "{client} apply -f {manifest}: {step:?}");
        assert_eq!(step.stderr, "", "{client} apply -f {manifest}: {step:?}");
        let reference = alone.kubectl(&args).expect("kubectl");
        assert_eq!(reference.code, Some(0), "{reference:?}");
        assert_eq!(
            mixed.contents(),
            alone.contents(),
            "after {client} apply -f {manifest}"
        );
    }
    // Nothing left behind: every field of the last manifest, nothing more.
    let settings = mixed
        .object("", "configmaps", "settings")
        .expect("settings");
    assert_eq!(settings["data"], serde_json::json!({"mode": "c"}));
}

#[test]
fn kubectl_then_kz_then_kubectl_ends_like_kubectl_alone() {
    interop([
        ("kubectl", "v1.yaml"),
        ("kz", "v2.yaml"),
        ("kubectl", "v3.yaml"),
    ]);
}

#[test]
fn kz_then_kubectl_then_kz_ends_like_kubectl_alone() {
    interop([("kz", "v1.yaml"), ("kubectl", "v2.yaml"), ("kz", "v3.yaml")]);
}

#[test]
fn kz_takes_over_from_kubectl_without_conflicts() {
    let cluster = Cluster::start();
    cluster.write("v1.yaml", V1);
    cluster.write("v2.yaml", V2);
    if cluster.kubectl(&["apply", "-f", "v1.yaml"]).is_none() {
        return;
    }
    assert_eq!(
        cluster.kz(&["apply", "-f", "v2.yaml"]).success(),
        "deployment.apps/web configured\nconfigmap/settings configured\n"
    );
    let settings = cluster
        .object("", "configmaps", "settings")
        .expect("settings");
    let managers: Vec<(&str, &str)> = settings["metadata"]["managedFields"]
        .as_array()
        .expect("managed fields")
        .iter()
        .map(|e| {
            (
                e["manager"].as_str().unwrap_or_default(),
                e["operation"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(managers, [("kz", "Apply")]);
    // The one migration patch carried the resourceVersion it read, then one apply.
    let patches: Vec<String> = cluster
        .server
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH" && r.path.ends_with("/configmaps/settings"))
        .map(|r| r.content_type)
        .collect();
    assert_eq!(
        patches,
        [
            "application/json-patch+json",
            "application/apply-patch+yaml"
        ]
    );
}

#[test]
fn nothing_is_written_when_any_document_is_bad() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n",
            "error: error parsing bad.yaml (document 2, line 8, column ",
            "",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n---\napiVersion: v1\nmetadata: {name: nokind}\n",
            "error: error validating bad.yaml (document 2, line 5): kind not set",
            "",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
            "error: bad.yaml (document 2, line 5): resource mapping not found for name: \"w\" namespace: \"\" from \"bad.yaml\": no matches for kind \"Widget\" in version \"example.com/v1\"",
            "",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: prod}\n",
            "error: bad.yaml (document 2, line 5): the namespace from the provided object \"prod\" does not match the namespace \"shop\".",
            "",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-}\n",
            "error: bad.yaml (document 2, line 5): from gen-: cannot use generate name with apply",
            "",
        ),
    ];
    for (text, expected, _) in cases {
        let cluster = Cluster::start();
        cluster.write(
            "good.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n",
        );
        cluster.write("bad.yaml", text);
        let run = cluster.kz(&["apply", "-f", "good.yaml", "-f", "bad.yaml"]);
        let stderr = run.failure();
        assert!(stderr.starts_with(expected), "{expected}\n{stderr}");
        assert!(
            stderr.ends_with(
                "error: nothing was applied: 1 error in the input (kz checks every document before writing any)\n"
            ),
            "{stderr}"
        );
        assert_eq!(cluster.writes(), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn namespaces_and_crds_go_first_and_their_objects_wait_for_them() {
    let cluster = Cluster::start();
    cluster.write(
        "all.yaml",
        "\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: tools}
spec: {size: 3}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c1, namespace: tools}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
---
apiVersion: v1
kind: Namespace
metadata: {name: tools}
",
    );
    let mut command = cluster.sandbox.kz();
    command.current_dir(&cluster.sandbox.home);
    let applied = run(command, &["apply", "-f", "all.yaml"]);
    assert_eq!(
        applied.success(),
        "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\nnamespace/tools created\nwidget.example.com/w1 created\nconfigmap/c1 created\n"
    );
    let key = ObjectKey::new("example.com", "widgets", "tools", "w1");
    let widget = cluster.server.store().get(&key).expect("the widget");
    assert_eq!(widget["spec"]["size"], 3);
}

#[test]
fn selectors_pick_objects_and_stdin_works() {
    let twins = Twins::start();
    twins.write("v1.yaml", V1);
    assert_eq!(
        twins
            .apply(&["-f", "v1.yaml", "-l", "tier=front"])
            .success(),
        "deployment.apps/web created\n"
    );
    assert_eq!(twins.kz.contents()[1], None);
    let mut command = twins.kz.sandbox.kz();
    command.current_dir(&twins.kz.sandbox.home);
    let piped = run_with_stdin(command, &["apply", "-f", "-", "-n", "shop"], V1);
    assert_eq!(
        piped.success(),
        "deployment.apps/web unchanged\nconfigmap/settings created\n"
    );
    assert_eq!(
        twins
            .kz
            .kz(&["apply", "-f", "v1.yaml", "-l", "tier in (back"])
            .failure(),
        "error: the provided selector \"tier in (back\" is not valid: unable to parse requirement: found end of the selector, expected: ',' or ')'\n"
    );
}

#[test]
fn output_formats_print_what_was_applied() {
    let twins = Twins::start();
    twins.write("v1.yaml", V1);
    assert_eq!(
        twins.apply(&["-f", "v1.yaml", "-o", "name"]).success(),
        "deployment.apps/web\nconfigmap/settings\n"
    );
    let cluster = &twins.kz;
    let one = cluster.kz(&["apply", "-f", "v1.yaml", "-l", "tier=front", "-o", "json"]);
    let object: Value = serde_json::from_str(one.success()).expect("json");
    assert_eq!(object["kind"], "Deployment");
    assert_eq!(object["spec"]["replicas"], 2);
    assert_eq!(object["metadata"].get("managedFields"), None);
    let both = cluster.kz(&["apply", "-f", "v1.yaml", "-o", "yaml"]);
    assert!(
        both.success()
            .starts_with("apiVersion: v1\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n"),
        "{both:?}"
    );
    assert!(
        both.stdout.ends_with("kind: List\nmetadata: {}\n"),
        "{both:?}"
    );
    assert!(!both.stdout.contains("managedFields"), "{both:?}");
}

#[test]
fn refused_objects_fail_alone() {
    let kz = Cluster::with_server(TestServer::builder().frozen().start(), &User::named("dev"));
    kz.server.deny("dev", "patch", "configmaps");
    kz.write("v1.yaml", V1);
    let run = kz.kz(&["apply", "-f", "v1.yaml"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.stdout, "deployment.apps/web created\n");
    assert!(
        run.stderr.starts_with(
            "Error from server (Forbidden): error when applying \"v1.yaml\": configmaps \"settings\" is forbidden: User \"dev\" cannot patch resource \"configmaps\""
        ),
        "{run:?}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
}

#[test]
fn invalid_objects_print_the_servers_causes_like_kubectl() {
    let twins = Twins::start();
    twins.write("bad.yaml", &V1.replace("replicas: 2", "replicas: -1"));
    let run = twins.apply(&["-f", "bad.yaml"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "configmap/settings created\n");
    assert_eq!(
        run.stderr,
        "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n"
    );
}

#[test]
fn a_conflict_names_the_field_its_manager_and_the_ways_out() {
    let cluster = Cluster::start();
    cluster.write("v1.yaml", V1);
    cluster.kz(&["apply", "-f", "v1.yaml"]).success();
    let scaled = cluster.kz(&["scale", "deployment/web", "--replicas=5"]);
    assert_eq!(scaled.success(), "deployment.apps/web scaled\n");
    cluster.write("v2.yaml", V2);
    let conflict = cluster.kz(&["apply", "-f", "v2.yaml"]);
    assert_eq!(conflict.code, Some(1), "{conflict:?}");
    assert_eq!(conflict.stdout, "configmap/settings configured\n");
    let stderr = &conflict.stderr;
    assert!(
        stderr.starts_with("error: Apply failed for deployment.apps/web from \"v2.yaml\": 1 field is managed by someone else:\n  .spec.replicas: conflict with \"kz\" with subresource \"scale\" using apps/v1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("usually by a HorizontalPodAutoscaler"),
        "{stderr}"
    );
    assert!(stderr.contains("--force-conflicts"), "{stderr}");
    let web = cluster.object("apps", "deployments", "web").expect("web");
    assert_eq!(web["spec"]["replicas"], 5);
    assert_eq!(
        web["spec"]["template"]["spec"]["containers"][0]["image"],
        "caddy:2.8"
    );

    let forced = cluster.kz(&["apply", "-f", "v2.yaml", "--force-conflicts"]);
    assert_eq!(
        forced.success(),
        "deployment.apps/web configured\nconfigmap/settings unchanged\n"
    );
    let web = cluster.object("apps", "deployments", "web").expect("web");
    assert_eq!(web["spec"]["replicas"], 3);
}

fn many_configmaps(count: usize) -> String {
    (0..count)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i:04}}}\ndata: {{n: '{i}'}}\n"))
        .collect::<Vec<_>>()
        .join("---\n")
}

#[test]
fn many_objects_take_one_get_and_one_patch_each_and_print_in_order() {
    let cluster = Cluster::start();
    let count = 2000;
    cluster.write("many.yaml", &many_configmaps(count));
    let expected: String = (0..count)
        .map(|i| format!("configmap/cm-{i:04} created\n"))
        .collect();
    assert_eq!(
        cluster.kz(&["apply", "-f", "many.yaml"]).success(),
        expected
    );
    let count_of = |method: &str| {
        cluster
            .server
            .requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.contains("/configmaps/cm-"))
            .count()
    };
    assert_eq!((count_of("GET"), count_of("PATCH")), (count, count));
    cluster.server.clear_requests();
    let again = cluster.kz(&["apply", "-f", "many.yaml"]);
    assert_eq!(again.success(), expected.replace("created", "unchanged"));
    assert_eq!((count_of("GET"), count_of("PATCH")), (count, count));
}

#[test]
fn ctrl_c_reports_what_was_applied_and_stops() {
    let cluster = Cluster::start();
    let count = 200;
    cluster.write("many.yaml", &many_configmaps(count));
    cluster.server.inject(
        Fault::delay(std::time::Duration::from_millis(40))
            .method("PATCH")
            .path_contains("/configmaps/"),
    );
    let mut command = cluster.sandbox.kz();
    command
        .current_dir(&cluster.sandbox.home)
        .args(["apply", "-f", "many.yaml", "-n", "shop"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("kz");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("a first line");
    assert_eq!(first, "configmap/cm-0000 created\n");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("the rest");
    let output = child.wait_with_output().expect("kz ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let printed = 1 + rest.lines().count();
    assert!(
        rest.is_empty() || rest.ends_with('\n'),
        "a half-printed line: {rest:?}"
    );
    for (i, line) in std::iter::once(first.trim_end())
        .chain(rest.lines())
        .enumerate()
    {
        assert_eq!(line, format!("configmap/cm-{i:04} created"));
    }
    assert!(printed < count, "Ctrl-C stopped nothing");
    assert_eq!(
        stderr,
        format!(
            "error: interrupted: {printed} applied, {} not applied\n",
            count - printed
        )
    );
    let stored = (0..count)
        .filter(|i| {
            cluster
                .object("", "configmaps", &format!("cm-{i:04}"))
                .is_some()
        })
        .count();
    assert_eq!(stored, printed);
}

#[test]
fn wait_waits_until_the_applied_workloads_are_rolled_out() {
    let cluster = Cluster::with_server(TestServer::start(), &User::admin());
    cluster.write("v1.yaml", V1);
    let run = cluster.kz(&["apply", "-f", "v1.yaml", "--wait", "--timeout=60s"]);
    let stdout = run.success();
    assert!(
        stdout.starts_with("deployment.apps/web created\nconfigmap/settings created\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("deployment \"web\" successfully rolled out\n"),
        "{stdout}"
    );
    let web = cluster.object("apps", "deployments", "web").expect("web");
    assert_eq!(web["status"]["updatedReplicas"], 2);
    // apply's own GET only: the wait watches what apply just wrote, without reading it again.
    let gets = cluster
        .server
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/deployments/web"))
        .count();
    assert_eq!(gets, 1);
}

#[test]
fn no_files_and_unreachable_servers_are_one_line_errors() {
    let cluster = Cluster::start();
    assert_eq!(
        cluster.kz(&["apply"]).failure(),
        "error: must specify one of -f and -k\n"
    );
    cluster.write("v1.yaml", V1);
    cluster.server.refuse_connections(true);
    let refused = cluster.kz(&["apply", "-f", "v1.yaml"]);
    let stderr = refused.failure();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("Unable to connect to the server https://127.0.0.1:"),
        "{stderr}"
    );
    assert!(!stderr.contains("os error"), "{stderr}");
}

const ODD_FIELDS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  colour: blue
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: main, image: caddy:2.8, size: big}]
";

#[test]
fn unknown_fields_fail_warn_or_are_dropped_like_kubectls_validate() {
    let twins = Twins::start();
    twins.write("odd.yaml", ODD_FIELDS);
    let strict = twins.kz.kz(&["apply", "-f", "odd.yaml"]);
    assert_eq!(
        strict.failure(),
        "error: error when applying \"odd.yaml\": strict decoding error: unknown field \"spec.colour\", unknown field \"spec.template.spec.containers[0].size\"\n"
    );
    // The refused apply, then server dry runs to find the next unknown field: nothing kept.
    let dry_runs: Vec<bool> = twins
        .kz
        .server
        .requests()
        .into_iter()
        .filter(|r| r.is_write())
        .map(|r| r.query.contains("dryRun=All"))
        .collect();
    assert_eq!(dry_runs, [false, true, true]);
    assert!(twins.kz.contents()[0].is_none());
    let warned = twins.apply(&["-f", "odd.yaml", "--validate=warn"]);
    assert_eq!(warned.stdout, "deployment.apps/web created\n");
    let mut warnings: Vec<&str> = warned.stderr.lines().collect();
    warnings.sort_unstable();
    assert_eq!(
        warnings,
        [
            "Warning: unknown field \"spec.colour\"",
            "Warning: unknown field \"spec.template.spec.containers[0].size\""
        ]
    );
    let web = twins.kz.object("apps", "deployments", "web").expect("web");
    assert_eq!(web["spec"].get("colour"), None);
    let ignored = twins
        .kz
        .kz(&["apply", "-f", "odd.yaml", "--validate=ignore"]);
    assert_eq!(ignored.success(), "deployment.apps/web unchanged\n");
}

#[test]
fn kubectls_server_side_apply_is_another_manager_unless_kz_applies_as_it() {
    let cluster = Cluster::start();
    cluster.write("v1.yaml", V1);
    cluster.write("v1b.yaml", &V1.replace("level: '1'", "level: '2'"));
    cluster.kz(&["apply", "-f", "v1.yaml"]).success();
    let Some(kubectl) = cluster.kubectl(&["apply", "--server-side", "-f", "v1b.yaml"]) else {
        return;
    };
    assert_eq!(kubectl.code, Some(0), "{kubectl:?}");
    // The annotation, which both keep, is no conflict; the value kubectl changed is.
    let conflict = cluster.kz(&["apply", "-f", "v1.yaml", "--server-side"]);
    assert_eq!(conflict.code, Some(1), "{conflict:?}");
    assert_eq!(conflict.stdout, "deployment.apps/web configured\n");
    assert!(
        conflict.stderr.contains("  .data.level: conflict with \"kubectl\"\n\"kubectl\" is the manager of `kubectl apply --server-side`"),
        "{conflict:?}"
    );
    let shared = cluster.kz(&["apply", "-f", "v1.yaml", "--field-manager=kubectl"]);
    assert_eq!(
        shared.success(),
        "deployment.apps/web unchanged\nconfigmap/settings configured\n"
    );
    let settings = cluster
        .object("", "configmaps", "settings")
        .expect("settings");
    assert_eq!(settings["data"]["level"], "1");
    let annotation =
        settings["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .expect("the annotation");
    assert!(annotation.contains("\"level\":\"1\""), "{annotation}");
}

#[test]
fn directories_recursively_and_lists_item_by_item() {
    let cluster = Cluster::start();
    std::fs::create_dir_all(cluster.sandbox.path("app/more")).expect("dirs");
    cluster.write(
        "app/a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    );
    cluster.write(
        "app/more/list.json",
        r#"{"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}]}"#,
    );
    assert_eq!(
        cluster.kz(&["apply", "-f", "app"]).success(),
        "configmap/a created\n"
    );
    assert_eq!(
        cluster.kz(&["apply", "-R", "-f", "app"]).success(),
        "configmap/a unchanged\nconfigmap/b created\nconfigmap/c created\n"
    );
}
