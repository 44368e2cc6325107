//! `kz describe` of configuration and storage kinds — ConfigMap, Secret, Namespace,
//! ResourceQuota, LimitRange, ServiceAccount, PersistentVolume(Claim), StorageClass,
//! PriorityClass, PodDisruptionBudget — against the real kubectl on the test server.
//!
//! kubectl prints a ConfigMap's data, a Secret's data and a LimitRange item's resources in Go's
//! random map order (kz sorts them); where those have several entries, the two outputs are
//! compared as the same lines in any order, and kz's own order is pinned separately.

use kz_testserver::{TestServer, User};

use crate::describe::{describe_like_kubectl, without_ages};
use crate::support::{Sandbox, run};

/// Objects the fixture cluster lacks: a secret with several keys, a quota and a limit range,
/// an account with secrets, a volume pre-bound to the `uploads` claim and a pod using it, a
/// storage class, a priority class and a budget.
const OBJECTS: &str = r#"
apiVersion: v1
kind: Secret
metadata: {name: db-credentials, namespace: shop, labels: {app: db}}
type: Opaque
stringData: {username: admin, password: s3cr3t-passw0rd, url: "postgres://db:5432/shop"}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: shop}
spec:
  hard: {pods: "10", requests.cpu: "2", requests.memory: 1Gi, configmaps: "5"}
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
    defaultRequest: {cpu: 100m}
  - type: PersistentVolumeClaim
    max: {storage: 20Gi}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: shop}
secrets: [{name: shop-secret}, {name: gone}]
imagePullSecrets: [{name: registry}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: uploads-volume, labels: {tier: storage}}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteMany]
  hostPath: {path: /srv/uploads, type: DirectoryOrCreate}
  claimRef: {namespace: shop, name: uploads}
---
apiVersion: v1
kind: Pod
metadata: {name: uploader, namespace: shop}
spec:
  containers: [{name: main, image: busybox:1.36}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: uploads}}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
parameters: {type: ssd}
allowVolumeExpansion: true
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: shop-high}
value: 100000
description: Checkout and payment pods.
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: frontend, namespace: shop}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: frontend}}
"#;

/// `describe_like_kubectl` for an object that exists: something was described.
#[track_caller]
fn described(sandbox: &Sandbox, args: &[&str]) -> String {
    let out = describe_like_kubectl(sandbox, args);
    assert!(
        out.starts_with("Name:"),
        "{args:?} described nothing: {out:?}"
    );
    out
}

fn cluster() -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    server.create(OBJECTS).expect("creating the objects");
    server.controller().step(3);
    let sandbox = Sandbox::for_server(&server, &User::admin());
    (server, sandbox)
}

/// Like `describe_like_kubectl`, for output whose lines kubectl orders at random: the two
/// must exit alike and print the same lines (ages normalised) in some order.
#[track_caller]
fn describe_like_kubectl_in_any_order(sandbox: &Sandbox, args: &[&str]) -> String {
    let kz = run(sandbox.kz(), args);
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, args);
        let lines = |text: &str| {
            let mut lines: Vec<String> = without_ages(text).lines().map(String::from).collect();
            lines.sort();
            lines
        };
        assert_eq!(kz.code, kubectl.code, "{args:?}: {kz:#?} {kubectl:#?}");
        assert_eq!(
            lines(&kz.stdout),
            lines(&kubectl.stdout),
            "kz (left) and kubectl (right) differ for {args:?}:\n--- kz\n{}\n--- kubectl\n{}",
            kz.stdout,
            kubectl.stdout
        );
        assert_eq!(kz.stderr, kubectl.stderr);
    }
    kz.stdout
}

#[test]
fn configmaps_show_their_data() {
    let (_server, sandbox) = cluster();
    let out = describe_like_kubectl_in_any_order(
        &sandbox,
        &["describe", "cm", "shop-config", "-n", "shop"],
    );
    assert!(
        out.contains("Data\n====\nlimits.conf:\n----\nmax=10\n\n\ntheme:\n----\ndark\n\n\nBinaryData\n====\n\nEvents:  <none>\n"),
        "{out}"
    );
    described(
        &sandbox,
        &["describe", "cm", "kube-root-ca.crt", "-n", "shop"],
    );
}

#[test]
fn secrets_show_sizes_never_values() {
    let (_server, sandbox) = cluster();
    let out = describe_like_kubectl_in_any_order(
        &sandbox,
        &["describe", "secret", "db-credentials", "-n", "shop"],
    );
    assert!(
        out.ends_with("Type:  Opaque\n\nData\n====\npassword:  15 bytes\nurl:       23 bytes\nusername:  5 bytes\n"),
        "{out}"
    );
    for value in ["admin", "s3cr3t", "postgres", "czNjcjN0"] {
        assert!(!out.contains(value), "{value} printed:\n{out}");
    }
    described(
        &sandbox,
        &["describe", "secret", "shop-secret", "-n", "shop"],
    );
}

#[test]
fn a_namespace_shows_its_quota_and_limit_range() {
    let (_server, sandbox) = cluster();
    let out = describe_like_kubectl_in_any_order(&sandbox, &["describe", "ns", "shop"]);
    assert!(
        out.contains(
            "Resource Quotas\n  Name:            compute\n  Resource         Used  Hard\n  --------         ---   ---\n  configmaps       2     5\n"
        ),
        "{out}"
    );
    assert!(out.contains("\nResource Limits\n Type"), "{out}");
    described(&sandbox, &["describe", "ns", "default"]);
    described(&sandbox, &["describe", "quota", "compute", "-n", "shop"]);
    described(&sandbox, &["describe", "limits", "defaults", "-n", "shop"]);
}

#[test]
fn accounts_volumes_and_classes_are_described_like_kubectl() {
    let (_server, sandbox) = cluster();
    let account = described(&sandbox, &["describe", "sa", "builder", "-n", "shop"]);
    assert!(account.contains("gone (not found)"), "{account}");
    described(&sandbox, &["describe", "sa", "default", "-n", "shop"]);
    let claim = describe_like_kubectl(&sandbox, &["describe", "pvc", "uploads", "-n", "shop"]);
    assert!(
        claim.contains("Capacity:      10Gi\nAccess Modes:  RWX\n"),
        "{claim}"
    );
    assert!(claim.contains("Used By:       uploader\n"), "{claim}");
    let volume = describe_like_kubectl(&sandbox, &["describe", "pv", "uploads-volume"]);
    assert!(
        volume.contains("Claim:           shop/uploads\n"),
        "{volume}"
    );
    described(&sandbox, &["describe", "storageclass", "fast"]);
    described(&sandbox, &["describe", "priorityclass", "shop-high"]);
    let budget = describe_like_kubectl(&sandbox, &["describe", "pdb", "frontend", "-n", "shop"]);
    assert!(budget.contains("Min available:  1\n"), "{budget}");
}

#[test]
fn bad_input_is_reported_like_kubectl() {
    let (_server, sandbox) = cluster();
    for args in [
        &["describe", "secret", "nope", "-n", "shop"][..],
        &["describe", "pv", "nope"],
        &["describe", "quota", "zzz", "-n", "shop"],
        &["describe", "ns", "nope"],
    ] {
        let kz = describe_like_kubectl(&sandbox, args);
        assert_eq!(kz, "");
    }
    // A prefix: every quota whose name starts with it.
    described(&sandbox, &["describe", "quota", "comp", "-n", "shop"]);
}

/// With events forbidden kubectl still describes a claim (with no events), but fails a
/// ConfigMap; kz does the same.
#[test]
fn forbidden_events() {
    let (server, _) = cluster();
    server.deny("alice", "list", "events");
    let sandbox = Sandbox::for_server(&server, &User::named("alice"));
    let claim = describe_like_kubectl(&sandbox, &["describe", "pvc", "uploads", "-n", "shop"]);
    assert!(claim.ends_with("Events:        <none>\n"), "{claim}");
    described(&sandbox, &["describe", "pv", "uploads-volume"]);
    described(&sandbox, &["describe", "sa", "builder", "-n", "shop"]);
    let failed = run(
        sandbox.kz(),
        &["describe", "cm", "kube-root-ca.crt", "-n", "shop"],
    );
    assert!(failed.failure().contains("Forbidden"), "{failed:#?}");
    describe_like_kubectl(
        &sandbox,
        &["describe", "cm", "kube-root-ca.crt", "-n", "shop"],
    );
}
