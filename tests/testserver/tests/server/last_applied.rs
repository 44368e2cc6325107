//! kubectl's client-side and server-side apply taking turns on one object, over HTTP: the
//! managed fields client-side apply leaves, the last-applied annotation an apply by `kubectl`
//! keeps, the conflicts it is let through, and the managed-fields migration kubectl sends as a
//! JSON patch. The requests are the ones kubectl sends (see kubectl-traces/trace-apply.txt).

use kz_testserver::TestServer;
use serde_json::{Value, json};

use crate::client::Client;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
const CONFIGMAPS: &str = "/api/v1/namespaces/default/configmaps";
const SETTINGS: &str = "/api/v1/namespaces/default/configmaps/settings";

fn send(client: &Client, method: &str, path: &str, content_type: &str, body: &str) -> (u16, Value) {
    let answer = client.send(
        method,
        path,
        &[
            ("Accept", "application/json"),
            ("Content-Type", content_type),
        ],
        body,
    );
    (answer.status, answer.json())
}

/// A configuration as kubectl's client-side apply encodes it into the annotation.
fn last_applied(data: &Value) -> String {
    format!(
        "{{\"apiVersion\":\"v1\",\"data\":{data},\"kind\":\"ConfigMap\",\"metadata\":{{\"annotations\":{{}},\"name\":\"settings\",\"namespace\":\"default\"}}}}\n"
    )
}

/// `kubectl apply -f` of a new ConfigMap: a POST of the configuration with its annotation.
fn create_client_side(client: &Client, data: Value) -> Value {
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": data,
        "metadata": {"name": "settings", "namespace": "default",
                     "annotations": {ANNOTATION: last_applied(&data)}}});
    let (status, created) = send(
        client,
        "POST",
        &format!("{CONFIGMAPS}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict"),
        "application/json",
        &body.to_string(),
    );
    assert_eq!(status, 201, "{created}");
    created
}

/// `kubectl apply --server-side` of a ConfigMap with `data`.
fn apply_server_side(client: &Client, data: Value, manager: &str) -> (u16, Value) {
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": data,
        "metadata": {"name": "settings", "namespace": "default"}});
    send(
        client,
        "PATCH",
        &format!("{SETTINGS}?fieldManager={manager}&force=false"),
        "application/apply-patch+yaml",
        &body.to_string(),
    )
}

fn entry<'a>(object: &'a Value, manager: &str) -> Option<&'a Value> {
    object["metadata"]["managedFields"]
        .as_array()
        .and_then(|entries| entries.iter().find(|e| e["manager"] == manager))
}

fn managers(object: &Value) -> Vec<(String, String)> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let text = |field: &str| e[field].as_str().unwrap_or_default().to_string();
            (text("manager"), text("operation"))
        })
        .collect()
}

/// The ConfigMap kubectl created client-side in the recorded trace, and the server's answer.
#[test]
fn client_side_create_is_owned_like_the_real_servers() {
    let trace = std::fs::read_to_string(format!("{FIXTURES}/kubectl-traces/trace-apply.txt"))
        .expect("trace");
    let bodies: Vec<Value> = trace
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line.trim()).ok())
        .filter(|body| body["kind"] == "ConfigMap")
        .collect();
    let [request, response] = bodies.as_slice() else {
        panic!("the trace has the ConfigMap's request and response: {bodies:?}");
    };
    let server = TestServer::builder().empty().start();
    let client = Client::admin(&server);
    server
        .create("apiVersion: v1\nkind: Namespace\nmetadata: {name: scratch}\n")
        .expect("namespace");
    let (status, created) = send(
        &client,
        "POST",
        "/api/v1/namespaces/scratch/configmaps?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
        "application/json",
        &request.to_string(),
    );
    assert_eq!(status, 201, "{created}");
    let without_time = |object: &Value| {
        let mut entries = object["metadata"]["managedFields"].clone();
        entries[0].as_object_mut().expect("entry").remove("time");
        entries
    };
    assert_eq!(without_time(&created), without_time(response));
    assert_eq!(
        created["metadata"]["annotations"],
        response["metadata"]["annotations"]
    );
}

#[test]
fn server_side_apply_by_kubectl_keeps_the_annotation_and_takes_its_fields() {
    let server = TestServer::builder().empty().start();
    let client = Client::admin(&server);
    create_client_side(&client, json!({"mode": "a", "extra": "1"}));

    // Same values: shared, no conflict; the annotation becomes the applied configuration.
    let (status, applied) = apply_server_side(&client, json!({"mode": "a"}), "kubectl");
    assert_eq!(status, 200, "{applied}");
    assert_eq!(
        applied["metadata"]["annotations"][ANNOTATION],
        "{\"apiVersion\":\"v1\",\"data\":{\"mode\":\"a\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\",\"namespace\":\"default\"}}\n"
    );
    assert_eq!(applied["data"], json!({"mode": "a", "extra": "1"}));

    // A changed value client-side apply last applied: let through, as if forced.
    let (status, applied) = apply_server_side(&client, json!({"mode": "b"}), "kubectl");
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["data"]["mode"], "b");
    assert_eq!(
        entry(&applied, "kubectl").expect("kubectl")["fieldsV1"],
        json!({"f:data": {"f:mode": {}}})
    );

    // Another manager gets the conflict.
    let (status, conflict) = apply_server_side(&client, json!({"extra": "2"}), "kz");
    assert_eq!(status, 409);
    assert_eq!(
        conflict["message"],
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.extra"
    );
}

#[test]
fn kubectl_still_conflicts_on_fields_changed_since_its_last_client_side_apply() {
    let server = TestServer::builder().empty().start();
    let client = Client::admin(&server);
    create_client_side(&client, json!({"mode": "a", "extra": "1"}));
    let (status, _) = send(
        &client,
        "PATCH",
        &format!("{SETTINGS}?fieldManager=kubectl-edit"),
        "application/merge-patch+json",
        r#"{"data":{"extra":"edited"}}"#,
    );
    assert_eq!(status, 200);

    let (status, conflict) =
        apply_server_side(&client, json!({"mode": "b", "extra": "2"}), "kubectl");
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(
        conflict["message"],
        "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .data.extra"
    );
    assert_eq!(
        conflict["details"]["causes"],
        json!([{"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-edit\" using v1", "field": ".data.extra"}])
    );
    let stored = client.get(SETTINGS).json();
    assert_eq!(stored["data"], json!({"mode": "a", "extra": "edited"}));
}

/// kubectl's migration of client-side apply's fields to its server-side apply manager
/// (client-go's csaupgrade): a JSON patch of `metadata.managedFields` with the
/// resourceVersion it was computed from.
#[test]
fn json_patches_of_managed_fields_are_taken_as_given() {
    let server = TestServer::builder().empty().start();
    let client = Client::admin(&server);
    create_client_side(&client, json!({"mode": "a", "extra": "1"}));
    let (_, applied) = apply_server_side(&client, json!({"mode": "a"}), "kubectl");
    let version = applied["metadata"]["resourceVersion"]
        .as_str()
        .expect("resourceVersion")
        .to_string();

    // What csaupgrade computes: the client-side entry's fields merged into kubectl's Apply
    // entry, the client-side entry gone.
    let mut kubectl = entry(&applied, "kubectl").expect("kubectl").clone();
    let client_side = entry(&applied, "kubectl-client-side-apply").expect("client side");
    assert_eq!(kubectl["fieldsV1"], json!({"f:data": {"f:mode": {}}}));
    kubectl["fieldsV1"] = client_side["fieldsV1"].clone();
    let migration = |version: &str| {
        json!([
            {"op": "replace", "path": "/metadata/managedFields", "value": [kubectl]},
            {"op": "replace", "path": "/metadata/resourceVersion", "value": version}
        ])
        .to_string()
    };
    let (status, stale) = send(
        &client,
        "PATCH",
        &format!("{SETTINGS}?fieldManager=kubectl"),
        "application/json-patch+json",
        &migration("1"),
    );
    assert_eq!(status, 409);
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{FIXTURES}/http/108-update-with-stale-resourceVersion.json"
        ))
        .expect("fixture"),
    )
    .expect("JSON");
    let as_recorded = |value: &Value| value.to_string().replace("shop-config", "settings");
    assert_eq!(stale.to_string(), as_recorded(&recorded));

    let (status, migrated) = send(
        &client,
        "PATCH",
        &format!("{SETTINGS}?fieldManager=kubectl"),
        "application/json-patch+json",
        &migration(&version),
    );
    assert_eq!(status, 200, "{migrated}");
    assert_eq!(
        migrated["metadata"]["managedFields"],
        json!([kubectl]),
        "taken as given: no Update entry for the patch that only moved ownership"
    );
    assert_ne!(migrated["metadata"]["resourceVersion"], json!(version));

    // kubectl re-sends its apply: what it no longer applies and nobody else owns is removed.
    let (status, reapplied) = apply_server_side(&client, json!({"mode": "a"}), "kubectl");
    assert_eq!(status, 200, "{reapplied}");
    assert_eq!(reapplied["data"], json!({"mode": "a"}));
    assert_eq!(managers(&reapplied), [("kubectl".into(), "Apply".into())]);
}

/// The fields the server defaults in a container that kubectl's three-way patch adds.
const CONTAINER_DEFAULTS: &[&str] = &[
    "imagePullPolicy",
    "resources",
    "terminationMessagePath",
    "terminationMessagePolicy",
];

/// kubectl's client-side apply adding a container: the server defaults it, and the patcher
/// owns the defaults as it owns what it sent; a server-side apply's defaults are nobody's.
#[test]
fn defaults_of_a_patch_are_the_patchers_and_of_an_apply_nobodys() {
    let server = TestServer::builder().empty().start();
    let client = Client::admin(&server);
    let deployments = "/apis/apps/v1/namespaces/default/deployments";
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "main", "image": "caddy:2.7"}]}}}});
    let (status, created) = send(
        &client,
        "POST",
        &format!("{deployments}?fieldManager=kubectl-client-side-apply"),
        "application/json",
        &deployment.to_string(),
    );
    assert_eq!(status, 201, "{created}");

    let three_way = json!({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "main"}, {"name": "side"}],
        "containers": [{"image": "busybox:1.36", "name": "side"}]}}}});
    let (status, patched) = send(
        &client,
        "PATCH",
        &format!("{deployments}/web?fieldManager=kubectl-client-side-apply"),
        "application/strategic-merge-patch+json",
        &three_way.to_string(),
    );
    assert_eq!(status, 200, "{patched}");
    let side = &patched["spec"]["template"]["spec"]["containers"][1];
    assert_eq!(side["name"], "side");
    assert_eq!(side["imagePullPolicy"], "IfNotPresent");
    let owned = &entry(&patched, "kubectl-client-side-apply").expect("entry")["fieldsV1"]["f:spec"]
        ["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"side\"}"];
    for field in CONTAINER_DEFAULTS {
        assert!(
            owned.get(format!("f:{field}")).is_some(),
            "{field} is the patcher's: {owned}"
        );
    }

    let mut applied = deployment.clone();
    applied["spec"]["template"]["spec"]["containers"][0] =
        json!({"name": "extra", "image": "nginx:1.27"});
    let (status, after) = send(
        &client,
        "PATCH",
        &format!("{deployments}/web?fieldManager=kz"),
        "application/apply-patch+yaml",
        &applied.to_string(),
    );
    assert_eq!(status, 200, "{after}");
    let containers = after["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers");
    let extra = containers
        .iter()
        .find(|c| c["name"] == "extra")
        .expect("applied container");
    assert_eq!(extra["terminationMessagePath"], "/dev/termination-log");
    let owned = &entry(&after, "kz").expect("kz")["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
        ["k:{\"name\":\"extra\"}"];
    assert_eq!(
        owned,
        &json!({".": {}, "f:image": {}, "f:name": {}}),
        "the defaults are nobody's"
    );
}
