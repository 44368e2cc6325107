//! `kz logs`: kubectl's logs command — the object the arguments name (the shared resource
//! builder), its pods and containers by kubectl's rules, then the streams (`logs::run`).
//!
//! The steps and their errors come in kubectl's order: usage, `--since-time`, the object,
//! the flag checks, the containers, `--max-log-requests`. Beyond kubectl: a followed stream
//! the server cuts is resumed; `--include`/`--exclude`, `-o raw|json`; several streams on a
//! terminal are prefixed (in colour where colour is on); `--watch-pods` follows the pods that
//! come and go.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use jiff::SignedDuration;
use serde_json::Value;

use crate::api::{ListQuery, get_object, list_objects};
use crate::cli::{LogFormat, LogsArgs};
use crate::client::ApiClient;
use crate::context::Context;
use crate::discovery::{ResourceType, builtin};
use crate::error::Reason;
use crate::logs::format::{Filter, LineFormat, Style};
use crate::logs::pick::{ContainerChoice, Source, containers, pod_selector};
use crate::logs::pods::pods_for;
use crate::logs::request::LogOptions;
use crate::logs::run::{Mode, PodWatch, Streams, run as run_streams};
use crate::logs::stream::StreamRequest;
use crate::resource::{Builder, Objects, Scope, Target, Verb};
use crate::terminal::Terminal;

/// kubectl's default `--tail` when a selector is given.
const SELECTOR_TAIL: i64 = 10;

/// What the arguments name, fetched: one object, or the pods of `-l`.
enum Named {
    Object(Value),
    Pods(Vec<Value>),
}

pub fn run(args: LogsArgs, ctx: &mut Context) -> Result<()> {
    let plan = Builder::new(Verb::Logs)
        .args(&args.args)
        .label_selector(args.selector.as_deref())
        .parse()?;
    let since_time = args.since_time.as_deref().map(since_time).transpose()?;
    let filter = Filter::new(&args.include, &args.exclude)?;
    if args.watch_pods && !args.follow {
        bail!("--watch-pods needs -f (--follow)");
    }
    let namespace = ctx.namespace()?;
    let scope = Scope {
        namespace: namespace.clone(),
        explicit: ctx.global.namespace.is_some(),
    };
    let client = ctx.client()?;
    let mut discovery = ctx.discovery()?;
    let mut targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;
    let target = match targets.pop() {
        Some(target) if targets.is_empty() => target?,
        _ => bail!("expected a resource"),
    };
    let named = ctx.block_on(fetch(&client, &target, &namespace))??;
    if let Named::Pods(pods) = &named
        && pods.is_empty()
        && !args.watch_pods
    {
        ctx.err
            .line(format!("No resources found in {namespace} namespace."));
    }

    let container = args.args.get(1).or(args.container.as_ref()).cloned();
    validate(&args, container.as_deref(), since_time.is_some())?;
    let setup = Setup {
        client,
        pods: builtin::catalog()
            .resolve_one("pods")
            .cloned()
            .ok_or_else(|| anyhow!("the built-in catalog has no pods"))?,
        options: log_options(&args, since_time),
        filter,
        terminal: ctx.out_terminal(),
        namespace,
        container,
    };
    let streams = if args.watch_pods {
        watched(&args, &setup, &named, ctx.err_terminal().color)?
    } else {
        listed(&args, &setup, named, ctx)?
    };

    let stderr = ctx.err.clone();
    let limit = ctx.global.request_timeout().filter(|_| args.follow);
    let mut out = std::mem::replace(&mut ctx.out, Box::new(std::io::sink()));
    let following = run_streams(streams, &mut *out, &stderr);
    let outcome = ctx.block_on(for_at_most(limit, following));
    ctx.out = out;
    outcome?
}

/// kubectl's `--request-timeout` bounds a follow as a whole: when it runs out, the command
/// fails, what was read printed.
async fn for_at_most(
    limit: Option<std::time::Duration>,
    following: impl std::future::Future<Output = Result<()>>,
) -> Result<()> {
    let Some(limit) = limit else {
        return following.await;
    };
    tokio::time::timeout(limit, following)
        .await
        .unwrap_or_else(|_elapsed| {
            bail!(
                "the request timeout of {} ran out while following",
                crate::error::format_duration(limit)
            )
        })
}

/// What every stream of the command shares.
struct Setup {
    client: ApiClient,
    pods: ResourceType,
    options: LogOptions,
    filter: Filter,
    terminal: Terminal,
    namespace: String,
    /// `-c` or the inline container argument.
    container: Option<String>,
}

impl Setup {
    /// The line format for this many streams: on a terminal, several are prefixed unless
    /// `--prefix=false`; `--all-pods` always prefixes, as in kubectl.
    fn format(&self, args: &LogsArgs, streams: usize) -> Arc<LineFormat> {
        let auto = self.terminal.is_terminal && (streams > 1 || args.watch_pods);
        Arc::new(LineFormat {
            style: match args.output {
                None => Style::Kubectl,
                Some(LogFormat::Raw) => Style::Raw,
                Some(LogFormat::Json) => Style::Json,
            },
            prefix: args.all_pods || args.prefix.unwrap_or(auto),
            colour: self.terminal.color,
            timestamps: args.timestamps,
            filter: self.filter.clone(),
        })
    }

    fn request(&self, source: Source, format: &Arc<LineFormat>) -> StreamRequest {
        StreamRequest {
            client: self.client.clone(),
            pods: self.pods.clone(),
            source,
            options: self.options.clone(),
            format: format.clone(),
        }
    }
}

fn max_streams(args: &LogsArgs) -> usize {
    usize::try_from(args.max_log_requests).unwrap_or(0)
}

/// `--watch-pods`: no streams to start with; the watch of the selected pods starts them.
fn watched(args: &LogsArgs, setup: &Setup, named: &Named, colour: bool) -> Result<Streams> {
    let (namespace, selector) = match named {
        Named::Pods(_) => (
            setup.namespace.clone(),
            args.selector.clone().unwrap_or_default(),
        ),
        Named::Object(object) if object["kind"] == "Pod" => {
            bail!("--watch-pods needs a selector (-l) or a workload (TYPE/NAME)")
        }
        Named::Object(object) => (
            object_namespace(object, &setup.namespace),
            pod_selector(object)?,
        ),
    };
    let watch = PodWatch {
        namespace: namespace.clone(),
        selector,
        container: setup.container.clone(),
        all_containers: args.all_containers,
        max_streams: max_streams(args),
        colour,
    };
    // The watch fills in the pod and container of each stream it starts.
    let template = Source {
        namespace,
        pod: String::new(),
        container: String::new(),
    };
    let format = setup.format(args, 2);
    Ok(Streams {
        requests: Vec::new(),
        mode: Mode::Concurrent,
        ignore_errors: args.ignore_errors,
        watch: Some((watch, setup.request(template, &format))),
    })
}

/// kubectl's streams: the pods named (a workload's best one, or all with `--all-pods`), their
/// containers by kubectl's rules with its notices, in order or, following several, at once.
fn listed(args: &LogsArgs, setup: &Setup, named: Named, ctx: &mut Context) -> Result<Streams> {
    let pods = match named {
        Named::Pods(pods) => pods,
        Named::Object(object) if object["kind"] == "Pod" => vec![object],
        Named::Object(object) => {
            let pods = ctx.block_on(workload_pods(
                &setup.client,
                &setup.pods,
                &object,
                &setup.namespace,
                args.pod_running_timeout,
            ))??;
            if pods.len() > 1 && !args.all_pods {
                let name = pods[0]["metadata"]["name"].as_str().unwrap_or_default();
                ctx.err
                    .line(format!("Found {} pods, using pod/{name}", pods.len()));
            }
            let keep = if args.all_pods { pods.len() } else { 1 };
            pods.into_iter().take(keep).collect()
        }
    };
    let choice = ContainerChoice {
        name: setup.container.as_deref(),
        all: args.all_containers,
        quiet: args.all_pods,
    };
    let mut sources = Vec::new();
    for pod in &pods {
        let chosen = containers(pod, choice)?;
        for notice in &chosen.notices {
            ctx.err.line(notice);
        }
        sources.extend(chosen.sources);
    }
    if args.follow && sources.len() > 1 && sources.len() > max_streams(args) {
        bail!(
            "you are attempting to follow {} log streams, but maximum allowed concurrency is {}, use --max-log-requests to increase the limit",
            sources.len(),
            args.max_log_requests
        );
    }
    let mode = if args.follow && sources.len() > 1 {
        Mode::Concurrent
    } else {
        Mode::Sequential
    };
    let format = setup.format(args, sources.len());
    Ok(Streams {
        requests: sources
            .into_iter()
            .map(|source| setup.request(source, &format))
            .collect(),
        mode,
        ignore_errors: args.ignore_errors,
        watch: None,
    })
}

/// kubectl's checks of the flags, in its order (`LogsOptions.Validate`).
fn validate(args: &LogsArgs, container: Option<&str>, since_time: bool) -> Result<()> {
    let since_seconds = args.since.map(round_to_seconds).filter(|s| *s != 0);
    if since_time && since_seconds.is_some() {
        bail!("at most one of `sinceTime` or `sinceSeconds` may be specified");
    }
    if args.all_containers
        && let Some(name) = container
    {
        bail!("--all-containers=true should not be specified with container name {name}");
    }
    if args.container.is_some() && args.args.len() == 2 {
        bail!("only one of -c or an inline [CONTAINER] arg is allowed");
    }
    if args.limit_bytes < 0 {
        bail!("--limit-bytes must be greater than 0");
    }
    if since_seconds.is_some_and(|seconds| seconds < 0) {
        bail!("--since must be greater than 0");
    }
    if args.tail.is_some_and(|tail| tail < -1) {
        bail!("--tail must be greater than or equal to -1");
    }
    Ok(())
}

/// `--since-time` as the API takes it: RFC 3339 in UTC, to the second.
fn since_time(text: &str) -> Result<String> {
    let time: jiff::Timestamp = text.parse().map_err(|_| {
        // Go's words when the year is not there; past it, Go names the element it stopped
        // at, which kz does not follow.
        let year = text.len() >= 4 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit);
        let element = if year { "RFC3339" } else { "\"2006\"" };
        anyhow!(
            "parsing time {text:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse {text:?} as {element}"
        )
    })?;
    Ok(time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The request options every stream shares (kubectl's `ToLogOptions`), with timestamps asked
/// for where kz needs them: to resume a followed stream, and for `-o json`.
fn log_options(args: &LogsArgs, since_time: Option<String>) -> LogOptions {
    let tail_lines = match args.tail {
        Some(-1) => None,
        Some(tail) => Some(tail),
        None if args.selector.is_some() => Some(SELECTOR_TAIL),
        None => None,
    };
    let limit_bytes = Some(args.limit_bytes).filter(|bytes| *bytes != 0);
    let resumable = args.follow && !args.previous && limit_bytes.is_none();
    LogOptions {
        follow: args.follow,
        previous: args.previous,
        timestamps: args.timestamps || resumable || args.output == Some(LogFormat::Json),
        tail_lines,
        since_seconds: args.since.map(round_to_seconds).filter(|s| *s != 0),
        since_time,
        limit_bytes,
        insecure_skip_tls_verify_backend: args.insecure_skip_tls_verify_backend,
    }
}

/// Go's `Duration.Round(time.Second)` in whole seconds (halves away from zero).
fn round_to_seconds(duration: SignedDuration) -> i64 {
    duration
        .round(jiff::Unit::Second)
        .map_or_else(|_| duration.as_secs(), |rounded| rounded.as_secs())
}

fn object_namespace(object: &Value, default: &str) -> String {
    object["metadata"]["namespace"]
        .as_str()
        .unwrap_or(default)
        .to_string()
}

/// The object or the pods the target names, with kubectl's NotFound wording.
async fn fetch(client: &ApiClient, target: &Target, namespace: &str) -> Result<Named> {
    match &target.objects {
        Objects::Names(names) => {
            let [name] = names.as_slice() else {
                bail!("expected a resource");
            };
            match get_object(client, &target.rt, target.namespace.as_deref(), name).await {
                Ok(object) => Ok(Named::Object(object)),
                Err(err) if crate::error::reason(&err) == Some(Reason::NotFound) => {
                    let message = crate::error::server_error(&err)
                        .map(|e| e.status.message.clone())
                        .unwrap_or_else(|| err.to_string());
                    bail!("error from server (NotFound): {message} in namespace {namespace:?}")
                }
                Err(err) => Err(err),
            }
        }
        Objects::Collection(selectors) => {
            let query = ListQuery {
                label_selector: selectors.label.clone(),
                field_selector: selectors.field.clone(),
                ..ListQuery::default()
            };
            let pods = list_objects(client, &target.rt, target.namespace.as_deref(), query).await?;
            Ok(Named::Pods(pods))
        }
        Objects::Manifest(_) => bail!("expected a resource"),
    }
}

/// The pods of a workload or service, best first (see `logs::pods`).
async fn workload_pods(
    client: &ApiClient,
    pods: &ResourceType,
    object: &Value,
    namespace: &str,
    timeout: Duration,
) -> Result<Vec<Value>> {
    let selector = pod_selector(object)?;
    let namespace = object_namespace(object, namespace);
    pods_for(client, pods, &namespace, &selector, timeout).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &[&str]) -> LogsArgs {
        let cli =
            crate::cli::try_parse_from(["kz", "logs"].iter().copied().chain(line.iter().copied()))
                .expect("valid arguments");
        match cli.command {
            crate::cli::Command::Logs(args) => *args,
            other => panic!("not logs: {other:?}"),
        }
    }

    fn checked(line: &[&str]) -> String {
        let args = args(line);
        let container = args.args.get(1).or(args.container.as_ref()).cloned();
        validate(&args, container.as_deref(), args.since_time.is_some())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn flag_checks_are_kubectls() {
        assert_eq!(
            checked(&["web", "--since=1h", "--since-time=2026-01-01T00:00:00Z"]),
            "at most one of `sinceTime` or `sinceSeconds` may be specified"
        );
        assert_eq!(
            checked(&["web", "app", "--all-containers"]),
            "--all-containers=true should not be specified with container name app"
        );
        assert_eq!(
            checked(&["web", "app", "-c", "app"]),
            "only one of -c or an inline [CONTAINER] arg is allowed"
        );
        assert_eq!(
            checked(&["web", "--limit-bytes=-1"]),
            "--limit-bytes must be greater than 0"
        );
        assert_eq!(
            checked(&["web", "--tail=-2"]),
            "--tail must be greater than or equal to -1"
        );
        assert_eq!(
            checked(&["web", "--since=-5m"]),
            "--since must be greater than 0"
        );
        assert_eq!(
            checked(&["web", "--since=-400ms", "--tail=-1", "--prefix=false"]),
            ""
        );
    }

    #[test]
    fn request_options_follow_kubectls_defaults() {
        let plain = log_options(&args(&["web"]), None);
        assert_eq!(plain, LogOptions::default());
        assert_eq!(
            log_options(&args(&["-l", "app=web"]), None).tail_lines,
            Some(10)
        );
        assert_eq!(
            log_options(&args(&["-l", "app=web", "--tail=-1"]), None).tail_lines,
            None
        );
        let since = log_options(&args(&["web", "--since=90500ms"]), None);
        assert_eq!(since.since_seconds, Some(91));
        let followed = log_options(&args(&["web", "-f"]), None);
        assert!(followed.follow && followed.timestamps, "to resume");
        let limited = log_options(&args(&["web", "-f", "--limit-bytes=10"]), None);
        assert!(!limited.timestamps && limited.limit_bytes == Some(10));
        assert!(log_options(&args(&["web", "-o", "json"]), None).timestamps);
    }

    #[test]
    fn since_time_is_sent_in_utc_to_the_second() {
        assert_eq!(
            since_time("2026-11-22T11:00:05.75+01:00").expect("valid"),
            "2026-11-22T10:00:05Z"
        );
        assert_eq!(
            since_time("yesterday").unwrap_err().to_string(),
            "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\""
        );
    }
}
