//! `kz rollout history | undo | restart | pause | resume` against the test server's
//! controllers, compared with the real kubectl doing the same on a twin server: the same
//! sequence of commands on two clusters seeded alike, each step's output alike.

use kz_testserver::store::Collection;
use kz_testserver::{ObjectKey, TestServer, User};
use serde_json::{Value, json};

use crate::compare::like_kubectl;
use crate::support::{Run, Sandbox, run};

/// Controller passes after a template change: enough for a rollout to finish.
const ROLLOUT_STEPS: u32 = 20;

/// Two clusters seeded alike: kz works on one, kubectl (when installed) on the other.
struct Twins {
    kz: (TestServer, Sandbox),
    kubectl: Option<(TestServer, Sandbox)>,
}

impl Twins {
    fn new() -> Twins {
        let start = || {
            let server = TestServer::builder().frozen().start();
            let sandbox = Sandbox::for_server(&server, &User::admin());
            (server, sandbox)
        };
        let kz = start();
        let kubectl = kz.1.kubectl().map(|_| start());
        Twins { kz, kubectl }
    }

    /// Runs `args` (in namespace shop) with kz and with kubectl on its twin, asserts both
    /// exit and print alike, and returns kz's run.
    #[track_caller]
    fn both(&self, args: &[&str]) -> Run {
        let mut args = args.to_vec();
        args.extend_from_slice(&["-n", "shop"]);
        let kz = run(self.kz.1.kz(), &args);
        if let Some((_, sandbox)) = &self.kubectl {
            let kubectl = sandbox.kubectl().expect("kubectl is installed");
            let kubectl = run(kubectl, &args);
            assert_eq!(
                kz, kubectl,
                "kz (left) and kubectl (right) differ for {args:?}"
            );
        }
        kz
    }

    /// `both`, which must succeed quietly; kz's stdout.
    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        self.both(args).success().to_owned()
    }

    /// `both`, which must fail with nothing on stdout; kz's stderr.
    #[track_caller]
    fn fails(&self, args: &[&str]) -> String {
        self.both(args).failure().to_owned()
    }

    /// A read-only command, run by kz and kubectl on kz's cluster (so that names, uids and
    /// times agree too); kz's stdout.
    #[track_caller]
    fn read(&self, args: &[&str]) -> String {
        let mut args = args.to_vec();
        args.extend_from_slice(&["-n", "shop"]);
        like_kubectl(&self.kz.1, &args)
    }

    fn servers(&self) -> impl Iterator<Item = &TestServer> {
        std::iter::once(&self.kz.0).chain(self.kubectl.iter().map(|(server, _)| server))
    }

    /// Lets the controllers of both clusters run `steps` passes.
    fn settle(&self, steps: u32) {
        for server in self.servers() {
            server.controller().step(steps);
        }
    }

    /// Changes a workload's first container image on both clusters, as `kubectl set image
    /// --record` would, and lets the rollout finish.
    fn bump(&self, resource: &str, name: &str, image: &str) {
        for server in self.servers() {
            let key = ObjectKey::new("apps", resource, "shop", name);
            let mut object = (*server.store().get(&key).expect("stored workload")).clone();
            object["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
            object["metadata"]["annotations"]["kubernetes.io/change-cause"] =
                json!(format!("image {image}"));
            server.store().update(&key, object).expect("update");
        }
        self.settle(ROLLOUT_STEPS);
    }

    /// The workload as kz's cluster stores it.
    fn stored(&self, resource: &str, name: &str) -> Value {
        let key = ObjectKey::new("apps", resource, "shop", name);
        (*self.kz.0.store().get(&key).expect("stored workload")).clone()
    }

    /// The images of the ReplicaSets of kz's cluster that have pods.
    fn live_images(&self) -> Vec<String> {
        let (sets, _) = self
            .kz
            .0
            .store()
            .list(&Collection::new("apps", "replicasets"), Some("shop"));
        sets.iter()
            .filter(|rs| rs["spec"]["replicas"].as_i64().unwrap_or(0) > 0)
            .map(|rs| image(&rs["spec"]["template"]))
            .collect()
    }
}

fn image(template: &Value) -> String {
    template["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn undo_to_a_revision_then_history() {
    let twins = Twins::new();
    twins.bump("deployments", "frontend", "httpd:2.4.62");
    twins.bump("deployments", "frontend", "httpd:2.4.63");
    assert_eq!(
        twins.ok(&["rollout", "history", "deploy/frontend"]),
        "deployment.apps/frontend \nREVISION  CHANGE-CAUSE\n1         <none>\n2         image httpd:2.4.62\n3         image httpd:2.4.63\n\n"
    );
    let revision = twins.ok(&["rollout", "history", "deploy/frontend", "--revision=2"]);
    assert!(
        revision.starts_with("deployment.apps/frontend with revision #2\nPod Template:\n"),
        "{revision}"
    );
    assert!(
        revision.contains("    Image:\thttpd:2.4.62\n"),
        "{revision}"
    );

    assert_eq!(
        twins.ok(&["rollout", "undo", "deploy/frontend", "--to-revision=1"]),
        "deployment.apps/frontend rolled back\n"
    );
    twins.settle(ROLLOUT_STEPS);
    assert_eq!(twins.live_images(), ["httpd:2.4"]);
    // Revision 1 came back as revision 4, with the cause of the revision it restored.
    let history = twins.ok(&["rollout", "history", "deploy/frontend"]);
    assert!(
        history.ends_with("3         image httpd:2.4.63\n4         <none>\n\n"),
        "{history}"
    );
    assert!(!history.contains("\n1 "), "{history}");
    assert_eq!(
        twins.ok(&["rollout", "undo", "deploy/frontend", "--to-revision=4"]),
        "deployment.apps/frontend skipped rollback (current template already matches revision 4)\n"
    );
    // No revision: the one before the latest.
    assert_eq!(
        twins.ok(&["rollout", "undo", "deploy/frontend"]),
        "deployment.apps/frontend rolled back\n"
    );
    twins.settle(ROLLOUT_STEPS);
    assert_eq!(twins.live_images(), ["httpd:2.4.63"]);
    assert_eq!(
        twins.fails(&["rollout", "undo", "deploy/frontend", "--to-revision=42"]),
        "error: unable to find specified revision 42 in history\n"
    );
    twins.ok(&["rollout", "history", "deploy/frontend", "-o", "name"]);
    let yaml = twins.read(&["rollout", "history", "deploy/frontend", "-o", "yaml"]);
    assert_eq!(yaml.matches("\nkind: ReplicaSet\n").count(), 3, "{yaml}");
    assert_eq!(yaml.matches("\n---\n").count(), 2, "{yaml}");
    let json = twins.read(&[
        "rollout",
        "history",
        "deploy/frontend",
        "--revision=5",
        "-o",
        "jsonpath={.metadata.annotations}",
    ]);
    assert!(
        json.contains("\"deployment.kubernetes.io/revision\":\"5\""),
        "{json}"
    );
}

#[test]
fn dry_runs_change_nothing() {
    let twins = Twins::new();
    twins.bump("deployments", "frontend", "httpd:2.4.62");
    let client = twins.ok(&["rollout", "undo", "deploy/frontend", "--dry-run=client"]);
    assert!(
        client.starts_with("deployment.apps/frontend Pod Template:\n"),
        "{client}"
    );
    assert!(client.ends_with("\n (dry run)\n"), "{client}");
    assert_eq!(
        twins.ok(&["rollout", "undo", "deploy/frontend", "--dry-run=server"]),
        "deployment.apps/frontend rolled back (server dry run)\n"
    );
    twins.ok(&[
        "rollout",
        "undo",
        "deploy/frontend",
        "--dry-run=server",
        "-o",
        "name",
    ]);
    twins.settle(ROLLOUT_STEPS);
    assert_eq!(twins.live_images(), ["httpd:2.4.62"]);
    assert_eq!(
        twins.fails(&["rollout", "undo", "deploy/frontend", "--dry-run=maybe"]),
        "error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".\n"
    );
}

#[test]
fn restart_rolls_a_new_template() {
    let twins = Twins::new();
    assert_eq!(
        twins.ok(&[
            "rollout",
            "restart",
            "deploy",
            "-l",
            "app=frontend",
            "-o",
            "name"
        ]),
        "deployment.apps/frontend\n"
    );
    assert_eq!(
        twins.ok(&["rollout", "restart", "sts/cache", "ds/log-agent"]),
        "statefulset.apps/cache restarted\ndaemonset.apps/log-agent restarted\n"
    );
    let deployment = twins.stored("deployments", "frontend");
    let stamp = &deployment["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"];
    let stamp = stamp.as_str().expect("a restartedAt annotation");
    assert!(
        jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%:z", stamp.replace('Z', "+00:00")).is_ok(),
        "{stamp}"
    );
    twins.settle(ROLLOUT_STEPS);
    // The controller rolled the stamped template out as a new revision.
    let history = twins.ok(&["rollout", "history", "deploy/frontend"]);
    assert!(
        history.ends_with("1         <none>\n2         <none>\n\n"),
        "{history}"
    );
    let (sets, _) = twins
        .kz
        .0
        .store()
        .list(&Collection::new("apps", "replicasets"), Some("shop"));
    let live: Vec<&Value> = sets
        .iter()
        .filter(|rs| rs["spec"]["replicas"].as_i64().unwrap_or(0) > 0)
        .map(|rs| &rs["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"])
        .collect();
    assert_eq!(live, [stamp]);
    let history = twins.ok(&["rollout", "history", "sts/cache"]);
    assert!(
        history.ends_with("1         <none>\n2         <none>\n\n"),
        "{history}"
    );
}

#[test]
fn pause_and_resume_including_the_already_done_cases() {
    let twins = Twins::new();
    twins.bump("deployments", "frontend", "httpd:2.4.62");
    assert_eq!(
        twins.ok(&["rollout", "pause", "deploy/frontend"]),
        "deployment.apps/frontend paused\n"
    );
    assert_eq!(
        twins.stored("deployments", "frontend")["spec"]["paused"],
        true
    );
    assert_eq!(
        twins.fails(&["rollout", "pause", "deploy/frontend"]),
        "error: deployments.apps \"frontend\" is already paused\n"
    );
    assert_eq!(
        twins.fails(&["rollout", "restart", "deploy/frontend"]),
        "error: deployments.apps \"frontend\" can't restart paused deployment (run rollout resume first)\n"
    );
    assert_eq!(
        twins.fails(&["rollout", "undo", "deploy/frontend"]),
        "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again\n"
    );
    assert_eq!(
        twins.ok(&["rollout", "resume", "deploy/frontend", "-o", "name"]),
        "deployment.apps/frontend\n"
    );
    assert_eq!(
        twins.stored("deployments", "frontend")["spec"]["paused"],
        Value::Null
    );
    assert_eq!(
        twins.fails(&["rollout", "resume", "deploy/frontend"]),
        "error: deployments.apps \"frontend\" is not paused\n"
    );
    // Every patch is worked out before any is sent: the same object twice, paused twice.
    assert_eq!(
        twins.ok(&["rollout", "pause", "deploy/frontend", "deploy/frontend"]),
        "deployment.apps/frontend paused\ndeployment.apps/frontend paused\n"
    );
    twins.ok(&[
        "rollout",
        "resume",
        "deploy/frontend",
        "-o",
        "jsonpath={.spec.paused}",
    ]);
}

#[test]
fn statefulset_and_daemonset_history_and_undo() {
    let twins = Twins::new();
    twins.bump("statefulsets", "cache", "redis:7.4");
    twins.bump("daemonsets", "log-agent", "vector:0.41");
    for what in ["sts/cache", "ds/log-agent"] {
        let history = twins.ok(&["rollout", "history", what]);
        assert!(
            history.contains("\nREVISION  CHANGE-CAUSE\n1 "),
            "{history}"
        );
        assert!(history.contains("\n2 "), "{history}");
        twins.ok(&["rollout", "history", what, "--revision=1"]);
        twins.read(&["rollout", "history", what, "-o", "yaml"]);
        twins.ok(&["rollout", "undo", what, "--dry-run=client"]);
        assert_eq!(
            twins.fails(&["rollout", "undo", what, "--to-revision=9"]),
            "error: unable to find specified revision 9 in history\n"
        );
    }
    assert_eq!(
        twins.ok(&["rollout", "undo", "sts/cache"]),
        "statefulset.apps/cache rolled back\n"
    );
    assert_eq!(
        twins.ok(&["rollout", "undo", "ds/log-agent", "--to-revision=2"]),
        "daemonset.apps/log-agent skipped rollback (current template already matches revision 2)\n"
    );
    twins.settle(ROLLOUT_STEPS);
    let cache = twins.stored("statefulsets", "cache");
    assert_eq!(image(&cache["spec"]["template"]), "redis:7.2");
    twins.ok(&["rollout", "history", "sts/cache"]);
    assert_eq!(
        twins.fails(&["rollout", "pause", "sts/cache"]),
        "error: statefulsets.apps \"cache\" pausing is not supported\n"
    );
}

#[test]
fn unsupported_kinds_missing_objects_and_bad_flags() {
    let twins = Twins::new();
    assert_eq!(
        twins.fails(&["rollout", "history", "cm/shop-config"]),
        "error: error retrieving history for \"ConfigMap\", no visitor method exists for { ConfigMap}\n"
    );
    assert_eq!(
        twins.fails(&["rollout", "undo", "job/migrate"]),
        "error: no rollbacker has been implemented for \"Job.batch\"\n"
    );
    assert_eq!(
        twins.fails(&["rollout", "restart", "cm/shop-config"]),
        "error: configmaps \"shop-config\" restarting is not supported\n"
    );
    assert_eq!(
        twins.fails(&["rollout", "resume", "ds/log-agent"]),
        "error: daemonsets.apps \"log-agent\" resuming is not supported\n"
    );
    // Several errors: one per line, after what could be done.
    let run = twins.both(&[
        "rollout",
        "pause",
        "deploy/nope",
        "cm/shop-config",
        "deploy/frontend",
    ]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "deployment.apps/frontend paused\n");
    assert_eq!(
        run.stderr,
        "Error from server (NotFound): deployments.apps \"nope\" not found\nerror: configmaps \"shop-config\" pausing is not supported\n"
    );
    for verb in ["history", "undo", "restart", "resume"] {
        assert_eq!(
            twins.fails(&["rollout", verb, "deploy/nope"]),
            "Error from server (NotFound): deployments.apps \"nope\" not found\n"
        );
    }
    let run = twins.both(&["rollout", "restart", "deploy", "-l", "app=nothing"]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stderr, "No resources found in shop namespace.\n");
    assert_eq!(
        twins.fails(&["rollout", "history", "deploy/frontend", "--revision=-1"]),
        "error: revision must be a positive integer: -1\n"
    );
    assert_eq!(
        twins.fails(&["rollout", "history", "deploy/frontend", "--revision=7"]),
        "error: unable to find the specified revision\n"
    );
    twins.fails(&["rollout", "pause", "deploy/frontend", "-o", "wide"]);
    // kubectl finds it has no such printer only once the object was changed.
    let no_printer = twins.fails(&[
        "rollout",
        "resume",
        "deploy/frontend",
        "-o",
        "custom-columns=NAME:.metadata.name",
    ]);
    assert!(no_printer.starts_with("error: unable to match a printer suitable for the output format \"custom-columns=NAME:.metadata.name\""), "{no_printer}");
    assert_eq!(
        twins.stored("deployments", "frontend")["spec"]["paused"],
        Value::Null
    );
    twins.fails(&["rollout", "undo"]);
}

/// The writes a command sent: method, path, query, content type and body (parsed).
fn writes(server: &TestServer) -> Vec<(String, String, String, String, Value)> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| {
            let body = serde_json::from_str(&r.body).unwrap_or(Value::Null);
            (r.method, r.path, r.query, r.content_type, body)
        })
        .collect()
}

#[test]
fn the_writes_are_kubectls() {
    let twins = Twins::new();
    twins.bump("deployments", "frontend", "httpd:2.4.62");
    twins.bump("daemonsets", "log-agent", "vector:0.41");
    let sequences: [&[&str]; 5] = [
        &["rollout", "pause", "deploy/frontend"],
        &["rollout", "resume", "deploy/frontend", "--field-manager=me"],
        &["rollout", "undo", "deploy/frontend"],
        &["rollout", "undo", "ds/log-agent", "--dry-run=server"],
        &["rollout", "restart", "sts/cache"],
    ];
    for args in sequences {
        for server in twins.servers() {
            server.clear_requests();
        }
        twins.ok(args);
        let mut sent = twins.servers().map(writes);
        let kz = sent.next().expect("kz's cluster");
        assert_eq!(kz.len(), 1, "{args:?}: {kz:#?}");
        if let Some(mut kubectl) = sent.next() {
            let mut kz = kz;
            // The restart time is the clock's, not the command's.
            for write in kz.iter_mut().chain(kubectl.iter_mut()) {
                let stamp = write.4.pointer_mut(
                    "/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt",
                );
                if let Some(stamp) = stamp {
                    *stamp = json!("now");
                }
            }
            assert_eq!(
                kz, kubectl,
                "kz (left) and kubectl (right) sent different writes for {args:?}"
            );
        }
        twins.settle(ROLLOUT_STEPS);
    }
}

#[test]
fn objects_from_files() {
    let twins = Twins::new();
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: frontend\n  namespace: shop\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: cache\n  namespace: shop\n";
    let dir = twins.kz.1.path("manifests/nested");
    std::fs::create_dir_all(&dir).expect("manifest directory");
    std::fs::write(dir.join("workloads.yaml"), manifest).expect("manifest");
    let root = twins.kz.1.path("manifests");
    let root = root.to_str().expect("a UTF-8 path");
    let file = dir.join("workloads.yaml");
    let file = file.to_str().expect("a UTF-8 path");
    assert_eq!(
        twins.read(&["rollout", "history", "-f", file]),
        "deployment.apps/frontend \nREVISION  CHANGE-CAUSE\n1         <none>\n\nstatefulset.apps/cache \nREVISION  CHANGE-CAUSE\n1         <none>\n\n"
    );
    twins.read(&["rollout", "history", "-f", root, "-R"]);
    // The file is kz's sandbox's, but kubectl reads it there too.
    assert_eq!(
        twins.ok(&["rollout", "restart", "-f", root, "-R", "-o", "name"]),
        "deployment.apps/frontend\nstatefulset.apps/cache\n"
    );
}
