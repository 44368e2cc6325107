//! Controller tests: real `Store`, passes stepped by hand, shapes compared with the fixtures
//! recorded from a real cluster.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Controller, ControllerConfig};
use crate::store::{Collection, ObjectKey, Store};

const NS: &str = "shop";

fn fixture(file: &str) -> Value {
    let path = format!("{}/../fixtures/http/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture JSON")
}

/// The fixture item named `name` from a list fixture.
fn fixture_item(file: &str, name: &str) -> Value {
    fixture(file)["items"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|i| i["metadata"]["name"] == name)
                .cloned()
        })
        .unwrap_or_else(|| panic!("{name} in {file}"))
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn setup() -> (Arc<Store>, Controller) {
    let store = Arc::new(Store::new());
    for (i, node) in ["fake-node-1", "fake-node-2"].iter().enumerate() {
        store
            .create(
                &ObjectKey::new("", "nodes", "", node),
                json!({
                    "apiVersion": "v1", "kind": "Node",
                    "metadata": {"labels": {"kubernetes.io/hostname": node, "kubernetes.io/os": "linux"}},
                    "spec": {"podCIDR": format!("10.244.{}.0/24", i + 1)},
                    "status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}]},
                }),
            )
            .expect("node");
    }
    let controller = Controller::new(store.clone(), ControllerConfig::default());
    (store, controller)
}

fn template(app: &str, image: &str) -> Value {
    json!({
        "metadata": {"labels": {"app": app}},
        "spec": {"containers": [{"name": "web", "image": image}]},
    })
}

/// Creates an object as a client would: through the API server's admission.
fn create(store: &Store, group: &str, resource: &str, name: &str, mut object: Value) -> Arc<Value> {
    crate::admission::admit(group, resource, &mut object, "tests");
    store
        .create(&ObjectKey::new(group, resource, NS, name), object)
        .expect("create")
}

fn get(store: &Store, group: &str, resource: &str, name: &str) -> Arc<Value> {
    store
        .get(&ObjectKey::new(group, resource, NS, name))
        .unwrap_or_else(|| panic!("{resource}/{name}"))
}

fn list(store: &Store, group: &str, resource: &str) -> Vec<Arc<Value>> {
    store.list(&Collection::new(group, resource), Some(NS)).0
}

fn pods(store: &Store) -> Vec<Arc<Value>> {
    list(store, "", "pods")
}

fn events(store: &Store) -> Vec<Arc<Value>> {
    list(store, "", "events")
}

fn messages(store: &Store, involved: &str, reason: &str) -> Vec<String> {
    let mut found: Vec<(String, String)> = events(store)
        .iter()
        .filter(|e| e["involvedObject"]["name"] == involved && e["reason"] == reason)
        .map(|e| {
            (
                e["metadata"]["name"].as_str().unwrap_or("").to_string(),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    // Event names end in the creation time in hex: sorting by name is sorting by time.
    found.sort();
    found.into_iter().map(|(_, m)| m).collect()
}

fn replicaset(store: &Store, name: &str, replicas: i64) -> Arc<Value> {
    create(
        store,
        "apps",
        "replicasets",
        name,
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": template(name, "httpd:2.4")},
        }),
    )
}

fn set_replicas(store: &Store, group: &str, resource: &str, name: &str, replicas: i64) {
    let mut object = (*get(store, group, resource, name)).clone();
    object["spec"]["replicas"] = json!(replicas);
    store
        .update(&ObjectKey::new(group, resource, NS, name), object)
        .expect("update");
}

// --- Pods -------------------------------------------------------------------------------------

#[test]
fn pods_are_scheduled_then_created_then_running_and_ready() {
    let (store, controller) = setup();
    replicaset(&store, "web", 2);
    controller.step(1);
    let pending = pods(&store);
    assert_eq!(pending.len(), 2);
    for pod in &pending {
        assert_eq!(pod["status"]["phase"], "Pending");
        assert_eq!(
            pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"],
            "ContainerCreating"
        );
    }
    let nodes: BTreeSet<_> = pending
        .iter()
        .map(|p| p["spec"]["nodeName"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(nodes.len(), 2, "round-robin over both nodes");

    controller.step(1);
    let real = fixture_item("029-list-pods.json", "frontend-548fb674cb-z8wxz");
    for pod in pods(&store) {
        assert_eq!(pod["status"]["phase"], "Running");
        assert_eq!(pod["metadata"]["generation"], 1);
        assert_eq!(keys(&pod["status"]), keys(&real["status"]));
        let types: Vec<_> = pod["status"]["conditions"]
            .as_array()
            .map(|c| c.iter().map(|c| c["type"].clone()).collect())
            .unwrap_or_default();
        let real_types: Vec<_> = real["status"]["conditions"]
            .as_array()
            .map(|c| c.iter().map(|c| c["type"].clone()).collect())
            .unwrap_or_default();
        assert_eq!(types, real_types);
        for (ours, theirs) in pod["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(
                real["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten(),
            )
        {
            assert_eq!(keys(ours), keys(theirs), "{ours}");
            assert_eq!(ours["status"], "True");
        }
        let status = &pod["status"]["containerStatuses"][0];
        assert_eq!(keys(status), keys(&real["status"]["containerStatuses"][0]));
        assert_eq!(status["image"], "docker.io/library/httpd:2.4");
        assert!(
            status["containerID"]
                .as_str()
                .is_some_and(|id| id.starts_with("containerd://"))
        );
        assert_eq!(status["ready"], true);
        assert!(
            pod["status"]["podIP"]
                .as_str()
                .is_some_and(|ip| ip.starts_with("10.244."))
        );
        let name = pod["metadata"]["name"].as_str().unwrap_or("");
        let node = pod["spec"]["nodeName"].as_str().unwrap_or("");
        assert_eq!(
            messages(&store, name, "Scheduled"),
            [format!("Successfully assigned shop/{name} to {node}")]
        );
        assert_eq!(
            messages(&store, name, "Pulled"),
            ["Container image \"httpd:2.4\" already present on machine"]
        );
        assert_eq!(
            messages(&store, name, "Created"),
            ["Created container: web"]
        );
        assert_eq!(messages(&store, name, "Started"), ["Started container web"]);
    }
}

#[test]
fn broken_images_crash_loop_and_never_become_ready() {
    let (store, controller) = setup();
    create(
        &store,
        "apps",
        "replicasets",
        "bad",
        json!({"spec": {"replicas": 1, "template": template("bad", "app:broken")}}),
    );
    controller.step(6);
    let pod = &pods(&store)[0];
    let status = &pod["status"]["containerStatuses"][0];
    assert_eq!(pod["status"]["phase"], "Running");
    assert_eq!(status["ready"], false);
    assert_eq!(status["state"]["waiting"]["reason"], "CrashLoopBackOff");
    assert_eq!(status["lastState"]["terminated"]["exitCode"], 1);
    assert_eq!(status["lastState"]["terminated"]["reason"], "Error");
    assert!(status["restartCount"].as_i64().is_some_and(|n| n >= 2));
    let backoff: Vec<_> = events(&store)
        .iter()
        .filter(|e| e["reason"] == "BackOff")
        .cloned()
        .collect();
    assert_eq!(backoff.len(), 1, "repeats are counted, not duplicated");
    assert!(backoff[0]["count"].as_i64().is_some_and(|n| n >= 2));
    assert_eq!(backoff[0]["type"], "Warning");
}

/// Gives a pod a crash-looping image behind the controllers' back, as a client's edit would.
fn break_pod(store: &Store, pod: &Value) {
    let mut broken = pod.clone();
    broken["spec"]["containers"][0]["image"] = json!("app:broken");
    store
        .update(
            &ObjectKey::new(
                "",
                "pods",
                NS,
                pod["metadata"]["name"].as_str().unwrap_or(""),
            ),
            broken,
        )
        .expect("update");
}

fn is_crash_looping(pod: &Value) -> bool {
    pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
}

#[test]
fn settled_pods_cost_nothing_until_someone_writes_to_them() {
    let (store, controller) = setup();
    replicaset(&store, "web", 2);
    controller.step(1);
    assert_eq!(
        controller.busy_pods(),
        2,
        "starting pods are looked at every pass"
    );
    controller.step(2);
    assert_eq!(controller.busy_pods(), 0, "running pods are left alone");
    let idle = store.resource_version();
    controller.step(3);
    assert_eq!(
        store.resource_version(),
        idle,
        "nothing to do when nothing changed"
    );

    let first = pods(&store)[0].clone();
    break_pod(&store, &first);
    controller.step(4);
    let name = first["metadata"]["name"].as_str().unwrap_or("");
    let pod = get(&store, "", "pods", name);
    assert!(is_crash_looping(&pod), "{pod}");
    assert_eq!(controller.busy_pods(), 1, "a crash loop goes on by itself");
}

#[test]
fn the_kubelet_looks_at_every_pod_again_once_the_history_is_compacted() {
    let (store, controller) = setup();
    replicaset(&store, "web", 1);
    controller.step(3);
    let pod = pods(&store)[0].clone();
    break_pod(&store, &pod);
    // The edit is no longer in the history the controllers read their changes from.
    store.compact();
    controller.step(4);
    let name = pod["metadata"]["name"].as_str().unwrap_or("");
    assert!(is_crash_looping(&get(&store, "", "pods", name)));
}

// --- ReplicaSets ------------------------------------------------------------------------------

#[test]
fn replicaset_creates_pods_and_reports_status() {
    let (store, controller) = setup();
    replicaset(&store, "web", 3);
    controller.step(1);
    let created = pods(&store);
    assert_eq!(created.len(), 3);
    for pod in &created {
        let name = pod["metadata"]["name"].as_str().unwrap_or("");
        let suffix = name.strip_prefix("web-").unwrap_or("");
        assert_eq!(suffix.len(), 5, "{name}");
        assert!(suffix.bytes().all(|b| super::hash::ALPHANUMS.contains(&b)));
        assert_eq!(pod["metadata"]["labels"], json!({"app": "web"}));
        let owner = &pod["metadata"]["ownerReferences"][0];
        assert_eq!(owner["kind"], "ReplicaSet");
        assert_eq!(owner["controller"], true);
        assert_eq!(owner["blockOwnerDeletion"], true);
        assert_eq!(
            messages(&store, "web", "SuccessfulCreate")
                .iter()
                .filter(|m| **m == format!("Created pod: {name}"))
                .count(),
            1
        );
    }
    controller.step(2);
    let rs = get(&store, "apps", "replicasets", "web");
    assert_eq!(
        rs["status"],
        json!({"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3,
               "availableReplicas": 3, "observedGeneration": 1})
    );
}

#[test]
fn replicaset_scale_down_removes_unready_pods_first() {
    let (store, controller) = setup();
    replicaset(&store, "web", 2);
    controller.step(3);
    set_replicas(&store, "apps", "replicasets", "web", 3);
    controller.step(1); // the third pod exists but is not ready yet
    let newest: Vec<_> = pods(&store)
        .iter()
        .filter(|p| p["status"]["phase"] == "Pending")
        .map(|p| p["metadata"]["name"].clone())
        .collect();
    assert_eq!(newest.len(), 1);
    set_replicas(&store, "apps", "replicasets", "web", 2);
    controller.step(1);
    let deleted = messages(&store, "web", "SuccessfulDelete");
    assert_eq!(
        deleted,
        [format!("Deleted pod: {}", newest[0].as_str().unwrap_or(""))]
    );
    controller.step(2);
    assert_eq!(pods(&store).len(), 2);
    let rs = get(&store, "apps", "replicasets", "web");
    assert_eq!(rs["status"]["replicas"], 2);
    assert_eq!(rs["status"]["observedGeneration"], 3);

    set_replicas(&store, "apps", "replicasets", "web", 0);
    controller.step(2);
    assert!(pods(&store).is_empty());
    let rs = get(&store, "apps", "replicasets", "web");
    assert_eq!(
        rs["status"],
        json!({"replicas": 0, "observedGeneration": 4})
    );
}

// --- Deployments ------------------------------------------------------------------------------

fn deployment(store: &Store, name: &str, replicas: i64, image: &str, extra: Value) -> Arc<Value> {
    let mut spec = json!({
        "replicas": replicas,
        "selector": {"matchLabels": {"app": name}},
        "template": template(name, image),
    });
    if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra.as_object()) {
        spec.extend(extra.clone());
    }
    create(
        store,
        "apps",
        "deployments",
        name,
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": spec}),
    )
}

fn set_image(store: &Store, name: &str, image: &str) {
    let mut d = (*get(store, "apps", "deployments", name)).clone();
    d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
    store
        .update(&ObjectKey::new("apps", "deployments", NS, name), d)
        .expect("update");
}

/// The Deployment's ReplicaSets, oldest first.
fn replicasets_of(store: &Store, deployment: &str) -> Vec<Arc<Value>> {
    let mut sets: Vec<_> = list(store, "apps", "replicasets")
        .into_iter()
        .filter(|rs| rs["metadata"]["ownerReferences"][0]["name"] == deployment)
        .collect();
    sets.sort_by_key(|rs| revision_of(rs));
    sets
}

fn revision_of(object: &Value) -> i64 {
    object["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn condition<'a>(object: &'a Value, kind: &str) -> &'a Value {
    object["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == kind))
        .unwrap_or(&Value::Null)
}

#[test]
fn deployment_rolls_out_to_available_like_a_real_one() {
    let (store, controller) = setup();
    deployment(&store, "frontend", 2, "httpd:2.4", json!({}));
    controller.step(1);
    let d = get(&store, "apps", "deployments", "frontend");
    assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
    assert_eq!(d["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(d["spec"]["progressDeadlineSeconds"], 600);
    assert_eq!(
        condition(&d, "Progressing")["reason"],
        "NewReplicaSetCreated"
    );

    controller.step(5);
    let sets = replicasets_of(&store, "frontend");
    assert_eq!(sets.len(), 1);
    let rs = &sets[0];
    let rs_name = rs["metadata"]["name"].as_str().unwrap_or("");
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .unwrap_or("");
    assert_eq!(rs_name, format!("frontend-{hash}"));
    assert_eq!(
        rs["spec"]["selector"]["matchLabels"]["pod-template-hash"],
        hash
    );
    assert_eq!(
        rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"],
        hash
    );
    assert_eq!(
        rs["metadata"]["annotations"],
        json!({
            "deployment.kubernetes.io/desired-replicas": "2",
            "deployment.kubernetes.io/max-replicas": "3",
            "deployment.kubernetes.io/revision": "1",
        })
    );
    for pod in pods(&store) {
        assert_eq!(pod["metadata"]["labels"]["pod-template-hash"], hash);
    }

    let d = get(&store, "apps", "deployments", "frontend");
    let real = fixture_item("045-list-deployments.json", "frontend");
    assert_eq!(keys(&d["status"]), keys(&real["status"]));
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    assert_eq!(
        d["status"]["observedGeneration"],
        d["metadata"]["generation"]
    );
    assert_eq!(d["status"]["replicas"], 2);
    assert_eq!(d["status"]["updatedReplicas"], 2);
    assert_eq!(d["status"]["availableReplicas"], 2);
    let types: Vec<_> = d["status"]["conditions"]
        .as_array()
        .map(|c| c.iter().map(|c| c["type"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(types, [json!("Available"), json!("Progressing")]);
    for (ours, theirs) in ["Available", "Progressing"]
        .iter()
        .map(|t| (condition(&d, t), condition(&real, t)))
    {
        assert_eq!(keys(ours), keys(theirs));
        assert_eq!(ours["status"], "True");
        assert_eq!(ours["reason"], theirs["reason"]);
    }
    assert_eq!(
        condition(&d, "Progressing")["message"],
        format!("ReplicaSet \"{rs_name}\" has successfully progressed.")
    );
    assert_eq!(
        condition(&d, "Available")["message"],
        "Deployment has minimum availability."
    );
    assert_eq!(
        messages(&store, "frontend", "ScalingReplicaSet"),
        [format!("Scaled up replica set {rs_name} from 0 to 2")]
    );
}

#[test]
fn template_change_rolls_surge_by_surge_and_undo_reuses_the_old_replicaset() {
    let (store, controller) = setup();
    deployment(&store, "web", 4, "httpd:2.4", json!({}));
    controller.step(6);
    let mut d = (*get(&store, "apps", "deployments", "web")).clone();
    d["metadata"]["annotations"]["kubernetes.io/change-cause"] = json!("bump httpd");
    d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("httpd:2.4.62");
    store
        .update(&ObjectKey::new("apps", "deployments", NS, "web"), d)
        .expect("update");

    // (new RS replicas, old RS replicas) after every pass until the rollout is done.
    let mut sequence = Vec::new();
    for _ in 0..30 {
        controller.step(1);
        let sets = replicasets_of(&store, "web");
        let sizes = |i: usize| {
            sets.get(i)
                .map_or(0, |rs| rs["spec"]["replicas"].as_i64().unwrap_or(0))
        };
        let pair = (sizes(1), sizes(0));
        if sequence.last() != Some(&pair) {
            sequence.push(pair);
        }
        // maxSurge 1 and maxUnavailable 1 of 4 are never exceeded.
        assert!(pair.0 + pair.1 <= 5, "{sequence:?}");
    }
    assert_eq!(
        sequence,
        // Like the real controller, one sync creates the new ReplicaSet and, as availability
        // allows, scales the old one down.
        [(1, 3), (2, 3), (2, 2), (3, 2), (3, 1), (4, 1), (4, 0)]
    );
    let sets = replicasets_of(&store, "web");
    let (old, new) = (&sets[0], &sets[1]);
    let old_name = old["metadata"]["name"].as_str().unwrap_or("").to_string();
    let new_name = new["metadata"]["name"].as_str().unwrap_or("").to_string();
    assert_eq!(revision_of(new), 2);
    assert_eq!(
        new["metadata"]["annotations"]["kubernetes.io/change-cause"],
        "bump httpd"
    );
    let d = get(&store, "apps", "deployments", "web");
    assert_eq!(revision_of(&d), 2);
    assert_eq!(
        condition(&d, "Progressing")["reason"],
        "NewReplicaSetAvailable"
    );
    let scaling = messages(&store, "web", "ScalingReplicaSet");
    assert_eq!(
        scaling[1],
        format!("Scaled up replica set {new_name} from 0 to 1")
    );
    assert_eq!(
        scaling[2],
        format!("Scaled down replica set {old_name} from 4 to 3")
    );
    assert_eq!(
        scaling.last().map(String::as_str),
        Some(format!("Scaled down replica set {old_name} from 1 to 0").as_str())
    );

    // `kubectl rollout undo`: the template goes back to revision 1's.
    set_image(&store, "web", "httpd:2.4");
    controller.step(30);
    let sets = replicasets_of(&store, "web");
    assert_eq!(sets.len(), 2, "the old ReplicaSet is reused, not recreated");
    let reused = &sets[1];
    assert_eq!(reused["metadata"]["name"], json!(old_name));
    assert_eq!(revision_of(reused), 3);
    assert_eq!(
        reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"],
        "1"
    );
    assert_eq!(reused["spec"]["replicas"], 4);
    assert_eq!(sets[0]["spec"]["replicas"], 0);
    let d = get(&store, "apps", "deployments", "web");
    assert_eq!(revision_of(&d), 3);
    assert_eq!(d["status"]["updatedReplicas"], 4);
}

#[test]
fn broken_image_stalls_the_rollout_until_the_deadline() {
    let (store, controller) = setup();
    deployment(
        &store,
        "web",
        2,
        "httpd:2.4",
        // Far longer than the steps below take on a loaded machine: only the clock moved
        // forward by hand passes it.
        json!({"progressDeadlineSeconds": 600}),
    );
    controller.step(6);
    set_image(&store, "web", "httpd:broken");
    controller.step(8);
    let d = get(&store, "apps", "deployments", "web");
    assert_eq!(condition(&d, "Progressing")["status"], "True");
    assert_eq!(d["status"]["updatedReplicas"], 1);
    assert_eq!(d["status"]["replicas"], 3);
    assert_eq!(d["status"]["availableReplicas"], 2);

    controller.advance_clock(std::time::Duration::from_secs(601));
    controller.step(1);
    let d = get(&store, "apps", "deployments", "web");
    let progressing = condition(&d, "Progressing");
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    let new_rs = &replicasets_of(&store, "web")[1];
    assert_eq!(
        progressing["message"],
        format!(
            "ReplicaSet \"{}\" has timed out progressing.",
            new_rs["metadata"]["name"].as_str().unwrap_or("")
        )
    );
    // The old pods keep serving: availability never dropped below the minimum.
    assert_eq!(condition(&d, "Available")["status"], "True");
}

#[test]
fn deployment_scales_up_and_down() {
    let (store, controller) = setup();
    deployment(&store, "web", 2, "httpd:2.4", json!({}));
    controller.step(6);
    set_replicas(&store, "apps", "deployments", "web", 5);
    controller.step(6);
    let rs = &replicasets_of(&store, "web")[0];
    let rs_name = rs["metadata"]["name"].as_str().unwrap_or("").to_string();
    assert_eq!(rs["spec"]["replicas"], 5);
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"],
        "5"
    );
    assert_eq!(
        rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"],
        "7"
    );
    let d = get(&store, "apps", "deployments", "web");
    assert_eq!(d["status"]["availableReplicas"], 5);
    set_replicas(&store, "apps", "deployments", "web", 1);
    controller.step(4);
    assert_eq!(pods(&store).len(), 1);
    assert_eq!(
        messages(&store, "web", "ScalingReplicaSet")[1..],
        [
            format!("Scaled up replica set {rs_name} from 2 to 5"),
            format!("Scaled down replica set {rs_name} from 5 to 1"),
        ]
    );
}

#[test]
fn paused_deployment_scales_but_does_not_roll() {
    let (store, controller) = setup();
    deployment(&store, "web", 2, "httpd:2.4", json!({}));
    controller.step(6);
    let mut d = (*get(&store, "apps", "deployments", "web")).clone();
    d["spec"]["paused"] = json!(true);
    d["spec"]["replicas"] = json!(3);
    d["spec"]["template"]["spec"]["containers"][0]["image"] = json!("httpd:2.5");
    store
        .update(&ObjectKey::new("apps", "deployments", NS, "web"), d)
        .expect("update");
    controller.step(4);
    let sets = replicasets_of(&store, "web");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["spec"]["replicas"], 3);
    let d = get(&store, "apps", "deployments", "web");
    assert_eq!(condition(&d, "Progressing")["reason"], "DeploymentPaused");
    assert_eq!(condition(&d, "Progressing")["status"], "Unknown");

    let mut d = (*d).clone();
    d["spec"]["paused"] = json!(false);
    store
        .update(&ObjectKey::new("apps", "deployments", NS, "web"), d)
        .expect("update");
    controller.step(20);
    let sets = replicasets_of(&store, "web");
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[1]["spec"]["replicas"], 3);
    let d = get(&store, "apps", "deployments", "web");
    assert_eq!(
        condition(&d, "Progressing")["reason"],
        "NewReplicaSetAvailable"
    );
}

#[test]
fn recreate_scales_old_to_zero_before_creating_new() {
    let (store, controller) = setup();
    deployment(
        &store,
        "web",
        2,
        "httpd:2.4",
        json!({"strategy": {"type": "Recreate"}}),
    );
    controller.step(6);
    set_image(&store, "web", "httpd:2.5");
    controller.step(1);
    let sets = replicasets_of(&store, "web");
    assert_eq!(sets.len(), 1, "no new ReplicaSet while old pods run");
    assert_eq!(sets[0]["spec"]["replicas"], 0);
    controller.step(10);
    let sets = replicasets_of(&store, "web");
    assert_eq!(sets.len(), 2);
    assert_eq!(sets[1]["spec"]["replicas"], 2);
    assert_eq!(
        sets[1]["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"],
        "2"
    );
    let d = get(&store, "apps", "deployments", "web");
    assert_eq!(d["status"]["availableReplicas"], 2);
}

#[test]
fn old_replicasets_beyond_the_history_limit_are_deleted() {
    let (store, controller) = setup();
    deployment(
        &store,
        "web",
        1,
        "httpd:1",
        json!({"revisionHistoryLimit": 1}),
    );
    controller.step(6);
    for image in ["httpd:2", "httpd:3"] {
        set_image(&store, "web", image);
        controller.step(12);
    }
    let revisions: Vec<_> = replicasets_of(&store, "web")
        .iter()
        .map(|rs| revision_of(rs))
        .collect();
    assert_eq!(revisions, [2, 3]);
}

// --- StatefulSets -----------------------------------------------------------------------------

fn statefulset(store: &Store, name: &str, replicas: i64, image: &str) -> Arc<Value> {
    let mut spec = template(name, image);
    spec["spec"]["containers"][0]["name"] = json!("redis");
    create(
        store,
        "apps",
        "statefulsets",
        name,
        json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "spec": {"replicas": replicas, "serviceName": name,
                     "selector": {"matchLabels": {"app": name}}, "template": spec,
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}},
        }),
    )
}

fn pod_names(store: &Store) -> Vec<String> {
    pods(store)
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn statefulset_creates_pods_in_order_and_removes_from_the_top() {
    let (store, controller) = setup();
    statefulset(&store, "cache", 3, "redis:7.2");
    controller.step(1);
    assert_eq!(pod_names(&store), ["cache-0"]);
    controller.step(1);
    assert_eq!(
        pod_names(&store),
        ["cache-0"],
        "cache-1 waits for cache-0 to be ready"
    );
    controller.step(1);
    assert_eq!(pod_names(&store), ["cache-0", "cache-1"]);
    controller.step(4);
    assert_eq!(pod_names(&store), ["cache-0", "cache-1", "cache-2"]);

    let revisions = list(&store, "apps", "controllerrevisions");
    assert_eq!(revisions.len(), 1);
    let revision = &revisions[0];
    let real = fixture_item("053-list-controllerrevisions.json", "cache-68d979c6b");
    assert_eq!(revision["revision"], 1);
    assert_eq!(
        keys(&revision["data"]["spec"]["template"]),
        keys(&real["data"]["spec"]["template"])
    );
    assert_eq!(revision["data"]["spec"]["template"]["$patch"], "replace");
    let revision_name = revision["metadata"]["name"]
        .as_str()
        .unwrap_or("")
        .to_string();

    let pod = get(&store, "", "pods", "cache-1");
    let real_pod = fixture_item("029-list-pods.json", "cache-1");
    assert_eq!(
        keys(&pod["metadata"]["labels"]),
        keys(&real_pod["metadata"]["labels"])
    );
    assert_eq!(
        pod["metadata"]["labels"]["controller-revision-hash"],
        json!(revision_name)
    );
    assert_eq!(
        pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
        "1"
    );
    assert_eq!(pod["spec"]["hostname"], "cache-1");
    assert_eq!(pod["spec"]["subdomain"], "cache");

    controller.step(2);
    let sts = get(&store, "apps", "statefulsets", "cache");
    let real_sts = fixture_item("049-list-statefulsets.json", "cache");
    assert_eq!(keys(&sts["status"]), keys(&real_sts["status"]));
    assert_eq!(sts["status"]["readyReplicas"], 3);
    assert_eq!(sts["status"]["currentRevision"], json!(revision_name));
    assert_eq!(sts["status"]["updateRevision"], json!(revision_name));
    assert_eq!(
        messages(&store, "cache", "SuccessfulCreate"),
        [0, 1, 2].map(|i| format!("create Pod cache-{i} in StatefulSet cache successful"))
    );

    set_replicas(&store, "apps", "statefulsets", "cache", 1);
    controller.step(1);
    assert_eq!(
        messages(&store, "cache", "SuccessfulDelete"),
        ["delete Pod cache-2 in StatefulSet cache successful"]
    );
    controller.step(3);
    assert_eq!(pod_names(&store), ["cache-0"]);
}

#[test]
fn statefulset_rolls_from_the_highest_ordinal_down_to_the_partition() {
    let (store, controller) = setup();
    statefulset(&store, "cache", 3, "redis:7.2");
    controller.step(10);
    let mut sts = (*get(&store, "apps", "statefulsets", "cache")).clone();
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = json!("redis:7.4");
    sts["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = json!(1);
    store
        .update(&ObjectKey::new("apps", "statefulsets", NS, "cache"), sts)
        .expect("update");
    controller.step(1);
    assert_eq!(
        messages(&store, "cache", "SuccessfulDelete"),
        ["delete Pod cache-2 in StatefulSet cache successful"]
    );
    controller.step(20);
    let image = |n: &str| get(&store, "", "pods", n)["spec"]["containers"][0]["image"].clone();
    assert_eq!(image("cache-2"), "redis:7.4");
    assert_eq!(image("cache-1"), "redis:7.4");
    assert_eq!(image("cache-0"), "redis:7.2", "below the partition");
    let sts = get(&store, "apps", "statefulsets", "cache");
    assert_eq!(sts["status"]["updatedReplicas"], 2);
    assert_eq!(sts["status"]["currentReplicas"], 1);
    assert_ne!(
        sts["status"]["currentRevision"],
        sts["status"]["updateRevision"]
    );
    let revisions: Vec<_> = list(&store, "apps", "controllerrevisions")
        .iter()
        .map(|r| r["revision"].clone())
        .collect();
    assert_eq!(revisions.len(), 2);
}

// --- DaemonSets -------------------------------------------------------------------------------

fn daemonset(store: &Store, name: &str, image: &str, node_selector: Value) -> Arc<Value> {
    let mut spec = template(name, image);
    spec["spec"]["nodeSelector"] = node_selector;
    create(
        store,
        "apps",
        "daemonsets",
        name,
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
               "spec": {"selector": {"matchLabels": {"app": name}}, "template": spec}}),
    )
}

#[test]
fn daemonset_runs_one_pod_per_node_and_rolls_node_by_node() {
    let (store, controller) = setup();
    daemonset(&store, "log-agent", "vector:0.40", json!({}));
    controller.step(4);
    let created = pods(&store);
    assert_eq!(created.len(), 2);
    let nodes: BTreeSet<_> = created
        .iter()
        .map(|p| p["spec"]["nodeName"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(nodes.len(), 2);
    let real_pod = fixture_item("029-list-pods.json", "log-agent-dhfr8");
    for pod in &created {
        assert_eq!(
            keys(&pod["metadata"]["labels"]),
            keys(&real_pod["metadata"]["labels"])
        );
        assert_eq!(pod["spec"]["tolerations"], real_pod["spec"]["tolerations"]);
        assert_eq!(
            pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                ["nodeSelectorTerms"][0]["matchFields"][0]["values"][0],
            pod["spec"]["nodeName"]
        );
    }
    let ds = get(&store, "apps", "daemonsets", "log-agent");
    let real = fixture_item("051-list-daemonsets.json", "log-agent");
    assert_eq!(keys(&ds["status"]), keys(&real["status"]));
    assert_eq!(ds["status"]["numberReady"], 2);
    assert_eq!(
        ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"],
        "1"
    );
    let revision = &list(&store, "apps", "controllerrevisions")[0];
    let hash = created[0]["metadata"]["labels"]["controller-revision-hash"].clone();
    assert_eq!(
        revision["metadata"]["labels"]["controller-revision-hash"],
        hash
    );

    let mut ds = (*ds).clone();
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = json!("vector:0.41");
    store
        .update(&ObjectKey::new("apps", "daemonsets", NS, "log-agent"), ds)
        .expect("update");
    controller.step(1);
    assert_eq!(
        messages(&store, "log-agent", "SuccessfulDelete").len(),
        1,
        "maxUnavailable 1"
    );
    controller.step(12);
    let ds = get(&store, "apps", "daemonsets", "log-agent");
    assert_eq!(ds["status"]["updatedNumberScheduled"], 2);
    assert_eq!(ds["status"]["numberAvailable"], 2);
    assert_eq!(
        ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"],
        "2"
    );
    for pod in pods(&store) {
        assert_eq!(pod["spec"]["containers"][0]["image"], "vector:0.41");
        assert_eq!(pod["metadata"]["labels"]["pod-template-generation"], "2");
    }
}

#[test]
fn daemonset_honours_the_node_selector() {
    let (store, controller) = setup();
    daemonset(
        &store,
        "one-node",
        "busybox:1.36",
        json!({"kubernetes.io/hostname": "fake-node-2"}),
    );
    controller.step(3);
    let created = pods(&store);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["spec"]["nodeName"], "fake-node-2");
    let ds = get(&store, "apps", "daemonsets", "one-node");
    assert_eq!(ds["status"]["desiredNumberScheduled"], 1);
}

// --- Garbage collection and namespaces --------------------------------------------------------

fn mark_deleted(store: &Store, group: &str, resource: &str, name: &str, finalizers: Value) {
    let mut object = (*get(store, group, resource, name)).clone();
    object["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    object["metadata"]["finalizers"] = finalizers;
    store
        .update(&ObjectKey::new(group, resource, NS, name), object)
        .expect("update");
}

#[test]
fn background_deletion_collects_dependents_of_a_deleted_owner() {
    let (store, controller) = setup();
    deployment(&store, "web", 2, "httpd:2.4", json!({}));
    controller.step(6);
    assert_eq!(pods(&store).len(), 2);
    store
        .delete(&ObjectKey::new("apps", "deployments", NS, "web"))
        .expect("delete");
    controller.step(1);
    assert!(list(&store, "apps", "replicasets").is_empty());
    controller.step(3);
    assert!(pods(&store).is_empty(), "{:?}", pod_names(&store));
}

#[test]
fn dependents_are_collected_when_the_owner_went_before_a_compaction() {
    let (store, controller) = setup();
    replicaset(&store, "web", 2);
    controller.step(3);
    store
        .delete(&ObjectKey::new("apps", "replicasets", NS, "web"))
        .expect("delete");
    store.compact();
    controller.step(3);
    assert!(pods(&store).is_empty(), "{:?}", pod_names(&store));
}

#[test]
fn foreground_deletion_removes_dependents_before_the_owner() {
    let (store, controller) = setup();
    deployment(&store, "web", 2, "httpd:2.4", json!({}));
    controller.step(6);
    mark_deleted(
        &store,
        "apps",
        "deployments",
        "web",
        json!(["foregroundDeletion"]),
    );
    controller.step(1);
    assert!(
        store
            .get(&ObjectKey::new("apps", "deployments", NS, "web"))
            .is_some(),
        "the owner waits for its dependents"
    );
    controller.step(8);
    assert!(pods(&store).is_empty());
    assert!(list(&store, "apps", "replicasets").is_empty());
    assert!(
        store
            .get(&ObjectKey::new("apps", "deployments", NS, "web"))
            .is_none()
    );
}

#[test]
fn orphan_deletion_frees_dependents() {
    let (store, controller) = setup();
    replicaset(&store, "web", 1);
    controller.step(3);
    mark_deleted(&store, "apps", "replicasets", "web", json!(["orphan"]));
    controller.step(2);
    assert!(
        store
            .get(&ObjectKey::new("apps", "replicasets", NS, "web"))
            .is_none()
    );
    let remaining = pods(&store);
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0]["metadata"]["ownerReferences"], json!([]));
}

#[test]
fn terminating_namespace_is_emptied_then_removed() {
    let (store, controller) = setup();
    let ns_key = ObjectKey::new("", "namespaces", "", NS);
    store
        .create(
            &ns_key,
            json!({"apiVersion": "v1", "kind": "Namespace", "status": {"phase": "Active"}}),
        )
        .expect("namespace");
    deployment(&store, "web", 2, "httpd:2.4", json!({}));
    create(
        &store,
        "",
        "configmaps",
        "settings",
        json!({"data": {"a": "1"}}),
    );
    controller.step(6);
    let mut ns = (*store.get(&ns_key).expect("namespace")).clone();
    ns["status"]["phase"] = json!("Terminating");
    store.update(&ns_key, ns).expect("update");
    controller.step(1);
    assert!(store.get(&ns_key).is_some(), "pods are still terminating");
    controller.step(4);
    assert!(store.get(&ns_key).is_none());
    assert!(store.all().iter().all(|(key, _)| key.namespace != NS));
}

// --- Jobs -------------------------------------------------------------------------------------

#[test]
fn job_runs_its_pod_to_completion() {
    let (store, controller) = setup();
    let mut spec = template("migrate", "flyway:10");
    spec["metadata"] = json!({});
    spec["spec"]["restartPolicy"] = json!("Never");
    create(
        &store,
        "batch",
        "jobs",
        "migrate",
        json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": spec}}),
    );
    controller.step(1);
    let job = get(&store, "batch", "jobs", "migrate");
    assert_eq!(job["status"]["active"], 1);
    let pod = &pods(&store)[0];
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or("").to_string();
    assert!(pod_name.starts_with("migrate-") && pod_name.len() == "migrate-".len() + 5);
    let real_pod = fixture_item("029-list-pods.json", "migrate-d7jlc");
    assert_eq!(
        keys(&pod["metadata"]["labels"]),
        keys(&real_pod["metadata"]["labels"])
    );
    assert_eq!(pod["metadata"]["labels"]["job-name"], "migrate");

    controller.step(5);
    let pod = get(&store, "", "pods", &pod_name);
    assert_eq!(pod["status"]["phase"], "Succeeded");
    let terminated = &pod["status"]["containerStatuses"][0]["state"]["terminated"];
    assert_eq!(terminated["reason"], "Completed");
    assert_eq!(terminated["exitCode"], 0);
    assert_eq!(
        keys(&pod["status"]["containerStatuses"][0]),
        keys(&real_pod["status"]["containerStatuses"][0])
    );
    let ready = condition(&pod, "Ready");
    assert_eq!(ready["reason"], "PodCompleted");

    let job = get(&store, "batch", "jobs", "migrate");
    let real = fixture_item("055-list-jobs.json", "migrate");
    assert_eq!(keys(&job["status"]), keys(&real["status"]));
    assert_eq!(job["status"]["succeeded"], 1);
    let types: Vec<_> = job["status"]["conditions"]
        .as_array()
        .map(|c| c.iter().map(|c| c["type"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(types, [json!("SuccessCriteriaMet"), json!("Complete")]);
    assert_eq!(
        keys(&job["status"]["conditions"][1]),
        keys(&real["status"]["conditions"][1])
    );
    assert_eq!(condition(&job, "Complete")["reason"], "CompletionsReached");
    assert_eq!(
        messages(&store, "migrate", "SuccessfulCreate"),
        [format!("Created pod: {pod_name}")]
    );
    assert_eq!(messages(&store, "migrate", "Completed"), ["Job completed"]);
    controller.step(3);
    assert_eq!(
        messages(&store, "migrate", "Completed").len(),
        1,
        "a finished job is left alone"
    );
}

#[test]
fn job_gives_up_after_the_backoff_limit() {
    let (store, controller) = setup();
    let mut spec = template("flaky", "tool:broken");
    spec["spec"]["restartPolicy"] = json!("Never");
    create(
        &store,
        "batch",
        "jobs",
        "flaky",
        json!({"spec": {"backoffLimit": 1, "template": spec}}),
    );
    controller.step(20);
    let job = get(&store, "batch", "jobs", "flaky");
    assert_eq!(job["status"]["failed"], 2);
    assert_eq!(condition(&job, "Failed")["reason"], "BackoffLimitExceeded");
    assert_eq!(condition(&job, "FailureTarget")["status"], "True");
}

// --- Running ----------------------------------------------------------------------------------

#[tokio::test]
async fn run_ticks_until_frozen() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Controller>();
    let (store, controller) = setup();
    let controller = Arc::new(controller);
    controller.freeze();
    let task = tokio::spawn(controller.clone().run(std::time::Duration::from_millis(2)));
    replicaset(&store, "web", 1);
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    assert!(pods(&store).is_empty(), "no passes while frozen");
    controller.step(1);
    assert_eq!(pods(&store).len(), 1, "step works while frozen");
    controller.resume();
    assert!(!controller.is_frozen());
    for _ in 0..100 {
        if pods(&store)[0]["status"]["phase"] == "Running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(pods(&store)[0]["status"]["phase"], "Running");
    task.abort();
}

/// On its own clock (paused, advanced by the runtime), the ticking loop runs the controllers
/// that read whole collections once after a change and then only at the resync, however many
/// ticks pass.
#[tokio::test(start_paused = true)]
async fn a_still_cluster_gets_full_passes_only_after_a_change_or_at_the_resync() {
    use std::time::Duration;
    let (store, controller) = setup();
    let controller = Arc::new(controller);
    let tick = Duration::from_millis(100);
    let task = tokio::spawn(controller.clone().run(tick));
    // Let the first passes settle whatever they write.
    tokio::time::sleep(super::RESYNC * 3 + tick / 2).await;
    store
        .create(
            &ObjectKey::new("", "configmaps", NS, "changed"),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "changed", "namespace": NS}}),
        )
        .expect("create");
    tokio::time::sleep(tick + tick / 2).await;
    let after_change = controller.full_passes();
    tokio::time::sleep(super::RESYNC - tick * 3).await;
    assert_eq!(
        controller.full_passes(),
        after_change,
        "no change, no resync yet"
    );
    tokio::time::sleep(tick * 3).await;
    assert_eq!(controller.full_passes(), after_change + 1, "the resync");
    task.abort();
}
