//! The recorded v1.33 answers, reproduced from the recorded objects.
//!
//! Each list fixture is fed to [`table`] and the result must equal the recorded Table exactly:
//! column definitions, cells, row conditions and row objects. Ages depend on when the server
//! answered; the event ages pin that down to 04:06:44–04:06:45 (e.g. an event last seen at
//! 04:06:28 printed as "16s", the CronJob's 04:00:00 pod as "6m44s"), so every fixture is
//! compared with one fixed `now` inside that second.

use serde_json::{Value, json};

use super::*;

fn now() -> Timestamp {
    "2026-11-22T04:06:44.5Z".parse().unwrap()
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/../fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn items(list: &Value) -> Vec<&Value> {
    list["items"].as_array().expect("items").iter().collect()
}

fn built_in<'a>(group: &'a str, resource: &'a str) -> TableKind<'a> {
    TableKind {
        group,
        resource,
        printer_columns: None,
    }
}

/// Builds the Table for the recorded list and compares it with the recorded Table, row by row
/// first so that a difference names the object.
fn assert_reproduces(kind: TableKind, list: &str, recorded_table: &str) {
    let list = fixture(list);
    let recorded = fixture(recorded_table);
    let ours = table(
        &kind,
        &items(&list),
        IncludeObject::Metadata,
        recorded["metadata"].clone(),
        now(),
    );
    assert_eq!(
        ours["columnDefinitions"], recorded["columnDefinitions"],
        "{recorded_table}: column definitions"
    );
    let our_rows = ours["rows"].as_array().expect("rows");
    let recorded_rows = recorded["rows"].as_array().expect("rows");
    assert_eq!(
        our_rows.len(),
        recorded_rows.len(),
        "{recorded_table}: rows"
    );
    for (our_row, recorded_row) in our_rows.iter().zip(recorded_rows) {
        assert_eq!(our_row, recorded_row, "{recorded_table}: row");
    }
    assert_eq!(ours, recorded, "{recorded_table}");
}

#[test]
fn pods() {
    assert_reproduces(
        built_in("", "pods"),
        "029-list-pods.json",
        "030-table-pods.json",
    );
}

#[test]
fn services() {
    let kind = built_in("", "services");
    assert_reproduces(kind, "031-list-services.json", "032-table-services.json");
}

#[test]
fn endpoints() {
    let kind = built_in("", "endpoints");
    assert_reproduces(kind, "033-list-endpoints.json", "034-table-endpoints.json");
}

#[test]
fn configmaps() {
    let kind = built_in("", "configmaps");
    assert_reproduces(
        kind,
        "035-list-configmaps.json",
        "036-table-configmaps.json",
    );
}

#[test]
fn secrets() {
    let kind = built_in("", "secrets");
    assert_reproduces(kind, "037-list-secrets.json", "038-table-secrets.json");
}

#[test]
fn events() {
    assert_reproduces(
        built_in("", "events"),
        "039-list-events.json",
        "040-table-events.json",
    );
}

#[test]
fn serviceaccounts() {
    let kind = built_in("", "serviceaccounts");
    assert_reproduces(
        kind,
        "041-list-serviceaccounts.json",
        "042-table-serviceaccounts.json",
    );
}

#[test]
fn persistentvolumeclaims() {
    let kind = built_in("", "persistentvolumeclaims");
    let (list, table) = (
        "043-list-persistentvolumeclaims.json",
        "044-table-persistentvolumeclaims.json",
    );
    assert_reproduces(kind, list, table);
}

#[test]
fn deployments() {
    let kind = built_in("apps", "deployments");
    assert_reproduces(
        kind,
        "045-list-deployments.json",
        "046-table-deployments.json",
    );
}

#[test]
fn replicasets() {
    let kind = built_in("apps", "replicasets");
    assert_reproduces(
        kind,
        "047-list-replicasets.json",
        "048-table-replicasets.json",
    );
}

#[test]
fn statefulsets() {
    let kind = built_in("apps", "statefulsets");
    assert_reproduces(
        kind,
        "049-list-statefulsets.json",
        "050-table-statefulsets.json",
    );
}

#[test]
fn daemonsets() {
    let kind = built_in("apps", "daemonsets");
    assert_reproduces(
        kind,
        "051-list-daemonsets.json",
        "052-table-daemonsets.json",
    );
}

#[test]
fn controllerrevisions() {
    let kind = built_in("apps", "controllerrevisions");
    let (list, table) = (
        "053-list-controllerrevisions.json",
        "054-table-controllerrevisions.json",
    );
    assert_reproduces(kind, list, table);
}

#[test]
fn jobs() {
    assert_reproduces(
        built_in("batch", "jobs"),
        "055-list-jobs.json",
        "056-table-jobs.json",
    );
}

#[test]
fn cronjobs() {
    let kind = built_in("batch", "cronjobs");
    assert_reproduces(kind, "057-list-cronjobs.json", "058-table-cronjobs.json");
}

#[test]
fn ingresses() {
    let kind = built_in("networking.k8s.io", "ingresses");
    assert_reproduces(kind, "059-list-ingresses.json", "060-table-ingresses.json");
}

#[test]
fn networkpolicies() {
    let kind = built_in("networking.k8s.io", "networkpolicies");
    assert_reproduces(
        kind,
        "061-list-networkpolicies.json",
        "062-table-networkpolicies.json",
    );
}

#[test]
fn horizontalpodautoscalers() {
    let kind = built_in("autoscaling", "horizontalpodautoscalers");
    let (list, table) = (
        "063-list-horizontalpodautoscalers.json",
        "064-table-horizontalpodautoscalers.json",
    );
    assert_reproduces(kind, list, table);
}

#[test]
fn endpointslices() {
    let kind = built_in("discovery.k8s.io", "endpointslices");
    assert_reproduces(
        kind,
        "065-list-endpointslices.json",
        "066-table-endpointslices.json",
    );
}

#[test]
fn custom_resources_use_the_crd_printer_columns() {
    let crds = fixture("073-list-apis-apiextensions-k8s-io-v1-customresourcedefinitions.json");
    let crd = items(&crds)
        .into_iter()
        .find(|crd| crd["metadata"]["name"] == "gizmos.example.org")
        .expect("gizmo CRD");
    let version = crd["spec"]["versions"]
        .as_array()
        .and_then(|versions| versions.iter().find(|v| v["name"] == "v1"))
        .expect("v1");
    let columns = version["additionalPrinterColumns"]
        .as_array()
        .expect("columns");
    let kind = TableKind {
        group: "example.org",
        resource: "gizmos",
        printer_columns: Some(columns),
    };
    assert_reproduces(kind, "067-list-gizmos.json", "068-table-gizmos.json");
}

#[test]
fn nodes() {
    assert_reproduces(
        built_in("", "nodes"),
        "069-list-api-v1-nodes.json",
        "070-table-api-v1-nodes.json",
    );
}

#[test]
fn namespaces() {
    assert_reproduces(
        built_in("", "namespaces"),
        "071-list-api-v1-namespaces.json",
        "072-table-api-v1-namespaces.json",
    );
}

#[test]
fn customresourcedefinitions_use_the_generic_table() {
    assert_reproduces(
        built_in("apiextensions.k8s.io", "customresourcedefinitions"),
        "073-list-apis-apiextensions-k8s-io-v1-customresourcedefinitions.json",
        "074-table-apis-apiextensions-k8s-io-v1-customresourcedefinitions.json",
    );
}

#[test]
fn all_namespaces_have_no_namespace_column() {
    assert_reproduces(
        built_in("", "pods"),
        "075-list-api-v1-pods.json",
        "076-table-api-v1-pods.json",
    );
    assert_reproduces(
        built_in("apps", "deployments"),
        "077-list-apis-apps-v1-deployments.json",
        "078-table-apis-apps-v1-deployments.json",
    );
}

#[test]
fn storageclasses() {
    assert_reproduces(
        built_in("storage.k8s.io", "storageclasses"),
        "079-list-apis-storage-k8s-io-v1-storageclasses.json",
        "080-table-apis-storage-k8s-io-v1-storageclasses.json",
    );
}

/// The stored objects carry kind and apiVersion, which list items leave out.
fn stored_pods() -> Vec<Value> {
    let list = fixture("029-list-pods.json");
    items(&list)
        .into_iter()
        .map(|pod| {
            let mut pod = pod.clone();
            pod["kind"] = json!("Pod");
            pod["apiVersion"] = json!("v1");
            pod
        })
        .collect()
}

#[test]
fn include_object_full_and_none() {
    let pods = stored_pods();
    let pods: Vec<&Value> = pods.iter().collect();
    let kind = built_in("", "pods");
    for (include, recorded) in [
        (
            IncludeObject::Object,
            "081-table-pods-includeObject-Object.json",
        ),
        (
            IncludeObject::None,
            "082-table-pods-includeObject-None.json",
        ),
    ] {
        let recorded = fixture(recorded);
        let ours = table(&kind, &pods, include, recorded["metadata"].clone(), now());
        assert_eq!(ours, recorded, "{include:?}");
    }
}

#[test]
fn single_object_table_and_watch_event_table() {
    let deployment = fixture("088-get-deployment.json");
    let kind = built_in("apps", "deployments");
    let metadata = json!({"resourceVersion": deployment["metadata"]["resourceVersion"]});
    let ours = table(
        &kind,
        &[&deployment],
        IncludeObject::Metadata,
        metadata,
        now(),
    );
    assert_eq!(ours, fixture("083-table-single-deployment.json"));

    let watch = format!(
        "{}/../fixtures/http/100-watch-deployments-table-3s.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let first_line = std::fs::read_to_string(watch).expect("watch fixture");
    let event: Value =
        serde_json::from_str(first_line.lines().next().expect("event")).expect("json");
    assert_eq!(ours, event["object"]);
}

#[test]
fn row_and_column_definitions_agree_with_table() {
    let pods = stored_pods();
    let kind = built_in("", "pods");
    let recorded = fixture("030-table-pods.json");
    assert_eq!(
        Value::from(column_definitions(&kind)),
        recorded["columnDefinitions"]
    );
    assert_eq!(
        row(&kind, &pods[6], IncludeObject::Metadata, now()),
        recorded["rows"][6]
    );
}

#[test]
fn include_object_parameter() {
    assert_eq!(IncludeObject::from_query(None), IncludeObject::Metadata);
    assert_eq!(
        IncludeObject::from_query(Some("Object")),
        IncludeObject::Object
    );
    assert_eq!(IncludeObject::from_query(Some("None")), IncludeObject::None);
    assert_eq!(
        IncludeObject::from_query(Some("bogus")),
        IncludeObject::Metadata
    );
    let error = IncludeObject::parse(Some("bogus")).expect_err("rejected");
    assert_eq!(error.code, 400);
    assert_eq!(error.message, "unrecognized includeObject value: \"bogus\"");
}

#[test]
fn unknown_resources_get_name_and_created_at() {
    let kind = built_in(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    );
    let object = json!({"metadata": {"name": "w", "creationTimestamp": "2026-11-22T03:51:15Z"}});
    let row = row(&kind, &object, IncludeObject::None, now());
    assert_eq!(
        row,
        json!({"cells": ["w", "2026-11-22T03:51:15Z"], "object": null})
    );
    let names: Vec<Value> = column_definitions(&kind)
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, [json!("Name"), json!("Created At")]);
}
