//! `kz scale`: resolve what the arguments name (the shared resource builder), read those
//! objects, then set their size through the `scale` subresource — several objects at once,
//! a bounded number at a time — and print them in the order they were named:
//! `deployment.apps/web scaled`, or the objects through the shared printer with `-o`.
//!
//! Like kubectl, an object that cannot be read or scaled is reported after the others, and
//! the command then fails. The printed object is the one read before scaling, as kubectl
//! prints it.

mod subresource;

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::api::ListQuery;
use crate::api::{get_object, list_objects};
use crate::cli::{DryRun, ScaleArgs};
use crate::client::ApiClient;
use crate::context::Context;
use crate::print::{EachObject, OutputFormat, PrintOptions, kind_label};
use crate::resource::{Objects, Plan, Scope, Target, Verb};
use crate::streams::Stderr;
use subresource::{Precondition, Subject};

/// How many objects are scaled (and waited for) at once.
const CONCURRENT_OBJECTS: usize = 8;

/// `scale`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub plan: Plan,
    pub replicas: u32,
    /// `None`: a blind patch of the size.
    pub precondition: Option<Precondition>,
    /// `--timeout`: how long to wait for the status to reach the size (never for dry runs).
    pub timeout: Option<Duration>,
    pub dry_run: DryRun,
    /// kubectl's warning for a deprecated `--dry-run` spelling.
    pub dry_run_warning: Option<String>,
    /// `-o`: print the objects instead of `… scaled` lines.
    pub print: Option<PrintOptions>,
}

impl Options {
    /// Checks the flags in kubectl's order: the required `--replicas`, the printer, the
    /// counts, then the arguments.
    pub fn from_args(args: ScaleArgs) -> Result<Options> {
        let Some(replicas) = args.replicas else {
            bail!("required flag(s) \"replicas\" not set");
        };
        let (dry_run, dry_run_warning) = args.dry_run.parse()?;
        let print = args.print.to_options()?;
        let print = match print.format {
            OutputFormat::Table => None,
            OutputFormat::Wide => bail!(
                "unable to match a printer suitable for the output format \"wide\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
            ),
            _ => Some(print),
        };
        let replicas = u32::try_from(replicas).map_err(|_| {
            anyhow!(
                "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
            )
        })?;
        if args.current_replicas < -1 {
            bail!("The --current-replicas must specify an integer of -1 or greater");
        }
        let precondition = Precondition {
            replicas: Some(args.current_replicas).filter(|count| *count != -1),
            resource_version: args.resource_version.filter(|version| !version.is_empty()),
        };
        let plan = args.objects.builder(Verb::Scale).all(args.all).parse()?;
        Ok(Options {
            plan,
            replicas,
            precondition: (precondition != Precondition::default()).then_some(precondition),
            timeout: Some(args.timeout)
                .filter(|timeout| !timeout.is_zero() && dry_run == DryRun::None),
            dry_run,
            dry_run_warning,
            print,
        })
    }

    /// What follows `scaled` in the message: kubectl's dry-run suffixes.
    fn suffix(&self) -> &'static str {
        self.dry_run.suffix()
    }
}

/// An object to scale, as it was read.
struct Fetched {
    subject: Subject,
    object: Value,
}

pub fn run(args: ScaleArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(args)?;
    if let Some(warning) = &options.dry_run_warning {
        ctx.err.line(warning);
    }
    let namespace = ctx.namespace()?;
    let scope = Scope {
        namespace,
        explicit: ctx.global.namespace.is_some(),
    };
    let client = ctx.client()?;
    let mut discovery = ctx.discovery()?;
    let plan = options.plan.clone();
    let targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;
    let (fetched, mut errors) = ctx.block_on(collect(&client, targets))??;
    if options
        .precondition
        .as_ref()
        .is_some_and(|precondition| precondition.resource_version.is_some())
        && fetched.len() > 1
    {
        bail!("cannot use --resource-version with multiple resources");
    }
    if fetched.is_empty() {
        // An unreachable server is kubectl's own line, as its discovery would have failed.
        let unreachable = errors.iter().position(|err| {
            err.chain()
                .any(|cause| cause.is::<crate::error::ConnectError>())
        });
        if let Some(index) = unreachable {
            return Err(errors.swap_remove(index));
        }
        return Err(match errors.len() {
            0 => anyhow!("no objects passed to scale"),
            _ => anyhow!("no objects passed to scale {}", go_aggregate(&errors)),
        });
    }
    let progress = ctx.err_terminal().is_terminal.then(|| ctx.err.clone());
    let outcomes = ctx.block_on(scale_all(&client, &options, &fetched, progress))??;

    let mut each = options.print.as_ref().map(EachObject::new);
    let mut failures = Vec::new();
    for (Fetched { subject, object }, outcome) in fetched.into_iter().zip(outcomes) {
        if let Err(err) = outcome {
            failures.push(err);
            continue;
        }
        match &mut each {
            Some(each) => each.print(&subject.rt, object, &mut ctx.out)?,
            None => writeln!(
                ctx.out,
                "{}/{} scaled{}",
                kind_label(&subject.rt),
                subject.name,
                options.suffix()
            )?,
        }
    }
    ctx.flush()?;
    // Failures to scale first, then the objects that could not be read (kubectl's order).
    failures.append(&mut errors);
    super::report_errors(&ctx.err, super::distinct_errors(failures))
}

/// Reads every object the targets name, in order. Objects that cannot be read are errors
/// in the second list; they do not stop the others.
async fn collect(
    client: &ApiClient,
    targets: Vec<Result<Target>>,
) -> Result<(Vec<Fetched>, Vec<anyhow::Error>)> {
    let mut fetched = Vec::new();
    let mut errors = Vec::new();
    for target in targets {
        let target = match target {
            Ok(target) => target,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        let namespace = target.namespace.as_deref();
        let found = |object: Value| Fetched {
            subject: Subject {
                rt: target.rt.clone(),
                namespace: target.namespace.clone(),
                name: object["metadata"]["name"].as_str().unwrap_or("").to_owned(),
            },
            object,
        };
        match &target.objects {
            Objects::Names(names) => {
                for name in names {
                    match get_object(client, &target.rt, namespace, name).await {
                        Ok(object) => fetched.push(found(object)),
                        Err(err) => errors.push(err),
                    }
                }
            }
            Objects::Collection(selectors) => {
                let query = ListQuery {
                    label_selector: selectors.label.clone(),
                    field_selector: selectors.field.clone(),
                    ..ListQuery::default()
                };
                for object in list_objects(client, &target.rt, namespace, query).await? {
                    fetched.push(found(object));
                }
            }
            // kubectl scales the objects of a manifest as written, without reading them.
            Objects::Manifest(manifest) => fetched.push(found(manifest.body.clone())),
        }
    }
    Ok((fetched, errors))
}

/// Scales every object, `CONCURRENT_OBJECTS` at a time; the outcomes come back in order.
async fn scale_all(
    client: &ApiClient,
    options: &Options,
    fetched: &[Fetched],
    progress: Option<Stderr>,
) -> Result<Vec<Result<()>>> {
    if options.dry_run == DryRun::Client {
        return Ok(fetched.iter().map(|_| Ok(())).collect());
    }
    let permits = Arc::new(Semaphore::new(CONCURRENT_OBJECTS));
    let options = Arc::new(options.clone());
    let mut tasks = Vec::with_capacity(fetched.len());
    for Fetched { subject, .. } in fetched {
        let client = client.clone();
        let permits = Arc::clone(&permits);
        let subject = subject.clone();
        let options = Arc::clone(&options);
        let progress = progress.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            scale_one(&client, &subject, &options, progress).await
        }));
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.map_err(|err| anyhow!("scaling failed: {err}"))?);
    }
    Ok(outcomes)
}

/// Scales one object, then waits for it with `--timeout`.
async fn scale_one(
    client: &ApiClient,
    subject: &Subject,
    options: &Options,
    progress: Option<Stderr>,
) -> Result<()> {
    subresource::scale(
        client,
        subject,
        options.replicas,
        options.precondition.as_ref(),
        options.dry_run == DryRun::Server,
    )
    .await?;
    let Some(timeout) = options.timeout else {
        return Ok(());
    };
    let label = format!("{}/{}", kind_label(&subject.rt), subject.name);
    let report = |current: i64| {
        if let Some(stderr) = &progress {
            stderr.line(progress_line(&label, current, options.replicas));
        }
    };
    subresource::wait(client, subject, options.replicas, timeout, report).await
}

/// The line a terminal sees while `--timeout` waits.
fn progress_line(label: &str, current: i64, replicas: u32) -> String {
    format!("Waiting for {label}: {current} of {replicas} replicas")
}

/// Several errors the way Go prints an aggregate inside a message: `[first, second]`.
fn go_aggregate(errors: &[anyhow::Error]) -> String {
    let texts: Vec<String> = errors.iter().map(|err| format!("{err:#}")).collect();
    match texts.as_slice() {
        [one] => one.clone(),
        _ => format!("[{}]", texts.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};

    fn options(args: &[&str]) -> Result<Options> {
        let cli: Cli =
            crate::cli::try_parse_from(["kz", "scale"].into_iter().chain(args.iter().copied()))?;
        let Command::Scale(args) = cli.command else {
            panic!("not a scale command");
        };
        Options::from_args(*args)
    }

    fn error(args: &[&str]) -> String {
        options(args).expect_err("an error").to_string()
    }

    #[test]
    fn counts_are_checked_like_kubectl() {
        assert_eq!(
            error(&["deploy/web"]),
            "required flag(s) \"replicas\" not set"
        );
        assert_eq!(
            error(&["deploy/web", "--replicas=-1"]),
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        );
        assert_eq!(
            error(&["deploy/web", "--replicas=1", "--current-replicas=-2"]),
            "The --current-replicas must specify an integer of -1 or greater"
        );
    }

    #[test]
    fn preconditions_only_when_asked_for() {
        let blind = options(&["deploy/web", "--replicas=3"]).expect("options");
        assert_eq!(blind.precondition, None);
        let checked = options(&[
            "deploy/web",
            "--replicas=3",
            "--current-replicas=2",
            "--resource-version=12",
        ])
        .expect("options");
        assert_eq!(
            checked.precondition,
            Some(Precondition {
                replicas: Some(2),
                resource_version: Some("12".into()),
            })
        );
    }

    #[test]
    fn dry_runs_do_not_wait() {
        let waits = options(&["deploy/web", "--replicas=3", "--timeout=1m"]).expect("options");
        assert_eq!(waits.timeout, Some(Duration::from_secs(60)));
        let dry = options(&[
            "deploy/web",
            "--replicas=3",
            "--timeout=1m",
            "--dry-run=server",
        ])
        .expect("options");
        assert_eq!(dry.timeout, None);
        assert_eq!(dry.suffix(), " (server dry run)");
    }

    #[test]
    fn progress_says_how_far_the_status_is() {
        assert_eq!(
            progress_line("deployment.apps/web", 1, 3),
            "Waiting for deployment.apps/web: 1 of 3 replicas"
        );
    }

    #[test]
    fn aggregates_print_like_go() {
        assert_eq!(go_aggregate(&[anyhow!("a")]), "a");
        assert_eq!(go_aggregate(&[anyhow!("a"), anyhow!("b")]), "[a, b]");
    }
}
