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

fn create(store: &Store, group: &str, resource: &str, name: &str, object: Value) -> Arc<Value> {
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
        assert!(suffix.bytes().all(|b| super::util::ALPHANUMS.contains(&b)));
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
