//! The order objects are applied in: Namespaces and CustomResourceDefinitions first (the
//! objects that others need to exist), then everything else as the input gives it. Objects of
//! a kind that a CRD of the same input defines get their resource type from that CRD.

use serde_json::Value;

use crate::discovery::ResourceType;

const CRD_GROUP: &str = "apiextensions.k8s.io";
const CRD_KIND: &str = "CustomResourceDefinition";

/// Whether objects of this type are applied before all others.
pub fn goes_first(rt: &ResourceType) -> bool {
    (rt.group.is_empty() && rt.kind == "Namespace") || is_crd(rt)
}

pub fn is_crd(rt: &ResourceType) -> bool {
    rt.group == CRD_GROUP && rt.kind == CRD_KIND
}

/// The resource type that the CRD `crd` (as written in a manifest) defines for objects of
/// `api_version` and `kind`, if it defines them.
pub fn defined_type(crd: &Value, api_version: &str, kind: &str) -> Option<ResourceType> {
    let (group, version) = api_version.split_once('/')?;
    let spec = &crd["spec"];
    let names = &spec["names"];
    let serves = spec["versions"]
        .as_array()?
        .iter()
        .any(|v| v["name"] == version && v["served"].as_bool().unwrap_or(true));
    if spec["group"] != group || names["kind"] != kind || !serves {
        return None;
    }
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let plural = text(&names["plural"]);
    let singular = match text(&names["singular"]) {
        empty if empty.is_empty() => kind.to_lowercase(),
        singular => singular,
    };
    Some(ResourceType {
        group: group.to_owned(),
        version: version.to_owned(),
        resource: plural,
        singular,
        kind: kind.to_owned(),
        namespaced: spec["scope"] != "Cluster",
        verbs: [
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "create",
            "update",
            "watch",
        ]
        .map(String::from)
        .to_vec(),
        short_names: strings(&names["shortNames"]),
        categories: strings(&names["categories"]),
        subresources: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd() -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                    "shortNames": ["wd"]},
                "versions": [{"name": "v1", "served": true, "storage": true},
                    {"name": "v0", "served": false, "storage": false}]}
        })
    }

    #[test]
    fn a_crd_of_the_input_gives_its_objects_their_type() {
        let rt = defined_type(&crd(), "example.com/v1", "Widget").expect("defined");
        assert_eq!(
            (rt.resource.as_str(), rt.namespaced, rt.api_version()),
            ("widgets", true, "example.com/v1".to_owned())
        );
        assert_eq!(rt.short_names, ["wd"]);
        assert_eq!(defined_type(&crd(), "example.com/v0", "Widget"), None);
        assert_eq!(defined_type(&crd(), "example.com/v1", "Gadget"), None);
        assert_eq!(defined_type(&crd(), "other.com/v1", "Widget"), None);
        assert_eq!(defined_type(&crd(), "v1", "Widget"), None);
    }
}
