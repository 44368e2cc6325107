//! Discovery documents: the real server's recorded ones for built-in groups, plus generated
//! entries for the groups that stored CRDs serve. Legacy (`/api`, `/apis`, `/apis/<g>`,
//! `/apis/<g>/<v>`) and aggregated (`apidiscovery.k8s.io/v2`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::registry::{self, ResourceType};
use crate::store::Store;

pub const AGGREGATED_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// The group that the recorded documents list because of a CRD; we generate it from the store.
const RECORDED_CRD_GROUPS: &[&str] = &["example.org"];

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn without_crd_groups(mut doc: Value, list_key: &str, name: fn(&Value) -> Option<&str>) -> Value {
    if let Some(groups) = doc[list_key].as_array_mut() {
        groups.retain(|g| name(g).is_none_or(|n| !RECORDED_CRD_GROUPS.contains(&n)));
    }
    doc
}

static LEGACY_API: LazyLock<Value> =
    LazyLock::new(|| parse(include_str!("../../fixtures/http/002-api-legacy.json")));
static LEGACY_APIS: LazyLock<Value> = LazyLock::new(|| {
    without_crd_groups(
        parse(include_str!("../../fixtures/http/003-apis-legacy.json")),
        "groups",
        |g| g["name"].as_str(),
    )
});
static AGGREGATED_API: LazyLock<Value> =
    LazyLock::new(|| parse(include_str!("../../fixtures/http/004-api-aggregated.json")));
static AGGREGATED_APIS: LazyLock<Value> = LazyLock::new(|| {
    without_crd_groups(
        parse(include_str!("../../fixtures/http/005-apis-aggregated.json")),
        "items",
        |g| g["metadata"]["name"].as_str(),
    )
});

/// Wants the aggregated form when the client's Accept header asks for it first.
pub fn wants_aggregated(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=APIGroupDiscoveryList"))
}

pub fn legacy_api() -> Value {
    LEGACY_API.clone()
}

pub fn aggregated_api() -> Value {
    AGGREGATED_API.clone()
}

/// CRD-served types grouped by group, then version, in CRD order.
fn custom_groups(store: &Store) -> BTreeMap<String, Vec<(String, Vec<ResourceType>)>> {
    let mut groups: BTreeMap<String, Vec<(String, Vec<ResourceType>)>> = BTreeMap::new();
    for t in registry::custom_types(store) {
        let versions = groups.entry(t.group.clone()).or_default();
        match versions.iter_mut().find(|(v, _)| *v == t.version) {
            Some((_, types)) => types.push(t),
            None => versions.push((t.version.clone(), vec![t])),
        }
    }
    groups
}

fn group_entry(group: &str, versions: &[(String, Vec<ResourceType>)]) -> Value {
    let gv = |v: &str| json!({"groupVersion": format!("{group}/{v}"), "version": v});
    let list: Vec<Value> = versions.iter().map(|(v, _)| gv(v)).collect();
    let preferred = versions.first().map(|(v, _)| gv(v)).unwrap_or(Value::Null);
    json!({"name": group, "versions": list, "preferredVersion": preferred})
}

pub fn legacy_apis(store: &Store) -> Value {
    let mut doc = LEGACY_APIS.clone();
    if let Some(groups) = doc["groups"].as_array_mut() {
        for (group, versions) in custom_groups(store) {
            groups.push(group_entry(&group, &versions));
        }
    }
    doc
}

/// `/apis/<group>`: one APIGroup.
pub fn legacy_group(store: &Store, group: &str) -> Option<Value> {
    let apis = legacy_apis(store);
    let entry = apis["groups"]
        .as_array()?
        .iter()
        .find(|g| g["name"] == group)?
        .clone();
    let mut doc = json!({"kind": "APIGroup", "apiVersion": "v1"});
    if let (Some(doc), Some(entry)) = (doc.as_object_mut(), entry.as_object()) {
        doc.extend(entry.clone());
    }
    Some(doc)
}

/// `/api/v1` or `/apis/<group>/<version>`: an APIResourceList.
pub fn legacy_group_version(store: &Store, group: &str, version: &str) -> Option<Value> {
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    if let Some(doc) = registry::builtin_group_version_document(&group_version) {
        return Some(doc);
    }
    let types: Vec<ResourceType> = registry::custom_types(store)
        .into_iter()
        .filter(|t| t.group == group && t.version == version)
        .collect();
    if types.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for t in &types {
        let mut entry = json!({
            "name": t.resource,
            "singularName": t.singular,
            "namespaced": t.namespaced,
            "kind": t.kind,
            "verbs": t.verbs,
        });
        if !t.short_names.is_empty() {
            entry["shortNames"] = json!(t.short_names);
        }
        if !t.categories.is_empty() {
            entry["categories"] = json!(t.categories);
        }
        entry["storageVersionHash"] = json!(storage_version_hash(t));
        resources.push(entry);
        if t.has_subresource("status") {
            resources.push(json!({
                "name": format!("{}/status", t.resource), "singularName": "",
                "namespaced": t.namespaced, "kind": t.kind, "verbs": ["get", "patch", "update"],
            }));
        }
        if t.has_subresource("scale") {
            resources.push(json!({
                "name": format!("{}/scale", t.resource), "singularName": "",
                "namespaced": t.namespaced, "group": "autoscaling", "version": "v1",
                "kind": "Scale", "verbs": ["get", "patch", "update"],
            }));
        }
    }
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}

/// An opaque digest of the storage version, like the real server's (which hashes
/// group/version/kind); clients only compare it for equality.
fn storage_version_hash(t: &ResourceType) -> String {
    use base64::Engine;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{}/{}/{}", t.group, t.version, t.kind).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    base64::engine::general_purpose::STANDARD.encode(h.to_be_bytes())
}

fn aggregated_resource(t: &ResourceType) -> Value {
    let kind = json!({"group": t.group, "version": t.version, "kind": t.kind});
    let mut entry = json!({
        "resource": t.resource,
        "responseKind": kind,
        "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": t.singular,
        "verbs": t.verbs,
    });
    if !t.short_names.is_empty() {
        entry["shortNames"] = json!(t.short_names);
    }
    if !t.categories.is_empty() {
        entry["categories"] = json!(t.categories);
    }
    let mut subresources = Vec::new();
    if t.has_subresource("status") {
        subresources.push(json!({
            "subresource": "status", "responseKind": kind, "verbs": ["get", "patch", "update"],
        }));
    }
    if t.has_subresource("scale") {
        subresources.push(json!({
            "subresource": "scale",
            "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
            "verbs": ["get", "patch", "update"],
        }));
    }
    if !subresources.is_empty() {
        entry["subresources"] = json!(subresources);
    }
    entry
}

pub fn aggregated_apis(store: &Store) -> Value {
    let mut doc = AGGREGATED_APIS.clone();
    if let Some(items) = doc["items"].as_array_mut() {
        for (group, versions) in custom_groups(store) {
            let versions: Vec<Value> = versions
                .iter()
                .map(|(version, types)| {
                    json!({
                        "version": version,
                        "resources": types.iter().map(aggregated_resource).collect::<Vec<_>>(),
                        "freshness": "Current",
                    })
                })
                .collect();
            items.push(json!({
                "metadata": {"name": group, "creationTimestamp": null},
                "versions": versions,
            }));
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ObjectKey;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/../fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
        parse(&std::fs::read_to_string(path).expect("fixture"))
    }

    fn store_with_gizmo_crd() -> Store {
        let store = Store::new();
        let crds = fixture("073-list-apis-apiextensions-k8s-io-v1-customresourcedefinitions.json");
        let crd = crds["items"][0].clone();
        store
            .create(
                &ObjectKey::new(
                    "apiextensions.k8s.io",
                    "customresourcedefinitions",
                    "",
                    "gizmos.example.org",
                ),
                crd,
            )
            .expect("create crd");
        store
    }

    #[test]
    fn crd_groups_are_generated_like_the_recorded_ones() {
        let store = store_with_gizmo_crd();
        assert_eq!(legacy_apis(&store), fixture("003-apis-legacy.json"));
        assert_eq!(aggregated_apis(&store), fixture("005-apis-aggregated.json"));
        let mut ours = legacy_group_version(&store, "example.org", "v1").expect("served");
        let real = fixture("027-apis-example-org-v1-resources.json");
        // The hash is a digest; its value is ours, its presence is the real server's.
        assert!(ours["resources"][0]["storageVersionHash"].is_string());
        ours["resources"][0]["storageVersionHash"] =
            real["resources"][0]["storageVersionHash"].clone();
        assert_eq!(ours, real);
    }

    #[test]
    fn without_crds_the_group_is_gone() {
        let store = Store::new();
        let apis = legacy_apis(&store);
        assert!(!apis.to_string().contains("example.org"));
        assert!(legacy_group_version(&store, "example.org", "v1").is_none());
        assert!(legacy_group_version(&store, "apps", "v1").is_some());
        assert_eq!(
            legacy_group(&store, "apps").expect("apps")["preferredVersion"]["version"],
            "v1"
        );
    }

    #[test]
    fn aggregated_is_chosen_from_the_first_accepted_type() {
        assert!(wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        ));
        assert!(!wants_aggregated("application/json"));
    }
}
