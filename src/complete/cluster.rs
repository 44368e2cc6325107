//! What the cluster knows, for completion: resource types from the discovery cache (no
//! request; the built-ins when there is no cache yet) and object names from one list request
//! that asks for a Table without objects (`includeObject=None`), with a short timeout.

use std::time::Duration;

use anyhow::{Context as _, Result};
use serde_json::Value;

use crate::api::{Query, TABLE_ACCEPT, collection_path};
use crate::cli::GlobalArgs;
use crate::context::{Context, Environment};
use crate::discovery::{Catalog, ResourceType, builtin};
use crate::streams::Stderr;

/// The longest a completion waits for the server: a shell that hangs on TAB is worse than one
/// that offers nothing.
pub const NAMES_TIMEOUT: Duration = Duration::from_secs(3);

/// A context for the flags typed so far: the process's environment, no `-v` traces, a request
/// timeout of at most [`NAMES_TIMEOUT`], and streams that discard everything.
pub fn context(mut global: GlobalArgs) -> Context {
    global.verbosity = 0;
    global.request_timeout = global
        .request_timeout()
        .map_or(NAMES_TIMEOUT, |timeout| timeout.min(NAMES_TIMEOUT));
    Context::new(
        global,
        Environment::from_process(),
        Box::new(std::io::sink()),
        Stderr::new(std::io::sink()),
    )
}

/// The resource types kz knows for the selected server without asking it.
pub fn catalog(ctx: &mut Context) -> Catalog {
    ctx.cached_catalog()
        .ok()
        .flatten()
        .unwrap_or_else(|| builtin::catalog().clone())
}

/// The names to offer for a resource type: each readable type's plural (`pods`), qualified by
/// its group (`events.events.k8s.io`) when another group uses the same plural; sorted.
pub fn type_names(catalog: &Catalog) -> Vec<String> {
    let readable: Vec<&ResourceType> = catalog
        .preferred_resources()
        .into_iter()
        .filter(|rt| rt.supports("get") && !rt.resource.contains('/'))
        .collect();
    let mut names: Vec<String> = readable
        .iter()
        .map(|rt| {
            let shared = readable
                .iter()
                .any(|other| other.resource == rt.resource && other.group != rt.group);
            if shared {
                rt.group_resource()
            } else {
                rt.resource.clone()
            }
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The type `arg` names (`po`, `deploy`, `deployments.apps`): a built-in, else one in the
/// cached catalog.
pub fn resolve(catalog: &Catalog, arg: &str) -> Option<ResourceType> {
    builtin::catalog()
        .resolve_one(arg)
        .or_else(|| catalog.resolve_one(arg))
        .cloned()
}

/// The names of the objects of `rt` in the context's namespace (every namespace for a
/// cluster-scoped type), from one request for their Table rows without the objects.
pub fn object_names(ctx: &mut Context, rt: &ResourceType) -> Result<Vec<String>> {
    let namespace = ctx.namespace()?;
    let client = ctx.client()?;
    let query = Query::new().pair("includeObject", Some("None"));
    let path = format!("{}{query}", collection_path(rt, Some(&namespace)));
    let body: Value = ctx
        .block_on(client.get(&path, TABLE_ACCEPT))?
        .with_context(|| format!("listing {}", rt.resource))?
        .json()?;
    Ok(names_in(&body))
}

/// The names in a Table (the first cell of each row) or, from a server without Tables, a plain
/// list (`items[].metadata.name`).
fn names_in(body: &Value) -> Vec<String> {
    let names = match body.get("rows") {
        Some(rows) => each(rows, |row| row.pointer("/cells/0")),
        None => each(&body["items"], |item| item.pointer("/metadata/name")),
    };
    names.into_iter().map(String::from).collect()
}

fn each<'a>(list: &'a Value, name: impl Fn(&'a Value) -> Option<&'a Value>) -> Vec<&'a str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| name(entry)?.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_from_a_table_or_a_list() {
        let table =
            json!({"kind": "Table", "rows": [{"cells": ["web-1", "1/1"]}, {"cells": ["db-0"]}]});
        assert_eq!(names_in(&table), ["web-1", "db-0"]);
        let list = json!({"kind": "PodList", "items": [{"metadata": {"name": "web-1"}}, {}]});
        assert_eq!(names_in(&list), ["web-1"]);
        assert!(names_in(&json!({"kind": "Status"})).is_empty());
    }

    #[test]
    fn type_names_are_plurals_qualified_only_when_shared() {
        let mut catalog = builtin::catalog().clone();
        let names = type_names(&catalog);
        assert!(names.contains(&"pods".to_string()), "{names:?}");
        assert!(names.contains(&"events".to_string()), "{names:?}");
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);

        let core_events = resolve(&catalog, "events").unwrap();
        let mut events = catalog.groups[0].clone();
        events.name = "events.k8s.io".into();
        events.versions[0].resources = vec![ResourceType {
            group: "events.k8s.io".into(),
            ..core_events
        }];
        catalog.groups.push(events);
        let names = type_names(&catalog);
        assert!(
            names.contains(&"events.events.k8s.io".to_string()),
            "{names:?}"
        );
        // The core group's plural needs no group: it is what `events` means.
        assert!(names.contains(&"events".to_string()), "{names:?}");
        assert_eq!(
            names
                .iter()
                .filter(|name| name.starts_with("events"))
                .count(),
            2
        );
    }
}
