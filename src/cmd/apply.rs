//! `kz apply -f`: every document of every input is read and checked first (a type discovery
//! knows, or one a CRD of the same input defines; a name; the namespace rules); any error and
//! nothing is written. Then Namespaces and CRDs are applied, the CRDs that the input's other
//! objects need are waited for until established, and everything else follows in input order,
//! several objects at a time (`apply::apply`: one GET and one server-side apply PATCH each),
//! each reported in input order as soon as it and those before it are done.
//!
//! Ctrl-C stops starting new objects; those already sent are waited for and reported, and
//! the command says how many were not applied.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::JoinSet;

use crate::api::{JSON_ACCEPT, ListQuery, ListRequest, WatchItem, Watcher};
use crate::apply::input::{self, Item, Refusal};
use crate::apply::{Applied, Settings, Validation, order};
use crate::cli::{ApplyArgs, DryRun};
use crate::client::ApiClient;
use crate::context::Context;
use crate::discovery::ResourceType;
use crate::error;
use crate::print::objects::list_items;
use crate::print::{OutputFormat, PrintOptions, Printer};
use crate::resource::{Objects, Plan, Target, Verb};
use crate::rollout::status::Kind as RolloutKind;
use crate::selector::LabelSelector;
use crate::signals::CtrlC;
use crate::streams::Stderr;

/// How many objects are applied at once.
const CONCURRENT_OBJECTS: usize = 16;

/// How many objects may be under way or done but waiting for those before them to be
/// reported.
const WINDOW: usize = 4 * CONCURRENT_OBJECTS;

/// What apply says when the input is invalid.
const REFUSAL: Refusal = Refusal {
    verb: "apply",
    done: "applied",
    doing: "writing",
};

/// How long a CRD of the input may take to be established when `--timeout` says nothing.
const CRD_ESTABLISHED_TIMEOUT: Duration = Duration::from_secs(60);

/// `apply`'s validated options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub plan: Plan,
    pub settings: Settings,
    /// kubectl's warning for a deprecated `--dry-run` spelling.
    pub dry_run_warning: Option<String>,
    /// `-o` other than `name`: print the applied objects instead of `… configured` lines.
    pub print: Option<PrintOptions>,
    /// `-o name`.
    pub names_only: bool,
    pub selector: Option<LabelSelector>,
    /// `--wait`, with its timeout (`None`: forever).
    pub wait: Option<Option<Duration>>,
}

impl Options {
    pub fn from_args(args: ApplyArgs) -> Result<Options> {
        refuse_client_side(args.server_side)?;
        let (dry_run, dry_run_warning) = args.dry_run.parse()?;
        let validation = Validation::parse(&args.validate.value)?;
        let print = args.print.to_options()?;
        let (print, names_only) = match print.format {
            OutputFormat::Table => (None, false),
            OutputFormat::Name => (None, true),
            OutputFormat::Wide => {
                bail!(
                    "unable to match a printer suitable for the output format \"wide\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
                );
            }
            _ => (Some(print), false),
        };
        let selector = input::selector(args.manifests.selector.as_deref())?;
        if args.wait && dry_run != DryRun::None {
            bail!("--wait cannot be used with --dry-run: nothing is applied to wait for");
        }
        let plan = args.manifests.builder(Verb::Apply).parse()?;
        Ok(Options {
            plan,
            settings: Settings {
                field_manager: args.field_manager,
                force_conflicts: args.force_conflicts,
                dry_run,
                validation,
            },
            dry_run_warning,
            print,
            names_only,
            selector,
            wait: args
                .wait
                .then_some(Some(args.timeout).filter(|timeout| !timeout.is_zero())),
        })
    }
}

pub fn run(args: ApplyArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::from_args(args)?;
    if let Some(warning) = &options.dry_run_warning {
        ctx.err.line(warning);
    }
    let client = ctx.client()?;
    let items = input::read(ctx, &options.plan, options.selector.as_ref(), REFUSAL)?;
    if items.is_empty() {
        bail!("no objects passed to apply");
    }

    let mut out = std::mem::replace(&mut ctx.out, Box::new(std::io::sink()));
    let mut report = Report::new(&options, ctx.err.clone());
    let outcome = ctx.block_on(apply_in_order(
        &client,
        items,
        &options,
        &mut report,
        &mut out,
    ));
    ctx.out = out;
    let interrupted = outcome??;
    report.finish(&mut ctx.out)?;
    ctx.flush()?;

    if interrupted {
        ctx.err.line(format!(
            "error: interrupted: {} applied, {} not applied",
            report.done, report.skipped
        ));
        for err in &report.failures {
            ctx.err.line(error::message(err).trim_end_matches('\n'));
        }
        return Err(error::Interrupted.into());
    }
    let failures = super::distinct_errors(std::mem::take(&mut report.failures));
    if failures.is_empty()
        && let Some(timeout) = options.wait
    {
        let workloads = report.workloads();
        if !workloads.is_empty() {
            return super::rollout::status::wait_until_rolled_out(ctx, &client, workloads, timeout);
        }
    }
    super::report_errors(&ctx.err, failures)
}

/// Applies Namespaces and CRDs, waits for the CRDs the rest needs, then applies the rest.
/// Whether Ctrl-C stopped it.
async fn apply_in_order(
    client: &ApiClient,
    items: Vec<Item>,
    options: &Options,
    report: &mut Report,
    out: &mut dyn Write,
) -> Result<bool> {
    let (first, rest): (Vec<Item>, Vec<Item>) = items
        .into_iter()
        .partition(|item| order::goes_first(&item.rt));
    let mut interrupt = Interrupt::new();
    apply_phase(
        client,
        &first,
        &options.settings,
        report,
        &mut interrupt,
        out,
    )
    .await?;
    if interrupt.stopped() {
        report.skipped += rest.len();
        return Ok(true);
    }
    let crds = crds_needed(&rest, report);
    if let Err(err) = wait_established(client, &crds, options.wait.flatten(), &mut interrupt).await
    {
        report.failures.push(err);
        report.skipped += rest.len();
        return Ok(interrupt.stopped());
    }
    apply_phase(
        client,
        &rest,
        &options.settings,
        report,
        &mut interrupt,
        out,
    )
    .await?;
    Ok(interrupt.stopped())
}

/// Ctrl-C, once it is pressed: no new object is started.
struct Interrupt {
    stop: watch::Sender<bool>,
}

impl Interrupt {
    fn new() -> Interrupt {
        let (stop, _) = watch::channel(false);
        let on_signal = stop.clone();
        let mut ctrl_c = CtrlC::listen();
        tokio::spawn(async move {
            ctrl_c.interrupted().await;
            on_signal.send_replace(true);
        });
        Interrupt { stop }
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    fn subscribe(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }
}

/// What became of one object.
enum Outcome {
    Applied(Applied),
    Failed(anyhow::Error),
    /// Not started: Ctrl-C came first.
    NotStarted,
}

/// Applies `items` `CONCURRENT_OBJECTS` at a time (the same object never twice at once), and
/// reports each in input order as soon as it and every one before it are done. At most
/// `WINDOW` objects are under way or waiting to be reported, so memory does not grow with
/// the number of objects.
async fn apply_phase(
    client: &ApiClient,
    items: &[Item],
    settings: &Settings,
    report: &mut Report,
    interrupt: &mut Interrupt,
    out: &mut dyn Write,
) -> Result<()> {
    let permits = Arc::new(Semaphore::new(CONCURRENT_OBJECTS));
    let mut previous_of: HashMap<_, oneshot::Receiver<()>> = HashMap::new();
    let mut tasks = JoinSet::new();
    let mut finished: BTreeMap<usize, Outcome> = BTreeMap::new();
    let (mut started, mut next) = (0, 0);
    while next < items.len() {
        while started < items.len() && started < next + WINDOW {
            let item = &items[started];
            let (release, released) = oneshot::channel::<()>();
            let previous = previous_of.insert(item.identity(), released);
            let turn = Turn {
                previous,
                release,
                permits: Arc::clone(&permits),
                stop: interrupt.subscribe(),
            };
            let (client, settings, item, index) =
                (client.clone(), settings.clone(), item.clone(), started);
            tasks.spawn(async move { (index, turn.apply(&client, &item, &settings).await) });
            started += 1;
        }
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        let (index, outcome) = joined.context("applying an object")?;
        finished.insert(index, outcome);
        while let Some(outcome) = finished.remove(&next) {
            report.add(&items[next], outcome, out)?;
            next += 1;
        }
    }
    Ok(())
}

/// One object's turn: after the object's previous appearance in the input, within the
/// concurrency limit, unless Ctrl-C came first.
struct Turn {
    previous: Option<oneshot::Receiver<()>>,
    release: oneshot::Sender<()>,
    permits: Arc<Semaphore>,
    stop: watch::Receiver<bool>,
}

impl Turn {
    async fn apply(mut self, client: &ApiClient, item: &Item, settings: &Settings) -> Outcome {
        if let Some(previous) = self.previous.take() {
            let _ = previous.await;
        }
        let permit = tokio::select! {
            permit = Arc::clone(&self.permits).acquire_owned() => permit.ok(),
            _ = self.stop.wait_for(|stopped| *stopped) => None,
        };
        let outcome = match permit {
            Some(_permit) if !*self.stop.borrow() => {
                match crate::apply::apply(client, &item.rt, &item.manifest, settings).await {
                    Ok(applied) => Outcome::Applied(applied),
                    Err(err) => Outcome::Failed(err),
                }
            }
            _ => Outcome::NotStarted,
        };
        let _ = self.release.send(());
        outcome
    }
}

/// The CRDs of the input that objects still to apply need, and were applied.
fn crds_needed(rest: &[Item], report: &Report) -> Vec<String> {
    let mut crds: Vec<String> = Vec::new();
    for crd in rest.iter().filter_map(|item| item.crd.as_ref()) {
        if !crds.contains(crd) && report.applied_crds.contains(crd) {
            crds.push(crd.clone());
        }
    }
    crds
}

/// Waits until each CRD is established (its `Established` condition is `True`), so that
/// objects of its kinds can be applied.
async fn wait_established(
    client: &ApiClient,
    crds: &[String],
    timeout: Option<Duration>,
    interrupt: &mut Interrupt,
) -> Result<()> {
    let rt = crd_type();
    let limit = timeout.unwrap_or(CRD_ESTABLISHED_TIMEOUT);
    for name in crds {
        let mut stop = interrupt.subscribe();
        let waited = tokio::select! {
            waited = tokio::time::timeout(limit, established(client, &rt, name)) => waited,
            _ = stop.wait_for(|stopped| *stopped) => return Ok(()),
        };
        match waited {
            Ok(result) => result?,
            Err(_) => bail!(
                "timed out after {} waiting for CustomResourceDefinition {name:?} to be established",
                error::format_duration(limit)
            ),
        }
    }
    Ok(())
}

async fn established(client: &ApiClient, rt: &ResourceType, name: &str) -> Result<()> {
    let request = ListRequest {
        rt: rt.clone(),
        namespace: None,
        query: ListQuery {
            field_selector: Some(format!("metadata.name={name}")),
            ..ListQuery::default()
        },
        accept: JSON_ACCEPT,
    };
    let mut watcher = Watcher::start(client, request);
    loop {
        let objects: Vec<Value> = match watcher.next().await? {
            WatchItem::Listed { page, .. } => list_items(rt, page.body).collect(),
            WatchItem::Event { object, .. } => vec![object],
        };
        let is_established = |crd: &Value| {
            crd["status"]["conditions"]
                .as_array()
                .is_some_and(|conditions| {
                    conditions
                        .iter()
                        .any(|c| c["type"] == "Established" && c["status"] == "True")
                })
        };
        if objects.iter().any(is_established) {
            return Ok(());
        }
    }
}

fn crd_type() -> ResourceType {
    ResourceType {
        group: "apiextensions.k8s.io".into(),
        version: "v1".into(),
        resource: "customresourcedefinitions".into(),
        singular: "customresourcedefinition".into(),
        kind: "CustomResourceDefinition".into(),
        namespaced: false,
        verbs: Vec::new(),
        short_names: Vec::new(),
        categories: Vec::new(),
        subresources: Vec::new(),
    }
}

/// What the command prints as objects are done, and what it keeps for the end.
struct Report {
    print: Option<PrintOptions>,
    names_only: bool,
    suffix: &'static str,
    /// Applied objects kept for `-o`, printed at the end like kubectl's.
    objects: Vec<(ResourceType, Value)>,
    /// Applied workloads, for `--wait`.
    applied: Vec<(ResourceType, Option<String>, String)>,
    applied_crds: Vec<String>,
    failures: Vec<anyhow::Error>,
    done: usize,
    skipped: usize,
    /// `--validate=warn`: say which fields were left out.
    warn_unknown: bool,
    stderr: Stderr,
}

impl Report {
    fn new(options: &Options, stderr: Stderr) -> Report {
        Report {
            warn_unknown: options.settings.validation == Validation::Warn,
            stderr,
            print: options.print.clone(),
            names_only: options.names_only,
            suffix: options.settings.dry_run.suffix(),
            objects: Vec::new(),
            applied: Vec::new(),
            applied_crds: Vec::new(),
            failures: Vec::new(),
            done: 0,
            skipped: 0,
        }
    }

    fn add(&mut self, item: &Item, outcome: Outcome, out: &mut dyn Write) -> Result<()> {
        let applied = match outcome {
            Outcome::Applied(applied) => applied,
            Outcome::Failed(err) => {
                self.failures.push(err);
                return Ok(());
            }
            Outcome::NotStarted => {
                self.skipped += 1;
                return Ok(());
            }
        };
        self.done += 1;
        if self.warn_unknown {
            for field in &applied.unknown_fields {
                self.stderr
                    .line(format!("Warning: unknown field {field:?}"));
            }
        }
        if order::is_crd(&item.rt) {
            self.applied_crds.push(item.manifest.name.clone());
        }
        if RolloutKind::of(&item.rt.group, &item.rt.kind).is_some() {
            self.applied.push((
                item.rt.clone(),
                item.manifest.namespace.clone(),
                item.manifest.name.clone(),
            ));
        }
        if self.print.is_some() {
            self.objects.push((item.rt.clone(), applied.object));
            return Ok(());
        }
        if self.names_only {
            writeln!(out, "{}", item.label())
        } else {
            writeln!(
                out,
                "{} {}{}",
                item.label(),
                applied.change.as_str(),
                self.suffix
            )
        }
        .and_then(|()| out.flush())
        .context("writing output")
    }

    /// Prints the objects kept for `-o`: one alone as itself, several as the List kubectl's
    /// apply prints (`metadata: {}`, unlike get's).
    fn finish(&mut self, out: &mut impl Write) -> Result<()> {
        let Some(print) = &self.print else {
            return Ok(());
        };
        let Some((rt, _)) = self.objects.first() else {
            return Ok(());
        };
        let rt = rt.clone();
        let object = if self.objects.len() == 1 {
            self.objects.remove(0).1
        } else {
            let items: Vec<Value> = self
                .objects
                .drain(..)
                .map(|(_, mut object)| {
                    if !print.show_managed_fields
                        && let Some(metadata) =
                            object.get_mut("metadata").and_then(Value::as_object_mut)
                    {
                        metadata.remove("managedFields");
                    }
                    object
                })
                .collect();
            serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {}})
        };
        let mut printer = Printer::new(print, true)?;
        printer.object(&rt, object, out)?;
        printer.finish(out)
    }

    /// The applied workloads, as targets to wait for.
    fn workloads(&self) -> Vec<Target> {
        self.applied
            .iter()
            .map(|(rt, namespace, name)| Target {
                rt: rt.clone(),
                namespace: namespace.clone(),
                objects: Objects::Names(vec![name.clone()]),
            })
            .collect()
    }
}

/// `--server-side=false` asks for kubectl's client-side apply, which kz does not do: refused
/// rather than applied server-side regardless.
pub fn refuse_client_side(server_side: bool) -> Result<()> {
    if !server_side {
        bail!(
            "--server-side=false: kz applies server-side only; use kubectl for a client-side apply"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> ApplyArgs {
        let mut argv = vec!["kz", "apply", "-f", "x.yaml"];
        argv.extend_from_slice(extra);
        // As the binary parses: Go-style booleans (`--flag=false`) included.
        match crate::cli::try_parse_from(argv).expect("parsed").command {
            crate::cli::Command::Apply(args) => *args,
            other => panic!("not apply: {other:?}"),
        }
    }

    #[test]
    fn client_side_apply_is_refused_not_ignored() {
        assert!(Options::from_args(args(&["--server-side"])).is_ok());
        assert!(Options::from_args(args(&["--server-side=true"])).is_ok());
        let refused =
            Options::from_args(args(&["--server-side=false"])).expect_err("client-side apply");
        assert_eq!(
            refused.to_string(),
            "--server-side=false: kz applies server-side only; use kubectl for a client-side apply"
        );
    }

    #[test]
    fn flags_become_settings() {
        let options = Options::from_args(args(&[
            "--dry-run=server",
            "--field-manager=ci",
            "--force-conflicts",
            "--validate=warn",
            "-o",
            "name",
        ]))
        .expect("options");
        assert_eq!(
            options.settings,
            Settings {
                field_manager: "ci".into(),
                force_conflicts: true,
                dry_run: DryRun::Server,
                validation: Validation::Warn,
            }
        );
        assert!(options.names_only);
        assert_eq!(options.print, None);
        let defaults = Options::from_args(args(&[])).expect("options");
        assert_eq!(defaults.settings.field_manager, "kz");
        assert_eq!(defaults.settings.validation, Validation::Strict);
        assert_eq!(defaults.wait, None);
    }

    #[test]
    fn bad_flags_are_refused_before_anything_is_read() {
        let error = |extra: &[&str]| Options::from_args(args(extra)).unwrap_err().to_string();
        assert!(
            error(&["-l", "app in web"])
                .starts_with("the provided selector \"app in web\" is not valid: ")
        );
        assert!(error(&["--validate=maybe"]).starts_with("invalid - validate option"));
        assert!(error(&["--dry-run=sometimes"]).starts_with("Invalid dry-run value"));
        assert!(
            error(&["--wait", "--dry-run=server"])
                .starts_with("--wait cannot be used with --dry-run")
        );
        assert!(error(&["-o", "wide"]).starts_with("unable to match a printer"));
    }
}
