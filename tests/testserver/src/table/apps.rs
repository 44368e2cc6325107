//! Printers for the apps group: deployments, replica sets, stateful sets, daemon sets and
//! controller revisions.

use jiff::Timestamp;
use serde_json::Value;

use super::BuiltIn;
use super::columns::{AGE, CONTAINERS, Column, IMAGES, NAME};
use super::fields::{
    age, at, container_cells, format_label_selector, format_labels, integer, items, name,
    opt_integer, selector_string, text,
};

pub(super) fn printer(resource: &str) -> Option<BuiltIn> {
    Some(match resource {
        "deployments" => BuiltIn::new(DEPLOYMENT_COLUMNS, deployment_cells),
        "replicasets" => BuiltIn::new(REPLICASET_COLUMNS, replicaset_cells),
        "statefulsets" => BuiltIn::new(STATEFULSET_COLUMNS, statefulset_cells),
        "daemonsets" => BuiltIn {
            // apps/v1 keeps the internal spec.templateGeneration in this annotation.
            internal_annotations: &["deprecated.daemonset.template.generation"],
            ..BuiltIn::new(DAEMONSET_COLUMNS, daemonset_cells)
        },
        "controllerrevisions" => BuiltIn::new(REVISION_COLUMNS, revision_cells),
        _ => return None,
    })
}

/// spec.replicas, which the server defaults to 1.
fn desired_replicas(object: &Value) -> i64 {
    opt_integer(object, "/spec/replicas").unwrap_or(1)
}

/// The Containers and Images cells of spec.template.
fn template_cells(object: &Value) -> [Value; 2] {
    container_cells(at(object, "/spec/template").unwrap_or(&Value::Null))
}

const DEPLOYMENT_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Ready", "Number of the pod with ready state"),
    Column::string("Up-to-date", "Total number of non-terminating pods targeted by this deployment that have the desired template spec."),
    Column::string("Available", "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
    AGE,
    CONTAINERS,
    IMAGES,
    Column::string("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.").wide(),
];

fn deployment_cells(deployment: &Value, now: Timestamp) -> Vec<Value> {
    let ready = integer(deployment, "/status/readyReplicas");
    let selector = selector_string(at(deployment, "/spec/selector"))
        .unwrap_or_else(|| "<invalid>".to_string());
    let [containers, images] = template_cells(deployment);
    vec![
        name(deployment),
        format!("{ready}/{}", desired_replicas(deployment)).into(),
        integer(deployment, "/status/updatedReplicas").into(),
        integer(deployment, "/status/availableReplicas").into(),
        age(deployment, now),
        containers,
        images,
        selector.into(),
    ]
}

const REPLICASET_COLUMNS: &[Column] = &[
    NAME,
    Column::integer("Desired", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
    Column::integer("Current", "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"),
    Column::integer("Ready", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
    AGE,
    CONTAINERS,
    IMAGES,
    Column::string("Selector", "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors").wide(),
];

fn replicaset_cells(replicaset: &Value, now: Timestamp) -> Vec<Value> {
    let [containers, images] = template_cells(replicaset);
    vec![
        name(replicaset),
        desired_replicas(replicaset).into(),
        integer(replicaset, "/status/replicas").into(),
        integer(replicaset, "/status/readyReplicas").into(),
        age(replicaset, now),
        containers,
        images,
        format_label_selector(at(replicaset, "/spec/selector")).into(),
    ]
}

const STATEFULSET_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Ready", "Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
];

fn statefulset_cells(statefulset: &Value, now: Timestamp) -> Vec<Value> {
    let ready = integer(statefulset, "/status/readyReplicas");
    let [containers, images] = template_cells(statefulset);
    vec![
        name(statefulset),
        format!("{ready}/{}", desired_replicas(statefulset)).into(),
        age(statefulset, now),
        containers,
        images,
    ]
}

const DAEMONSET_COLUMNS: &[Column] = &[
    NAME,
    Column::integer("Desired", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
    Column::integer("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
    Column::integer("Ready", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
    Column::integer("Up-to-date", "The total number of nodes that are running updated daemon pod"),
    Column::integer("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
    Column::string("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
    AGE,
    CONTAINERS,
    IMAGES,
    Column::string("Selector", "A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors").wide(),
];

fn daemonset_cells(daemonset: &Value, now: Timestamp) -> Vec<Value> {
    let status = |field: &str| Value::from(integer(daemonset, &format!("/status/{field}")));
    let node_selector = at(daemonset, "/spec/template/spec/nodeSelector");
    let [containers, images] = template_cells(daemonset);
    vec![
        name(daemonset),
        status("desiredNumberScheduled"),
        status("currentNumberScheduled"),
        status("numberReady"),
        status("updatedNumberScheduled"),
        status("numberAvailable"),
        format_labels(node_selector).into(),
        age(daemonset, now),
        containers,
        images,
        format_label_selector(at(daemonset, "/spec/selector")).into(),
    ]
}

const REVISION_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Controller", "Controller of the object"),
    Column::string(
        "Revision",
        "revision indicates the revision of the state represented by Data.",
    ),
    AGE,
];

fn revision_cells(revision: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(revision),
        controller_of(revision).into(),
        integer(revision, "/revision").into(),
        age(revision, now),
    ]
}

/// The controlling owner as "kind.group/name" in lower case ("statefulset.apps/cache"),
/// "<none>" without one.
fn controller_of(object: &Value) -> String {
    let owners = items(object, "/metadata/ownerReferences");
    let Some(owner) = owners.iter().find(|owner| owner["controller"] == true) else {
        return "<none>".to_string();
    };
    let group = text(owner, "/apiVersion")
        .rsplit_once('/')
        .map_or("", |(group, _)| group);
    let kind = text(owner, "/kind");
    let qualified = match (kind, group) {
        ("", _) => String::new(),
        (kind, "") => kind.to_lowercase(),
        (kind, group) => format!("{kind}.{group}").to_lowercase(),
    };
    match qualified.as_str() {
        "" => text(owner, "/name").to_string(),
        qualified => format!("{qualified}/{}", text(owner, "/name")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn controller_names_include_the_group() {
        let owned = |api_version: &str, kind: &str| {
            json!({"metadata": {"ownerReferences": [
                {"apiVersion": "v1", "kind": "Pod", "name": "not-controller"},
                {"apiVersion": api_version, "kind": kind, "name": "x", "controller": true}
            ]}})
        };
        assert_eq!(
            controller_of(&owned("apps/v1", "DaemonSet")),
            "daemonset.apps/x"
        );
        assert_eq!(controller_of(&owned("v1", "Pod")), "pod/x");
        assert_eq!(controller_of(&json!({})), "<none>");
    }

    #[test]
    fn deployments_without_status() {
        let deployment = json!({"metadata": {"name": "d"}, "spec": {"replicas": 3,
            "selector": {"matchLabels": {"app": "d"}},
            "template": {"spec": {"containers": [{"name": "a", "image": "i:1"},
                                                 {"name": "b", "image": "i:2"}]}}}});
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        let expected = json!(["d", "0/3", 0, 0, "<unknown>", "a,b", "i:1,i:2", "app=d"]);
        assert_eq!(Value::from(deployment_cells(&deployment, now)), expected);
    }
}
