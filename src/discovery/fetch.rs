//! Fetching discovery: aggregated discovery for `/api` and `/apis` (two requests, concurrently),
//! falling back to legacy discovery (one more request per group-version) for servers without it.

use anyhow::{Context as _, Result};
use tokio::task::JoinSet;

use super::wire::{self, ApiGroupList, ApiVersions};
use super::{ApiGroup, Catalog, CatalogSource, GroupVersion, UnavailableGroupVersion};
use crate::client::{ApiClient, ApiResponse};

/// Asks for aggregated discovery, accepting the legacy document from older servers.
pub const AGGREGATED_ACCEPT: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

impl CatalogSource for ApiClient {
    async fn fetch_catalog(&self) -> Result<Catalog> {
        let (core, named) = tokio::join!(
            self.get("/api", AGGREGATED_ACCEPT),
            self.get("/apis", AGGREGATED_ACCEPT)
        );
        let mut catalog = Catalog::default();
        add_core(
            self,
            core.context("discovering the core API (/api)")?,
            &mut catalog,
        )
        .await?;
        add_named(
            self,
            named.context("discovering API groups (/apis)")?,
            &mut catalog,
        )
        .await?;
        Ok(catalog)
    }
}

async fn add_core(client: &ApiClient, response: ApiResponse, catalog: &mut Catalog) -> Result<()> {
    if wire::kind_of(&response.body)? == "APIGroupDiscoveryList" {
        return add_aggregated(&response, catalog);
    }
    let versions: ApiVersions = response.json()?;
    let mut group = ApiGroup {
        name: String::new(),
        versions: Vec::new(),
    };
    for version in versions.versions {
        let path = format!("/api/{version}");
        let body = client
            .get(&path, "application/json")
            .await
            .with_context(|| format!("discovering {path}"))?
            .body;
        group
            .versions
            .push(wire::parse_resource_list("", &version, &body)?);
    }
    catalog.groups.push(group);
    Ok(())
}

async fn add_named(client: &ApiClient, response: ApiResponse, catalog: &mut Catalog) -> Result<()> {
    if wire::kind_of(&response.body)? == "APIGroupDiscoveryList" {
        return add_aggregated(&response, catalog);
    }
    let list: ApiGroupList = response.json()?;
    // One request per group-version, all at once; results are put back in server order.
    let mut requests = JoinSet::new();
    for group in &list.groups {
        for gv in group.versions_preferred_first() {
            let client = client.clone();
            let group_name = group.name.clone();
            requests.spawn(async move {
                let path = format!("/apis/{}", gv.group_version);
                let result = client
                    .get(&path, "application/json")
                    .await
                    .and_then(|response| {
                        wire::parse_resource_list(&group_name, &gv.version, &response.body)
                    });
                (gv.group_version, result)
            });
        }
    }
    let mut fetched: Vec<(String, Result<GroupVersion>)> = Vec::new();
    while let Some(joined) = requests.join_next().await {
        fetched.push(joined.context("discovery request task failed")?);
    }
    for group in list.groups {
        let mut versions = Vec::new();
        for gv in group.versions_preferred_first() {
            let Some(index) = fetched
                .iter()
                .position(|(name, _)| *name == gv.group_version)
            else {
                continue;
            };
            match fetched.swap_remove(index).1 {
                Ok(version) => versions.push(version),
                Err(err) => catalog.unavailable.push(UnavailableGroupVersion {
                    group_version: gv.group_version,
                    reason: crate::error::message(&err),
                }),
            }
        }
        if !versions.is_empty() {
            catalog.groups.push(ApiGroup {
                name: group.name,
                versions,
            });
        }
    }
    Ok(())
}

fn add_aggregated(response: &ApiResponse, catalog: &mut Catalog) -> Result<()> {
    let parsed = wire::parse_aggregated(&response.body)?;
    catalog.groups.extend(parsed.groups);
    catalog.unavailable.extend(parsed.unavailable);
    Ok(())
}
