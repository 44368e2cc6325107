//! What the server serves, and what a user means by "po", "deploy.apps", "Deployment",
//! "deployments.v1.apps", "gizmos" or "all".
//!
//! - `Catalog`: the server's groups, versions (preferred first) and resources, in the server's
//!   priority order. Pure data; resolution is a pure function on it.
//! - `builtin`: the well-known built-in resources, compiled in: resolving them needs no request.
//! - `wire`: aggregated (apidiscovery.k8s.io/v2) and legacy discovery documents → `Catalog`.
//! - `fetch`: the two aggregated requests, with fallback to legacy discovery.
//! - `cache`: the on-disk cache per server, with kubectl's 6-hour lifetime.
//! - `Discovery`: ties them together — cache, fetch, and refresh on a miss before reporting
//!   an unknown type.

pub mod builtin;
pub mod cache;
pub mod fetch;
pub mod wire;

use std::time::Duration;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::error::{UnknownKind, UnknownResourceType};
pub use cache::DiscoveryCache;

/// How long discovery stays fresh on disk (kubectl uses the same).
pub const DISCOVERY_TTL: Duration = Duration::from_secs(6 * 60 * 60);

/// One resource of one group-version, e.g. `deployments` in `apps/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    /// The API group; empty for the core group.
    pub group: String,
    pub version: String,
    /// The plural, lower-case name used in URLs: `deployments`.
    pub resource: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    /// In the order the server lists them.
    #[serde(default)]
    pub verbs: Vec<String>,
    #[serde(default)]
    pub short_names: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    /// `status`, `scale`, `log`, …
    #[serde(default)]
    pub subresources: Vec<String>,
}

impl ResourceType {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `deployments.apps`: how kubectl names a resource in messages and `-o name`.
    pub fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        }
    }

    pub fn supports(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    pub fn has_subresource(&self, name: &str) -> bool {
        self.subresources.iter().any(|s| s == name)
    }

    /// Whether `name` (already lower-case) is this resource's plural, singular, short name or
    /// kind.
    fn is_called(&self, name: &str) -> bool {
        self.resource == name
            || self.singular == name
            || self.kind.eq_ignore_ascii_case(name)
            || self.short_names.iter().any(|short| short == name)
    }
}

/// One API group and its versions, the preferred version first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiGroup {
    /// Empty for the core group.
    pub name: String,
    pub versions: Vec<GroupVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupVersion {
    pub version: String,
    pub resources: Vec<ResourceType>,
}

/// A group-version the server could not describe (a broken aggregated API such as a
/// metrics-server that is down).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnavailableGroupVersion {
    pub group_version: String,
    pub reason: String,
}

/// Everything the server serves, in its priority order (core first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub groups: Vec<ApiGroup>,
    #[serde(default)]
    pub unavailable: Vec<UnavailableGroupVersion>,
}

impl Catalog {
    /// All resources of all versions, highest priority first.
    pub fn resources(&self) -> impl Iterator<Item = &ResourceType> {
        self.groups
            .iter()
            .flat_map(|group| &group.versions)
            .flat_map(|version| &version.resources)
    }

    /// Each group's resources at their preferred version; a resource that only exists in a
    /// later version is included at that version (client-go's `ServerPreferredResources`).
    pub fn preferred_resources(&self) -> Vec<&ResourceType> {
        let mut preferred = Vec::new();
        for group in &self.groups {
            let mut seen: Vec<&str> = Vec::new();
            for version in &group.versions {
                for resource in &version.resources {
                    if !seen.contains(&resource.resource.as_str()) {
                        seen.push(&resource.resource);
                        preferred.push(resource);
                    }
                }
            }
        }
        preferred
    }

    /// Every `group/version` (`v1` for core), sorted, as `kubectl api-versions` prints them.
    pub fn group_versions(&self) -> Vec<String> {
        let mut versions: Vec<String> = self
            .groups
            .iter()
            .flat_map(|group| {
                group.versions.iter().map(move |version| {
                    if group.name.is_empty() {
                        version.version.clone()
                    } else {
                        format!("{}/{}", group.name, version.version)
                    }
                })
            })
            .collect();
        versions.sort();
        versions.dedup();
        versions
    }

    /// What `arg` names: one resource type (`po`, `deploy.apps`, `deployments.v1.apps`,
    /// `Deployment`, `gizmos`), or every member of a category (`all`).
    pub fn resolve(&self, arg: &str) -> Result<Vec<ResourceType>, UnknownResourceType> {
        if let Some(found) = self.resolve_one(arg) {
            return Ok(vec![found.clone()]);
        }
        let members = self.category(&arg.to_ascii_lowercase());
        if members.is_empty() {
            Err(UnknownResourceType(arg.to_owned()))
        } else {
            Ok(members.into_iter().cloned().collect())
        }
    }

    /// The single resource type `arg` names, without category expansion.
    pub fn resolve_one(&self, arg: &str) -> Option<&ResourceType> {
        let arg = arg.to_ascii_lowercase();
        NameSpec::candidates(&arg)
            .into_iter()
            .find_map(|spec| self.resources().find(|resource| spec.matches(resource)))
    }

    /// The resources in `category`, at their preferred versions, in priority order.
    pub fn category(&self, category: &str) -> Vec<&ResourceType> {
        self.preferred_resources()
            .into_iter()
            .filter(|resource| resource.categories.iter().any(|c| c == category))
            .collect()
    }

    /// The resource serving `kind` in `api_version` (`apps/v1`, `v1`): what `apply` needs for
    /// a manifest.
    pub fn find_kind(&self, api_version: &str, kind: &str) -> Option<&ResourceType> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        self.resources().find(|resource| {
            resource.group == group && resource.version == version && resource.kind == kind
        })
    }
}

/// One reading of a resource argument: `name[.version].group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NameSpec<'a> {
    name: &'a str,
    version: Option<&'a str>,
    group: Option<&'a str>,
}

impl<'a> NameSpec<'a> {
    /// kubectl's readings, most specific first: `deployments.v1.apps` is first tried as
    /// resource `deployments`, version `v1`, group `apps`, then as group `v1.apps`.
    fn candidates(arg: &'a str) -> Vec<NameSpec<'a>> {
        let Some((name, rest)) = arg.split_once('.') else {
            return vec![NameSpec {
                name: arg,
                version: None,
                group: None,
            }];
        };
        let mut specs = Vec::new();
        if let Some((version, group)) = rest.split_once('.') {
            specs.push(NameSpec {
                name,
                version: Some(version),
                group: Some(group),
            });
        }
        specs.push(NameSpec {
            name,
            version: None,
            group: Some(rest),
        });
        specs
    }

    fn matches(&self, resource: &ResourceType) -> bool {
        self.group.is_none_or(|group| resource.group == group)
            && self
                .version
                .is_none_or(|version| resource.version == version)
            && resource.is_called(self.name)
    }
}

/// Where discovery comes from when the cache cannot answer. The API client implements it;
/// tests use a fake that counts calls.
pub trait CatalogSource {
    fn fetch_catalog(&self) -> impl Future<Output = Result<Catalog>>;
}

/// Discovery for one server: the compiled-in built-ins, then the disk cache, then the server.
pub struct Discovery<S> {
    source: S,
    cache: Option<DiscoveryCache>,
    /// Use the cache whatever its age (`api-resources --cached`).
    accept_stale: bool,
    loaded: Option<Loaded>,
}

struct Loaded {
    catalog: Catalog,
    from_cache: bool,
}

impl<S: CatalogSource> Discovery<S> {
    pub fn new(source: S, cache: Option<DiscoveryCache>) -> Self {
        Discovery {
            source,
            cache,
            accept_stale: false,
            loaded: None,
        }
    }

    /// Use the cache even when it is older than `DISCOVERY_TTL`.
    pub fn accept_stale(mut self, accept: bool) -> Self {
        self.accept_stale = accept;
        self
    }

    /// The server's catalog: from the cache while it is fresh, else fetched (and cached).
    pub async fn catalog(&mut self) -> Result<&Catalog> {
        if self.loaded.is_none() {
            let max_age = (!self.accept_stale).then_some(DISCOVERY_TTL);
            let cached = self.cache.as_ref().and_then(|cache| cache.read(max_age));
            self.loaded = match cached {
                Some(catalog) => Some(Loaded {
                    catalog,
                    from_cache: true,
                }),
                None => Some(self.fetch().await?),
            };
        }
        Ok(self.loaded_catalog())
    }

    /// Fetches the catalog from the server, ignoring the cache, and caches it.
    pub async fn refresh(&mut self) -> Result<&Catalog> {
        self.loaded = Some(self.fetch().await?);
        Ok(self.loaded_catalog())
    }

    /// What `arg` names (see `Catalog::resolve`). Built-ins need no request; a name the cached
    /// catalog does not know triggers one refresh before it is reported as unknown.
    pub async fn resolve(&mut self, arg: &str) -> Result<Vec<ResourceType>> {
        if let Some(found) = builtin::catalog().resolve_one(arg) {
            return Ok(vec![found.clone()]);
        }
        if let Ok(found) = self.catalog().await?.resolve(arg) {
            return Ok(found);
        }
        if self.loaded.as_ref().is_some_and(|loaded| loaded.from_cache) {
            self.refresh().await?;
        }
        Ok(self.loaded_catalog().resolve(arg)?)
    }

    /// The single resource type `arg` names, without category expansion (`deploy/web` names a
    /// type; `all/web` names nothing). Refreshes once on a miss, like `resolve`.
    pub async fn resolve_one(&mut self, arg: &str) -> Result<ResourceType> {
        if let Some(found) = builtin::catalog().resolve_one(arg) {
            return Ok(found.clone());
        }
        if let Some(found) = self.catalog().await?.resolve_one(arg) {
            return Ok(found.clone());
        }
        if self.loaded.as_ref().is_some_and(|loaded| loaded.from_cache) {
            self.refresh().await?;
        }
        self.loaded_catalog()
            .resolve_one(arg)
            .cloned()
            .ok_or_else(|| UnknownResourceType(arg.to_owned()).into())
    }

    /// The resource for `kind` in `api_version`, refreshing once on a miss.
    pub async fn resolve_kind(&mut self, api_version: &str, kind: &str) -> Result<ResourceType> {
        if let Some(found) = builtin::catalog().find_kind(api_version, kind) {
            return Ok(found.clone());
        }
        if let Some(found) = self.catalog().await?.find_kind(api_version, kind) {
            return Ok(found.clone());
        }
        if self.loaded.as_ref().is_some_and(|loaded| loaded.from_cache) {
            self.refresh().await?;
        }
        self.loaded_catalog()
            .find_kind(api_version, kind)
            .cloned()
            .ok_or_else(|| {
                UnknownKind {
                    api_version: api_version.to_owned(),
                    kind: kind.to_owned(),
                }
                .into()
            })
    }

    async fn fetch(&self) -> Result<Loaded> {
        let catalog = self.source.fetch_catalog().await?;
        if let Some(cache) = &self.cache {
            // The cache only saves requests next time; failing to write it is not an error.
            let _ = cache.write(&catalog);
        }
        Ok(Loaded {
            catalog,
            from_cache: false,
        })
    }

    fn loaded_catalog(&self) -> &Catalog {
        static EMPTY: Catalog = Catalog {
            groups: Vec::new(),
            unavailable: Vec::new(),
        };
        self.loaded
            .as_ref()
            .map_or(&EMPTY, |loaded| &loaded.catalog)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::Cell;

    use super::*;

    /// The catalog of the recorded v1.33 server (aggregated discovery fixtures).
    pub fn fixture_catalog() -> Catalog {
        let core = include_bytes!("../../tests/fixtures/http/004-api-aggregated.json");
        let named = include_bytes!("../../tests/fixtures/http/005-apis-aggregated.json");
        let mut catalog = Catalog::default();
        for doc in [&core[..], &named[..]] {
            let parsed = wire::parse_aggregated(doc).expect("fixture parses");
            catalog.groups.extend(parsed.groups);
            catalog.unavailable.extend(parsed.unavailable);
        }
        catalog
    }

    fn resolve_one(catalog: &Catalog, arg: &str) -> String {
        let found = catalog
            .resolve(arg)
            .unwrap_or_else(|err| panic!("{arg}: {err}"));
        assert_eq!(found.len(), 1, "{arg}");
        format!("{}/{}", found[0].api_version(), found[0].resource)
    }

    #[test]
    fn short_plural_singular_and_kind_names() {
        let catalog = fixture_catalog();
        for (arg, expected) in [
            ("po", "v1/pods"),
            ("pod", "v1/pods"),
            ("pods", "v1/pods"),
            ("Pod", "v1/pods"),
            ("PODS", "v1/pods"),
            ("deploy", "apps/v1/deployments"),
            ("Deployment", "apps/v1/deployments"),
            ("svc", "v1/services"),
            ("cm", "v1/configmaps"),
            ("ns", "v1/namespaces"),
            ("no", "v1/nodes"),
            ("sts", "apps/v1/statefulsets"),
            ("ds", "apps/v1/daemonsets"),
            ("rs", "apps/v1/replicasets"),
            ("hpa", "autoscaling/v2/horizontalpodautoscalers"),
            ("ing", "networking.k8s.io/v1/ingresses"),
            ("pvc", "v1/persistentvolumeclaims"),
            ("pv", "v1/persistentvolumes"),
            ("sa", "v1/serviceaccounts"),
            ("crd", "apiextensions.k8s.io/v1/customresourcedefinitions"),
            ("crds", "apiextensions.k8s.io/v1/customresourcedefinitions"),
            ("cj", "batch/v1/cronjobs"),
            ("netpol", "networking.k8s.io/v1/networkpolicies"),
        ] {
            assert_eq!(resolve_one(&catalog, arg), expected, "{arg}");
        }
    }

    #[test]
    fn group_and_version_qualified_names() {
        let catalog = fixture_catalog();
        assert_eq!(resolve_one(&catalog, "deploy.apps"), "apps/v1/deployments");
        assert_eq!(
            resolve_one(&catalog, "deployments.apps"),
            "apps/v1/deployments"
        );
        assert_eq!(
            resolve_one(&catalog, "deployments.v1.apps"),
            "apps/v1/deployments"
        );
        assert_eq!(
            resolve_one(&catalog, "horizontalpodautoscalers.v1.autoscaling"),
            "autoscaling/v1/horizontalpodautoscalers"
        );
        assert_eq!(
            resolve_one(&catalog, "ingresses.networking.k8s.io"),
            "networking.k8s.io/v1/ingresses"
        );
        assert_eq!(
            resolve_one(&catalog, "events.events.k8s.io"),
            "events.k8s.io/v1/events"
        );
        assert!(catalog.resolve("deployments.v2.apps").is_err());
        assert!(catalog.resolve("pods.apps").is_err());
    }

    #[test]
    fn preferred_version_and_group_priority_win() {
        let catalog = fixture_catalog();
        // autoscaling serves v2 (preferred) and v1.
        assert_eq!(
            resolve_one(&catalog, "hpa"),
            "autoscaling/v2/horizontalpodautoscalers"
        );
        // events exist in core and events.k8s.io: core has priority.
        assert_eq!(resolve_one(&catalog, "events"), "v1/events");
        assert_eq!(resolve_one(&catalog, "ev"), "v1/events");
    }

    #[test]
    fn custom_resources_resolve_like_built_ins() {
        let catalog = fixture_catalog();
        assert_eq!(resolve_one(&catalog, "gizmos"), "example.org/v1/gizmos");
        assert_eq!(resolve_one(&catalog, "gz"), "example.org/v1/gizmos");
        assert_eq!(
            resolve_one(&catalog, "gizmo.example.org"),
            "example.org/v1/gizmos"
        );
        assert_eq!(resolve_one(&catalog, "Gizmo"), "example.org/v1/gizmos");
    }

    #[test]
    fn categories_expand_in_priority_order() {
        let catalog = fixture_catalog();
        let all: Vec<String> = catalog
            .resolve("all")
            .unwrap()
            .iter()
            .map(ResourceType::group_resource)
            .collect();
        assert_eq!(
            all,
            [
                "pods",
                "replicationcontrollers",
                "services",
                "daemonsets.apps",
                "deployments.apps",
                "replicasets.apps",
                "statefulsets.apps",
                "horizontalpodautoscalers.autoscaling",
                "cronjobs.batch",
                "jobs.batch",
            ]
        );
    }

    #[test]
    fn unknown_names_are_errors() {
        let catalog = fixture_catalog();
        let err = catalog.resolve("flurbs").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"the server doesn't have a resource type "flurbs""#
        );
        assert!(catalog.resolve("").is_err());
        assert!(catalog.resolve(".").is_err());
        assert!(catalog.resolve("...").is_err());
    }

    #[test]
    fn find_kind_for_manifests() {
        let catalog = fixture_catalog();
        let found = catalog.find_kind("apps/v1", "Deployment").unwrap();
        assert_eq!(found.resource, "deployments");
        assert!(found.namespaced);
        assert_eq!(
            catalog.find_kind("v1", "Namespace").unwrap().resource,
            "namespaces"
        );
        assert!(catalog.find_kind("apps/v1beta1", "Deployment").is_none());
    }

    #[test]
    fn group_versions_are_sorted() {
        let versions = fixture_catalog().group_versions();
        assert_eq!(
            versions.first().map(String::as_str),
            Some("admissionregistration.k8s.io/v1")
        );
        assert_eq!(versions.last().map(String::as_str), Some("v1"));
        assert!(versions.contains(&"autoscaling/v1".to_owned()));
        assert_eq!(versions.len(), 22);
    }

    #[test]
    fn builtins_agree_with_the_real_server() {
        let server = fixture_catalog();
        for builtin in builtin::catalog().resources() {
            let real = server
                .resources()
                .find(|r| {
                    r.group == builtin.group
                        && r.version == builtin.version
                        && r.resource == builtin.resource
                })
                .unwrap_or_else(|| panic!("{} not served", builtin.group_resource()));
            assert_eq!(builtin, real);
        }
        // Every built-in short name resolves to the same thing with and without discovery.
        for builtin in builtin::catalog().resources() {
            for name in builtin
                .short_names
                .iter()
                .chain([&builtin.resource, &builtin.singular])
            {
                assert_eq!(
                    builtin::catalog().resolve_one(name),
                    server.resolve_one(name),
                    "{name}"
                );
            }
        }
    }

    /// A source that serves the fixture catalog and counts requests.
    struct CountingSource {
        catalog: Catalog,
        fetches: Cell<usize>,
    }

    impl CatalogSource for &CountingSource {
        async fn fetch_catalog(&self) -> Result<Catalog> {
            self.fetches.set(self.fetches.get() + 1);
            Ok(self.catalog.clone())
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(future)
    }

    #[test]
    fn builtins_resolve_without_fetching() {
        let source = CountingSource {
            catalog: fixture_catalog(),
            fetches: Cell::new(0),
        };
        let mut discovery = Discovery::new(&source, None);
        let found = block_on(discovery.resolve("deploy")).unwrap();
        assert_eq!(found[0].resource, "deployments");
        assert_eq!(source.fetches.get(), 0);
    }

    #[test]
    fn cache_serves_the_second_run_and_a_miss_refreshes_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut stale = fixture_catalog();
        stale.groups.retain(|group| group.name != "example.org");
        let cache = DiscoveryCache::new(dir.path(), "https://127.0.0.1:6443");
        cache.write(&stale).unwrap();

        let source = CountingSource {
            catalog: fixture_catalog(),
            fetches: Cell::new(0),
        };
        let mut discovery = Discovery::new(&source, Some(cache.clone()));
        // A known name comes from the cache.
        block_on(discovery.resolve("leases")).unwrap();
        assert_eq!(source.fetches.get(), 0);
        // The cached catalog predates the CRD: one refresh finds it.
        let found = block_on(discovery.resolve("gizmos")).unwrap();
        assert_eq!(found[0].kind, "Gizmo");
        assert_eq!(source.fetches.get(), 1);
        // The refreshed catalog was written back.
        assert_eq!(cache.read(Some(DISCOVERY_TTL)), Some(fixture_catalog()));
        // Unknown names after a fresh fetch do not fetch again.
        assert!(block_on(discovery.resolve("flurbs")).is_err());
        assert_eq!(source.fetches.get(), 1);
    }

    #[test]
    fn a_cold_cache_fetches_once() {
        let dir = tempfile::tempdir().unwrap();
        let source = CountingSource {
            catalog: fixture_catalog(),
            fetches: Cell::new(0),
        };
        let cache = DiscoveryCache::new(dir.path(), "https://127.0.0.1:6443");
        let mut discovery = Discovery::new(&source, Some(cache));
        let err = block_on(discovery.resolve("flurbs")).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"the server doesn't have a resource type "flurbs""#
        );
        assert_eq!(source.fetches.get(), 1);
    }
}
