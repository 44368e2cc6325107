//! `kz create -f` against the test server, each run by kz and by the real kubectl on twin
//! servers (creating changes the cluster, so each client gets a cluster of its own) and
//! compared: messages, errors, exit codes, and what the cluster holds after.

use kz_testserver::{Fault, ObjectKey, TestServer, User};

use crate::support::{Run, Sandbox, run, run_with_stdin};

const TWO_CONFIGMAPS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: alpha
data: {a: '1'}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: beta
  namespace: shop
data: {b: '2'}
";

/// A Secret and a Deployment, as separate documents.
const SECRET_AND_DEPLOYMENT: &str = "\
apiVersion: v1
kind: Secret
metadata: {name: token}
stringData: {key: value}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: main, image: busybox:1.36}]}
";

/// The same objects as a List. kubectl validates a List against `/openapi/v2`, which the test
/// server does not serve, so Lists are checked against kz's expected output alone.
const A_LIST: &str = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: token}
  stringData: {key: value}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api}
  spec:
    replicas: 1
    selector: {matchLabels: {app: api}}
    template:
      metadata: {labels: {app: api}}
      spec: {containers: [{name: main, image: busybox:1.36}]}
";

/// One cluster and a client of it, with the manifests in its home.
struct Side {
    server: TestServer,
    sandbox: Sandbox,
}

impl Side {
    fn start(user: &User, prepare: &impl Fn(&TestServer)) -> Side {
        let server = TestServer::builder().frozen().start();
        prepare(&server);
        let sandbox = Sandbox::for_server(&server, user);
        Side { server, sandbox }
    }

    fn holds(&self, group: &str, resource: &str, name: &str) -> bool {
        let key = ObjectKey::new(group, resource, "shop", name);
        self.server.store().get(&key).is_some()
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
        let kz = Side::start(user, &prepare);
        let kubectl = kz.sandbox.kubectl().map(|_| Side::start(user, &prepare));
        Twins { kz, kubectl }
    }

    /// Writes `text` to `name` in both homes.
    fn write(&self, name: &str, text: &str) {
        self.both(|side| {
            let path = side.sandbox.path(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("directory");
            std::fs::write(path, text).expect("manifest");
        });
    }

    /// Runs `create ARGS -n shop` in each home (stdin `stdin`), asserts both clients
    /// answered alike, and returns kz's run.
    #[track_caller]
    fn create(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut all = vec!["create"];
        all.extend_from_slice(args);
        all.extend(["-n", "shop"]);
        let go = |mut command: std::process::Command, side: &Side| {
            command.current_dir(&side.sandbox.home);
            match stdin {
                Some(text) => run_with_stdin(command, &all, text),
                None => run(command, &all),
            }
        };
        let kz = go(self.kz.sandbox.kz(), &self.kz);
        if let Some(side) = &self.kubectl {
            let kubectl = go(side.sandbox.kubectl().expect("kubectl"), side);
            assert_eq!(
                kz, kubectl,
                "kz (left) and kubectl (right) differ for {all:?}"
            );
        }
        kz
    }

    fn both(&self, check: impl Fn(&Side)) {
        check(&self.kz);
        if let Some(side) = &self.kubectl {
            check(side);
        }
    }
}

#[test]
fn every_document_is_created_in_order() {
    let twins = Twins::start();
    twins.write("two.yaml", TWO_CONFIGMAPS);
    let created = twins.create(&["-f", "two.yaml"], None);
    assert_eq!(
        created.success(),
        "configmap/alpha created\nconfigmap/beta created\n"
    );
    twins.both(|side| {
        assert!(side.holds("", "configmaps", "alpha"));
        assert!(side.holds("", "configmaps", "beta"));
    });
}

#[test]
fn a_list_is_created_item_by_item() {
    let side = Side::start(&User::admin(), &|_| {});
    std::fs::write(side.sandbox.path("list.yaml"), A_LIST).expect("manifest");
    let mut command = side.sandbox.kz();
    command.current_dir(&side.sandbox.home);
    let created = run(command, &["create", "-f", "list.yaml", "-n", "shop"]);
    assert_eq!(
        created.success(),
        "secret/token created\ndeployment.apps/api created\n"
    );
    assert!(side.holds("", "secrets", "token"));
    assert!(side.holds("apps", "deployments", "api"));
}

#[test]
fn a_directory_and_stdin() {
    let twins = Twins::start();
    twins.write("dir/objects.yaml", SECRET_AND_DEPLOYMENT);
    twins.write("dir/nested/two.yaml", TWO_CONFIGMAPS);
    let created = twins.create(&["-f", "dir"], None);
    assert_eq!(
        created.success(),
        "secret/token created\ndeployment.apps/api created\n"
    );
    let created = twins.create(&["-f", "dir/nested", "-R"], None);
    assert_eq!(
        created.success(),
        "configmap/alpha created\nconfigmap/beta created\n"
    );
    let piped = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\n";
    let created = twins.create(&["-f", "-"], Some(piped));
    assert_eq!(created.success(), "configmap/piped created\n");
    twins.both(|side| {
        assert!(side.holds("", "secrets", "token"));
        assert!(side.holds("apps", "deployments", "api"));
        assert!(side.holds("", "configmaps", "piped"));
    });
}

#[test]
fn an_existing_object_fails_alone() {
    let twins = Twins::with(&User::admin(), |server| {
        server
            .create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alpha, namespace: shop}\n")
            .expect("existing configmap");
    });
    twins.write("two.yaml", TWO_CONFIGMAPS);
    let run = twins.create(&["-f", "two.yaml"], None);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "configmap/beta created\n");
    assert_eq!(
        run.stderr,
        "Error from server (AlreadyExists): error when creating \"two.yaml\": configmaps \"alpha\" already exists\n"
    );
    twins.both(|side| assert!(side.holds("", "configmaps", "beta")));
}

#[test]
fn dry_runs_create_nothing() {
    let twins = Twins::start();
    twins.write("two.yaml", TWO_CONFIGMAPS);
    let client = twins.create(&["-f", "two.yaml", "--dry-run=client"], None);
    assert_eq!(
        client.success(),
        "configmap/alpha created (dry run)\nconfigmap/beta created (dry run)\n"
    );
    let server = twins.create(&["-f", "two.yaml", "--dry-run=server", "-o", "name"], None);
    assert_eq!(server.success(), "configmap/alpha\nconfigmap/beta\n");
    twins.both(|side| {
        assert!(!side.holds("", "configmaps", "alpha"));
        assert!(!side.holds("", "configmaps", "beta"));
    });
}

#[test]
fn yaml_prints_the_created_objects() {
    let twins = Twins::start();
    twins.write("two.yaml", TWO_CONFIGMAPS);
    let run = twins.create(
        &[
            "-f",
            "two.yaml",
            "-o",
            "jsonpath={.metadata.name}/{.metadata.namespace}/{.metadata.managedFields[0].manager} ",
        ],
        None,
    );
    assert_eq!(
        run.success(),
        "alpha/shop/kubectl-create beta/shop/kubectl-create "
    );
    let run = twins.create(
        &["-f", "-", "--dry-run=client", "-o", "yaml"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gamma}\ndata: {c: '3'}\n"),
    );
    assert_eq!(
        run.success(),
        "apiVersion: v1\ndata:\n  c: \"3\"\nkind: ConfigMap\nmetadata:\n  name: gamma\n  namespace: shop\n"
    );
}

/// kubectl reads YAML 1.1 as go-yaml does and then makes every map key text: a plain `on` or
/// `y` key is the boolean true, so it becomes `"true"`, `0x1F` becomes `"31"`; quoted keys stay.
/// The same manifest must make the same object with either client.
#[test]
fn keys_that_yaml_reads_as_booleans_and_numbers_are_created_as_kubectl_creates_them() {
    let twins = Twins::start();
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\n  labels: {on: a, 'off': b}\ndata:\n  y: one\n  \"n\": two\n  0x1F: three\n  1e3: four\n  1_000x: five\n";
    twins.write("keys.yaml", manifest);
    let run = twins.create(&["-f", "keys.yaml", "--dry-run=client", "-o", "json"], None);
    let created: serde_json::Value = serde_json::from_str(run.success()).expect("JSON");
    assert_eq!(
        created["data"],
        serde_json::json!({"true": "one", "n": "two", "31": "three", "1000": "four", "1_000x": "five"})
    );
    assert_eq!(
        created["metadata"]["labels"],
        serde_json::json!({"true": "a", "off": "b"})
    );
    twins.create(&["-f", "keys.yaml", "-o", "name"], None);
}

/// `--validate`: strict (the default) refuses a field the type does not have, warn creates
/// the object and prints the server's warning, ignore drops the field without a word; a
/// value kubectl does not know is its error.
#[test]
fn validate_says_what_the_server_does_with_unknown_fields_like_kubectl() {
    let manifest = |name: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ncolour: red\ndata: {{a: '1'}}\n"
        )
    };
    let twins = Twins::start();
    for (name, validate) in [
        ("strict", None),
        ("warned", Some("--validate=warn")),
        ("ignored", Some("--validate=false")),
    ] {
        twins.write(&format!("{name}.yaml"), &manifest(name));
        let file = format!("{name}.yaml");
        let mut args = vec!["-f", file.as_str()];
        args.extend(validate);
        let run = twins.create(&args, None);
        match validate {
            None => assert_eq!(
                run.failure(),
                "Error from server (BadRequest): error when creating \"strict.yaml\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"colour\"\n"
            ),
            Some(_) => assert_eq!(run.stdout, format!("configmap/{name} created\n")),
        }
        let warned = validate == Some("--validate=warn");
        assert_eq!(
            run.stderr == "Warning: unknown field \"colour\"\n",
            warned,
            "{run:?}"
        );
        twins.both(|side| assert_eq!(side.holds("", "configmaps", name), validate.is_some()));
    }
    let run = twins.create(&["-f", "strict.yaml", "--validate=maybe"], None);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("invalid - validate option \"maybe\""),
        "{run:?}"
    );
}

/// `-l` creates only the objects whose labels match (none matching is kubectl's error, as an
/// empty file is), and `--save-config` records each object's configuration for a later
/// client-side apply, in kubectl's encoding.
#[test]
fn selectors_pick_objects_and_save_config_records_them_like_kubectl() {
    let twins = Twins::start();
    twins.write("labelled.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1, labels: {app: a}}\ndata: {k: '<v>'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c2, labels: {app: b}}\n");
    twins.write("empty.yaml", "");
    let none = twins.create(&["-f", "labelled.yaml", "-l", "app=none"], None);
    assert_eq!(none.failure(), "error: no objects passed to create\n");
    let empty = twins.create(&["-f", "empty.yaml"], None);
    assert_eq!(empty.failure(), "error: no objects passed to create\n");
    let picked = twins.create(
        &["-f", "labelled.yaml", "-l", "app=a", "--save-config"],
        None,
    );
    assert_eq!(picked.success(), "configmap/c1 created\n");
    let saved = std::cell::RefCell::new(Vec::new());
    twins.both(|side| {
        assert!(!side.holds("", "configmaps", "c2"));
        let key = ObjectKey::new("", "configmaps", "shop", "c1");
        let c1 = side.server.store().get(&key).expect("c1");
        let annotation =
            &c1["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"];
        assert!(annotation.is_string(), "{c1}");
        assert_eq!(
            annotation.as_str().map(|text| text.ends_with('\n')),
            Some(true)
        );
        saved.borrow_mut().push(annotation.clone());
    });
    let saved = saved.into_inner();
    // Both clients wrote the same annotation.
    assert!(saved.windows(2).all(|pair| pair[0] == pair[1]), "{saved:?}");
    assert_eq!(
        saved[0],
        "{\"apiVersion\":\"v1\",\"data\":{\"k\":\"\\u003cv\\u003e\"},\"kind\":\"ConfigMap\",\"metadata\":{\"annotations\":{},\"labels\":{\"app\":\"a\"},\"name\":\"c1\",\"namespace\":\"shop\"}}\n"
    );
}

#[test]
fn refusals_name_their_source() {
    let twins = Twins::with(&User::named("dev"), |server| {
        server.deny("dev", "create", "secrets");
        server.inject(Fault {
            path_contains: Some("/deployments".into()),
            method: Some("POST".into()),
            ..Fault::status(422)
        });
    });
    twins.write("objects.yaml", SECRET_AND_DEPLOYMENT);
    twins.write("two.yaml", TWO_CONFIGMAPS);
    let run = twins.create(&["-f", "objects.yaml", "-f", "two.yaml"], None);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stdout,
        "configmap/alpha created\nconfigmap/beta created\n"
    );
    assert!(
        run.stderr.starts_with("Error from server (Forbidden): error when creating \"objects.yaml\": secrets is forbidden"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("\nError from server (Invalid): error when creating \"objects.yaml\": "),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 2, "{}", run.stderr);
}

#[test]
fn nothing_to_create_is_kubectls_error() {
    let twins = Twins::start();
    let run = twins.create(&["pods"], None);
    assert_eq!(
        run.failure(),
        "error: Unexpected args: [pods]\nSee 'kubectl create -h' for help and examples\n"
    );
}

#[test]
fn no_file_is_kubectls_error() {
    let twins = Twins::start();
    let run = twins.create(&[], None);
    assert_eq!(run.failure(), "error: must specify one of -f and -k\n");
}

#[test]
fn a_generated_name_is_the_servers() {
    let side = Side::start(&User::admin(), &|_| {});
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-}\n";
    let mut command = side.sandbox.kz();
    command.current_dir(&side.sandbox.home);
    let created = run_with_stdin(command, &["create", "-f", "-", "-n", "shop"], manifest);
    let line = created.success();
    let name = line
        .strip_prefix("configmap/")
        .and_then(|rest| rest.strip_suffix(" created\n"))
        .expect("a created configmap");
    assert!(
        name.starts_with("gen-") && name.len() > "gen-".len(),
        "{line}"
    );
    assert!(side.holds("", "configmaps", name));
}
