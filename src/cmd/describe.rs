//! `kz describe`: resolve what the arguments name (the shared resource builder), fetch the
//! objects, then describe them concurrently — each object's own requests (its events, its
//! ReplicaSets, its pods …) in parallel too — and print the descriptions in order, separated
//! as kubectl separates them.
//!
//! `describe TYPE NAME` where no object is called NAME describes every object whose name
//! starts with it, like kubectl.

use std::io::Write as _;
use std::sync::Arc;

use anyhow::{Result, bail};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::api::{JSON_ACCEPT, ListQuery, get_object, list_objects_to_describe};
use crate::cli::DescribeArgs;
use crate::client::ApiClient;
use crate::context::Context;
use crate::describe::{self, Fetch, Fetched, Settings, events::events_path};
use crate::discovery::ResourceType;
use crate::error::{self, Reason};
use crate::resource::{Builder, Objects, Plan, Scope, Target, Verb};

/// How many objects are described at once (each with its own few requests).
const CONCURRENT_OBJECTS: usize = 8;

/// `describe`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub plan: Plan,
    /// Exactly two arguments: when one names nothing, kubectl takes the second as a prefix
    /// of names of the first (`describe pods web`); for `TYPE/NAME` pairs no name can match
    /// such a prefix, so the NotFound alone is printed.
    pub prefix_of: Option<(String, String)>,
    pub show_events: bool,
    pub chunk_size: Option<u64>,
    pub all_namespaces: bool,
}

impl Options {
    pub fn from_args(args: DescribeArgs) -> Result<Options> {
        let plan = Builder::new(Verb::Describe)
            .args(&args.args)
            .filenames(&args.filenames, args.recursive)
            .label_selector(args.selector.as_deref())
            .all_namespaces(args.all_namespaces)
            .parse()?;
        let prefix_of = match args.args.as_slice() {
            [first, second] => Some((first.clone(), second.clone())),
            _ => None,
        };
        Ok(Options {
            plan,
            prefix_of,
            show_events: args.show_events,
            chunk_size: Some(args.chunk_size).filter(|n| *n > 0),
            all_namespaces: args.all_namespaces,
        })
    }
}

/// One object to describe, with the type it is of.
struct Subject {
    rt: ResourceType,
    object: Value,
}

pub fn run(args: DescribeArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(args)?;
    crate::ui::paint::paint_stdout(ctx, Some(crate::ui::paint::Painting::Describe));
    let namespace = ctx.namespace()?;
    let scope = Scope {
        namespace: namespace.clone(),
        explicit: ctx.global.namespace.is_some(),
    };
    let client = ctx.client()?;
    let mut discovery = ctx.discovery()?;
    let plan = options.plan.clone();
    let targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;
    let settings = Settings {
        show_events: options.show_events,
        now: jiff::Timestamp::now(),
    };
    let outcome = ctx.block_on(collect(&client, &options, targets))??;
    let (subjects, mut errors, by_prefix) = match outcome {
        Collected::Subjects { subjects, errors } => (subjects, errors, false),
        Collected::ByPrefix(subjects) => (subjects, Vec::new(), true),
    };
    let described = ctx.block_on(describe_all(&client, subjects, settings))??;
    let mut printed = 0;
    for text in described {
        match text {
            Ok(Described { text, warning }) => {
                if by_prefix {
                    writeln!(ctx.out, "{text}")?;
                } else if printed == 0 {
                    write!(ctx.out, "{text}")?;
                } else {
                    write!(ctx.out, "\n\n{text}")?;
                }
                if let Some(warning) = warning {
                    ctx.flush()?;
                    ctx.err.line(warning);
                }
            }
            Err(err) => {
                errors.push(err);
                continue;
            }
        }
        printed += 1;
    }
    if printed == 0 && errors.is_empty() {
        ctx.flush()?;
        if options.all_namespaces {
            ctx.err.line("No resources found");
        } else {
            ctx.err
                .line(format!("No resources found in {namespace} namespace."));
        }
    }
    super::report_errors(&ctx.err, super::distinct_errors(errors))
}

/// What the targets came to.
enum Collected {
    /// The objects found, and the errors of those not found (in their place's order).
    Subjects {
        subjects: Vec<Subject>,
        errors: Vec<anyhow::Error>,
    },
    /// `TYPE NAME` matched no name exactly: the objects whose names start with NAME.
    ByPrefix(Vec<Subject>),
}

/// Fetches every object the targets name.
async fn collect(
    client: &ApiClient,
    options: &Options,
    targets: Vec<Result<Target>>,
) -> Result<Collected> {
    let mut subjects = Vec::new();
    let mut errors = Vec::new();
    for target in targets {
        let target = match target {
            Ok(target) => target,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        match &target.objects {
            Objects::Names(names) => {
                for name in names {
                    match get_object(client, &target.rt, target.namespace.as_deref(), name).await {
                        Ok(object) => subjects.push(Subject {
                            rt: target.rt.clone(),
                            object,
                        }),
                        Err(err) if error::reason(&err) == Some(Reason::NotFound) => {
                            let Some((first, prefix)) = &options.prefix_of else {
                                errors.push(err);
                                continue;
                            };
                            if first.contains('/') {
                                return Err(err);
                            }
                            let matching = by_prefix(client, options, &target, prefix).await?;
                            if matching.is_empty() {
                                return Err(err);
                            }
                            return Ok(Collected::ByPrefix(matching));
                        }
                        Err(err) => errors.push(err),
                    }
                }
            }
            Objects::Collection(selectors) => {
                let query = ListQuery {
                    label_selector: selectors.label.clone(),
                    field_selector: selectors.field.clone(),
                    chunk_size: options.chunk_size,
                    include_object: false,
                };
                for object in
                    list_objects_to_describe(client, &target.rt, target.namespace.as_deref(), query)
                        .await?
                {
                    subjects.push(Subject {
                        rt: target.rt.clone(),
                        object,
                    });
                }
            }
            Objects::Manifest(manifest) => {
                let name = manifest.name.clone();
                match get_object(client, &target.rt, target.namespace.as_deref(), &name).await {
                    Ok(object) => subjects.push(Subject {
                        rt: target.rt.clone(),
                        object,
                    }),
                    Err(err) => errors.push(err),
                }
            }
        }
    }
    Ok(Collected::Subjects { subjects, errors })
}

/// The objects of the target's type whose names start with `prefix`.
async fn by_prefix(
    client: &ApiClient,
    options: &Options,
    target: &Target,
    prefix: &str,
) -> Result<Vec<Subject>> {
    let query = ListQuery {
        chunk_size: options.chunk_size,
        ..ListQuery::default()
    };
    let objects =
        list_objects_to_describe(client, &target.rt, target.namespace.as_deref(), query).await?;
    Ok(objects
        .into_iter()
        .filter(|object| {
            object["metadata"]["name"]
                .as_str()
                .is_some_and(|name| name.starts_with(prefix))
        })
        .map(|object| Subject {
            rt: target.rt.clone(),
            object,
        })
        .collect())
}

/// Describes every subject, `CONCURRENT_OBJECTS` at a time; the texts come back in order.
async fn describe_all(
    client: &ApiClient,
    subjects: Vec<Subject>,
    settings: Settings,
) -> Result<Vec<Result<Described>>> {
    let permits = Arc::new(Semaphore::new(CONCURRENT_OBJECTS));
    let mut tasks = Vec::with_capacity(subjects.len());
    for subject in subjects {
        let client = client.clone();
        let permits = Arc::clone(&permits);
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            describe_one(&client, subject, settings).await
        }));
    }
    let mut texts = Vec::with_capacity(tasks.len());
    for task in tasks {
        match task.await {
            Ok(text) => texts.push(text),
            Err(join) => bail!("describing an object failed: {join}"),
        }
    }
    Ok(texts)
}

/// One object's description, and what kz has to say about it that kubectl leaves unsaid.
struct Described {
    text: String,
    /// Its events could not be read: kubectl prints `Events:  <none>` as if there were none
    /// (and so does kz, on stdout); kz also says why, on stderr.
    warning: Option<String>,
}

/// One object's description: its extra requests and its events fetched concurrently, then
/// the text.
async fn describe_one(
    client: &ApiClient,
    subject: Subject,
    settings: Settings,
) -> Result<Described> {
    let Subject { rt, object } = subject;
    let describer = describe::describer_for(&rt.group, &rt.kind);
    let fetches = describer.fetches(&object);
    let related = fetches.into_iter().map(|fetch| {
        let client = client.clone();
        tokio::spawn(async move { fetch_related(&client, fetch).await })
    });
    let related: Vec<_> = related.collect();
    let events = (settings.show_events && describer.shows_events()).then(|| {
        let client = client.clone();
        let path = events_path(&object);
        tokio::spawn(async move { fetch_events(&client, &path).await })
    });
    let mut fetched = Fetched::default();
    for task in related {
        fetched.related.push(match task.await {
            Ok(answer) => answer,
            Err(join) => Err(anyhow::anyhow!("fetching failed: {join}")),
        });
    }
    if let Some(task) = events {
        fetched.events = Some(match task.await {
            Ok(answer) => answer,
            Err(join) => Err(anyhow::anyhow!("fetching events failed: {join}")),
        });
    }
    let warning = match &fetched.events {
        Some(Err(err)) => Some(format!(
            "warning: the events of {}/{} could not be read: {}",
            crate::print::kind_label(&rt),
            object["metadata"]["name"].as_str().unwrap_or_default(),
            error::message(err).trim_start_matches("error: ")
        )),
        _ => None,
    };
    let text = describe::render(describer, &object, &fetched, &settings)?;
    Ok(Described { text, warning })
}

/// The answer to one extra request: a whole List (every page), or one object.
async fn fetch_related(client: &ApiClient, fetch: Fetch) -> Result<Value> {
    let resolve = |resource: &str| {
        crate::discovery::builtin::catalog()
            .resolve_one(resource)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no built-in resource type {resource:?}"))
    };
    match fetch {
        Fetch::List {
            resource,
            namespace,
            label_selector,
            field_selector,
        } => {
            let rt = resolve(resource)?;
            let query = ListQuery {
                label_selector,
                field_selector,
                chunk_size: Some(500),
                include_object: false,
            };
            let items = list_objects_to_describe(client, &rt, namespace.as_deref(), query).await?;
            Ok(serde_json::json!({ "items": items }))
        }
        Fetch::Get {
            resource,
            namespace,
            name,
        } => {
            let rt = resolve(resource)?;
            get_object(client, &rt, namespace.as_deref(), &name).await
        }
    }
}

async fn fetch_events(client: &ApiClient, path: &str) -> Result<Vec<Value>> {
    let mut list: Value = client.get(path, JSON_ACCEPT).await?.json()?;
    match list["items"].take() {
        Value::Array(items) => Ok(items),
        _ => Ok(Vec::new()),
    }
}
