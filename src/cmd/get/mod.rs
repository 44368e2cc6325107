//! `kz get`: resolve what the arguments name, fetch it (lists page by page), print it.
//!
//! Options are validated from the arguments without I/O (the resource builder checks what they
//! name); `run` then has the builder resolve them into targets (built-in types need no
//! request), fetches each in order and hands every page to the output as it arrives. Objects
//! that do not exist are reported on stderr like kubectl's `Error from server (NotFound)`
//! lines while the others are still printed.

mod watch;

use std::io::Write;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::api::{
    JSON_ACCEPT, ListQuery, ListRequest, METADATA_ACCEPT, Pages, Subresource, TABLE_ACCEPT,
};
use crate::cli::GetArgs;
use crate::client::ApiClient;
use crate::context::Context;
use crate::discovery::ResourceType;
use crate::error::{self, Reason};
use crate::resource::{Builder, Objects, Plan, Scope, Target, Verb};

use crate::print::{OutputFormat, PrintOptions, Printer};
use crate::ui::paint::Painting;

/// `get`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// What the arguments name, checked; `None` with `--raw`.
    pub plan: Option<Plan>,
    pub print: PrintOptions,
    pub list: ListQuery,
    pub ignore_not_found: bool,
    pub raw: Option<String>,
    pub subresource: Option<Subresource>,
    pub watch: bool,
    pub watch_only: bool,
    /// `--server-print`: tables from the server's Table answers (else NAME and AGE).
    pub server_print: bool,
    /// kubectl's `warning: …` lines about flags that will be ignored.
    pub warnings: Vec<&'static str>,
}

impl Options {
    /// Checks the arguments the way kubectl does before it sends anything.
    pub fn from_args(args: GetArgs) -> Result<Options> {
        if let Some(raw) = &args.raw {
            validate_raw(raw, &args)?;
        }
        let plan = match &args.raw {
            Some(_) => None,
            None => Some(
                Builder::new(Verb::Get)
                    .args(&args.args)
                    .filenames(&args.filenames, args.recursive)
                    .label_selector(args.selector.as_deref())
                    .field_selector(args.field_selector.as_deref())
                    .all_namespaces(args.all_namespaces)
                    .subresource(args.subresource.is_some())
                    .watch(args.watch || args.watch_only)
                    .parse()?,
            ),
        };
        let subresource = args
            .subresource
            .as_deref()
            .map(Subresource::parse)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        let format =
            OutputFormat::resolve(args.print.output.as_ref(), args.print.template.as_deref())?;
        if args.show_labels && !format.is_table() {
            bail!(
                "--show-labels option cannot be used with {} printer",
                format.printer_name()
            );
        }
        if args.output_watch_events && !(args.watch || args.watch_only) {
            bail!("--output-watch-events option can only be used with --watch or --watch-only");
        }
        let mut warnings = Vec::new();
        if args.sort_by.is_some() {
            if args.watch {
                warnings.push(
                    "warning: --watch requested, --sort-by will be ignored for watch events received",
                );
            } else if args.watch_only {
                warnings.push("warning: --watch-only requested, --sort-by will be ignored");
            }
        }
        let watching = args.watch || args.watch_only;
        let include_object = args.sort_by.is_some() && !watching;
        Ok(Options {
            plan,
            print: PrintOptions {
                format,
                no_headers: args.no_headers,
                all_namespaces: args.all_namespaces,
                show_labels: args.show_labels,
                label_columns: args.label_columns,
                show_kind: args.show_kind,
                sort_by: args.sort_by.filter(|_| !watching),
                show_managed_fields: args.print.show_managed_fields,
                allow_missing_template_keys: args.print.allow_missing_template_keys,
                output_watch_events: args.output_watch_events,
            },
            list: ListQuery {
                label_selector: args.selector,
                field_selector: args.field_selector,
                chunk_size: Some(args.chunk_size).filter(|n| *n > 0),
                include_object,
            },
            ignore_not_found: args.ignore_not_found,
            raw: args.raw,
            subresource,
            watch: args.watch || args.watch_only,
            watch_only: args.watch_only,
            server_print: args.server_print,
            warnings,
        })
    }
}

/// kubectl's checks of `--raw`: no other arguments, filters or output format, and a path.
fn validate_raw(raw: &str, args: &GetArgs) -> Result<()> {
    if !args.args.is_empty() {
        bail!("arguments may not be passed when --raw is specified");
    }
    if args.watch || args.watch_only || args.selector.as_deref().is_some_and(|s| !s.is_empty()) {
        bail!(
            "--raw may not be specified with other flags that filter the server request or alter the output"
        );
    }
    if args.print.output.is_some() {
        bail!("--raw and --output are mutually exclusive");
    }
    // Go's url.ParseRequestURI: an absolute path, or an absolute URL with a scheme.
    let has_scheme = raw.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if !raw.starts_with('/') && !has_scheme {
        bail!("--raw must be a valid URL path: parse {raw:?}: invalid URI for request");
    }
    Ok(())
}

/// One thing to fetch: a list (no names) or named objects of one resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub rt: ResourceType,
    /// `None` for every namespace (or a cluster-scoped type).
    pub namespace: Option<String>,
    pub names: Vec<String>,
}

impl From<Target> for Request {
    /// A collection is a request without names; a manifest's object, one with its name.
    fn from(target: Target) -> Request {
        let names = match target.objects {
            Objects::Names(names) => names,
            Objects::Collection(_) => Vec::new(),
            Objects::Manifest(object) => vec![object.name],
        };
        Request {
            rt: target.rt,
            namespace: target.namespace,
            names,
        }
    }
}

pub fn run(args: GetArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(args)?;
    for warning in &options.warnings {
        ctx.err.line(warning);
    }
    let plan = match (&options.raw, &options.plan) {
        (Some(path), _) => return raw(ctx, path),
        (None, Some(plan)) => plan,
        (None, None) => bail!("nothing to get"),
    };
    crate::ui::paint::paint_stdout(ctx, Painting::for_print(&options.print));
    let namespace = ctx.namespace()?;
    let scope = Scope {
        namespace: namespace.clone(),
        explicit: ctx.global.namespace.is_some(),
    };
    let client = ctx.client()?;
    let mut discovery = ctx.discovery()?;
    let targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;
    let planned: Vec<Planned> = targets
        .into_iter()
        .map(|target| match target {
            Ok(target) => Planned::Get(Box::new(Request::from(target))),
            Err(err) => Planned::Failed(err),
        })
        .collect();
    let requests: Vec<Request> = planned
        .iter()
        .filter_map(|step| match step {
            Planned::Get(request) => Some((**request).clone()),
            Planned::Failed(_) => None,
        })
        .collect();
    if options.watch {
        if let Some(Planned::Failed(err)) = planned
            .into_iter()
            .find(|s| matches!(s, Planned::Failed(_)))
        {
            return Err(err);
        }
        return watch::run(ctx, &client, &options, &requests);
    }
    let single = requests.len() == 1 && requests[0].names.len() == 1;
    let mut output = Printer::new(&options.print, single)?;
    // The client's connection worker lives on the context's runtime: fetch there, with the
    // output stream borrowed out of the context meanwhile.
    let mut out = std::mem::replace(&mut ctx.out, Box::new(std::io::sink()));
    let outcome = ctx.block_on(fetch_all(&client, &options, planned, &mut output, &mut out));
    ctx.out = out;
    let errors = outcome??;
    let failures = errors.len();
    let nothing = output.printed() == 0;
    // kubectl prints nothing at all, not even an empty List, for nothing found and ignored.
    if !(nothing && options.ignore_not_found && !output.wants_tables()) {
        output.finish(&mut ctx.out)?;
    }
    // Only tables say so when nothing was found; the other formats print their empty form.
    if nothing && failures == 0 && !options.ignore_not_found && output.wants_tables() {
        ctx.flush()?;
        ctx.err.line(no_resources_message(
            &requests,
            &namespace,
            options.print.all_namespaces,
        ));
    }
    super::report_errors(&ctx.err, errors)
}

/// What the command will do for one target, in order.
enum Planned {
    Get(Box<Request>),
    /// A manifest that could not be read or does not fit: reported in its place.
    Failed(anyhow::Error),
}

/// `No resources found in shop namespace.` when every type asked for is namespaced (and not
/// across namespaces), otherwise `No resources found`.
fn no_resources_message(requests: &[Request], namespace: &str, all_namespaces: bool) -> String {
    if !all_namespaces && requests.iter().all(|r| r.rt.namespaced) {
        format!("No resources found in {namespace} namespace.")
    } else {
        "No resources found".to_string()
    }
}

/// Fetches every request into the output; returns the errors of objects not got (not
/// found, or failed manifests), in order, for the caller to report after the output.
async fn fetch_all(
    client: &ApiClient,
    options: &Options,
    planned: Vec<Planned>,
    output: &mut Printer,
    out: &mut Box<dyn Write>,
) -> Result<Vec<anyhow::Error>> {
    let accept = if output.wants_tables() && options.server_print {
        TABLE_ACCEPT
    } else {
        JSON_ACCEPT
    };
    // Lists printed from metadata alone ask for nothing more; objects got by name are asked
    // for whole (a server answers a single GET for a metadata list with 406).
    let list_accept = if output.wants_only_metadata() {
        METADATA_ACCEPT
    } else {
        accept
    };
    let mut errors = Vec::new();
    for step in planned {
        let request = match step {
            Planned::Get(request) => *request,
            Planned::Failed(err) => {
                errors.push(err);
                continue;
            }
        };
        output.begin(&request.rt, request.names.is_empty());
        if request.names.is_empty() {
            let mut skip_until: Option<(String, String)> = None;
            let mut last_seen: Option<(String, String)> = None;
            let mut pages = Pages::start(
                client,
                ListRequest {
                    rt: request.rt.clone(),
                    namespace: request.namespace.clone(),
                    query: options.list.clone(),
                    accept: list_accept,
                },
            );
            while let Some(page) = pages.next_raw().await {
                let page = page?;
                if page.restarted {
                    // The list began again: rows kept for a table are dropped, objects
                    // already printed are skipped.
                    output.restart();
                    skip_until = last_seen.clone();
                }
                output.raw_list_page(
                    &request.rt,
                    &page,
                    skip_until.as_ref(),
                    &mut last_seen,
                    out,
                )?;
            }
        } else {
            for name in &request.names {
                let path = crate::api::object_path(
                    &request.rt,
                    request.namespace.as_deref(),
                    name,
                    options.subresource,
                );
                let path = if options.list.include_object && output.wants_tables() {
                    format!("{path}?includeObject=Object")
                } else {
                    path
                };
                match client.get(&path, accept).await {
                    Ok(response) => {
                        let body: Value = response.json()?;
                        output.object(&request.rt, body, out)?;
                    }
                    Err(err) if is_not_found(&err) && options.ignore_not_found => {}
                    Err(err) if is_not_found(&err) => errors.push(err),
                    Err(err) => return Err(err),
                }
            }
        }
        output.end(&request.rt)?;
    }
    Ok(errors)
}

fn is_not_found(err: &anyhow::Error) -> bool {
    error::reason(err) == Some(Reason::NotFound)
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
            print: crate::cli::PrintArgs {
                allow_missing_template_keys: true,
                ..Default::default()
            },
            ..GetArgs::default()
        }
    }

    #[test]
    fn validates_like_kubectl() {
        let mut selected_names = args(&["pods", "web"]);
        selected_names.selector = Some("app=web".into());
        let err = Options::from_args(selected_names).unwrap_err();
        assert_eq!(
            err.to_string(),
            "name cannot be provided when a selector is specified"
        );

        let mut raw = args(&["pods"]);
        raw.raw = Some("/api".into());
        assert!(Options::from_args(raw).is_err());
        let mut relative = args(&[]);
        relative.raw = Some("api/v1".into());
        assert_eq!(
            Options::from_args(relative).unwrap_err().to_string(),
            "--raw must be a valid URL path: parse \"api/v1\": invalid URI for request"
        );

        let mut labels = args(&["pods"]);
        labels.show_labels = true;
        labels.print.output = Some(crate::print::OutputArg::parse("json").expect("json"));
        assert_eq!(
            Options::from_args(labels).unwrap_err().to_string(),
            "--show-labels option cannot be used with json printer"
        );

        let mut sorted_watch = args(&["pods"]);
        sorted_watch.watch = true;
        sorted_watch.sort_by = Some(".metadata.name".into());
        let options = Options::from_args(sorted_watch).expect("only a warning");
        assert_eq!(options.print.sort_by, None);
        assert_eq!(options.warnings.len(), 1);

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
            no_resources_message(&[request(Some("default"))], "default", false),
            "No resources found in default namespace."
        );
        assert_eq!(
            no_resources_message(&[request(None)], "default", true),
            "No resources found"
        );
        let mut nodes = request(None);
        nodes.rt.namespaced = false;
        assert_eq!(
            no_resources_message(&[request(Some("default")), nodes], "default", false),
            "No resources found"
        );
    }
}
