//! Printers for cluster plumbing: storage classes, priority classes, runtime classes, leases,
//! pod disruption budgets and RBAC roles and bindings.

use jiff::Timestamp;
use serde_json::Value;

use super::BuiltIn;
use super::columns::{AGE, AGE_DESCRIPTION, Column, NAME};
use super::fields::{age, at, created_at, int_or_string, integer, is_true, items, name, text};

pub(super) fn printer(group: &str, resource: &str) -> Option<BuiltIn> {
    Some(match (group, resource) {
        ("storage.k8s.io", "storageclasses") => {
            BuiltIn::new(STORAGECLASS_COLUMNS, storageclass_cells)
        }
        ("scheduling.k8s.io", "priorityclasses") => {
            BuiltIn::new(PRIORITYCLASS_COLUMNS, priorityclass_cells)
        }
        ("node.k8s.io", "runtimeclasses") => BuiltIn::new(RUNTIMECLASS_COLUMNS, runtimeclass_cells),
        ("coordination.k8s.io", "leases") => BuiltIn::new(LEASE_COLUMNS, lease_cells),
        ("policy", "poddisruptionbudgets") => BuiltIn::new(PDB_COLUMNS, pdb_cells),
        ("rbac.authorization.k8s.io", "roles" | "clusterroles") => {
            BuiltIn::new(ROLE_COLUMNS, role_cells)
        }
        ("rbac.authorization.k8s.io", "rolebindings" | "clusterrolebindings") => {
            BuiltIn::new(BINDING_COLUMNS, binding_cells)
        }
        _ => return None,
    })
}

const STORAGECLASS_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Provisioner",
        "provisioner indicates the type of the provisioner.",
    ),
    Column::string(
        "ReclaimPolicy",
        "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.",
    ),
    Column::string(
        "VolumeBindingMode",
        "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.",
    ),
    Column::string(
        "AllowVolumeExpansion",
        "allowVolumeExpansion shows whether the storage class allow volume expand.",
    ),
    AGE,
];

fn storageclass_cells(class: &Value, now: Timestamp) -> Vec<Value> {
    let annotations = at(class, "/metadata/annotations");
    let is_default = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .iter()
    .any(|key| annotations.and_then(|a| a.get(key)).and_then(Value::as_str) == Some("true"));
    let mut class_name = text(class, "/metadata/name").to_string();
    if is_default {
        class_name.push_str(" (default)");
    }
    let or_default = |pointer: &str, default: &'static str| match text(class, pointer) {
        "" => default.to_string(),
        value => value.to_string(),
    };
    vec![
        class_name.into(),
        text(class, "/provisioner").into(),
        or_default("/reclaimPolicy", "Delete").into(),
        or_default("/volumeBindingMode", "Immediate").into(),
        is_true(class, "/allowVolumeExpansion").into(),
        age(class, now),
    ]
}

const PRIORITYCLASS_COLUMNS: &[Column] = &[
    NAME,
    Column::integer(
        "Value",
        "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.",
    ),
    Column::boolean(
        "Global-Default",
        "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.",
    ),
    AGE,
    Column::string(
        "PreemptionPolicy",
        "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.",
    ),
];

fn priorityclass_cells(class: &Value, now: Timestamp) -> Vec<Value> {
    let policy = match text(class, "/preemptionPolicy") {
        "" => "PreemptLowerPriority",
        policy => policy,
    };
    vec![
        name(class),
        integer(class, "/value").into(),
        is_true(class, "/globalDefault").into(),
        age(class, now),
        policy.into(),
    ]
}

const RUNTIMECLASS_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Handler",
        "handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class. The possible values are specific to the node & CRI configuration.  It is assumed that all handlers are available on every node, and handlers of the same name are equivalent on every node. For example, a handler called \"runc\" might specify that the runc OCI runtime (using native Linux containers) will be used to run the containers in a pod. The Handler must be lowercase, conform to the DNS Label (RFC 1123) requirements, and is immutable.",
    ),
    AGE,
];

fn runtimeclass_cells(class: &Value, now: Timestamp) -> Vec<Value> {
    vec![name(class), text(class, "/handler").into(), age(class, now)]
}

const LEASE_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Holder",
        "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.",
    ),
    AGE,
];

fn lease_cells(lease: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(lease),
        text(lease, "/spec/holderIdentity").into(),
        age(lease, now),
    ]
}

const PDB_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Min Available",
        "The minimum number of pods that must be available.",
    ),
    Column::string(
        "Max Unavailable",
        "The maximum number of pods that may be unavailable.",
    ),
    Column::integer(
        "Allowed Disruptions",
        "Calculated number of pods that may be disrupted at this time.",
    ),
    AGE,
];

fn pdb_cells(budget: &Value, now: Timestamp) -> Vec<Value> {
    let bound =
        |pointer: &str| at(budget, pointer).map_or_else(|| "N/A".to_string(), int_or_string);
    vec![
        name(budget),
        bound("/spec/minAvailable").into(),
        bound("/spec/maxUnavailable").into(),
        integer(budget, "/status/disruptionsAllowed").into(),
        age(budget, now),
    ]
}

const ROLE_COLUMNS: &[Column] = &[NAME, Column::string("Created At", AGE_DESCRIPTION)];

fn role_cells(role: &Value, _now: Timestamp) -> Vec<Value> {
    vec![name(role), created_at(role).into()]
}

const BINDING_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Role",
        "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
    ),
    AGE,
    Column::string("Users", "Users in the roleBinding").wide(),
    Column::string("Groups", "Groups in the roleBinding").wide(),
    Column::string("ServiceAccounts", "ServiceAccounts in the roleBinding").wide(),
];

fn binding_cells(binding: &Value, now: Timestamp) -> Vec<Value> {
    let subjects = items(binding, "/subjects");
    let of_kind = |kind: &str| -> Value {
        let names: Vec<String> = subjects
            .iter()
            .filter(|subject| text(subject, "/kind") == kind)
            .map(|subject| match (kind, text(subject, "/namespace")) {
                ("ServiceAccount", namespace) if !namespace.is_empty() => {
                    format!("{namespace}/{}", text(subject, "/name"))
                }
                _ => text(subject, "/name").to_string(),
            })
            .collect();
        names.join(", ").into()
    };
    let role = format!(
        "{}/{}",
        text(binding, "/roleRef/kind"),
        text(binding, "/roleRef/name")
    );
    vec![
        name(binding),
        role.into(),
        age(binding, now),
        of_kind("User"),
        of_kind("Group"),
        of_kind("ServiceAccount"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn default_storage_class() {
        let class = json!({"metadata": {"name": "standard", "annotations":
            {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"});
        let expected = json!([
            "standard (default)",
            "rancher.io/local-path",
            "Delete",
            "WaitForFirstConsumer",
            false,
            "<unknown>"
        ]);
        assert_eq!(Value::from(storageclass_cells(&class, now())), expected);
    }

    #[test]
    fn budgets_show_int_or_percent() {
        let budget = json!({"metadata": {"name": "b"}, "spec": {"minAvailable": "50%"},
            "status": {"disruptionsAllowed": 1}});
        let expected = json!(["b", "50%", "N/A", 1, "<unknown>"]);
        assert_eq!(Value::from(pdb_cells(&budget, now())), expected);
    }

    #[test]
    fn bindings_list_subjects() {
        let binding = json!({"roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "ann"}, {"kind": "User", "name": "bob"},
                         {"kind": "ServiceAccount", "namespace": "ci", "name": "runner"}]});
        let cells = binding_cells(&binding, now());
        assert_eq!(cells[1], json!("ClusterRole/view"));
        assert_eq!(
            cells[3..],
            [json!("ann, bob"), json!(""), json!("ci/runner")]
        );
    }
}
