//! Container logs, as a kubelet would serve them through `pods/<name>/log`.
//!
//! Tests set or append lines; a container nobody set gets the simulated kubelet's default output
//! (`<pod>/<container> line N`, one line a second, 20 lines), like the recorded cluster.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use jiff::{SignedDuration, Timestamp};
use tokio::sync::broadcast;

/// One log line with the time the container wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub time: Timestamp,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContainerRef {
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

struct ContainerLog {
    lines: Vec<LogLine>,
    previous: Option<Vec<LogLine>>,
    appended: broadcast::Sender<LogLine>,
}

impl ContainerLog {
    fn new(lines: Vec<LogLine>) -> Self {
        ContainerLog {
            lines,
            previous: None,
            appended: broadcast::channel(1024).0,
        }
    }
}

pub struct Logs {
    containers: Mutex<HashMap<ContainerRef, ContainerLog>>,
    /// Lines of a container nobody set (benchmarks ask for thousands).
    default_count: AtomicUsize,
}

impl Default for Logs {
    fn default() -> Self {
        Logs {
            containers: Mutex::default(),
            default_count: AtomicUsize::new(DEFAULT_LINE_COUNT),
        }
    }
}

/// The query options of a log request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogOptions {
    pub follow: bool,
    pub previous: bool,
    pub timestamps: bool,
    pub tail_lines: Option<usize>,
    pub since_seconds: Option<i64>,
    pub since_time: Option<Timestamp>,
    pub limit_bytes: Option<usize>,
}

/// How many lines a container nobody set has, like the recorded cluster's.
pub const DEFAULT_LINE_COUNT: usize = 20;

/// The simulated kubelet's output for a container started at `start`: `count` lines, one a
/// second.
pub fn default_lines(pod: &str, container: &str, start: Timestamp, count: usize) -> Vec<LogLine> {
    (1..=count)
        .map(|n| LogLine {
            time: start + SignedDuration::from_secs(i64::try_from(n - 1).unwrap_or(i64::MAX)),
            text: format!("{pod}/{container} line {n}"),
        })
        .collect()
}

/// The API server hands `sinceTime` on to the kubelet in RFC 3339 without fractions: a
/// request's since time counts to the second.
fn to_the_second(time: Timestamp) -> Timestamp {
    Timestamp::from_second(time.as_second()).unwrap_or(time)
}

impl Logs {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ContainerRef, ContainerLog>> {
        self.containers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many lines containers nobody set have from now on.
    pub fn set_default_count(&self, count: usize) {
        self.default_count.store(count, Ordering::Relaxed);
    }

    fn defaults(&self, container: &ContainerRef, start: Timestamp) -> ContainerLog {
        let count = self.default_count.load(Ordering::Relaxed);
        ContainerLog::new(default_lines(
            &container.pod,
            &container.container,
            start,
            count,
        ))
    }

    /// Replaces a container's output.
    pub fn set(&self, container: ContainerRef, lines: Vec<LogLine>) {
        self.lock().insert(container, ContainerLog::new(lines));
    }

    /// Sets the output of the container's previous instance (`--previous`).
    pub fn set_previous(&self, container: ContainerRef, lines: Vec<LogLine>, start: Timestamp) {
        let defaults = self.defaults(&container, start);
        let mut containers = self.lock();
        let log = containers.entry(container).or_insert(defaults);
        log.previous = Some(lines);
    }

    /// Adds a line now; followers see it at once.
    pub fn append(&self, container: ContainerRef, text: &str, start: Timestamp) {
        let mut containers = self.lock();
        let log = match containers.entry(container) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let defaults = self.defaults(entry.key(), start);
                entry.insert(defaults)
            }
        };
        let line = LogLine {
            time: Timestamp::now(),
            text: text.to_string(),
        };
        log.lines.push(line.clone());
        // Nobody following is fine.
        let _ = log.appended.send(line);
    }

    /// The lines a request gets now, and (when following) a feed of lines appended later.
    /// `None` when `previous` was asked for and there is no previous instance.
    pub fn read(
        &self,
        container: &ContainerRef,
        start: Timestamp,
        options: &LogOptions,
        now: Timestamp,
    ) -> Option<(Vec<LogLine>, Option<broadcast::Receiver<LogLine>>)> {
        let mut containers = self.lock();
        let log = match containers.entry(container.clone()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(self.defaults(container, start)),
        };
        let source = if options.previous {
            log.previous.as_ref()?
        } else {
            &log.lines
        };
        let since = options.since_time.map(to_the_second).or_else(|| {
            options
                .since_seconds
                .map(|s| now - SignedDuration::from_secs(s))
        });
        let mut lines: Vec<LogLine> = source
            .iter()
            .filter(|l| since.is_none_or(|t| l.time >= t))
            .cloned()
            .collect();
        if let Some(tail) = options.tail_lines {
            let skip = lines.len().saturating_sub(tail);
            lines.drain(..skip);
        }
        let feed = (options.follow && !options.previous).then(|| log.appended.subscribe());
        Some((lines, feed))
    }
}

/// One line as the kubelet sends it: with an RFC 3339 nano timestamp when asked.
pub fn render(line: &LogLine, timestamps: bool) -> String {
    if timestamps {
        format!(
            "{} {}\n",
            line.time.strftime("%Y-%m-%dT%H:%M:%S.%9fZ"),
            line.text
        )
    } else {
        format!("{}\n", line.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web() -> ContainerRef {
        ContainerRef {
            namespace: "shop".into(),
            pod: "frontend-1".into(),
            container: "web".into(),
        }
    }

    fn start() -> Timestamp {
        "2026-11-22T10:00:00Z".parse().expect("time")
    }

    #[test]
    fn default_output_matches_the_simulated_kubelet() {
        let logs = Logs::default();
        let options = LogOptions {
            tail_lines: Some(3),
            timestamps: true,
            ..Default::default()
        };
        let (lines, feed) = logs
            .read(&web(), start(), &options, Timestamp::now())
            .expect("lines");
        assert!(feed.is_none());
        let text: String = lines.iter().map(|l| render(l, true)).collect();
        let recorded = std::fs::read_to_string(format!(
            "{}/../fixtures/http/095-pod-log-timestamps.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture")
        .replace("frontend-548fb674cb-h7xms", "frontend-1");
        assert_eq!(text, recorded);
    }

    #[test]
    fn containers_nobody_set_get_the_default_count() {
        let logs = Logs::default();
        logs.set_default_count(5000);
        let (lines, _) = logs
            .read(&web(), start(), &LogOptions::default(), Timestamp::now())
            .expect("lines");
        assert_eq!(lines.len(), 5000);
        assert_eq!(lines[4999].text, "frontend-1/web line 5000");
    }

    #[test]
    fn since_previous_and_follow() {
        let logs = Logs::default();
        let now = start() + SignedDuration::from_secs(19);
        let since = LogOptions {
            since_seconds: Some(2),
            ..Default::default()
        };
        let (lines, _) = logs.read(&web(), start(), &since, now).expect("lines");
        assert_eq!(lines.len(), 3, "lines 18, 19 and 20");
        let since_time = LogOptions {
            since_time: Some(start() + SignedDuration::from_millis(17_900)),
            ..Default::default()
        };
        let (lines, _) = logs.read(&web(), start(), &since_time, now).expect("lines");
        assert_eq!(lines[0].text, "frontend-1/web line 18", "to the second");
        assert!(
            logs.read(
                &web(),
                start(),
                &LogOptions {
                    previous: true,
                    ..Default::default()
                },
                now
            )
            .is_none()
        );
        logs.set_previous(
            web(),
            vec![LogLine {
                time: start(),
                text: "crashed".into(),
            }],
            start(),
        );
        let (prev, _) = logs
            .read(
                &web(),
                start(),
                &LogOptions {
                    previous: true,
                    ..Default::default()
                },
                now,
            )
            .expect("previous");
        assert_eq!(prev[0].text, "crashed");
        let follow = LogOptions {
            follow: true,
            tail_lines: Some(0),
            ..Default::default()
        };
        let (lines, feed) = logs.read(&web(), start(), &follow, now).expect("lines");
        assert!(lines.is_empty());
        let mut feed = feed.expect("feed");
        logs.append(web(), "new line", start());
        assert_eq!(feed.try_recv().expect("appended").text, "new line");
    }
}
