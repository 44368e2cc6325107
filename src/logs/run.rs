//! Running a command's streams on kz's one thread: each stream is a task that sends whole
//! formatted lines over a bounded channel to the one writer, so lines never interleave
//! mid-line and a slow reader of stdout slows the streams instead of filling memory.
//!
//! Read one after another (kubectl's order for logs it does not follow), or all at once.
//! With `--watch-pods` a watch on the pods adds the streams of pods that start matching and
//! drops those of pods that go away, each with a notice on stderr. Ctrl-C ends every stream
//! and the command succeeds; an error ends them all unless `--ignore-errors`.

use std::collections::{HashMap, VecDeque};
use std::io::Write;

use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use super::colour;
use super::pick::{ContainerChoice, Source, containers};
use super::stream::{Message, StreamRequest, started};
use crate::api::{EventType, JSON_ACCEPT, ListQuery, ListRequest, WatchItem, Watcher};
use crate::error::ExitStatus;
use crate::signals::{CtrlC, EXIT_STOPPED};
use crate::streams::Stderr;

/// Lines in flight between the streams and the writer.
const CHANNEL_LINES: usize = 1024;

/// How the streams run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One after another, each to its end.
    Sequential,
    /// All at once.
    Concurrent,
}

/// The pods to watch for `--watch-pods`, and how their containers are chosen.
#[derive(Debug, Clone)]
pub struct PodWatch {
    pub namespace: String,
    pub selector: String,
    pub container: Option<String>,
    pub all_containers: bool,
    /// Streams followed at most; pods beyond it are announced and left out.
    pub max_streams: usize,
    /// Colour the notices.
    pub colour: bool,
}

/// A command's streams: the first requests, and for `--watch-pods` the template of later
/// ones.
pub struct Streams {
    pub requests: Vec<StreamRequest>,
    pub mode: Mode,
    pub ignore_errors: bool,
    pub watch: Option<(PodWatch, StreamRequest)>,
}

/// The streams running now, and what ended.
struct Running {
    tasks: JoinSet<()>,
    active: HashMap<Source, AbortHandle>,
    /// Streams started while watching (active or ended), for the notice when their pod goes.
    followed: Vec<Source>,
    sender: mpsc::Sender<Message>,
}

impl Running {
    fn start(&mut self, request: StreamRequest) {
        let source = request.source.clone();
        let handle = self.tasks.spawn(request.run(self.sender.clone()));
        self.active.insert(source, handle);
    }
}

/// Runs the streams, writing their lines to `out` as they come.
pub async fn run(streams: Streams, out: &mut dyn Write, stderr: &Stderr) -> Result<()> {
    let (sender, mut receiver) = mpsc::channel(CHANNEL_LINES);
    let mut running = Running {
        tasks: JoinSet::new(),
        active: HashMap::new(),
        followed: Vec::new(),
        sender,
    };
    let mut queue: VecDeque<StreamRequest> = streams.requests.into();
    match streams.mode {
        Mode::Sequential => {
            if let Some(first) = queue.pop_front() {
                running.start(first);
            }
        }
        Mode::Concurrent => queue.drain(..).for_each(|request| running.start(request)),
    }
    let (mut pods, mut watching) = match &streams.watch {
        Some((watch, template)) => (
            Some(spawn_watch(&mut running.tasks, watch, template)),
            Some(Watching::new(watch.clone(), template.clone())),
        ),
        None => (None, None),
    };
    let mut ctrl_c = CtrlC::listen();
    loop {
        if running.active.is_empty() && queue.is_empty() && watching.is_none() {
            break;
        }
        tokio::select! {
            biased;
            // kubectl's interrupt handler ends in `os.Exit(1)`: what was read is printed
            // (whole lines), then the follow ends with exit code 1 and nothing more to say.
            () = ctrl_c.interrupted() => {
                out.flush().context("writing output")?;
                return Err(ExitStatus(EXIT_STOPPED).into());
            }
            message = receiver.recv() => match message {
                Some(Message::Output(bytes)) => {
                    out.write_all(&bytes).context("writing output")?;
                    if receiver.is_empty() {
                        out.flush().context("writing output")?;
                    }
                }
                Some(Message::Ended { source, result }) => {
                    running.active.remove(&source);
                    // Finished tasks stay in the set until joined: while following for long,
                    // pods come and go, so let them go.
                    while running.tasks.try_join_next().is_some() {}
                    if let Err(err) = result {
                        if !streams.ignore_errors {
                            return Err(err);
                        }
                        writeln!(out, "error: {}", stream_error(&err)).context("writing output")?;
                        out.flush().context("writing output")?;
                    }
                    if streams.mode == Mode::Sequential
                        && let Some(next) = queue.pop_front()
                    {
                        running.start(next);
                    }
                }
                None => break,
            },
            item = recv_watch(&mut pods) => {
                let (Some(item), Some(watching)) = (item, watching.as_mut()) else {
                    bail!("the watch of the pods ended");
                };
                watching.handle(item?, &mut running, stderr)?;
            }
        }
    }
    out.flush().context("writing output")
}

async fn recv_watch(
    pods: &mut Option<mpsc::Receiver<Result<WatchItem>>>,
) -> Option<Result<WatchItem>> {
    match pods {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

/// The watch runs in its own task: the writer's `select!` must not cancel it mid-read.
fn spawn_watch(
    tasks: &mut JoinSet<()>,
    watch: &PodWatch,
    template: &StreamRequest,
) -> mpsc::Receiver<Result<WatchItem>> {
    let (sender, receiver) = mpsc::channel(16);
    let request = ListRequest {
        rt: template.pods.clone(),
        namespace: Some(watch.namespace.clone()),
        query: ListQuery {
            label_selector: Some(watch.selector.clone()).filter(|s| !s.is_empty()),
            ..ListQuery::default()
        },
        accept: JSON_ACCEPT,
    };
    let mut watcher = Watcher::start(&template.client, request);
    tasks.spawn(async move {
        loop {
            let item = watcher.next().await;
            let failed = item.is_err();
            if sender.send(item).await.is_err() || failed {
                return;
            }
        }
    });
    receiver
}

/// The words of a stream's error after kubectl's `error: ` (the server's message alone).
fn stream_error(err: &anyhow::Error) -> String {
    match crate::error::server_error(err) {
        Some(server) => server.status.message.clone(),
        None => format!("{err:#}"),
    }
}

/// `--watch-pods`: which pods' streams are wanted, from what the watch says.
struct Watching {
    watch: PodWatch,
    template: StreamRequest,
    /// The first list's pods are read as asked (`--tail`, `--since`); pods seen later are new
    /// and read from their start.
    listed: bool,
}

impl Watching {
    fn new(watch: PodWatch, template: StreamRequest) -> Watching {
        Watching {
            watch,
            template,
            listed: false,
        }
    }

    fn handle(&mut self, item: WatchItem, running: &mut Running, stderr: &Stderr) -> Result<()> {
        match item {
            WatchItem::Listed { page, relist } => {
                let pods: Vec<Value> = page.body["items"].as_array().cloned().unwrap_or_default();
                if relist {
                    let names: Vec<&str> = pods
                        .iter()
                        .filter_map(|p| p["metadata"]["name"].as_str())
                        .collect();
                    let gone: Vec<String> = running
                        .followed
                        .iter()
                        .filter(|s| !names.contains(&s.pod.as_str()))
                        .map(|s| s.pod.clone())
                        .collect();
                    for pod in gone {
                        self.drop_pod(&pod, running, stderr);
                    }
                }
                if !relist && !self.listed {
                    let wanted: usize = pods.iter().map(|pod| self.wanted(pod).len()).sum();
                    if wanted > self.watch.max_streams {
                        bail!(
                            "you are attempting to follow {wanted} log streams, but maximum allowed concurrency is {}, use --max-log-requests to increase the limit",
                            self.watch.max_streams
                        );
                    }
                }
                for pod in &pods {
                    self.add_pod(pod, running, stderr);
                }
                self.listed = true;
            }
            WatchItem::Event { kind, object } => match kind {
                EventType::Added | EventType::Modified => self.add_pod(&object, running, stderr),
                EventType::Deleted => {
                    let name = object["metadata"]["name"].as_str().unwrap_or_default();
                    self.drop_pod(name, running, stderr);
                }
            },
        }
        Ok(())
    }

    /// The sources of `pod` that have a log to read now.
    fn wanted(&self, pod: &Value) -> Vec<Source> {
        let choice = ContainerChoice {
            name: self.watch.container.as_deref(),
            all: self.watch.all_containers,
            quiet: true,
        };
        containers(pod, choice)
            .map(|chosen| chosen.sources)
            .unwrap_or_default()
            .into_iter()
            .filter(|source| started(pod, &source.container))
            .collect()
    }

    fn add_pod(&self, pod: &Value, running: &mut Running, stderr: &Stderr) {
        if !pod["metadata"]["deletionTimestamp"].is_null() {
            return;
        }
        for source in self.wanted(pod) {
            if running.followed.contains(&source) {
                continue;
            }
            let label = format!("pod/{} › {}", source.pod, source.container);
            if running.active.len() >= self.watch.max_streams {
                stderr.line(format!(
                    "! {label}: not followed, {} streams already (--max-log-requests)",
                    running.active.len()
                ));
                continue;
            }
            self.notice(stderr, &format!("+ {label}"), colour::STARTED);
            let mut request = self.template.clone();
            if self.listed {
                request.options.tail_lines = None;
            }
            request.source = source.clone();
            running.followed.push(source);
            running.start(request);
        }
    }

    fn drop_pod(&self, pod: &str, running: &mut Running, stderr: &Stderr) {
        let (gone, kept): (Vec<Source>, Vec<Source>) = std::mem::take(&mut running.followed)
            .into_iter()
            .partition(|source| source.pod == pod);
        running.followed = kept;
        for source in gone {
            if let Some(handle) = running.active.remove(&source) {
                handle.abort();
            }
            let label = format!("- pod/{} › {}", source.pod, source.container);
            self.notice(stderr, &label, colour::STOPPED);
        }
    }

    fn notice(&self, stderr: &Stderr, text: &str, code: u8) {
        if self.watch.colour {
            stderr.line(colour::paint(text, code));
        } else {
            stderr.line(text);
        }
    }
}
