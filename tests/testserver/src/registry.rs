//! Which resource types the server serves: the built-in ones, read from the discovery documents
//! recorded from a real v1.33 server, plus one per served version of every stored CRD.

use std::sync::LazyLock;

use serde_json::Value;

use crate::store::{Collection, Store};

/// One served resource type at one version.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub resource: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// Subresource names: `status`, `scale`, `log`, …
    pub subresources: Vec<String>,
    /// For custom resources: the CRD version's additionalPrinterColumns and scale paths.
    pub custom: Option<CustomResource>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomResource {
    pub printer_columns: Vec<Value>,
    pub spec_replicas_path: Option<String>,
    pub status_replicas_path: Option<String>,
    pub label_selector_path: Option<String>,
    pub list_kind: String,
}

impl ResourceType {
    pub fn collection(&self) -> Collection {
        Collection::new(&self.group, &self.resource)
    }

    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn has_subresource(&self, name: &str) -> bool {
        self.subresources.iter().any(|s| s == name)
    }

    pub fn list_kind(&self) -> String {
        match &self.custom {
            Some(custom) => custom.list_kind.clone(),
            None => format!("{}List", self.kind),
        }
    }
}

/// The legacy group-version documents of the real server, by group-version.
pub const BUILTIN_GROUP_VERSIONS: &[(&str, &str)] = &[
    (
        "v1",
        include_str!("../../fixtures/http/006-api-v1-resources.json"),
    ),
    (
        "apiregistration.k8s.io/v1",
        include_str!("../../fixtures/http/007-apis-apiregistration-k8s-io-v1-resources.json"),
    ),
    (
        "apps/v1",
        include_str!("../../fixtures/http/008-apis-apps-v1-resources.json"),
    ),
    (
        "events.k8s.io/v1",
        include_str!("../../fixtures/http/009-apis-events-k8s-io-v1-resources.json"),
    ),
    (
        "authentication.k8s.io/v1",
        include_str!("../../fixtures/http/010-apis-authentication-k8s-io-v1-resources.json"),
    ),
    (
        "authorization.k8s.io/v1",
        include_str!("../../fixtures/http/011-apis-authorization-k8s-io-v1-resources.json"),
    ),
    (
        "autoscaling/v2",
        include_str!("../../fixtures/http/012-apis-autoscaling-v2-resources.json"),
    ),
    (
        "autoscaling/v1",
        include_str!("../../fixtures/http/013-apis-autoscaling-v1-resources.json"),
    ),
    (
        "batch/v1",
        include_str!("../../fixtures/http/014-apis-batch-v1-resources.json"),
    ),
    (
        "certificates.k8s.io/v1",
        include_str!("../../fixtures/http/015-apis-certificates-k8s-io-v1-resources.json"),
    ),
    (
        "networking.k8s.io/v1",
        include_str!("../../fixtures/http/016-apis-networking-k8s-io-v1-resources.json"),
    ),
    (
        "policy/v1",
        include_str!("../../fixtures/http/017-apis-policy-v1-resources.json"),
    ),
    (
        "rbac.authorization.k8s.io/v1",
        include_str!("../../fixtures/http/018-apis-rbac-authorization-k8s-io-v1-resources.json"),
    ),
    (
        "storage.k8s.io/v1",
        include_str!("../../fixtures/http/019-apis-storage-k8s-io-v1-resources.json"),
    ),
    (
        "admissionregistration.k8s.io/v1",
        include_str!("../../fixtures/http/020-apis-admissionregistration-k8s-io-v1-resources.json"),
    ),
    (
        "apiextensions.k8s.io/v1",
        include_str!("../../fixtures/http/021-apis-apiextensions-k8s-io-v1-resources.json"),
    ),
    (
        "scheduling.k8s.io/v1",
        include_str!("../../fixtures/http/022-apis-scheduling-k8s-io-v1-resources.json"),
    ),
    (
        "coordination.k8s.io/v1",
        include_str!("../../fixtures/http/023-apis-coordination-k8s-io-v1-resources.json"),
    ),
    (
        "node.k8s.io/v1",
        include_str!("../../fixtures/http/024-apis-node-k8s-io-v1-resources.json"),
    ),
    (
        "discovery.k8s.io/v1",
        include_str!("../../fixtures/http/025-apis-discovery-k8s-io-v1-resources.json"),
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1",
        include_str!("../../fixtures/http/026-apis-flowcontrol-apiserver-k8s-io-v1-resources.json"),
    ),
];

/// The built-in resource types, parsed once from the recorded documents.
static BUILTIN: LazyLock<Vec<ResourceType>> = LazyLock::new(|| {
    BUILTIN_GROUP_VERSIONS
        .iter()
        .flat_map(|(group_version, text)| {
            let doc: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            from_resource_list(group_version, &doc)
        })
        .collect()
});

/// The legacy group-version document for a built-in group-version, parsed.
pub fn builtin_group_version_document(group_version: &str) -> Option<Value> {
    BUILTIN_GROUP_VERSIONS
        .iter()
        .find(|(gv, _)| *gv == group_version)
        .and_then(|(_, text)| serde_json::from_str(text).ok())
}

fn from_resource_list(group_version: &str, doc: &Value) -> Vec<ResourceType> {
    let (group, version) = split_group_version(group_version);
    let entries = doc["resources"].as_array().cloned().unwrap_or_default();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut types: Vec<ResourceType> = Vec::new();
    for entry in &entries {
        let name = entry["name"].as_str().unwrap_or_default();
        if name.contains('/') {
            continue;
        }
        let subresources = entries
            .iter()
            .filter_map(|e| e["name"].as_str()?.strip_prefix(&format!("{name}/")))
            .map(String::from)
            .collect();
        types.push(ResourceType {
            group: group.to_string(),
            version: version.to_string(),
            resource: name.to_string(),
            singular: entry["singularName"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            kind: entry["kind"].as_str().unwrap_or_default().to_string(),
            namespaced: entry["namespaced"].as_bool().unwrap_or(false),
            verbs: strings(&entry["verbs"]),
            short_names: strings(&entry["shortNames"]),
            categories: strings(&entry["categories"]),
            subresources,
            custom: None,
        });
    }
    types
}

pub fn split_group_version(group_version: &str) -> (&str, &str) {
    match group_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", group_version),
    }
}

pub fn builtin() -> &'static [ResourceType] {
    &BUILTIN
}

const CRD_VERBS: &[&str] = &[
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "create",
    "update",
    "watch",
];

/// The resource types a stored CRD object serves: one per served version.
pub fn from_crd(crd: &Value) -> Vec<ResourceType> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let kind = text(&names["kind"]);
    let list_kind = names["listKind"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| format!("{kind}List"));
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    versions
        .iter()
        .filter(|v| v["served"].as_bool().unwrap_or(true))
        .map(|v| {
            let sub = &v["subresources"];
            let mut subresources = Vec::new();
            if sub.get("status").is_some() {
                subresources.push("status".to_string());
            }
            if sub.get("scale").is_some() {
                subresources.push("scale".to_string());
            }
            let path = |name: &str| sub["scale"][name].as_str().map(String::from);
            ResourceType {
                group: text(&spec["group"]),
                version: text(&v["name"]),
                resource: text(&names["plural"]),
                singular: names["singular"]
                    .as_str()
                    .map(String::from)
                    .unwrap_or_else(|| kind.to_lowercase()),
                kind: kind.clone(),
                namespaced: spec["scope"].as_str() != Some("Cluster"),
                verbs: CRD_VERBS.iter().map(|s| s.to_string()).collect(),
                short_names: strings(&names["shortNames"]),
                categories: strings(&names["categories"]),
                subresources,
                custom: Some(CustomResource {
                    printer_columns: v["additionalPrinterColumns"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                    spec_replicas_path: path("specReplicasPath"),
                    status_replicas_path: path("statusReplicasPath"),
                    label_selector_path: path("labelSelectorPath"),
                    list_kind: list_kind.clone(),
                }),
            }
        })
        .collect()
}

/// The CRD-served types currently in the store.
pub fn custom_types(store: &Store) -> Vec<ResourceType> {
    let (crds, _) = store.list(
        &Collection::new("apiextensions.k8s.io", "customresourcedefinitions"),
        None,
    );
    crds.iter().flat_map(|crd| from_crd(crd)).collect()
}

/// Finds the type served at group/version/resource.
pub fn lookup(store: &Store, group: &str, version: &str, resource: &str) -> Option<ResourceType> {
    let matches =
        |t: &ResourceType| t.group == group && t.version == version && t.resource == resource;
    builtin()
        .iter()
        .find(|t| matches(t))
        .cloned()
        .or_else(|| custom_types(store).into_iter().find(matches))
}

/// The type a kind is stored as (preferring the first served version), for seeding and GC.
pub fn by_kind(store: &Store, api_version: &str, kind: &str) -> Option<ResourceType> {
    let (group, version) = split_group_version(api_version);
    let matches = |t: &ResourceType| t.group == group && t.version == version && t.kind == kind;
    builtin()
        .iter()
        .find(|t| matches(t))
        .cloned()
        .or_else(|| custom_types(store).into_iter().find(matches))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_types_come_from_the_recorded_documents() {
        let pods = builtin()
            .iter()
            .find(|t| t.group.is_empty() && t.resource == "pods")
            .expect("pods");
        assert_eq!(pods.kind, "Pod");
        assert!(pods.namespaced);
        assert_eq!(pods.short_names, vec!["po"]);
        assert!(pods.has_subresource("log"));
        assert!(pods.has_subresource("status"));
        let deployments = builtin()
            .iter()
            .find(|t| t.group == "apps" && t.resource == "deployments")
            .expect("deployments");
        assert!(deployments.has_subresource("scale"));
        assert_eq!(deployments.categories, vec!["all"]);
    }

    #[test]
    fn crds_serve_their_versions() {
        let text = include_str!(
            "../../fixtures/http/073-list-apis-apiextensions-k8s-io-v1-customresourcedefinitions.json"
        );
        let list: Value = serde_json::from_str(text).expect("json");
        let types = from_crd(&list["items"][0]);
        assert_eq!(types.len(), 1);
        let gizmos = &types[0];
        assert_eq!(gizmos.api_version(), "example.org/v1");
        assert_eq!(gizmos.resource, "gizmos");
        assert_eq!(gizmos.short_names, vec!["gz"]);
        assert_eq!(gizmos.subresources, vec!["status", "scale"]);
        let custom = gizmos.custom.as_ref().expect("custom");
        assert_eq!(custom.printer_columns.len(), 3);
        assert_eq!(custom.spec_replicas_path.as_deref(), Some(".spec.replicas"));
    }
}
