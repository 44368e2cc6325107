//! `kz scale` against the test server, each sequence run by kz and by the real kubectl on
//! twin servers (scaling changes the cluster, so each client gets a cluster of its own) and
//! compared step by step: messages, errors, exit codes, and what the cluster holds after.

use kz_testserver::{Fault, ObjectKey, TestServer, User};

use crate::support::{Run, Sandbox, fixture_stdout, run};

/// A ReplicaSet and a ReplicationController of their own (the seeded cluster's only
/// ReplicaSet belongs to a Deployment).
const EXTRA_WORKLOADS: &str = "\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: batch
  namespace: shop
  labels: {tier: back}
spec:
  replicas: 1
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: main, image: busybox:1.36}]}
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: legacy
  namespace: shop
  labels: {tier: back}
spec:
  replicas: 1
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: main, image: busybox:1.36}]}
";

/// One cluster and a client of it.
struct Side {
    server: TestServer,
    sandbox: Sandbox,
}

impl Side {
    fn start(frozen: bool, user: &User) -> Side {
        let builder = TestServer::builder();
        let builder = if frozen { builder.frozen() } else { builder };
        let server = builder.start();
        server.create(EXTRA_WORKLOADS).expect("extra workloads");
        let sandbox = Sandbox::for_server(&server, user);
        Side { server, sandbox }
    }

    /// `spec.replicas` of a stored object in `shop`.
    fn replicas(&self, group: &str, resource: &str, name: &str) -> i64 {
        let key = ObjectKey::new(group, resource, "shop", name);
        let object = self.server.store().get(&key).expect("stored object");
        object["spec"]["replicas"].as_i64().expect("spec.replicas")
    }

    fn resource_version(&self, group: &str, resource: &str, name: &str) -> String {
        let key = ObjectKey::new(group, resource, "shop", name);
        let object = self.server.store().get(&key).expect("stored object");
        object["metadata"]["resourceVersion"]
            .as_str()
            .expect("resourceVersion")
            .to_owned()
    }
}

/// kz's cluster, and kubectl's when kubectl is installed.
struct Twins {
    kz: Side,
    kubectl: Option<Side>,
}

impl Twins {
    fn start() -> Twins {
        Twins::with(true, &User::admin(), |_| {})
    }

    /// Twin clusters, each prepared by `prepare`, used as `user`.
    fn with(frozen: bool, user: &User, prepare: impl Fn(&TestServer)) -> Twins {
        let kz = Side::start(frozen, user);
        prepare(&kz.server);
        let kubectl = kz.sandbox.kubectl().map(|_| {
            let side = Side::start(frozen, user);
            prepare(&side.server);
            side
        });
        Twins { kz, kubectl }
    }

    /// Runs `kz scale ARGS -n shop` on kz's cluster and `kubectl scale ARGS -n shop` on
    /// kubectl's, asserts they answered alike, and returns kz's run.
    #[track_caller]
    fn scale(&self, args: &[&str]) -> Run {
        self.scale_with(|_| args.iter().map(|arg| arg.to_string()).collect())
    }

    /// Like `scale`, with arguments that depend on the cluster (its resource versions).
    #[track_caller]
    fn scale_with(&self, args: impl Fn(&Side) -> Vec<String>) -> Run {
        self.compared(args, |run| run.clone())
    }

    /// Like `scale`, comparing the runs without what differs between two clusters started
    /// apart: uids and timestamps.
    #[track_caller]
    fn scale_masking_volatile(&self, args: &[&str]) -> Run {
        let mask = |run: &Run| Run {
            stdout: run.stdout.lines().map(mask_volatile).collect(),
            ..run.clone()
        };
        self.compared(|_| args.iter().map(|arg| arg.to_string()).collect(), mask)
    }

    /// Runs both clients and compares their runs as `view` shows them.
    #[track_caller]
    fn compared(&self, args: impl Fn(&Side) -> Vec<String>, view: impl Fn(&Run) -> Run) -> Run {
        let command = |side: &Side| {
            let mut all = vec!["scale".to_owned()];
            all.extend(args(side));
            all.extend(["-n".to_owned(), "shop".to_owned()]);
            all
        };
        let kz_args = command(&self.kz);
        let kz_args: Vec<&str> = kz_args.iter().map(String::as_str).collect();
        let kz = run(self.kz.sandbox.kz(), &kz_args);
        if let Some(side) = &self.kubectl {
            let kubectl_args = command(side);
            let kubectl_args: Vec<&str> = kubectl_args.iter().map(String::as_str).collect();
            let kubectl = side.sandbox.kubectl().expect("kubectl");
            let kubectl = run(kubectl, &kubectl_args);
            assert_eq!(
                view(&kz),
                view(&kubectl),
                "kz (left) and kubectl (right) differ for {kz_args:?}"
            );
        }
        kz
    }

    /// Asserts `check` of both clusters.
    #[track_caller]
    fn both(&self, check: impl Fn(&Side)) {
        check(&self.kz);
        if let Some(side) = &self.kubectl {
            check(side);
        }
    }
}

/// A YAML line with the value of a uid, timestamp or resourceVersion field replaced, and its
/// newline. (kz scales several objects at once, so which of them the server wrote first, and
/// gave the lower resourceVersion, is not the same from run to run.)
fn mask_volatile(line: &str) -> String {
    const VOLATILE: [&str; 6] = [
        "uid: ",
        "resourceVersion: ",
        "creationTimestamp: ",
        "lastTransitionTime: ",
        "lastUpdateTime: ",
        "time: ",
    ];
    for key in VOLATILE {
        if let Some(at) = line.find(key) {
            return format!("{}{key}MASKED\n", &line[..at]);
        }
    }
    format!("{line}\n")
}

#[test]
fn every_scalable_kind_scales_through_its_scale_subresource() {
    let twins = Twins::start();
    let scaled = twins.scale(&[
        "deploy/frontend",
        "rs/batch",
        "sts/cache",
        "rc/legacy",
        "gizmo/sprocket",
        "--replicas=4",
    ]);
    assert_eq!(
        scaled.success(),
        "deployment.apps/frontend scaled\nreplicaset.apps/batch scaled\nstatefulset.apps/cache scaled\nreplicationcontroller/legacy scaled\ngizmo.example.org/sprocket scaled\n"
    );
    twins.both(|side| {
        assert_eq!(side.replicas("apps", "deployments", "frontend"), 4);
        assert_eq!(side.replicas("apps", "replicasets", "batch"), 4);
        assert_eq!(side.replicas("apps", "statefulsets", "cache"), 4);
        assert_eq!(side.replicas("", "replicationcontrollers", "legacy"), 4);
        assert_eq!(side.replicas("example.org", "gizmos", "sprocket"), 4);
    });
}

#[test]
fn the_custom_resource_scales_as_kubectl_1_33_recorded() {
    // The recorded output, for where kubectl is not installed.
    let side = Side::start(true, &User::admin());
    let run = run(
        side.sandbox.kz(),
        &["scale", "gizmo/sprocket", "--replicas=4", "-n", "shop"],
    );
    assert_eq!(run.success(), fixture_stdout("scale-gizmo.txt"));
    assert_eq!(side.replicas("example.org", "gizmos", "sprocket"), 4);
}

#[test]
fn the_size_is_a_merge_patch_of_the_scale_subresource() {
    let twins = Twins::start();
    twins.kz.server.clear_requests();
    twins.scale(&["deploy/frontend", "--replicas=3"]).success();
    let writes: Vec<_> = twins
        .kz
        .server
        .requests()
        .into_iter()
        .filter(|request| request.method != "GET")
        .collect();
    assert_eq!(writes.len(), 1, "{writes:#?}");
    assert_eq!(writes[0].method, "PATCH");
    assert_eq!(
        writes[0].path,
        "/apis/apps/v1/namespaces/shop/deployments/frontend/scale"
    );
    assert_eq!(writes[0].content_type, "application/merge-patch+json");
    assert_eq!(writes[0].body, r#"{"spec":{"replicas":3}}"#);
}

#[test]
fn a_type_without_a_scale_subresource_gets_kubectls_error() {
    let twins = Twins::start();
    let run = twins.scale(&["configmap/shop-config", "--replicas=2"]);
    assert_eq!(
        run.failure(),
        "Error from server (NotFound): the server could not find the requested resource\n"
    );
    let missing = twins.scale(&["deploy/nope", "--replicas=2"]);
    assert_eq!(
        missing.failure(),
        "error: no objects passed to scale deployments.apps \"nope\" not found\n"
    );
}

#[test]
fn a_precondition_that_does_not_hold_changes_nothing() {
    let twins = Twins::start();
    let run = twins.scale(&["deploy/frontend", "--current-replicas=1", "--replicas=5"]);
    assert_eq!(run.failure(), "error: Expected replicas to be 1, was 2\n");
    twins.both(|side| assert_eq!(side.replicas("apps", "deployments", "frontend"), 2));

    let holds = twins.scale(&["deploy/frontend", "--current-replicas=2", "--replicas=5"]);
    assert_eq!(holds.success(), "deployment.apps/frontend scaled\n");
    twins.both(|side| assert_eq!(side.replicas("apps", "deployments", "frontend"), 5));
    // With a precondition the Scale is written back whole, with the version it was read at.
    let put = twins
        .kz
        .server
        .requests()
        .into_iter()
        .find(|request| request.method == "PUT")
        .expect("a PUT of the scale");
    assert_eq!(
        put.path,
        "/apis/apps/v1/namespaces/shop/deployments/frontend/scale"
    );
    let body: serde_json::Value = serde_json::from_str(&put.body).expect("a JSON Scale");
    assert_eq!(body["kind"], "Scale");
    assert_eq!(body["spec"]["replicas"], 5);
    assert!(body["metadata"]["resourceVersion"].is_string(), "{body}");
}

#[test]
fn a_change_since_the_version_read_is_detected_and_nothing_is_changed() {
    let twins = Twins::start();
    // What a script read before someone else scaled the object.
    let read = |side: &Side| side.resource_version("apps", "deployments", "frontend");
    let before_kz = read(&twins.kz);
    let before_kubectl = twins.kubectl.as_ref().map(read);
    twins.scale(&["deploy/frontend", "--replicas=3"]).success();

    // Each cluster has its own resource versions: the messages are compared without them.
    let without_numbers = |run: &Run| Run {
        stderr: run.stderr.replace(|c: char| c.is_ascii_digit(), "#"),
        ..run.clone()
    };
    let stale_args = |side: &Side| {
        let is_kz = side.server.url() == twins.kz.server.url();
        let version = if is_kz {
            before_kz.clone()
        } else {
            before_kubectl.clone().expect("kubectl's cluster")
        };
        vec![
            "deploy/frontend".into(),
            format!("--resource-version={version}"),
            "--replicas=7".into(),
        ]
    };
    let stale = twins.compared(stale_args, without_numbers);
    let expected = format!(
        "error: Expected resource version to be {before_kz}, was {}\n",
        read(&twins.kz)
    );
    assert_eq!(stale.failure(), expected);
    twins.both(|side| assert_eq!(side.replicas("apps", "deployments", "frontend"), 3));

    let current = twins.scale_with(|side| {
        vec![
            "deploy/frontend".into(),
            format!("--resource-version={}", read(side)),
            "--replicas=7".into(),
        ]
    });
    assert_eq!(current.success(), "deployment.apps/frontend scaled\n");
    twins.both(|side| assert_eq!(side.replicas("apps", "deployments", "frontend"), 7));
}

#[test]
fn a_write_that_loses_a_race_is_read_and_checked_again() {
    // The first write of the Scale conflicts, as when another client wrote in between.
    let conflict_once = |server: &TestServer| {
        server.inject(
            Fault::status(409)
                .method("PUT")
                .path_contains("/scale")
                .times(1),
        );
    };
    let twins = Twins::with(true, &User::admin(), conflict_once);
    let run = twins.scale(&["sts/cache", "--current-replicas=2", "--replicas=3"]);
    assert_eq!(run.success(), "statefulset.apps/cache scaled\n");
    twins.both(|side| assert_eq!(side.replicas("apps", "statefulsets", "cache"), 3));
    let puts = twins
        .kz
        .server
        .requests()
        .into_iter()
        .filter(|request| request.method == "PUT")
        .count();
    assert_eq!(
        puts, 2,
        "the conflicting write, then the one after reading again"
    );
}

#[test]
fn a_scale_that_keeps_conflicting_fails_with_the_conflict() {
    // kubectl retries a conflict for five minutes; kz gives up after a few reads.
    let side = Side::start(true, &User::admin());
    side.server
        .inject(Fault::status(409).method("PUT").path_contains("/scale"));
    let run = run(
        side.sandbox.kz(),
        &[
            "scale",
            "sts/cache",
            "--current-replicas=2",
            "--replicas=3",
            "-n",
            "shop",
        ],
    );
    assert_eq!(
        run.failure(),
        "Error from server (Conflict): Operation cannot be fulfilled: injected fault\n"
    );
    assert_eq!(side.replicas("apps", "statefulsets", "cache"), 2);
}

#[test]
fn selectors_scale_every_matching_object_in_order() {
    let twins = Twins::start();
    let run = twins.scale(&["rc,rs", "-l", "tier=back", "--replicas=3"]);
    assert_eq!(
        run.success(),
        "replicationcontroller/legacy scaled\nreplicaset.apps/batch scaled\n"
    );
    let all = twins.scale(&["sts,deploy", "--all", "--replicas=1"]);
    assert_eq!(
        all.success(),
        "statefulset.apps/cache scaled\ndeployment.apps/frontend scaled\n"
    );
    twins.both(|side| {
        assert_eq!(side.replicas("", "replicationcontrollers", "legacy"), 3);
        assert_eq!(side.replicas("apps", "replicasets", "batch"), 3);
        assert_eq!(side.replicas("apps", "statefulsets", "cache"), 1);
        assert_eq!(side.replicas("apps", "deployments", "frontend"), 1);
    });
    let nothing = twins.scale(&["deploy", "-l", "app=nothing", "--replicas=1"]);
    assert_eq!(nothing.failure(), "error: no objects passed to scale\n");
    let versions = twins.scale(&[
        "deploy,sts",
        "--all",
        "--resource-version=1",
        "--replicas=1",
    ]);
    assert_eq!(
        versions.failure(),
        "error: cannot use --resource-version with multiple resources\n"
    );
}

#[test]
fn an_object_that_may_not_be_scaled_fails_after_the_others_are() {
    let user = User::named("dev");
    let deny = |server: &TestServer| server.deny("dev", "patch", "statefulsets/scale");
    let twins = Twins::with(true, &user, deny);
    let run = twins.scale(&["deploy/frontend", "rs/batch", "sts/cache", "--replicas=3"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stdout,
        "deployment.apps/frontend scaled\nreplicaset.apps/batch scaled\n"
    );
    assert_eq!(
        run.stderr,
        "Error from server (Forbidden): statefulsets.apps/scale \"cache\" is forbidden: User \"dev\" cannot patch resource \"statefulsets/scale\" in API group \"apps\" in the namespace \"shop\"\n"
    );
    twins.both(|side| {
        assert_eq!(side.replicas("apps", "deployments", "frontend"), 3);
        assert_eq!(side.replicas("apps", "replicasets", "batch"), 3);
        assert_eq!(side.replicas("apps", "statefulsets", "cache"), 2);
    });
}

#[test]
fn objects_after_a_forbidden_one_are_still_scaled() {
    // kubectl stops at the first failure; kz scales the objects concurrently and reports
    // the failure after the others.
    let side = Side::start(true, &User::named("dev"));
    side.server.deny("dev", "patch", "statefulsets/scale");
    let run = run(
        side.sandbox.kz(),
        &[
            "scale",
            "sts/cache",
            "deploy/frontend",
            "--replicas=3",
            "-n",
            "shop",
        ],
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "deployment.apps/frontend scaled\n");
    assert!(
        run.stderr.starts_with("Error from server (Forbidden): "),
        "{run:?}"
    );
    assert_eq!(side.replicas("apps", "deployments", "frontend"), 3);
}

#[test]
fn scaling_to_zero_and_back() {
    let twins = Twins::start();
    for replicas in ["--replicas=0", "--replicas=2"] {
        let run = twins.scale(&["deploy/frontend", "gizmo/sprocket", replicas]);
        assert_eq!(
            run.success(),
            "deployment.apps/frontend scaled\ngizmo.example.org/sprocket scaled\n"
        );
        let expected: i64 = replicas["--replicas=".len()..].parse().expect("a count");
        twins.both(|side| {
            assert_eq!(side.replicas("apps", "deployments", "frontend"), expected);
            assert_eq!(side.replicas("example.org", "gizmos", "sprocket"), expected);
        });
    }
}

#[test]
fn dry_runs_change_nothing() {
    let twins = Twins::start();
    let client = twins.scale(&["deploy/frontend", "--replicas=9", "--dry-run=client"]);
    assert_eq!(
        client.success(),
        "deployment.apps/frontend scaled (dry run)\n"
    );
    twins.kz.server.clear_requests();
    let server = twins.scale(&["deploy/frontend", "--replicas=9", "--dry-run=server"]);
    assert_eq!(
        server.success(),
        "deployment.apps/frontend scaled (server dry run)\n"
    );
    let patch = twins
        .kz
        .server
        .requests()
        .into_iter()
        .find(|request| request.method == "PATCH")
        .expect("a PATCH of the scale");
    assert_eq!(patch.query, "dryRun=All");
    twins.both(|side| assert_eq!(side.replicas("apps", "deployments", "frontend"), 2));
    let bad = twins.scale(&["deploy/frontend", "--replicas=9", "--dry-run=maybe"]);
    assert_eq!(
        bad.failure(),
        "error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".\n"
    );
}

#[test]
fn output_formats_print_the_objects_as_read() {
    let twins = Twins::start();
    let names = twins.scale(&["deploy/frontend", "sts/cache", "--replicas=3", "-o", "name"]);
    assert_eq!(
        names.success(),
        "deployment.apps/frontend\nstatefulset.apps/cache\n"
    );
    // kubectl prints the object it read before scaling.
    let before = twins.scale(&[
        "deploy/frontend",
        "--replicas=5",
        "-o",
        "jsonpath={.kind} {.spec.replicas}",
    ]);
    assert_eq!(before.success(), "Deployment 3");
    let documents = twins.scale_masking_volatile(&[
        "deploy/frontend",
        "sts/cache",
        "--replicas=5",
        "--dry-run=client",
        "-o",
        "yaml",
    ]);
    let documents = documents.success();
    assert_eq!(documents.matches("\n---\n").count(), 1, "{documents}");
    assert!(documents.starts_with("apiVersion: apps/v1\nkind: Deployment\n"));
    let wide = twins.scale(&["deploy/frontend", "--replicas=5", "-o", "wide"]);
    assert!(
        wide.failure().starts_with(
            "error: unable to match a printer suitable for the output format \"wide\""
        )
    );
}

#[test]
fn manifests_name_the_objects_to_scale() {
    let twins = Twins::start();
    let manifest =
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: cache\n  namespace: shop\n";
    let write = |side: &Side| {
        let path = side.sandbox.path("cache.yaml");
        std::fs::write(&path, manifest).expect("write manifest");
        path.display().to_string()
    };
    let run = twins.scale_with(|side| vec!["-f".into(), write(side), "--replicas=4".into()]);
    assert_eq!(run.success(), "statefulset.apps/cache scaled\n");
    twins.both(|side| assert_eq!(side.replicas("apps", "statefulsets", "cache"), 4));
}

#[test]
fn a_timeout_waits_until_the_status_reaches_the_size() {
    let twins = Twins::with(false, &User::admin(), |_| {});
    let run = twins.scale(&["sts/cache", "--replicas=3", "--timeout=60s"]);
    assert_eq!(run.success(), "statefulset.apps/cache scaled\n");
    // kz returned only once the controller had caught up.
    let key = ObjectKey::new("apps", "statefulsets", "shop", "cache");
    let object = twins.kz.server.store().get(&key).expect("the StatefulSet");
    assert_eq!(object["status"]["replicas"], 3, "{object}");
}

#[test]
fn a_timeout_that_expires_is_an_error() {
    // A frozen cluster: no controller ever brings the status to the new size.
    let twins = Twins::start();
    // kubectl sometimes reports the deadline through its client's rate limiter instead
    // ("client rate limiter Wait returned an error: … would exceed context deadline"), so
    // its run is compared on the exit code and stdout only.
    let exit_and_stdout = |run: &Run| Run {
        stderr: String::new(),
        ..run.clone()
    };
    let args = |_: &Side| {
        vec![
            "sts/cache".into(),
            "--replicas=3".into(),
            "--timeout=1s".into(),
        ]
    };
    let run = twins.compared(args, exit_and_stdout);
    assert_eq!(
        run.failure(),
        "error: timed out waiting for \"cache\" to be synced\n"
    );
    twins.both(|side| assert_eq!(side.replicas("apps", "statefulsets", "cache"), 3));
}
