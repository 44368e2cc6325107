//! Discovery documents as the server sends them, turned into `ApiGroup`s.
//!
//! - Aggregated (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`): everything in one document
//!   for `/api` and one for `/apis`.
//! - Legacy: `/api` (`APIVersions`), `/apis` (`APIGroupList`), and one `APIResourceList` per
//!   group-version, where subresources appear as `pods/log`.

use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

use super::{ApiGroup, GroupVersion, ResourceType, UnavailableGroupVersion};

/// The `kind` of a discovery response, to tell aggregated from legacy answers.
pub fn kind_of(body: &[u8]) -> Result<String> {
    #[derive(Deserialize)]
    struct Kind {
        #[serde(default)]
        kind: String,
    }
    let kind: Kind = serde_json::from_slice(body).context("decoding a discovery document")?;
    Ok(kind.kind)
}

/// Groups parsed from one aggregated document, and the versions it marks stale.
#[derive(Debug, Default)]
pub struct AggregatedGroups {
    pub groups: Vec<ApiGroup>,
    pub unavailable: Vec<UnavailableGroupVersion>,
}

#[derive(Deserialize)]
struct GroupDiscoveryList {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    items: Vec<GroupDiscovery>,
}

#[derive(Deserialize)]
struct GroupDiscovery {
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default)]
    versions: Vec<VersionDiscovery>,
}

#[derive(Default, Deserialize)]
struct ObjectMeta {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct VersionDiscovery {
    version: String,
    #[serde(default)]
    resources: Vec<ResourceDiscovery>,
    #[serde(default)]
    freshness: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceDiscovery {
    resource: String,
    #[serde(default)]
    response_kind: Option<GroupVersionKind>,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    singular_resource: String,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    short_names: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    subresources: Vec<SubresourceDiscovery>,
}

#[derive(Default, Deserialize)]
struct GroupVersionKind {
    #[serde(default)]
    kind: String,
}

#[derive(Deserialize)]
struct SubresourceDiscovery {
    subresource: String,
}

/// Parses an `APIGroupDiscoveryList` (the core group has an empty name).
pub fn parse_aggregated(body: &[u8]) -> Result<AggregatedGroups> {
    let list: GroupDiscoveryList =
        serde_json::from_slice(body).context("decoding aggregated discovery")?;
    if list.kind != "APIGroupDiscoveryList" {
        bail!(
            "expected an APIGroupDiscoveryList, got kind {:?}",
            list.kind
        );
    }
    let mut parsed = AggregatedGroups::default();
    for item in list.items {
        let group_name = item.metadata.name;
        let mut versions = Vec::new();
        for version in item.versions {
            if version.freshness == "Stale" {
                parsed.unavailable.push(UnavailableGroupVersion {
                    group_version: join_group_version(&group_name, &version.version),
                    reason: "the server reports its discovery information as stale".to_owned(),
                });
                continue;
            }
            let resources = version
                .resources
                .into_iter()
                .map(|resource| {
                    let kind = resource.response_kind.unwrap_or_default().kind;
                    ResourceType {
                        group: group_name.clone(),
                        version: version.version.clone(),
                        singular: singular_or_kind(resource.singular_resource, &kind),
                        resource: resource.resource,
                        kind,
                        namespaced: resource.scope == "Namespaced",
                        verbs: resource.verbs,
                        short_names: resource.short_names,
                        categories: resource.categories,
                        subresources: resource
                            .subresources
                            .into_iter()
                            .map(|sub| sub.subresource)
                            .collect(),
                    }
                })
                .collect();
            versions.push(GroupVersion {
                version: version.version,
                resources,
            });
        }
        if !versions.is_empty() {
            parsed.groups.push(ApiGroup {
                name: group_name,
                versions,
            });
        }
    }
    Ok(parsed)
}

/// `/api` in legacy form: the core versions.
#[derive(Deserialize)]
pub struct ApiVersions {
    #[serde(default)]
    pub versions: Vec<String>,
}

/// `/apis` in legacy form.
#[derive(Deserialize)]
pub struct ApiGroupList {
    #[serde(default)]
    pub groups: Vec<LegacyGroup>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyGroup {
    pub name: String,
    #[serde(default)]
    pub versions: Vec<LegacyGroupVersion>,
    #[serde(default)]
    pub preferred_version: Option<LegacyGroupVersion>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LegacyGroupVersion {
    pub group_version: String,
    pub version: String,
}

impl LegacyGroup {
    /// The group's versions, the preferred one first.
    pub fn versions_preferred_first(&self) -> Vec<LegacyGroupVersion> {
        let mut versions = self.versions.clone();
        if let Some(preferred) = &self.preferred_version
            && let Some(index) = versions.iter().position(|v| v.version == preferred.version)
        {
            let preferred = versions.remove(index);
            versions.insert(0, preferred);
        }
        versions
    }
}

#[derive(Deserialize)]
struct ApiResourceList {
    #[serde(default)]
    resources: Vec<LegacyResource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LegacyResource {
    name: String,
    #[serde(default)]
    singular_name: String,
    #[serde(default)]
    namespaced: bool,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    short_names: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
}

/// Parses one `APIResourceList` (`/api/v1`, `/apis/apps/v1`) into a group-version, folding
/// `pods/log`-style entries into their parent's subresources.
pub fn parse_resource_list(group: &str, version: &str, body: &[u8]) -> Result<GroupVersion> {
    let list: ApiResourceList = serde_json::from_slice(body).with_context(|| {
        format!(
            "decoding discovery for {}",
            join_group_version(group, version)
        )
    })?;
    let mut resources: Vec<ResourceType> = Vec::new();
    let mut subresources: Vec<(String, String)> = Vec::new();
    for entry in list.resources {
        if let Some((parent, sub)) = entry.name.split_once('/') {
            subresources.push((parent.to_owned(), sub.to_owned()));
            continue;
        }
        resources.push(ResourceType {
            group: group.to_owned(),
            version: version.to_owned(),
            singular: singular_or_kind(entry.singular_name, &entry.kind),
            resource: entry.name,
            kind: entry.kind,
            namespaced: entry.namespaced,
            verbs: entry.verbs,
            short_names: entry.short_names,
            categories: entry.categories,
            subresources: Vec::new(),
        });
    }
    for (parent, sub) in subresources {
        if let Some(resource) = resources.iter_mut().find(|r| r.resource == parent) {
            resource.subresources.push(sub);
        }
    }
    Ok(GroupVersion {
        version: version.to_owned(),
        resources,
    })
}

/// Old servers leave `singularName` empty; kubectl then uses the lower-case kind.
fn singular_or_kind(singular: String, kind: &str) -> String {
    if singular.is_empty() {
        kind.to_ascii_lowercase()
    } else {
        singular
    }
}

pub fn join_group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::Catalog;
    use crate::discovery::tests::fixture_catalog;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/http");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
    }

    /// Legacy discovery of the recorded server: `/api`, `/apis` and each group-version file.
    fn legacy_catalog() -> Catalog {
        let api: ApiVersions = serde_json::from_slice(&fixture("002-api-legacy.json")).unwrap();
        let mut groups = vec![ApiGroup {
            name: String::new(),
            versions: api
                .versions
                .iter()
                .map(|v| parse_resource_list("", v, &fixture("006-api-v1-resources.json")).unwrap())
                .collect(),
        }];
        let list: ApiGroupList = serde_json::from_slice(&fixture("003-apis-legacy.json")).unwrap();
        let files: Vec<String> = std::fs::read_dir(FIXTURES)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        for group in list.groups {
            let versions = group
                .versions_preferred_first()
                .iter()
                .map(|gv| {
                    let slug = gv.group_version.replace(['.', '/'], "-");
                    let file = files
                        .iter()
                        .find(|f| f.ends_with(&format!("-apis-{slug}-resources.json")))
                        .unwrap_or_else(|| panic!("no fixture for {}", gv.group_version));
                    parse_resource_list(&group.name, &gv.version, &fixture(file)).unwrap()
                })
                .collect();
            groups.push(ApiGroup {
                name: group.name,
                versions,
            });
        }
        Catalog {
            groups,
            unavailable: Vec::new(),
        }
    }

    #[test]
    fn aggregated_documents_parse() {
        let catalog = fixture_catalog();
        assert_eq!(catalog.groups[0].name, "");
        let pods = catalog.resolve_one("pods").unwrap();
        assert_eq!(pods.kind, "Pod");
        assert!(pods.namespaced);
        assert!(pods.has_subresource("log"));
        assert_eq!(pods.categories, ["all"]);
        let autoscaling = catalog
            .groups
            .iter()
            .find(|g| g.name == "autoscaling")
            .unwrap();
        assert_eq!(autoscaling.versions[0].version, "v2");
        assert!(catalog.unavailable.is_empty());
    }

    #[test]
    fn legacy_and_aggregated_discovery_agree() {
        let legacy = legacy_catalog();
        let aggregated = fixture_catalog();
        let describe = |catalog: &Catalog| {
            let mut rows: Vec<String> = catalog
                .resources()
                .map(|r| {
                    format!(
                        "{} {} {} {} {} {:?} {:?} {:?}",
                        r.api_version(),
                        r.resource,
                        r.singular,
                        r.kind,
                        r.namespaced,
                        r.verbs,
                        r.short_names,
                        r.categories
                    )
                })
                .collect();
            rows.sort();
            rows
        };
        assert_eq!(describe(&legacy), describe(&aggregated));
        let pods = legacy.resolve_one("pods").unwrap();
        let mut subresources = pods.subresources.clone();
        subresources.sort();
        assert_eq!(
            subresources,
            [
                "attach",
                "binding",
                "ephemeralcontainers",
                "eviction",
                "exec",
                "log",
                "portforward",
                "proxy",
                "resize",
                "status"
            ]
        );
        // Preference order follows preferredVersion.
        let autoscaling = legacy
            .groups
            .iter()
            .find(|g| g.name == "autoscaling")
            .unwrap();
        assert_eq!(autoscaling.versions[0].version, "v2");
    }

    #[test]
    fn stale_versions_are_reported_not_served() {
        let doc =
            br#"{"kind":"APIGroupDiscoveryList","items":[{"metadata":{"name":"metrics.k8s.io"},
            "versions":[{"version":"v1beta1","resources":[],"freshness":"Stale"}]}]}"#;
        let parsed = parse_aggregated(doc).unwrap();
        assert!(parsed.groups.is_empty());
        assert_eq!(
            parsed.unavailable[0].group_version,
            "metrics.k8s.io/v1beta1"
        );
    }

    #[test]
    fn wrong_kinds_and_garbage_are_errors_not_panics() {
        assert!(parse_aggregated(br#"{"kind":"APIVersions","versions":["v1"]}"#).is_err());
        assert!(parse_aggregated(b"<html>").is_err());
        assert!(parse_resource_list("apps", "v1", b"{").is_err());
        assert_eq!(
            kind_of(br#"{"kind":"APIGroupList"}"#).unwrap(),
            "APIGroupList"
        );
        assert!(kind_of(b"").is_err());
    }
}
