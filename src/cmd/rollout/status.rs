//! `kz rollout status`: resolve what the arguments name (the shared resource builder), then
//! for each object in turn watch it (the shared `api::Watcher`, field selector
//! `metadata.name=…`) and print kubectl's status line each time it changes, until the rollout
//! is done, fails, or `--timeout` passes. A watch the server drops, or a 410, does not end the
//! wait: the watcher resumes or lists again, and the rules are checked on what it hands back.
//!
//! kubectl prints the lines on stdout; so does kz. When stdout is a terminal, kz instead
//! waits for every object at once and draws their progress live (`ui::rollout`), then clears
//! it and prints the lines kubectl ends with.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::Value;
use tokio::task::JoinSet;

use crate::api::{
    EventType, JSON_ACCEPT, ListQuery, ListRequest, Pages, WatchItem, Watcher, object_path,
};
use crate::cli::rollout::StatusArgs;
use crate::client::ApiClient;
use crate::context::Context;
use crate::discovery::ResourceType;
use crate::print::objects::list_items;
use crate::resource::{Builder, Objects, Scope, Target, Verb};
use crate::rollout::status::{Kind, Status, progress, status};
use crate::ui::rollout::{ObjectLine, RolloutDisplay};

/// One object whose rollout is waited for.
struct Subject {
    rt: ResourceType,
    kind: Kind,
    namespace: Option<String>,
    name: String,
}

/// How each object is waited for.
#[derive(Debug, Clone, Copy)]
struct Wait {
    revision: i64,
    watch: bool,
    /// `None` waits forever.
    timeout: Option<Duration>,
    /// The named objects were just written (`apply --wait`): no GET to check they exist.
    known_to_exist: bool,
}

pub fn run(args: StatusArgs, ctx: &mut Context) -> Result<()> {
    if args.revision < 0 {
        bail!("revision must be a positive integer: {}", args.revision);
    }
    let plan = Builder::new(Verb::Rollout)
        .args(&args.args)
        .filenames(&args.filenames, args.recursive)
        .label_selector(args.selector.as_deref())
        .parse()?;
    let namespace = ctx.namespace()?;
    let scope = Scope {
        namespace: namespace.clone(),
        explicit: ctx.global.namespace.is_some(),
    };
    let client = ctx.client()?;
    let mut discovery = ctx.discovery()?;
    let targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;
    let wait = Wait {
        revision: args.revision,
        watch: args.watch,
        timeout: Some(args.timeout).filter(|timeout| !timeout.is_zero()),
        known_to_exist: false,
    };
    wait_for_targets(ctx, &client, targets, wait, &namespace)
}

/// Waits until every workload the targets name is rolled out (kubectl's status rules),
/// within `timeout` for each; `apply --wait` waits this way for what it applied.
pub fn wait_until_rolled_out(
    ctx: &mut Context,
    client: &ApiClient,
    targets: Vec<Target>,
    timeout: Option<Duration>,
) -> Result<()> {
    let namespace = ctx.namespace()?;
    let wait = Wait {
        revision: 0,
        watch: true,
        timeout,
        known_to_exist: true,
    };
    wait_for_targets(
        ctx,
        client,
        targets.into_iter().map(Ok).collect(),
        wait,
        &namespace,
    )
}

/// The status lines of every target's objects (a live display on a terminal).
fn wait_for_targets(
    ctx: &mut Context,
    client: &ApiClient,
    targets: Vec<Result<Target>>,
    wait: Wait,
    namespace: &str,
) -> Result<()> {
    if ctx.out_terminal().is_terminal {
        let color = ctx.out_terminal().color;
        return run_on_terminal(ctx, client, targets, wait, color, namespace);
    }
    let mut out = std::mem::replace(&mut ctx.out, Box::new(std::io::sink()));
    let outcome = ctx.block_on(crate::signals::stop_on_ctrl_c(wait_for_all(
        client, targets, wait, &mut out,
    )));
    ctx.out = out;
    ctx.flush()?;
    let found = outcome??;
    if !found {
        ctx.err
            .line(format!("No resources found in {namespace} namespace."));
    }
    Ok(())
}

/// Waits for every object at once under a live display, then prints each object's last
/// line (in the objects' order) and the errors of those that failed.
fn run_on_terminal(
    ctx: &mut Context,
    client: &ApiClient,
    targets: Vec<Result<Target>>,
    wait: Wait,
    color: bool,
    namespace: &str,
) -> Result<()> {
    let subjects = ctx.block_on(subjects(client, targets, wait))??;
    if subjects.is_empty() {
        ctx.err
            .line(format!("No resources found in {namespace} namespace."));
        return Ok(());
    }
    let display = RolloutDisplay::new(color);
    let outcomes = ctx.block_on(crate::signals::stop_on_ctrl_c(wait_concurrently(
        client, subjects, wait, &display,
    )));
    // Cleared on Ctrl-C too: no progress line is left behind.
    display.clear();
    let outcomes = outcomes??;
    let mut errors = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(line) => writeln!(ctx.out, "{line}").context("writing output")?,
            Err(err) => errors.push(err),
        }
    }
    ctx.flush()?;
    crate::cmd::report_errors(&ctx.err, errors)
}

/// Every object the targets name, checked to exist and to have a rollout.
async fn subjects(
    client: &ApiClient,
    targets: Vec<Result<Target>>,
    wait: Wait,
) -> Result<Vec<Subject>> {
    let mut subjects = Vec::new();
    for target in targets {
        let target = target?;
        for name in names(client, &target, wait).await? {
            subjects.push(subject(&target, name)?);
        }
    }
    Ok(subjects)
}

/// Waits for all the subjects concurrently, each on its own line of the display; each
/// one's last status line, or why its wait failed, in the subjects' order.
async fn wait_concurrently(
    client: &ApiClient,
    subjects: Vec<Subject>,
    wait: Wait,
    display: &RolloutDisplay,
) -> Result<Vec<Result<String>>> {
    let mut tasks = JoinSet::new();
    let count = subjects.len();
    for (index, subject) in subjects.into_iter().enumerate() {
        let mut bars = Bars {
            line: display.add(&format!("{}/{}", subject.rt.singular, subject.name)),
            kind: subject.kind,
            last: String::new(),
        };
        let client = client.clone();
        tasks.spawn(async move {
            let result = wait_for(&client, &subject, wait, &mut bars).await;
            bars.line.finish();
            (index, result.map(|()| bars.last))
        });
    }
    let mut outcomes: Vec<Option<Result<String>>> = (0..count).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        let (index, outcome) = joined.context("waiting for a rollout")?;
        outcomes[index] = Some(outcome);
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|| Err(anyhow!("a rollout wait ended early"))))
        .collect())
}

/// Waits for the targets' objects one after the other, as kubectl does; the first error
/// ends the command. Whether any object was found.
async fn wait_for_all(
    client: &ApiClient,
    targets: Vec<Result<Target>>,
    wait: Wait,
    out: &mut dyn Write,
) -> Result<bool> {
    let mut found = false;
    for target in targets {
        let target = target?;
        for name in names(client, &target, wait).await? {
            found = true;
            let subject = subject(&target, name)?;
            wait_for(client, &subject, wait, &mut Lines::new(&mut *out)).await?;
        }
    }
    Ok(found)
}

/// The names of the target's objects, each checked to exist (kubectl gets each first)
/// unless the caller just wrote them.
async fn names(client: &ApiClient, target: &Target, wait: Wait) -> Result<Vec<String>> {
    let namespace = target.namespace.as_deref();
    let names = match &target.objects {
        Objects::Names(names) => names.clone(),
        Objects::Manifest(manifest) => vec![manifest.name.clone()],
        Objects::Collection(selectors) => {
            let query = ListQuery {
                label_selector: selectors.label.clone(),
                field_selector: selectors.field.clone(),
                chunk_size: Some(500),
                include_object: false,
            };
            return list_names(client, &target.rt, namespace, query).await;
        }
    };
    if !wait.known_to_exist {
        for name in &names {
            client
                .get(&object_path(&target.rt, namespace, name, None), JSON_ACCEPT)
                .await?;
        }
    }
    Ok(names)
}

async fn list_names(
    client: &ApiClient,
    rt: &ResourceType,
    namespace: Option<&str>,
    query: ListQuery,
) -> Result<Vec<String>> {
    let mut pages = Pages::start(client, list_request(rt, namespace, query));
    let mut names = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page?;
        if page.restarted {
            names.clear();
        }
        names.extend(
            list_items(rt, page.body)
                .filter_map(|object| object["metadata"]["name"].as_str().map(String::from)),
        );
    }
    Ok(names)
}

fn list_request(rt: &ResourceType, namespace: Option<&str>, query: ListQuery) -> ListRequest {
    ListRequest {
        rt: rt.clone(),
        namespace: namespace.map(String::from),
        query,
        accept: JSON_ACCEPT,
    }
}

/// The object to wait for, if kubectl has a status viewer for its kind.
fn subject(target: &Target, name: String) -> Result<Subject> {
    let rt = &target.rt;
    let Some(kind) = Kind::of(&rt.group, &rt.kind) else {
        let group_kind = if rt.group.is_empty() {
            rt.kind.clone()
        } else {
            format!("{}.{}", rt.kind, rt.group)
        };
        bail!("no status viewer has been implemented for {group_kind}");
    };
    Ok(Subject {
        rt: rt.clone(),
        kind,
        namespace: target.namespace.clone(),
        name,
    })
}

/// Waits for one object's rollout within the timeout.
async fn wait_for(
    client: &ApiClient,
    subject: &Subject,
    wait: Wait,
    report: &mut impl Report,
) -> Result<()> {
    let watching = watch(client, subject, wait, report);
    match wait.timeout {
        None => watching.await,
        Some(timeout) => match tokio::time::timeout(timeout, watching).await {
            Ok(result) => result,
            Err(_) => bail!("timed out waiting for the condition"),
        },
    }
}

/// Watches one object until its rollout is done (or, without `--watch`, checks it once).
async fn watch(
    client: &ApiClient,
    subject: &Subject,
    wait: Wait,
    report: &mut impl Report,
) -> Result<()> {
    let query = ListQuery {
        field_selector: Some(format!("metadata.name={}", subject.name)),
        ..ListQuery::default()
    };
    let request = list_request(&subject.rt, subject.namespace.as_deref(), query);
    let mut watcher = Watcher::start(client, request);
    loop {
        let objects = match watcher.next().await? {
            WatchItem::Listed { page, .. } => list_items(&subject.rt, page.body).collect(),
            WatchItem::Event {
                kind: EventType::Deleted,
                ..
            } => bail!("object has been deleted"),
            WatchItem::Event { object, .. } => vec![object],
        };
        for object in objects {
            let status = status(subject.kind, &object, wait.revision)?;
            report.report(&object, &status)?;
            if status.done || !wait.watch {
                return Ok(());
            }
        }
    }
}

/// Where a wait tells how the rollout stands, each time the object changes.
trait Report {
    fn report(&mut self, object: &Value, status: &Status) -> Result<()>;
}

/// The status lines, each written once: an event that leaves the status as it was (kubectl
/// prints it again) prints nothing.
struct Lines<'a> {
    out: &'a mut dyn Write,
    last: Option<String>,
}

impl<'a> Lines<'a> {
    fn new(out: &'a mut dyn Write) -> Lines<'a> {
        Lines { out, last: None }
    }

    fn show(&mut self, message: &str) -> Result<()> {
        if self.last.as_deref() == Some(message) {
            return Ok(());
        }
        writeln!(self.out, "{message}")
            .and_then(|()| self.out.flush())
            .context("writing output")?;
        self.last = Some(message.to_string());
        Ok(())
    }
}

impl Report for Lines<'_> {
    fn report(&mut self, _object: &Value, status: &Status) -> Result<()> {
        self.show(&status.message)
    }
}

/// One object's line of the live display; the last message is kept for the final line.
struct Bars {
    line: ObjectLine,
    kind: Kind,
    last: String,
}

impl Report for Bars {
    fn report(&mut self, object: &Value, status: &Status) -> Result<()> {
        self.line.show(progress(self.kind, object), &status.message);
        self.last.clone_from(&status.message);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_does_not_change_is_written_once() {
        let mut out = Vec::new();
        let mut lines = Lines::new(&mut out);
        for message in ["a", "a", "b", "b", "a"] {
            lines.show(message).unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "a\nb\na\n");
    }
}
