//! `kz delete` against the test server, each sequence run by kz and by the real kubectl on
//! twin servers (deleting changes the cluster, so each client gets a cluster of its own) and
//! compared step by step: messages, errors, exit codes, and what the cluster holds after.

use kz_testserver::{ObjectKey, TestServer, User};

use crate::support::{Run, Sandbox, run, run_with_stdin};

/// Objects of the tests' own in `shop`: two labelled pods, a config map, and a ReplicaSet.
const OBJECTS: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: alpha, namespace: shop, labels: {suite: del}}
spec: {containers: [{name: main, image: busybox:1.36}]}
---
apiVersion: v1
kind: Pod
metadata: {name: beta, namespace: shop, labels: {suite: del}}
spec: {containers: [{name: main, image: busybox:1.36}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: fast}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: batch, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: main, image: busybox:1.36}]}
";

/// A manifest for `-f`: the config map and one pod.
const MANIFEST: &str = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
---
apiVersion: v1
kind: Pod
metadata: {name: alpha}
";

/// One cluster and a client of it.
struct Side {
    server: TestServer,
    sandbox: Sandbox,
}

impl Side {
    fn start(user: &User) -> Side {
        Side::on(TestServer::builder().frozen().start(), user)
    }

    /// The objects on `server`, and a client of it.
    fn on(server: TestServer, user: &User) -> Side {
        let created = server.create(OBJECTS).expect("objects");
        let rs_uid = created[3]["metadata"]["uid"]
            .as_str()
            .expect("uid")
            .to_owned();
        server
            .create(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: batch-x1\n  namespace: shop\n  labels: {{app: batch}}\n  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: batch, uid: {rs_uid}, controller: true}}]\nspec: {{containers: [{{name: main, image: busybox:1.36}}]}}\n"
            ))
            .expect("owned pod");
        let sandbox = Sandbox::for_server(&server, user);
        std::fs::write(sandbox.path("app.yaml"), MANIFEST).expect("manifest");
        Side { server, sandbox }
    }

    /// The stored object in `shop`, if any.
    fn get(&self, group: &str, resource: &str, name: &str) -> Option<serde_json::Value> {
        let key = ObjectKey::new(group, resource, "shop", name);
        self.server
            .store()
            .get(&key)
            .map(|object| (*object).clone())
    }

    fn has(&self, group: &str, resource: &str, name: &str) -> bool {
        self.get(group, resource, name).is_some()
    }
}

/// kz's cluster, and kubectl's when kubectl is installed.
struct Twins {
    kz: Side,
    kubectl: Option<Side>,
}

impl Twins {
    fn start() -> Twins {
        Twins::with(&User::admin(), |_| {})
    }

    fn with(user: &User, prepare: impl Fn(&TestServer)) -> Twins {
        let kz = Side::start(user);
        prepare(&kz.server);
        let kubectl = kz.sandbox.kubectl().map(|_| {
            let side = Side::start(user);
            prepare(&side.server);
            side
        });
        Twins { kz, kubectl }
    }

    /// Runs `delete ARGS -n shop` with both clients in their sandboxes, asserts they
    /// answered alike, and returns kz's run.
    #[track_caller]
    fn delete(&self, args: &[&str]) -> Run {
        let mut all = vec!["delete"];
        all.extend_from_slice(args);
        all.extend(["-n", "shop"]);
        let mut kz = self.kz.sandbox.kz();
        kz.current_dir(self.kz.sandbox.path(""));
        let kz = run(kz, &all);
        if let Some(side) = &self.kubectl {
            let mut kubectl = side.sandbox.kubectl().expect("kubectl");
            kubectl.current_dir(side.sandbox.path(""));
            let kubectl = run(kubectl, &all);
            assert_eq!(
                kz, kubectl,
                "kz (left) and kubectl (right) differ for {all:?}"
            );
        }
        kz
    }

    #[track_caller]
    fn both(&self, check: impl Fn(&Side)) {
        check(&self.kz);
        if let Some(side) = &self.kubectl {
            check(side);
        }
    }
}

#[test]
fn named_objects_are_deleted_and_reported_like_kubectl() {
    let twins = Twins::start();
    let deleted = twins.delete(&["pod", "alpha", "beta"]);
    assert_eq!(
        deleted.success(),
        "pod \"alpha\" deleted\npod \"beta\" deleted\n"
    );
    let deleted = twins.delete(&["rs/batch", "configmap/settings"]);
    assert_eq!(
        deleted.success(),
        "replicaset.apps \"batch\" deleted\nconfigmap \"settings\" deleted\n"
    );
    twins.both(|side| {
        assert!(!side.has("", "pods", "alpha"));
        assert!(!side.has("", "pods", "beta"));
        assert!(!side.has("apps", "replicasets", "batch"));
        assert!(!side.has("", "configmaps", "settings"));
    });
}

#[test]
fn a_missing_object_is_an_error_unless_ignored() {
    let twins = Twins::start();
    let missing = twins.delete(&["pod", "nope", "alpha"]);
    assert_eq!(missing.code, Some(1));
    assert_eq!(missing.stdout, "pod \"alpha\" deleted\n");
    assert_eq!(
        missing.stderr,
        "Error from server (NotFound): pods \"nope\" not found\n"
    );
    let ignored = twins.delete(&["pod", "nope", "--ignore-not-found"]);
    assert_eq!(ignored.success(), "");
}

#[test]
fn selectors_and_all_delete_what_they_select() {
    let twins = Twins::start();
    let selected = twins.delete(&["pods", "-l", "suite=del"]);
    assert_eq!(
        selected.success(),
        "pod \"alpha\" deleted\npod \"beta\" deleted\n"
    );
    let none = twins.delete(&["pods", "-l", "suite=del"]);
    assert_eq!(none.success(), "No resources found\n");
    let all = twins.delete(&["configmaps", "--all", "-o", "name"]);
    assert!(all.success().contains("configmap/settings\n"));
    twins.both(|side| {
        assert!(!side.has("", "configmaps", "settings"));
        assert!(side.has("", "pods", "batch-x1"));
    });
}

#[test]
fn a_type_alone_is_refused() {
    let twins = Twins::start();
    let refused = twins.delete(&["pods"]);
    assert_eq!(refused.code, Some(1));
    for args in [
        &["--all"][..],
        &["pods", "--all", "-l", "suite=del"],
        &["pod", "alpha", "--all"],
        &["pod/alpha", "--cascade=bogus"],
    ] {
        assert_eq!(twins.delete(args).code, Some(1), "{args:?}");
    }
    twins.both(|side| assert!(side.has("", "pods", "alpha")));
}

#[test]
fn files_name_the_objects_to_delete() {
    let twins = Twins::start();
    let deleted = twins.delete(&["-f", "app.yaml"]);
    assert_eq!(
        deleted.success(),
        "configmap \"settings\" deleted\npod \"alpha\" deleted\n"
    );
    let again = twins.delete(&["-f", "app.yaml"]);
    assert_eq!(again.code, Some(1));
    assert_eq!(
        again.stderr,
        "Error from server (NotFound): error when deleting \"app.yaml\": configmaps \"settings\" not found\nError from server (NotFound): error when deleting \"app.yaml\": pods \"alpha\" not found\n"
    );
}

#[test]
fn a_forbidden_object_fails_alone() {
    let twins = Twins::with(&User::named("dev"), |server| {
        server.deny("dev", "delete", "configmaps")
    });
    let run = twins.delete(&["pod/alpha", "configmap/settings", "pod/beta"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "pod \"alpha\" deleted\npod \"beta\" deleted\n");
    assert!(run.stderr.contains("Forbidden"), "{run:?}");
    twins.both(|side| {
        assert!(side.has("", "configmaps", "settings"));
        assert!(!side.has("", "pods", "beta"));
    });
}

#[test]
fn orphaning_keeps_the_dependents() {
    let twins = Twins::start();
    let run = twins.delete(&["rs/batch", "--cascade=orphan"]);
    assert_eq!(run.success(), "replicaset.apps \"batch\" deleted\n");
    twins.both(|side| {
        let pod = side.get("", "pods", "batch-x1").expect("the pod stays");
        assert!(pod["metadata"]["ownerReferences"].is_null(), "{pod}");
    });
}

#[test]
fn dry_runs_change_nothing() {
    let twins = Twins::start();
    let client = twins.delete(&["pod/alpha", "--dry-run=client"]);
    assert_eq!(client.success(), "pod \"alpha\" deleted (dry run)\n");
    let server = twins.delete(&["pod/alpha", "rs/batch", "--dry-run=server"]);
    assert_eq!(
        server.success(),
        "pod \"alpha\" deleted (server dry run)\nreplicaset.apps \"batch\" deleted (server dry run)\n"
    );
    let missing = twins.delete(&["pod/nope", "--dry-run=client"]);
    assert_eq!(missing.code, Some(0));
    twins.both(|side| {
        assert!(side.has("", "pods", "alpha"));
        assert!(side.has("apps", "replicasets", "batch"));
    });
}

#[test]
fn grace_flags_say_how_it_was_deleted() {
    let twins = Twins::start();
    let zero = twins.delete(&["cm/settings", "--grace-period=0", "--cascade=false"]);
    assert_eq!(zero.stdout, "configmap \"settings\" deleted\n");
    assert!(zero.stderr.contains("deprecated"), "{zero:?}");
    let now = twins.delete(&["pod/alpha", "--now"]);
    assert_eq!(now.success(), "pod \"alpha\" deleted\n");
    let forced = twins.delete(&["pod/beta", "--force"]);
    assert_eq!(forced.code, Some(0));
    assert_eq!(forced.stdout, "pod \"beta\" force deleted\n");
    assert!(forced.stderr.contains("Immediate deletion"), "{forced:?}");
    let both = twins.delete(&["pod/batch-x1", "--now", "--grace-period=3"]);
    assert_eq!(both.code, Some(1));
    let no_wait = twins.delete(&["rs/batch", "--wait=false", "--cascade=foreground"]);
    assert_eq!(no_wait.success(), "replicaset.apps \"batch\" deleted\n");
    // Frozen controllers: the ReplicaSet stays, marked, and nobody waited for it.
    twins.both(|side| {
        let rs = side
            .get("apps", "replicasets", "batch")
            .expect("still there");
        assert!(rs["metadata"]["deletionTimestamp"].is_string(), "{rs}");
    });
}

#[test]
fn foreground_deletion_waits_until_the_object_is_gone() {
    // Controllers running: the garbage collector removes the pods, then the ReplicaSet.
    let kz = Side::on(TestServer::start(), &User::admin());
    let kubectl = kz
        .sandbox
        .kubectl()
        .map(|_| Side::on(TestServer::start(), &User::admin()));
    let twins = Twins { kz, kubectl };
    let run = twins.delete(&["rs/batch", "--cascade=foreground"]);
    assert_eq!(run.success(), "replicaset.apps \"batch\" deleted\n");
    // --wait (the default) returned only once the ReplicaSet had gone.
    twins.both(|side| {
        assert!(!side.has("apps", "replicasets", "batch"));
        assert!(!side.has("", "pods", "batch-x1"));
    });
}

/// `-A` with a selector deletes across namespaces, each object in its own; a field selector
/// picks as a label selector does; a name with `-A` is kubectl's error.
#[test]
fn all_namespaces_and_field_selectors_select_like_kubectl() {
    let twins = Twins::with(&User::admin(), |server| {
        server
            .create("apiVersion: v1\nkind: Pod\nmetadata: {name: gamma, namespace: default, labels: {suite: del}}\nspec: {containers: [{name: main, image: busybox:1.36}]}\n")
            .expect("a pod in default");
    });
    let by_field = twins.delete(&["pods", "--field-selector=metadata.name=alpha"]);
    assert_eq!(by_field.success(), "pod \"alpha\" deleted\n");
    // Without -n: kubectl refuses -A together with an explicit -n once it lists ("the
    // namespace from the provided object \"default\" does not match the namespace \"\"").
    let across = ["delete", "pods", "-A", "-l", "suite=del", "-o", "name"];
    let sorted = |out: Run| {
        let mut names: Vec<String> = out.success().lines().map(str::to_owned).collect();
        names.sort_unstable();
        names
    };
    assert_eq!(
        sorted(run(twins.kz.sandbox.kz(), &across)),
        ["pod/beta", "pod/gamma"]
    );
    if let Some(side) = &twins.kubectl {
        let kubectl = side.sandbox.kubectl().expect("kubectl");
        assert_eq!(sorted(run(kubectl, &across)), ["pod/beta", "pod/gamma"]);
    }
    twins.both(|side| {
        assert!(!side.has("", "pods", "beta"));
        let gamma = ObjectKey::new("", "pods", "default", "gamma");
        assert!(
            side.server.store().get(&gamma).is_none(),
            "deleted in its own namespace"
        );
    });
    let named = twins.delete(&["pod/batch-x1", "-A"]);
    assert_eq!(
        named.failure(),
        "error: a resource cannot be retrieved by name across all namespaces\n"
    );
}

/// `--timeout` bounds the wait for each object: kubectl's message for the first object that
/// outlasts it, exit 1, and the object stays deleted (marked) as the server has it.
#[test]
fn timeout_ends_the_wait_like_kubectl() {
    let held = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: shop, finalizers: [example.com/hold]}\n";
    let kz = Side::start(&User::admin());
    kz.server.create(held).expect("held");
    let mut command = kz.sandbox.kz();
    command.current_dir(kz.sandbox.path(""));
    let args = ["delete", "cm/held", "-n", "shop", "--timeout=1s"];
    let out = run(command, &args);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (
            Some(1),
            "configmap \"held\" deleted\n",
            "error: timed out waiting for the condition on configmaps/held\n"
        )
    );
    // kubectl on a twin cluster of its own.
    let other = Side::start(&User::admin());
    other.server.create(held).expect("held");
    let Some(kubectl) = other.sandbox.kubectl() else {
        return;
    };
    let theirs = run(kubectl, &args);
    assert_eq!(theirs.code, out.code);
    assert_eq!(theirs.stdout, out.stdout);
    // kubectl's reflector may log the watch it cut short before the error line.
    assert_eq!(
        theirs.stderr.lines().last(),
        out.stderr.lines().last(),
        "{theirs:?}"
    );
}

/// `-i` lists what is about to go and asks on stdout: `y` deletes, anything else (or no
/// answer) cancels and deletes nothing, as in kubectl.
#[test]
fn interactive_deletes_only_what_the_user_confirms_like_kubectl() {
    let twins = Twins::start();
    let ask = |answer: &str| {
        let all = ["delete", "pods", "alpha", "beta", "-n", "shop", "-i"];
        let kz = run_with_stdin(twins.kz.sandbox.kz(), &all, answer);
        if let Some(side) = &twins.kubectl {
            let kubectl = side.sandbox.kubectl().expect("kubectl");
            assert_eq!(
                kz,
                run_with_stdin(kubectl, &all, answer),
                "answer {answer:?}"
            );
        }
        kz
    };
    let question = "You are about to delete the following 2 resource(s):\npod/alpha\npod/beta\nDo you want to continue? (y/n): ";
    for answer in ["n\n", "yes\n", ""] {
        assert_eq!(
            ask(answer).success(),
            format!("{question}deletion is cancelled\n")
        );
        twins.both(|side| assert!(side.has("", "pods", "alpha") && side.has("", "pods", "beta")));
    }
    assert_eq!(
        ask("\nY\n").success(),
        format!("{question}pod \"alpha\" deleted\npod \"beta\" deleted\n")
    );
    twins.both(|side| assert!(!side.has("", "pods", "alpha") && !side.has("", "pods", "beta")));
}
