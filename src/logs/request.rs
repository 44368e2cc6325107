//! The log request of one container: kubectl's `PodLogOptions` as a query string, and where a
//! cut stream resumes from.
//!
//! kz asks for timestamps whenever it needs them (to resume a followed stream, for `-o json`)
//! and takes them off again unless `--timestamps` was given. The server takes `sinceTime` to
//! the second, so a resumed stream repeats the lines of the last line's second: the cursor
//! counts the lines seen in that second and skips as many.

use jiff::Timestamp;

use super::pick::Source;
use crate::api::{Query, object_path};
use crate::discovery::ResourceType;

/// What every log request of a command asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOptions {
    pub follow: bool,
    pub previous: bool,
    /// The server adds timestamps to the lines.
    pub timestamps: bool,
    pub tail_lines: Option<i64>,
    pub since_seconds: Option<i64>,
    /// RFC 3339, as given.
    pub since_time: Option<String>,
    pub limit_bytes: Option<i64>,
    pub insecure_skip_tls_verify_backend: bool,
}

/// Where a resumed stream starts: the last line's time and how many lines had that time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    last: Option<(Timestamp, usize)>,
}

impl Cursor {
    /// Notes a line that was written.
    pub fn seen(&mut self, time: Timestamp) {
        self.last = match self.last {
            Some((last, count)) if last == time => Some((last, count + 1)),
            _ => Some((time, 1)),
        };
    }

    /// Whether any line was seen.
    pub fn started(&self) -> bool {
        self.last.is_some()
    }

    /// The `sinceTime` to resume from: the last line's second.
    fn since_time(&self) -> Option<String> {
        self.last
            .map(|(time, _)| time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    /// A filter for the lines of a resumed stream: which of them were written already.
    pub fn replay_filter(&self) -> Replay {
        Replay {
            last: self.last,
            skipped: 0,
        }
    }
}

/// Drops the lines a resumed stream sends again.
#[derive(Debug, Clone, Copy)]
pub struct Replay {
    last: Option<(Timestamp, usize)>,
    skipped: usize,
}

impl Replay {
    /// Whether a line with this time was written before the stream was cut.
    pub fn already_seen(&mut self, time: Option<Timestamp>) -> bool {
        let (Some((last, count)), Some(time)) = (self.last, time) else {
            return false;
        };
        if time < last {
            return true;
        }
        if time == last && self.skipped < count {
            self.skipped += 1;
            return true;
        }
        // Past the cut: nothing more to skip.
        self.last = None;
        false
    }
}

/// The path of a log request, its query in the order client-go writes it (sorted by key).
pub fn log_path(
    pods: &ResourceType,
    source: &Source,
    options: &LogOptions,
    resume: Option<&Cursor>,
) -> String {
    let resuming = resume.filter(|cursor| cursor.started());
    let flag = |on: bool| on.then_some("true");
    let tail = options.tail_lines.map(|n| n.to_string());
    let since_seconds = options.since_seconds.map(|n| n.to_string());
    let limit = options.limit_bytes.map(|n| n.to_string());
    let (since_seconds, since_time, tail) = match resuming {
        Some(cursor) => (None, cursor.since_time(), None),
        None => (since_seconds, options.since_time.clone(), tail),
    };
    let query = Query::new()
        .pair("container", Some(&source.container))
        .pair("follow", flag(options.follow))
        .pair(
            "insecureSkipTLSVerifyBackend",
            flag(options.insecure_skip_tls_verify_backend),
        )
        .pair("limitBytes", limit.as_deref())
        .pair("previous", flag(options.previous))
        .pair("sinceSeconds", since_seconds.as_deref())
        .pair("sinceTime", since_time.as_deref())
        .pair("tailLines", tail.as_deref())
        .pair("timestamps", flag(options.timestamps));
    format!(
        "{}/log{query}",
        object_path(pods, Some(&source.namespace), &source.pod, None)
    )
}

/// Splits the kubelet's `RFC3339Nano message` line into its time and message; a line without
/// a readable time is all message.
pub fn split_timestamp(line: &[u8]) -> (Option<Timestamp>, &[u8]) {
    let Some(space) = line.iter().position(|b| *b == b' ') else {
        return (None, line);
    };
    let time = std::str::from_utf8(&line[..space])
        .ok()
        .and_then(|t| t.parse::<Timestamp>().ok());
    match time {
        Some(time) => (Some(time), &line[space + 1..]),
        None => (None, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::builtin;

    fn pods() -> ResourceType {
        builtin::catalog()
            .resolve_one("pods")
            .expect("pods")
            .clone()
    }

    fn web() -> Source {
        Source {
            namespace: "scratch".into(),
            pod: "scratch-6886649b86-9vj9z".into(),
            container: "main".into(),
        }
    }

    #[test]
    fn the_query_is_kubectls() {
        let options = LogOptions {
            tail_lines: Some(1),
            ..LogOptions::default()
        };
        // tests/fixtures/kubectl-traces/trace-logs.txt
        assert_eq!(
            log_path(&pods(), &web(), &options, None),
            "/api/v1/namespaces/scratch/pods/scratch-6886649b86-9vj9z/log?container=main&tailLines=1"
        );
        let all = LogOptions {
            follow: true,
            previous: true,
            timestamps: true,
            tail_lines: Some(5),
            since_seconds: Some(300),
            since_time: Some("2026-11-22T10:00:00Z".into()),
            limit_bytes: Some(10),
            insecure_skip_tls_verify_backend: true,
        };
        assert_eq!(
            log_path(&pods(), &web(), &all, None),
            "/api/v1/namespaces/scratch/pods/scratch-6886649b86-9vj9z/log?container=main&follow=true&insecureSkipTLSVerifyBackend=true&limitBytes=10&previous=true&sinceSeconds=300&sinceTime=2026-11-22T10%3A00%3A00Z&tailLines=5&timestamps=true"
        );
    }

    #[test]
    fn a_resumed_stream_starts_at_the_last_lines_second_and_skips_what_was_seen() {
        let options = LogOptions {
            follow: true,
            timestamps: true,
            tail_lines: Some(10),
            since_seconds: Some(60),
            ..LogOptions::default()
        };
        let mut cursor = Cursor::default();
        assert!(log_path(&pods(), &web(), &options, Some(&cursor)).contains("tailLines=10"));
        let t = |s: &str| s.parse::<Timestamp>().expect("time");
        cursor.seen(t("2026-11-22T10:00:04.5Z"));
        cursor.seen(t("2026-11-22T10:00:05.1Z"));
        cursor.seen(t("2026-11-22T10:00:05.1Z"));
        let path = log_path(&pods(), &web(), &options, Some(&cursor));
        assert!(
            path.ends_with(
                "log?container=main&follow=true&sinceTime=2026-11-22T10%3A00%3A05Z&timestamps=true"
            ),
            "{path}"
        );
        let mut replay = cursor.replay_filter();
        let resent = [
            "2026-11-22T10:00:05.0Z",
            "2026-11-22T10:00:05.1Z",
            "2026-11-22T10:00:05.1Z",
            "2026-11-22T10:00:05.1Z",
            "2026-11-22T10:00:06Z",
        ];
        let kept: Vec<bool> = resent
            .iter()
            .map(|time| !replay.already_seen(Some(t(time))))
            .collect();
        assert_eq!(kept, [false, false, false, true, true]);
    }

    #[test]
    fn timestamps_are_split_off_when_there_are_any() {
        let (time, message) =
            split_timestamp(b"2026-11-22T10:00:17.000000000Z frontend/web line 18");
        assert_eq!(time, Some("2026-11-22T10:00:17Z".parse().expect("time")));
        assert_eq!(message, b"frontend/web line 18");
        assert_eq!(
            split_timestamp(b"no time here"),
            (None, &b"no time here"[..])
        );
        assert_eq!(split_timestamp(b"oneword"), (None, &b"oneword"[..]));
    }
}
