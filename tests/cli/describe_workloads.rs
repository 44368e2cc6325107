//! `kz describe` of workloads — Deployments, ReplicaSets, ReplicationControllers,
//! StatefulSets, DaemonSets, Jobs and CronJobs — against the real kubectl on the test server:
//! as seeded, after a rollout, after a CronJob has run, for a failed Job, and for bad input.

use std::time::Duration;

use kz_testserver::store::Collection;
use kz_testserver::{ObjectKey, TestServer, User};
use serde_json::{Value, json};

use crate::describe::describe_like_kubectl;
use crate::support::{Sandbox, run};

fn cluster() -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    (server, sandbox)
}

fn describe(sandbox: &Sandbox, what: &[&str]) -> String {
    let mut args = vec!["describe"];
    args.extend_from_slice(what);
    args.extend_from_slice(&["-n", "shop"]);
    describe_like_kubectl(sandbox, &args)
}

/// The stored object, to change it as a client would.
fn stored(server: &TestServer, group: &str, resource: &str, name: &str) -> (ObjectKey, Value) {
    let key = ObjectKey::new(group, resource, "shop", name);
    let object = server.store().get(&key).expect("stored object");
    (key, (*object).clone())
}

fn names(server: &TestServer, group: &str, resource: &str) -> Vec<String> {
    server
        .store()
        .list(&Collection::new(group, resource), Some("shop"))
        .0
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str().map(String::from))
        .collect()
}

/// The line of `text` that starts with `title`.
fn line<'a>(text: &'a str, title: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(title))
        .unwrap_or_else(|| panic!("no {title} line in\n{text}"))
}

#[test]
fn every_seeded_workload_is_described_like_kubectl() {
    let (_server, sandbox) = cluster();
    let deploy = describe(&sandbox, &["deploy", "frontend"]);
    assert_eq!(
        line(&deploy, "Replicas:"),
        "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable"
    );
    assert!(line(&deploy, "NewReplicaSet:").contains("(2/2 replicas created)"));
    assert_eq!(line(&deploy, "OldReplicaSets:"), "OldReplicaSets:  <none>");
    let rs = describe(&sandbox, &["rs"]);
    assert_eq!(
        line(&rs, "Controlled By:"),
        "Controlled By:  Deployment/frontend"
    );
    assert_eq!(
        line(&rs, "Pods Status:"),
        "Pods Status:    2 Running / 0 Waiting / 0 Succeeded / 0 Failed"
    );
    let sts = describe(&sandbox, &["sts", "cache"]);
    assert_eq!(line(&sts, "  Partition:"), "  Partition:        0");
    assert_eq!(line(&sts, "Volume Claims:"), "Volume Claims:     <none>");
    let ds = describe(&sandbox, &["ds", "log-agent"]);
    assert_eq!(
        line(&ds, "Desired Number"),
        "Desired Number of Nodes Scheduled: 2"
    );
    let job = describe(&sandbox, &["job", "migrate"]);
    assert_eq!(
        line(&job, "Pods Statuses:"),
        "Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed"
    );
    let cronjob = describe(&sandbox, &["cronjob", "report"]);
    assert_eq!(
        line(&cronjob, "Last Schedule Time:"),
        "Last Schedule Time:  <unset>"
    );
    // Several kinds at once, separated as kubectl separates them.
    describe(&sandbox, &["sts,ds,job,cronjob"]);
    describe(&sandbox, &["deploy,rs", "--show-events=false"]);
}

#[test]
fn a_rollout_shows_old_and_new_replica_sets() {
    let (server, sandbox) = cluster();
    let (key, mut deploy) = stored(&server, "apps", "deployments", "frontend");
    deploy["spec"]["template"]["spec"]["containers"][0]["image"] = json!("httpd:2.4.62");
    deploy["metadata"]["annotations"]["kubernetes.io/change-cause"] = json!("bump httpd");
    server.store().update(&key, deploy).expect("update");
    // Part-way: both ReplicaSets have pods.
    server.controller().step(2);
    let out = describe(&sandbox, &["deploy", "frontend"]);
    let old = line(&out, "OldReplicaSets:");
    let new = line(&out, "NewReplicaSet:");
    assert!(
        old.contains("frontend-") && !old.contains("<none>"),
        "{out}"
    );
    assert!(
        new.contains("frontend-") && !new.contains("<none>"),
        "{out}"
    );
    assert_ne!(old.split_whitespace().nth(1), new.split_whitespace().nth(1));
    describe(&sandbox, &["rs", "-l", "app=frontend"]);
    // Done: the old ReplicaSet is scaled to zero and still listed.
    server.controller().step(20);
    let out = describe(&sandbox, &["deploy", "frontend"]);
    assert!(
        line(&out, "OldReplicaSets:").ends_with("(0/0 replicas created)"),
        "{out}"
    );
    assert!(out.contains("Scaled down replica set"), "{out}");
    describe(&sandbox, &["rs"]);
}

#[test]
fn several_deployments_and_name_prefixes() {
    let (server, sandbox) = cluster();
    server
        .create(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: front-office, namespace: shop, labels: {app: office}}
spec:
  replicas: 1
  minReadySeconds: 5
  strategy: {type: Recreate}
  selector:
    matchLabels: {app: office}
    matchExpressions: [{key: tier, operator: In, values: [web, api]}]
  template:
    metadata: {labels: {app: office, tier: web}}
    spec:
      containers: [{name: office, image: 'nginx:1.27'}]
",
        )
        .expect("create");
    server.controller().step(6);
    let all = describe(&sandbox, &["deploy"]);
    assert_eq!(
        all.lines().filter(|l| l.starts_with("Name:")).count(),
        2,
        "{all}"
    );
    let prefixed = describe(&sandbox, &["deploy", "front"]);
    let described: Vec<&str> = prefixed
        .lines()
        .filter_map(|l| l.strip_prefix("Name:"))
        .map(str::trim)
        .collect();
    assert_eq!(described, ["front-office", "frontend"]);
    let office = describe(&sandbox, &["deploy", "front-office"]);
    assert_eq!(
        line(&office, "Selector:"),
        "Selector:           app=office,tier in (api,web)"
    );
    assert_eq!(
        line(&office, "StrategyType:"),
        "StrategyType:       Recreate"
    );
    assert!(!office.contains("RollingUpdateStrategy:"), "{office}");
}

#[test]
fn a_cronjob_that_has_run_and_its_job() {
    let (server, sandbox) = cluster();
    // The next half hour passes for the controllers; the Job runs to completion.
    server
        .controller()
        .advance_clock(Duration::from_secs(30 * 60));
    server.controller().step(10);
    let jobs: Vec<String> = names(&server, "batch", "jobs")
        .into_iter()
        .filter(|name| name.starts_with("report-"))
        .collect();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let out = describe(&sandbox, &["cronjob", "report"]);
    assert_ne!(
        line(&out, "Last Schedule Time:"),
        "Last Schedule Time:  <unset>"
    );
    assert!(out.contains(&format!("Created job {}", jobs[0])), "{out}");
    assert!(
        out.contains(&format!(
            "Saw completed job: {}, condition: Complete",
            jobs[0]
        )),
        "{out}"
    );
    let job = describe(&sandbox, &["job", &jobs[0]]);
    assert_eq!(
        line(&job, "Controlled By:"),
        "Controlled By:    CronJob/report"
    );
    // While it runs, the Job is listed as active.
    server
        .controller()
        .advance_clock(Duration::from_secs(30 * 60));
    server.controller().step(1);
    let running = describe(&sandbox, &["cronjob", "report"]);
    assert!(
        line(&running, "Active Jobs:").contains("report-"),
        "{running}"
    );
    describe(&sandbox, &["jobs"]);
}

#[test]
fn a_failed_job() {
    let (server, sandbox) = cluster();
    server
        .create(
            "apiVersion: batch/v1
kind: Job
metadata: {name: doomed, namespace: shop}
spec:
  backoffLimit: 0
  activeDeadlineSeconds: 600
  ttlSecondsAfterFinished: 3600
  template:
    spec:
      restartPolicy: Never
      containers: [{name: doomed, image: 'busybox:broken'}]
",
        )
        .expect("create");
    server.controller().step(10);
    let out = describe(&sandbox, &["job", "doomed"]);
    assert_eq!(
        line(&out, "Pods Statuses:"),
        "Pods Statuses:               0 Active (0 Ready) / 0 Succeeded / 1 Failed"
    );
    assert_eq!(
        line(&out, "Active Deadline Seconds:"),
        "Active Deadline Seconds:     600s"
    );
    assert!(out.contains("BackoffLimitExceeded"), "{out}");
}

#[test]
fn statefulsets_with_claims_and_a_partition_and_replication_controllers() {
    let (server, sandbox) = cluster();
    server
        .create(
            "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop, labels: {app: db}}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1, maxUnavailable: 2}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: 'postgres:17'}]
  volumeClaimTemplates:
  - metadata: {name: data, labels: {app: db}}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast
      resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy, namespace: shop}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers: [{name: legacy, image: 'nginx:1.27'}]
",
        )
        .expect("create");
    server.controller().step(6);
    let sts = describe(&sandbox, &["sts", "db"]);
    assert_eq!(line(&sts, "  MaxUnavailable:"), "  MaxUnavailable:   2");
    assert!(sts.contains("  Access Modes:  [ReadWriteOnce]\n"), "{sts}");
    let rc = describe(&sandbox, &["rc", "legacy"]);
    assert_eq!(line(&rc, "Selector:"), "Selector:     app=legacy");
}

#[test]
fn bad_input_is_reported_like_kubectl() {
    let (_server, sandbox) = cluster();
    let missing = run(sandbox.kz(), &["describe", "deploy", "nope", "-n", "shop"]);
    assert_eq!(
        missing.failure(),
        "Error from server (NotFound): deployments.apps \"nope\" not found\n"
    );
    for what in [
        &["deploy", "nope"][..],
        &["sts", "zzz"],
        &["cronjob/nope"],
        &["ds", "log-agent", "nope"],
        &["jobs", "-l", "app=nothing"],
    ] {
        describe(&sandbox, what);
    }
}

/// kubectl still describes an object whose events it may not read (with `Events: <none>`);
/// a ReplicaSet whose pods it may not list says so in its Pods Status; the other
/// workloads' descriptions fail with the server's error.
#[test]
fn forbidden_events_and_pods() {
    let (server, _) = cluster();
    server.deny("alice", "list", "events");
    let alice = Sandbox::for_server(&server, &User::named("alice"));
    let out = describe(&alice, &["deploy", "frontend"]);
    assert!(out.ends_with("\nEvents:          <none>\n"), "{out}");
    describe(&alice, &["sts,ds,job,cronjob,rs"]);

    server.deny("bob", "list", "pods");
    let bob = Sandbox::for_server(&server, &User::named("bob"));
    let rs = describe(&bob, &["rs"]);
    assert!(
        line(&rs, "Pods Status:")
            .contains("error in fetching pods: pods is forbidden: User \"bob\""),
        "{rs}"
    );
    let ds = run(bob.kz(), &["describe", "ds", "log-agent", "-n", "shop"]);
    assert_eq!(
        ds.failure(),
        "Error from server (Forbidden): pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"shop\"\n"
    );
    describe(&bob, &["ds", "log-agent"]);
    describe(&bob, &["sts,ds,deploy"]);
}
