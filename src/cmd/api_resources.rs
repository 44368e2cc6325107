//! `kz api-resources`: the server's resources at their preferred versions, filtered and sorted
//! like kubectl's, from the discovery cache when it is fresh.

use std::cmp::Ordering;
use std::io::Write;

use anyhow::{Result, bail};

use crate::cli::{ApiResourcesArgs, ApiResourcesOutput, ApiResourcesSort};
use crate::context::Context;
use crate::discovery::{Catalog, ResourceType};
use crate::print::write_table;

/// Validated `api-resources` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub output: Option<ApiResourcesOutput>,
    pub namespaced: Option<bool>,
    pub api_group: Option<String>,
    pub verbs: Vec<String>,
    pub categories: Vec<String>,
    pub sort_by: Option<ApiResourcesSort>,
    pub no_headers: bool,
    pub cached: bool,
}

impl Options {
    pub fn from_args(args: ApiResourcesArgs) -> Self {
        let non_empty =
            |items: Vec<String>| items.into_iter().filter(|item| !item.is_empty()).collect();
        Options {
            output: args.output,
            namespaced: args.namespaced,
            api_group: args.api_group,
            verbs: non_empty(args.verbs),
            categories: non_empty(args.categories),
            sort_by: args.sort_by,
            no_headers: args.no_headers,
            cached: args.cached,
        }
    }
}

pub fn run(args: ApiResourcesArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(args);
    // Like kubectl: always fresh, unless the user asks for the cached list.
    let mut discovery = ctx.discovery()?.accept_stale(options.cached);
    let catalog = if options.cached {
        ctx.block_on(async { discovery.catalog().await.cloned() })??
    } else {
        ctx.block_on(async { discovery.refresh().await.cloned() })??
    };
    let resources = select(&catalog, &options);
    print(&mut ctx.out, &resources, &options)?;
    if !catalog.unavailable.is_empty() {
        let failures: Vec<String> = catalog
            .unavailable
            .iter()
            .map(|gv| format!("{}: {}", gv.group_version, gv.reason))
            .collect();
        bail!(
            "unable to retrieve the complete list of server APIs: {}",
            failures.join(", ")
        );
    }
    Ok(())
}

/// The resources to list, in kubectl's order: by group then name (default), by name, or by
/// kind then name; ties keep discovery order.
pub fn select<'a>(catalog: &'a Catalog, options: &Options) -> Vec<&'a ResourceType> {
    let mut resources: Vec<&ResourceType> = catalog
        .preferred_resources()
        .into_iter()
        .filter(|r| !r.verbs.is_empty())
        .filter(|r| {
            options
                .namespaced
                .is_none_or(|namespaced| r.namespaced == namespaced)
        })
        .filter(|r| {
            options
                .api_group
                .as_deref()
                .is_none_or(|group| r.group == group)
        })
        .filter(|r| options.verbs.iter().all(|verb| r.supports(verb)))
        .filter(|r| options.categories.iter().all(|c| r.categories.contains(c)))
        .collect();
    resources.sort_by(|a, b| {
        let first = match options.sort_by {
            None => a.group.cmp(&b.group),
            Some(ApiResourcesSort::Kind) => a.kind.cmp(&b.kind),
            Some(ApiResourcesSort::Name) => Ordering::Equal,
        };
        first.then_with(|| a.resource.cmp(&b.resource))
    });
    resources
}

pub fn print<W: Write>(out: &mut W, resources: &[&ResourceType], options: &Options) -> Result<()> {
    if options.output == Some(ApiResourcesOutput::Name) {
        for resource in resources {
            writeln!(out, "{}", resource.group_resource())?;
        }
        return Ok(());
    }
    let wide = options.output == Some(ApiResourcesOutput::Wide);
    let mut header = vec!["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"];
    if wide {
        header.extend(["VERBS", "CATEGORIES"]);
    }
    let rows = resources.iter().map(|r| {
        let mut row = vec![
            r.resource.clone(),
            r.short_names.join(","),
            r.api_version(),
            r.namespaced.to_string(),
            r.kind.clone(),
        ];
        if wide {
            row.push(r.verbs.join(","));
            row.push(r.categories.join(","));
        }
        row
    });
    write_table(out, (!options.no_headers).then_some(&header[..]), rows)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::api_versions::tests::fixture_stdout;
    use crate::discovery::tests::fixture_catalog;

    fn render(options: &Options) -> String {
        let catalog = fixture_catalog();
        let mut out = Vec::new();
        print(&mut out, &select(&catalog, options), options).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn default_table_matches_kubectl() {
        let expected = fixture_stdout(include_str!(
            "../../tests/fixtures/kubectl/api-resources.txt"
        ));
        assert_eq!(render(&Options::default()), expected);
    }

    #[test]
    fn wide_table_matches_kubectl() {
        let expected = fixture_stdout(include_str!(
            "../../tests/fixtures/kubectl/api-resources-wide.txt"
        ));
        let options = Options {
            output: Some(ApiResourcesOutput::Wide),
            ..Options::default()
        };
        assert_eq!(render(&options), expected);
    }

    #[test]
    fn names_are_qualified_by_group() {
        let options = Options {
            output: Some(ApiResourcesOutput::Name),
            api_group: Some("apps".into()),
            ..Options::default()
        };
        assert_eq!(
            render(&options),
            "controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\n"
        );
    }

    #[test]
    fn filters_combine() {
        let options = Options {
            output: Some(ApiResourcesOutput::Name),
            namespaced: Some(false),
            api_group: Some(String::new()),
            verbs: vec!["list".into(), "watch".into()],
            ..Options::default()
        };
        assert_eq!(render(&options), "namespaces\nnodes\npersistentvolumes\n");

        let all = Options {
            output: Some(ApiResourcesOutput::Name),
            categories: vec!["all".into()],
            sort_by: Some(ApiResourcesSort::Kind),
            ..Options::default()
        };
        assert_eq!(
            render(&all),
            "cronjobs.batch\ndaemonsets.apps\ndeployments.apps\nhorizontalpodautoscalers.autoscaling\njobs.batch\npods\nreplicasets.apps\nreplicationcontrollers\nservices\nstatefulsets.apps\n"
        );
    }

    #[test]
    fn sort_by_name_keeps_discovery_order_for_ties() {
        let options = Options {
            sort_by: Some(ApiResourcesSort::Name),
            no_headers: true,
            ..Options::default()
        };
        let text = render(&options);
        let events: Vec<&str> = text
            .lines()
            .filter(|line| line.starts_with("events "))
            .collect();
        assert_eq!(events.len(), 2);
        assert!(events[0].contains(" v1 "), "{}", events[0]);
        assert!(events[1].contains("events.k8s.io/v1"), "{}", events[1]);
        assert!(text.starts_with("apiservices "), "{text}");
    }
}
