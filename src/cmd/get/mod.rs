//! `kz get`: resolve what the arguments name, fetch it (lists page by page), print it.
//!
//! Options are validated from the arguments without I/O; `run` then resolves the types
//! (built-ins need no request), fetches each request in order and hands every page to the
//! output as it arrives. Objects that do not exist are reported on stderr like kubectl's
//! `Error from server (NotFound)` lines while the others are still printed.

mod fetch;
mod output;
mod watch;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::cli::GetArgs;
use crate::client::ApiClient;
use crate::context::Context;
use crate::discovery::ResourceType;
use crate::error::{self, AlreadyReported, ServerError};
use crate::resource::{self, Selection, UsageError};

use fetch::{JSON_ACCEPT, ListQuery, TABLE_ACCEPT};
use output::Output;
pub use output::OutputFormat;

/// `get`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub selection: Option<Selection>,
    pub filenames: Vec<PathBuf>,
    pub recursive: bool,
    pub format: OutputFormat,
    pub all_namespaces: bool,
    pub list: ListQuery,
    pub ignore_not_found: bool,
    pub raw: Option<String>,
    pub subresource: Option<String>,
    pub watch: bool,
    pub watch_only: bool,
    pub output_watch_events: bool,
    pub no_headers: bool,
    pub show_labels: bool,
    pub label_columns: Vec<String>,
    pub show_kind: bool,
    pub sort_by: Option<String>,
    pub show_managed_fields: bool,
    pub allow_missing_template_keys: bool,
}

impl Options {
    /// Checks the arguments the way kubectl does before it sends anything.
    pub fn from_args(args: GetArgs) -> Result<Options> {
        if args.raw.is_some() && (!args.args.is_empty() || !args.filenames.is_empty()) {
            bail!("arguments may not be passed when --raw is specified");
        }
        let selection =
            if args.raw.is_some() || (!args.filenames.is_empty() && args.args.is_empty()) {
                None
            } else {
                Some(resource::parse_args(&args.args)?)
            };
        if !args.filenames.is_empty() && !args.args.is_empty() {
            bail!("arguments in resource/name form may not be combined with -f");
        }
        if let Some(sub) = &args.subresource
            && !matches!(sub.as_str(), "status" | "scale")
        {
            bail!("invalid subresource value: {sub:?}. Must be one of [status scale]");
        }
        let format = OutputFormat::parse(args.output.as_deref(), args.template.as_deref())?;
        let named = matches!(
            &selection,
            Some(Selection::Named(_)) | Some(Selection::Types { names: _, .. })
                if selection_has_names(selection.as_ref())
        );
        if args.all_namespaces && named {
            bail!("a resource cannot be retrieved by name across all namespaces");
        }
        if (args.watch || args.watch_only) && args.sort_by.is_some() {
            bail!("--sort-by is not supported together with --watch");
        }
        Ok(Options {
            selection,
            filenames: args.filenames,
            recursive: args.recursive,
            format,
            all_namespaces: args.all_namespaces,
            list: ListQuery {
                label_selector: args.selector,
                field_selector: args.field_selector,
                chunk_size: Some(args.chunk_size).filter(|n| *n > 0),
                include_object: args.sort_by.is_some(),
            },
            ignore_not_found: args.ignore_not_found,
            raw: args.raw,
            subresource: args.subresource,
            watch: args.watch || args.watch_only,
            watch_only: args.watch_only,
            output_watch_events: args.output_watch_events,
            no_headers: args.no_headers,
            show_labels: args.show_labels,
            label_columns: args.label_columns,
            show_kind: args.show_kind,
            sort_by: args.sort_by,
            show_managed_fields: args.show_managed_fields,
            allow_missing_template_keys: args.allow_missing_template_keys,
        })
    }
}

fn selection_has_names(selection: Option<&Selection>) -> bool {
    match selection {
        Some(Selection::Named(_)) => true,
        Some(Selection::Types { names, .. }) => !names.is_empty(),
        None => false,
    }
}

/// One thing to fetch: a list (no names) or named objects of one resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub rt: ResourceType,
    /// `None` for every namespace (or a cluster-scoped type).
    pub namespace: Option<String>,
    pub names: Vec<String>,
}

pub fn run(args: GetArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(args)?;
    if let Some(path) = &options.raw {
        return raw(ctx, path);
    }
    let namespace = ctx.namespace()?;
    let explicit_namespace = ctx.global.namespace.clone();
    let client = ctx.client()?;
    let mut discovery = ctx.discovery()?;
    let requests = ctx.block_on(async {
        let mut requests = Vec::new();
        match &options.selection {
            Some(selection) => {
                for (rt, names) in resolve(&mut discovery, selection).await? {
                    let namespace = (!options.all_namespaces && rt.namespaced).then(|| namespace.clone());
                    requests.push(Request { rt, namespace, names });
                }
            }
            None => {
                for object in resource::read_manifests(&options.filenames, options.recursive)? {
                    let rt = discovery.resolve_kind(&object.api_version, &object.kind).await?;
                    let object_ns = object.namespace.clone();
                    if let (Some(theirs), Some(ours)) = (&object_ns, &explicit_namespace)
                        && theirs != ours
                    {
                        bail!(
                            "the namespace from the provided object {theirs:?} does not match the namespace {ours:?}. You must pass '--namespace={theirs}' to perform this operation."
                        );
                    }
                    let namespace = rt
                        .namespaced
                        .then(|| object_ns.unwrap_or_else(|| namespace.clone()));
                    requests.push(Request { rt, namespace, names: vec![object.name] });
                }
            }
        }
        Ok::<_, anyhow::Error>(requests)
    })??;
    if options.watch {
        return watch::run(ctx, &client, &options, &requests);
    }
    let single = requests.len() == 1 && requests[0].names.len() == 1;
    let mut output = Output::new(&options, single)?;
    // The client's connection worker lives on the context's runtime: fetch there, with the
    // output stream borrowed out of the context meanwhile.
    let mut out = std::mem::replace(&mut ctx.out, Box::new(std::io::sink()));
    let outcome = ctx.block_on(fetch_all(
        &client,
        &options,
        &requests,
        &mut output,
        &mut out,
    ));
    ctx.out = out;
    let failures = outcome??;
    output.finish(&mut ctx.out)?;
    if output.printed() == 0 && failures == 0 && requests.iter().any(|r| r.names.is_empty()) {
        ctx.flush()?;
        eprintln!(
            "{}",
            no_resources_message(&requests, options.all_namespaces)
        );
    }
    if failures > 0 {
        return Err(AlreadyReported.into());
    }
    Ok(())
}

/// `No resources found in shop namespace.`, or `No resources found` across namespaces.
fn no_resources_message(requests: &[Request], all_namespaces: bool) -> String {
    let namespace = requests
        .iter()
        .find(|r| r.rt.namespaced)
        .and_then(|r| r.namespace.as_deref());
    match namespace {
        Some(ns) if !all_namespaces => format!("No resources found in {ns} namespace."),
        _ => "No resources found".to_string(),
    }
}

/// The resource types and names the arguments mean; `all` and other categories expand.
async fn resolve(
    discovery: &mut crate::discovery::Discovery<ApiClient>,
    selection: &Selection,
) -> Result<Vec<(ResourceType, Vec<String>)>> {
    let mut resolved = Vec::new();
    match selection {
        Selection::Types { types, names } => {
            for word in types {
                for rt in discovery.resolve(word).await? {
                    if !names.is_empty()
                        && resolved.iter().any(|(r, _): &(ResourceType, _)| *r == rt)
                    {
                        continue;
                    }
                    resolved.push((rt, names.clone()));
                }
            }
        }
        Selection::Named(pairs) => {
            for (word, name) in pairs {
                let types = discovery.resolve(word).await?;
                let Some(rt) = types.into_iter().next() else {
                    return Err(UsageError(format!(
                        "error: the server doesn't have a resource type {word:?}"
                    ))
                    .into());
                };
                // Consecutive names of one type are fetched (and printed) together.
                match resolved.last_mut() {
                    Some((last, names)) if *last == rt => names.push(name.clone()),
                    _ => resolved.push((rt, vec![name.clone()])),
                }
            }
        }
    }
    Ok(resolved)
}

/// Fetches every request into the output; returns how many errors were reported on stderr.
async fn fetch_all(
    client: &ApiClient,
    options: &Options,
    requests: &[Request],
    output: &mut Output,
    out: &mut Box<dyn Write>,
) -> Result<usize> {
    let accept = if output.wants_tables() {
        TABLE_ACCEPT
    } else {
        JSON_ACCEPT
    };
    let mut failures = 0;
    for request in requests {
        output.begin_type(&request.rt);
        if request.names.is_empty() {
            let mut skip_until: Option<(String, String)> = None;
            let mut last_seen: Option<(String, String)> = None;
            fetch::list_pages(
                client,
                &request.rt,
                request.namespace.as_deref(),
                &options.list,
                accept,
                |page, restarted| {
                    if restarted {
                        // The list began again: rows kept for a table are dropped, objects
                        // already printed are skipped.
                        output.restart_type();
                        skip_until = last_seen.clone();
                    }
                    output.page(
                        &request.rt,
                        page.body,
                        skip_until.as_ref(),
                        &mut last_seen,
                        out,
                    )
                },
            )
            .await?;
        } else {
            for name in &request.names {
                let path = fetch::object_path(
                    &request.rt,
                    request.namespace.as_deref(),
                    name,
                    options.subresource.as_deref(),
                );
                let path = if options.list.include_object && output.wants_tables() {
                    format!("{path}?includeObject=Object")
                } else {
                    path
                };
                match client.get(&path, accept).await {
                    Ok(response) => {
                        let body: Value = response.json()?;
                        output.single(&request.rt, body, out)?;
                    }
                    Err(err) if is_not_found(&err) && options.ignore_not_found => {}
                    Err(err) if is_not_found(&err) => {
                        out.flush()?;
                        eprintln!("{}", error::message(&err));
                        failures += 1;
                    }
                    Err(err) => return Err(err),
                }
            }
        }
        output.end_type(&request.rt, out)?;
    }
    Ok(failures)
}

fn is_not_found(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|c| c.downcast_ref::<ServerError>())
        .any(|e| e.status.code == 404)
}

/// `--raw PATH`: the server's answer, byte for byte.
fn raw(ctx: &mut Context, path: &str) -> Result<()> {
    let client = ctx.client()?;
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let response = ctx.block_on(client.get(&path, "application/json, */*"))??;
    ctx.out.write_all(&response.body)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> GetArgs {
        GetArgs {
            args: list.iter().map(|s| s.to_string()).collect(),
            chunk_size: 500,
            allow_missing_template_keys: true,
            ..GetArgs::default()
        }
    }

    #[test]
    fn validates_like_kubectl() {
        let mut by_name = args(&["pods", "web"]);
        by_name.all_namespaces = true;
        let err = Options::from_args(by_name).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a resource cannot be retrieved by name across all namespaces"
        );

        let mut bad_sub = args(&["deploy", "web"]);
        bad_sub.subresource = Some("logs".into());
        assert!(
            Options::from_args(bad_sub)
                .unwrap_err()
                .to_string()
                .contains("[status scale]")
        );

        let mut raw = args(&["pods"]);
        raw.raw = Some("/api".into());
        assert!(Options::from_args(raw).is_err());

        let mut chunked = args(&["pods"]);
        chunked.chunk_size = 0;
        assert_eq!(
            Options::from_args(chunked).expect("valid").list.chunk_size,
            None
        );
    }

    #[test]
    fn empty_results_are_worded_like_kubectl() {
        let rt = crate::discovery::builtin::catalog()
            .resolve_one("pods")
            .cloned()
            .expect("pods");
        let request = |ns: Option<&str>| Request {
            rt: rt.clone(),
            namespace: ns.map(String::from),
            names: vec![],
        };
        assert_eq!(
            no_resources_message(&[request(Some("default"))], false),
            "No resources found in default namespace."
        );
        assert_eq!(
            no_resources_message(&[request(None)], true),
            "No resources found"
        );
    }
}
