//! Resource semantics over HTTP: paging, selectors, writes, concurrency, deletion, dry run,
//! subresources, CRDs created at run time, Tables, and the kz-testserver binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use kz_testserver::TestServer;
use serde_json::{Value, json};

use crate::client::Client;

const JSON: (&str, &str) = ("Accept", "application/json");
const TABLE: (&str, &str) = (
    "Accept",
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
);

fn post(client: &Client, path: &str, body: Value) -> (u16, Value) {
    let answer = client.send(
        "POST",
        path,
        &[JSON, ("Content-Type", "application/json")],
        &body.to_string(),
    );
    (answer.status, answer.json())
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["metadata"]["name"].as_str().map(String::from))
        .collect()
}

fn configmaps(client: &Client, count: usize) {
    for i in 0..count {
        let (status, _) = post(
            client,
            "/api/v1/namespaces/default/configmaps",
            json!({"metadata": {"name": format!("cm-{i:02}"), "labels": {"parity": if i % 2 == 0 {"even"} else {"odd"}}}}),
        );
        assert_eq!(status, 201);
    }
}

#[test]
fn lists_page_with_continue_tokens_and_expire() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    configmaps(&admin, 5);
    let path = "/api/v1/namespaces/default/configmaps";
    let first = admin.get(&format!("{path}?limit=2")).json();
    assert_eq!(names(&first), ["cm-00", "cm-01"]);
    assert_eq!(
        first["metadata"]["remainingItemCount"], 4,
        "three more cm-* and kube-root-ca.crt"
    );
    let token = first["metadata"]["continue"]
        .as_str()
        .expect("continue")
        .to_string();
    let second = admin
        .get(&format!("{path}?limit=2&continue={token}"))
        .json();
    assert_eq!(names(&second), ["cm-02", "cm-03"]);
    assert_eq!(
        second["metadata"]["resourceVersion"],
        first["metadata"]["resourceVersion"]
    );

    server.expire_history();
    let expired = admin.get(&format!("{path}?limit=2&continue={token}"));
    assert_eq!(expired.status, 410);
    assert_eq!(expired.json()["reason"], "Expired");
}

#[test]
fn selectors_filter_and_bad_ones_are_rejected() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    configmaps(&admin, 4);
    let path = "/api/v1/namespaces/default/configmaps";
    let even = admin
        .get(&format!("{path}?labelSelector=parity%3Deven"))
        .json();
    assert_eq!(names(&even), ["cm-00", "cm-02"]);
    let not_odd = admin
        .get(&format!(
            "{path}?labelSelector=parity%20notin%20(odd),parity"
        ))
        .json();
    assert_eq!(names(&not_odd), ["cm-00", "cm-02"]);
    let by_name = admin
        .get(&format!("{path}?fieldSelector=metadata.name%3Dcm-03"))
        .json();
    assert_eq!(names(&by_name), ["cm-03"]);
    let bad = admin.get(&format!("{path}?labelSelector=parity%20in%20even"));
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["message"]
            .as_str()
            .expect("message")
            .contains("unable to parse requirement")
    );
    let unsupported = admin.get(&format!("{path}?fieldSelector=data.x%3D1"));
    assert_eq!(unsupported.status, 400);
    assert!(
        unsupported
            .body
            .contains("field label not supported: data.x")
    );
}

fn merge_patch(client: &Client, path: &str, patch: Value) -> Value {
    let answer = client.send(
        "PATCH",
        path,
        &[JSON, ("Content-Type", "application/merge-patch+json")],
        &patch.to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

#[test]
fn a_watch_with_a_selector_sees_objects_start_and_stop_matching() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    let cms = "/api/v1/namespaces/default/configmaps";
    let rv = admin.get(cms).json()["metadata"]["resourceVersion"]
        .as_str()
        .expect("rv")
        .to_string();
    let cm = |name: &str, app: &str| json!({"metadata": {"name": name, "labels": {"app": app}}});
    assert_eq!(post(&admin, cms, cm("a", "web")).0, 201);
    merge_patch(&admin, &format!("{cms}/a"), json!({"data": {"x": "1"}}));
    let left = merge_patch(
        &admin,
        &format!("{cms}/a"),
        json!({"metadata": {"labels": {"app": "db"}}}),
    );
    merge_patch(&admin, &format!("{cms}/a"), json!({"data": {"x": "2"}}));
    merge_patch(
        &admin,
        &format!("{cms}/a"),
        json!({"metadata": {"labels": {"app": "web"}}}),
    );
    assert_eq!(post(&admin, cms, cm("b", "db")).0, 201);
    assert_eq!(
        admin
            .send("DELETE", &format!("{cms}/a"), &[JSON], "")
            .status,
        200
    );
    assert_eq!(post(&admin, cms, cm("c", "web")).0, 201);

    // The timeout only ends the stream should fewer events come than expected.
    let lines = admin.stream_lines(
        &format!("{cms}?watch=1&labelSelector=app%3Dweb&resourceVersion={rv}&timeoutSeconds=10"),
        &[JSON],
        6,
    );
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("event"))
        .collect();
    let seen: Vec<(&str, &str, &str, &str)> = events
        .iter()
        .map(|e| {
            let meta = &e["object"]["metadata"];
            (
                e["type"].as_str().unwrap_or_default(),
                meta["name"].as_str().unwrap_or_default(),
                meta["labels"]["app"].as_str().unwrap_or_default(),
                e["object"]["data"]["x"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("ADDED", "a", "web", ""),
            ("MODIFIED", "a", "web", "1"),
            // It stopped matching: its last matching content, at the relabel's version.
            ("DELETED", "a", "web", "1"),
            // Changes while it did not match are not sent; matching again, it is new.
            ("ADDED", "a", "web", "2"),
            ("DELETED", "a", "web", "2"),
            ("ADDED", "c", "web", ""),
        ]
    );
    assert_eq!(
        events[2]["object"]["metadata"]["resourceVersion"],
        left["metadata"]["resourceVersion"]
    );
}

#[test]
fn writes_follow_the_real_rules() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    let path = "/api/v1/namespaces/default/configmaps";
    let (status, generated) = post(&admin, path, json!({"metadata": {"generateName": "gen-"}}));
    assert_eq!(status, 201);
    let name = generated["metadata"]["name"].as_str().expect("name");
    assert!(name.starts_with("gen-") && name.len() == 9, "{name}");

    let (status, missing_ns) = post(
        &admin,
        "/api/v1/namespaces/nope/configmaps",
        json!({"metadata": {"name": "x"}}),
    );
    assert_eq!(
        (status, missing_ns["message"].as_str()),
        (404, Some("namespaces \"nope\" not found"))
    );

    let (status, created) = post(
        &admin,
        path,
        json!({"metadata": {"name": "c"}, "data": {"a": "1"}}),
    );
    assert_eq!(status, 201);
    let mut stale = created.clone();
    stale["metadata"]["resourceVersion"] = json!("1");
    stale["data"]["a"] = json!("2");
    let conflict = admin.send(
        "PUT",
        &format!("{path}/c"),
        &[JSON, ("Content-Type", "application/json")],
        &stale.to_string(),
    );
    assert_eq!(conflict.status, 409);
    let mut fresh = created.clone();
    fresh["data"]["a"] = json!("2");
    let updated = admin.send(
        "PUT",
        &format!("{path}/c"),
        &[JSON, ("Content-Type", "application/json")],
        &fresh.to_string(),
    );
    assert_eq!(updated.status, 200);
    assert_eq!(updated.json()["data"]["a"], "2");

    let dry = admin.send(
        "POST",
        &format!("{path}?dryRun=All"),
        &[JSON, ("Content-Type", "application/json")],
        &json!({"metadata": {"name": "dry"}}).to_string(),
    );
    assert_eq!(dry.status, 201);
    assert_eq!(
        admin.get(&format!("{path}/dry")).status,
        404,
        "dry run stored nothing"
    );

    let wrong_version = admin.send(
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/d?fieldManager=kz",
        &[JSON, ("Content-Type", "application/apply-patch+yaml")],
        "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: d}\n",
    );
    assert_eq!(
        (
            wrong_version.status,
            wrong_version.json()["message"].as_str()
        ),
        (
            400,
            Some(
                "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1"
            )
        )
    );
}

#[test]
fn deletion_propagates_to_dependents() {
    let server = TestServer::builder().empty().frozen().start();
    let admin = Client::admin(&server);
    server
        .create(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1.27}]}\n",
        )
        .expect("deployment");
    server.controller().step(4);
    let pods = || names(&admin.get("/api/v1/namespaces/default/pods").json());
    assert_eq!(pods().len(), 2);
    let deleted = admin.send(
        "DELETE",
        "/apis/apps/v1/namespaces/default/deployments/web",
        &[JSON],
        "",
    );
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.json()["status"], "Success");
    server.controller().step(3);
    assert!(
        admin
            .get("/apis/apps/v1/namespaces/default/replicasets")
            .json()["items"]
            .as_array()
            .expect("items")
            .is_empty()
    );
    assert!(pods().is_empty(), "the garbage collector removed the pods");
}

#[test]
fn scale_and_status_subresources() {
    let server = TestServer::builder().frozen().start();
    let admin = Client::admin(&server);
    let gizmo = "/apis/example.org/v1/namespaces/shop/gizmos/sprocket";
    let scale = admin.get(&format!("{gizmo}/scale")).json();
    assert_eq!(
        (scale["kind"].as_str(), scale["spec"]["replicas"].as_i64()),
        (Some("Scale"), Some(2))
    );
    let patched = admin.send(
        "PATCH",
        &format!("{gizmo}/scale"),
        &[JSON, ("Content-Type", "application/merge-patch+json")],
        r#"{"spec":{"replicas":5}}"#,
    );
    assert_eq!(patched.json()["spec"]["replicas"], 5);
    assert_eq!(admin.get(gizmo).json()["spec"]["replicas"], 5);

    let status = admin.send(
        "PATCH",
        &format!("{gizmo}/status"),
        &[JSON, ("Content-Type", "application/merge-patch+json")],
        r#"{"status":{"replicas":5},"spec":{"flavor":"ignored"}}"#,
    );
    assert_eq!(status.status, 200);
    let stored = admin.get(gizmo).json();
    assert_eq!(stored["status"]["replicas"], 5);
    assert_eq!(
        stored["spec"]["flavor"], "vanilla",
        "the status subresource writes status only"
    );
    let smp = admin.send(
        "PATCH",
        gizmo,
        &[
            JSON,
            ("Content-Type", "application/strategic-merge-patch+json"),
        ],
        r#"{"spec":{"flavor":"x"}}"#,
    );
    assert_eq!(
        smp.status, 415,
        "custom resources take no strategic merge patch"
    );
}

#[test]
fn crds_created_at_run_time_are_served() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    server
        .create(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.acme.io}\nspec:\n  group: acme.io\n  scope: Cluster\n  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}\n  versions:\n  - name: v2\n    served: true\n    storage: true\n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}\n    additionalPrinterColumns:\n    - {name: Size, type: integer, jsonPath: .spec.size}\n",
        )
        .expect("crd");
    let resources = admin.get("/apis/acme.io/v2").json();
    assert_eq!(resources["resources"][0]["name"], "widgets");
    assert_eq!(resources["resources"][0]["namespaced"], false);
    let (status, _) = post(
        &admin,
        "/apis/acme.io/v2/widgets",
        json!({"apiVersion": "acme.io/v2", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}}),
    );
    assert_eq!(status, 201);
    let table = admin
        .send("GET", "/apis/acme.io/v2/widgets", &[TABLE], "")
        .json();
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(columns, ["Name", "Size"]);
    assert_eq!(table["rows"][0]["cells"], json!(["w", 3]));
    let namespaced = admin.get("/apis/acme.io/v2/namespaces/default/widgets");
    assert_eq!(
        namespaced.status, 404,
        "a cluster-scoped type has no namespaced path"
    );
    let deleted = admin.send(
        "DELETE",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.acme.io",
        &[JSON],
        "",
    );
    assert_eq!(deleted.status, 200);
    assert_eq!(admin.get("/apis/acme.io/v2").status, 404);
}

#[test]
fn tables_honour_include_object_and_v1beta1() {
    let server = TestServer::start();
    let admin = Client::admin(&server);
    let path = "/api/v1/namespaces/shop/configmaps";
    let none = admin
        .send("GET", &format!("{path}?includeObject=None"), &[TABLE], "")
        .json();
    assert!(none["rows"][0]["object"].is_null());
    let full = admin
        .send("GET", &format!("{path}?includeObject=Object"), &[TABLE], "")
        .json();
    assert_eq!(full["rows"][0]["object"]["kind"], "ConfigMap");
    let beta = admin.send(
        "GET",
        path,
        &[(
            "Accept",
            "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
        )],
        "",
    );
    assert_eq!(beta.json()["apiVersion"], "meta.k8s.io/v1beta1");
    let bad = admin.send(
        "GET",
        &format!("{path}?includeObject=Everything"),
        &[TABLE],
        "",
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn the_binary_serves_a_generated_cluster() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kz-testserver"))
        .args([
            "--pods",
            "120",
            "--namespaces",
            "3",
            "--crds",
            "4",
            "--kubeconfig-out",
        ])
        .arg(&kubeconfig)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kz-testserver");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the server prints its URL");
    let config = std::fs::read_to_string(&kubeconfig).expect("kubeconfig written");
    let token = config
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .expect("token")
        .to_string();
    let ca = config
        .lines()
        .find_map(|l| l.trim().strip_prefix("certificate-authority-data: "))
        .expect("CA")
        .to_string();
    let agent = ureq_agent(&ca);
    let body = agent
        .get(format!("{}/api/v1/pods", url.trim()))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .expect("list pods")
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .expect("body");
    let pods: Value = serde_json::from_str(&body).expect("json");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(pods["items"].as_array().map(Vec::len), Some(120));
    let namespaces: std::collections::BTreeSet<&str> = pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["metadata"]["namespace"].as_str())
        .collect();
    assert_eq!(namespaces.len(), 3);
}

fn ureq_agent(ca_base64: &str) -> ureq::Agent {
    use base64::Engine;
    let pem = base64::engine::general_purpose::STANDARD
        .decode(ca_base64)
        .expect("base64 CA");
    let ca = ureq::tls::Certificate::from_pem(&pem).expect("CA PEM");
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::Specific(std::sync::Arc::new(vec![
            ca,
        ])))
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .build()
        .new_agent()
}

#[test]
fn the_binary_runs_a_command_against_itself() {
    let status = Command::new(env!("CARGO_BIN_EXE_kz-testserver"))
        .args([
            "--",
            "sh",
            "-c",
            "grep -q 'server: https://127.0.0.1:' \"$KUBECONFIG\" && exit 7",
        ])
        .status()
        .expect("run kz-testserver");
    assert_eq!(
        status.code(),
        Some(7),
        "the command saw a kubeconfig for the server"
    );
}
