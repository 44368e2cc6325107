//! `kz create -f`: every object of the manifests (read by the shared resource builder) is
//! POSTed to its collection — several at once, a bounded number at a time — and reported in
//! the order the manifests hold them: `deployment.apps/web created`, or the created objects
//! through the shared printer with `-o`.
//!
//! Like kubectl, an object the server refuses (it exists already, it is invalid, the user
//! may not create it) is an error that names its source; the others are still created, and
//! the command then fails.

use std::io::Write as _;
use std::sync::Arc;

use anyhow::{Context as _, Result, anyhow, bail};
use http::Request;
use http::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::api::{JSON_ACCEPT, Query, collection_path};
use crate::apply::{Validation, last_applied};
use crate::cli::{CreateArgs, DryRun};
use crate::client::ApiClient;
use crate::context::Context;
use crate::discovery::ResourceType;
use crate::error;
use crate::print::format::NotAnObjectFormat;
use crate::print::{EachObject, OutputFormat, PrintOptions, kind_label};
use crate::resource::{Builder, Manifest, Objects, Plan, Scope, Target, Verb};
use crate::selector::LabelSelector;

/// How many objects are created at once.
const CONCURRENT_OBJECTS: usize = 8;

/// `create`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub plan: Plan,
    pub field_manager: String,
    pub dry_run: DryRun,
    /// `--validate`: the server's `fieldValidation`.
    pub validation: Validation,
    /// `-l`: only the objects whose labels match.
    pub selector: Option<LabelSelector>,
    /// `--save-config`: the last-applied-configuration annotation on each object.
    pub save_config: bool,
    /// kubectl's warning for a deprecated `--dry-run` spelling.
    pub dry_run_warning: Option<String>,
    /// `-o`: print the created objects instead of `… created` lines.
    pub print: Option<PrintOptions>,
}

impl Options {
    /// Checks the flags in kubectl's order: the dry run, the printer, then the files.
    pub fn from_args(args: CreateArgs) -> Result<Options> {
        let (dry_run, dry_run_warning) = args.dry_run.parse()?;
        let validation = Validation::parse(&args.validate.value)?;
        let selector = crate::apply::input::selector(args.selector.as_deref())?;
        let print = args.print.to_options()?;
        let print = match print.format {
            OutputFormat::Table => None,
            OutputFormat::Wide => return Err(NotAnObjectFormat("wide".to_owned()).into()),
            _ => Some(print),
        };
        let plan = Builder::new(Verb::Create)
            .args(&args.args)
            .filenames(&args.filenames, args.recursive)
            .parse()?;
        Ok(Options {
            plan,
            field_manager: args.field_manager,
            dry_run,
            validation,
            selector,
            save_config: args.save_config,
            dry_run_warning,
            print,
        })
    }
}

/// One manifest object to create, with its type.
struct Pending {
    rt: ResourceType,
    manifest: Manifest,
}

pub fn run(args: CreateArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(args)?;
    if let Some(warning) = &options.dry_run_warning {
        ctx.err.line(warning);
    }
    let scope = Scope {
        namespace: ctx.namespace()?,
        explicit: ctx.global.namespace.is_some(),
    };
    let client = ctx.client()?;
    let mut discovery = ctx.discovery()?;
    let plan = options.plan.clone();
    let targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;
    let mut errors = Vec::new();
    let mut pending = Vec::new();
    for target in targets {
        match target {
            Ok(Target {
                objects: Objects::Manifest(manifest),
                ..
            }) if options
                .selector
                .as_ref()
                .is_some_and(|selector| !selector.matches_object(&manifest.body)) => {}
            Ok(Target {
                rt,
                objects: Objects::Manifest(mut manifest),
                ..
            }) => {
                if options.save_config {
                    manifest.body = last_applied::annotate(&manifest.body);
                }
                pending.push(Pending {
                    rt,
                    manifest: *manifest,
                })
            }
            // `-f` only ever gives manifest objects; anything else is not create's to send.
            Ok(target) => errors.push(anyhow!(
                "create takes objects from files only, not {}",
                target.rt.resource
            )),
            Err(err) => errors.push(err),
        }
    }
    if pending.is_empty() && errors.is_empty() {
        bail!("no objects passed to create");
    }
    let outcomes = ctx.block_on(create_all(&client, &options, &pending))??;

    let mut each = options.print.as_ref().map(EachObject::new);
    let mut failures = Vec::new();
    for (Pending { rt, .. }, outcome) in pending.iter().zip(outcomes) {
        let object = match outcome {
            Ok(object) => object,
            Err(err) => {
                failures.push(err);
                continue;
            }
        };
        match &mut each {
            Some(each) => each.print(rt, object, &mut ctx.out)?,
            None => writeln!(
                ctx.out,
                "{}/{} created{}",
                kind_label(rt),
                object["metadata"]["name"].as_str().unwrap_or_default(),
                options.dry_run.suffix()
            )?,
        }
    }
    ctx.flush()?;
    // Objects that could not be read come before those the server refused: kubectl visits
    // (and so reads) every manifest first.
    errors.append(&mut failures);
    super::report_errors(&ctx.err, errors)
}

/// Creates every object, `CONCURRENT_OBJECTS` at a time; the outcomes (the objects as the
/// server answered, or as written for a client dry run) come back in order.
async fn create_all(
    client: &ApiClient,
    options: &Options,
    pending: &[Pending],
) -> Result<Vec<Result<Value>>> {
    if options.dry_run == DryRun::Client {
        return Ok(pending
            .iter()
            .map(|object| Ok(object.manifest.body.clone()))
            .collect());
    }
    let permits = Arc::new(Semaphore::new(CONCURRENT_OBJECTS));
    let mut tasks = Vec::with_capacity(pending.len());
    for Pending { rt, manifest } in pending {
        let client = client.clone();
        let permits = Arc::clone(&permits);
        let path = create_path(rt, manifest, options);
        let body = manifest.body.clone();
        let source = manifest.origin.source.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            create_one(&client, &path, &body)
                .await
                .map_err(|err| error::with_source(err, "creating", &source))
        }));
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(
            task.await
                .map_err(|err| anyhow!("creating failed: {err}"))?,
        );
    }
    Ok(outcomes)
}

/// The collection to POST an object to, with kubectl's query: the dry run, the field
/// manager, and the field validation `--validate` asks for.
fn create_path(rt: &ResourceType, manifest: &Manifest, options: &Options) -> String {
    let path = collection_path(rt, manifest.namespace.as_deref());
    let query = Query::new()
        .pair(
            "dryRun",
            (options.dry_run == DryRun::Server).then_some("All"),
        )
        .pair("fieldManager", Some(&options.field_manager))
        .pair("fieldValidation", Some(options.validation.query_value()));
    format!("{path}{query}")
}

/// POSTs one object; the created object is the answer.
async fn create_one(client: &ApiClient, path: &str, body: &Value) -> Result<Value> {
    let body = serde_json::to_vec(body).context("encoding the object to create")?;
    let request = Request::post(path)
        .header(ACCEPT, JSON_ACCEPT)
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .with_context(|| format!("building the request for {path}"))?;
    client.send(request).await?.json()
}
