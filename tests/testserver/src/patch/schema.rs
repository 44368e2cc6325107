//! The built-in kinds' schemas, read from the OpenAPI v3 documents the real server publishes.
//!
//! Each group-version document is embedded in the binary, parsed once on first use and indexed
//! by kind. A [`Node`] is one position in a schema: the property (which carries the
//! `x-kubernetes-patch-*` extensions) together with the `$ref` targets it resolves to (which
//! carry `properties`, `items` and `x-kubernetes-map-type`).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

macro_rules! documents {
    ($($api_version:literal => $file:literal),* $(,)?) => {
        /// `(apiVersion, document text)` for every built-in group-version.
        const DOCUMENTS: &[(&str, &str)] = &[
            $(($api_version, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/openapi/v3/", $file)))),*
        ];
    };
}

documents! {
    "v1" => "api_v1.json",
    "admissionregistration.k8s.io/v1" => "apis_admissionregistration.k8s.io_v1.json",
    "apiextensions.k8s.io/v1" => "apis_apiextensions.k8s.io_v1.json",
    "apiregistration.k8s.io/v1" => "apis_apiregistration.k8s.io_v1.json",
    "apps/v1" => "apis_apps_v1.json",
    "authentication.k8s.io/v1" => "apis_authentication.k8s.io_v1.json",
    "authorization.k8s.io/v1" => "apis_authorization.k8s.io_v1.json",
    "autoscaling/v1" => "apis_autoscaling_v1.json",
    "autoscaling/v2" => "apis_autoscaling_v2.json",
    "batch/v1" => "apis_batch_v1.json",
    "certificates.k8s.io/v1" => "apis_certificates.k8s.io_v1.json",
    "coordination.k8s.io/v1" => "apis_coordination.k8s.io_v1.json",
    "discovery.k8s.io/v1" => "apis_discovery.k8s.io_v1.json",
    "events.k8s.io/v1" => "apis_events.k8s.io_v1.json",
    "flowcontrol.apiserver.k8s.io/v1" => "apis_flowcontrol.apiserver.k8s.io_v1.json",
    "networking.k8s.io/v1" => "apis_networking.k8s.io_v1.json",
    "node.k8s.io/v1" => "apis_node.k8s.io_v1.json",
    "policy/v1" => "apis_policy_v1.json",
    "rbac.authorization.k8s.io/v1" => "apis_rbac.authorization.k8s.io_v1.json",
    "scheduling.k8s.io/v1" => "apis_scheduling.k8s.io_v1.json",
    "storage.k8s.io/v1" => "apis_storage.k8s.io_v1.json",
}

/// One parsed group-version document: its schemas and which schema describes which kind.
struct Document {
    schemas: Map<String, Value>,
    kinds: HashMap<String, String>,
}

impl Document {
    fn parse(api_version: &str, text: &str) -> Option<Document> {
        let mut root: Value = serde_json::from_str(text).ok()?;
        let Value::Object(schemas) = root.pointer_mut("/components/schemas")?.take() else {
            return None;
        };
        let (group, version) = split_api_version(api_version);
        let kinds = schemas
            .iter()
            .filter_map(|(name, schema)| {
                let kind = gvk_kind(schema, group, version)?;
                Some((kind.to_string(), name.clone()))
            })
            .collect();
        Some(Document { schemas, kinds })
    }
}

/// The kind a schema's `x-kubernetes-group-version-kind` declares for `group`/`version`.
fn gvk_kind<'a>(schema: &'a Value, group: &str, version: &str) -> Option<&'a str> {
    schema
        .get("x-kubernetes-group-version-kind")?
        .as_array()?
        .iter()
        .find(|gvk| gvk["group"] == group && gvk["version"] == version)?
        .get("kind")?
        .as_str()
}

/// `("apps", "v1")` for `apps/v1`, `("", "v1")` for `v1`.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

fn document(api_version: &str) -> Option<&'static Document> {
    static PARSED: OnceLock<Vec<OnceLock<Option<Document>>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| DOCUMENTS.iter().map(|_| OnceLock::new()).collect());
    let index = DOCUMENTS.iter().position(|(v, _)| *v == api_version)?;
    parsed[index]
        .get_or_init(|| Document::parse(api_version, DOCUMENTS[index].1))
        .as_ref()
}

/// The schema of a built-in kind, or `None` for custom resources and unknown kinds.
pub fn for_kind(api_version: &str, kind: &str) -> Option<Node> {
    let doc = document(api_version)?;
    let name = doc.kinds.get(kind)?;
    Node::resolved(doc, doc.schemas.get(name)?)
}

/// How a list's items are identified, for merging and for managed fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListType {
    /// Replaced as a whole.
    Atomic,
    /// Items are scalars identified by their value.
    Set,
    /// Items are objects identified by these key fields.
    Map(Vec<String>),
}

/// A position in a schema, `$ref`s resolved.
#[derive(Clone)]
pub struct Node {
    doc: &'static Document,
    /// The schema as written at this position, then the schemas it refers to.
    parts: Vec<&'static Value>,
}

impl Node {
    fn resolved(doc: &'static Document, schema: &'static Value) -> Option<Node> {
        let mut parts = vec![schema];
        let mut next = Some(schema);
        // Follow `$ref` and `allOf: [{$ref}]` chains; bounded in case of a cyclic document.
        for _ in 0..8 {
            let Some(target) = next.and_then(|s| reference(doc, s)) else {
                break;
            };
            parts.push(target);
            next = Some(target);
        }
        Some(Node { doc, parts })
    }

    fn extension(&self, name: &str) -> Option<&'static Value> {
        self.parts.iter().find_map(|part| part.get(name))
    }

    fn extension_str(&self, name: &str) -> Option<&'static str> {
        self.extension(name).and_then(Value::as_str)
    }

    /// The schema of field `name` of an object: a declared property, else the map's value type.
    pub fn field(&self, name: &str) -> Option<Node> {
        if let Some(property) = self
            .extension("properties")
            .and_then(|props| props.get(name))
        {
            return Node::resolved(self.doc, property);
        }
        self.map_values()
    }

    /// The value type of a map (`additionalProperties`).
    pub fn map_values(&self) -> Option<Node> {
        let values = self.extension("additionalProperties")?;
        values
            .is_object()
            .then(|| Node::resolved(self.doc, values))
            .flatten()
    }

    /// Whether `name` is a declared property (a "named field" in structured-merge-diff terms).
    pub fn has_property(&self, name: &str) -> bool {
        self.extension("properties")
            .is_some_and(|props| props.get(name).is_some())
    }

    /// The declared properties, in name order.
    pub fn properties(&self) -> Vec<(&'static str, Node)> {
        let Some(Value::Object(props)) = self.extension("properties") else {
            return Vec::new();
        };
        props
            .iter()
            .filter_map(|(name, schema)| Some((name.as_str(), Node::resolved(self.doc, schema)?)))
            .collect()
    }

    /// Whether `name` is listed in the schema's `required` fields.
    pub fn is_required(&self, name: &str) -> bool {
        self.extension("required")
            .and_then(Value::as_array)
            .is_some_and(|req| req.iter().any(|r| r == name))
    }

    /// Whether this schema describes a struct with declared properties.
    pub fn is_struct(&self) -> bool {
        self.extension("properties").is_some()
    }

    /// The schema of a list's items.
    pub fn items(&self) -> Option<Node> {
        Node::resolved(self.doc, self.extension("items")?)
    }

    /// `x-kubernetes-patch-strategy`, e.g. `merge`, `retainKeys` or `merge,retainKeys`.
    pub fn patch_strategy(&self) -> &'static str {
        self.extension_str("x-kubernetes-patch-strategy")
            .unwrap_or("")
    }

    /// `x-kubernetes-patch-merge-key`.
    pub fn merge_key(&self) -> Option<&'static str> {
        self.extension_str("x-kubernetes-patch-merge-key")
    }

    /// Whether a map or struct is replaced as a whole (`x-kubernetes-map-type: atomic`).
    pub fn is_atomic_map(&self) -> bool {
        self.extension_str("x-kubernetes-map-type") == Some("atomic")
    }

    /// The list type, as the server's structured-merge-diff derives it: `x-kubernetes-list-type`
    /// first, else a `merge` patch strategy (keyed by the merge key, or a set of scalars), else atomic.
    pub fn list_type(&self) -> ListType {
        match self.extension_str("x-kubernetes-list-type") {
            Some("set") => return ListType::Set,
            Some("map") => return ListType::Map(self.list_map_keys()),
            Some(_) => return ListType::Atomic,
            None => {}
        }
        if self.patch_strategy().split(',').any(|s| s == "merge") {
            return match self.merge_key() {
                Some(key) => ListType::Map(vec![key.to_string()]),
                None => ListType::Set,
            };
        }
        ListType::Atomic
    }

    fn list_map_keys(&self) -> Vec<String> {
        self.extension("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|keys| {
                keys.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The schema's `default`, used for list-map keys an item leaves out (like a port's protocol).
    pub fn default_value(&self) -> Option<&'static Value> {
        self.extension("default")
    }
}

/// The schema a `$ref` (possibly wrapped in `allOf`) points at.
fn reference(doc: &'static Document, schema: &'static Value) -> Option<&'static Value> {
    let pointer = schema.get("$ref").or_else(|| {
        schema
            .get("allOf")?
            .as_array()?
            .iter()
            .find_map(|s| s.get("$ref"))
    })?;
    let name = pointer.as_str()?.strip_prefix("#/components/schemas/")?;
    doc.schemas.get(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_built_in_kinds_and_not_custom_ones() {
        assert!(for_kind("apps/v1", "Deployment").is_some());
        assert!(for_kind("v1", "ConfigMap").is_some());
        assert!(for_kind("example.org/v1", "Gizmo").is_none());
        assert!(for_kind("v1", "Gizmo").is_none());
    }

    #[test]
    fn reads_list_and_map_extensions_through_refs() {
        let deploy = for_kind("apps/v1", "Deployment").expect("deployment schema");
        let pod_spec = deploy
            .field("spec")
            .and_then(|s| s.field("template"))
            .and_then(|t| t.field("spec"))
            .expect("pod spec");
        let containers = pod_spec.field("containers").expect("containers");
        assert_eq!(containers.list_type(), ListType::Map(vec!["name".into()]));
        assert_eq!(containers.merge_key(), Some("name"));
        let ports = containers
            .items()
            .and_then(|c| c.field("ports"))
            .expect("ports");
        assert_eq!(
            ports.list_type(),
            ListType::Map(vec!["containerPort".into(), "protocol".into()])
        );
        let selector = deploy
            .field("spec")
            .and_then(|s| s.field("selector"))
            .expect("selector");
        assert!(selector.is_atomic_map());
        let strategy = deploy
            .field("spec")
            .and_then(|s| s.field("strategy"))
            .expect("strategy");
        assert_eq!(strategy.patch_strategy(), "retainKeys");
        let labels = deploy
            .field("metadata")
            .and_then(|m| m.field("labels"))
            .expect("labels");
        assert!(!labels.is_struct());
        assert!(labels.field("app").is_some());
        let finalizers = deploy
            .field("metadata")
            .and_then(|m| m.field("finalizers"))
            .expect("finalizers");
        assert_eq!(finalizers.list_type(), ListType::Set);
    }
}
