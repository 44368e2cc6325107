//! `kz logs`: kubectl's flags, parsed, and kz's own (`--include`, `--exclude`, `-o`,
//! `--watch-pods`). `cmd::logs` validates them into options.

use std::time::Duration;

use clap::{Args, ValueEnum};
use jiff::SignedDuration;

use super::parse_signed_duration;

/// Print the logs for a container in a pod or specified resource. If the pod has only one
/// container, the container name is optional.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz logs web-0\n  kz logs deploy/web -c app --tail=20\n  kz logs -l app=web -f --include 'ERROR|WARN'\n  kz logs deploy/web -f --watch-pods\n  kz logs -l app=web --since=1h -o json"
)]
pub struct LogsArgs {
    /// POD or TYPE/NAME, then optionally the CONTAINER.
    #[arg(
        value_name = "POD | TYPE/NAME",
        add = clap_complete::ArgValueCompleter::new(crate::complete::pods_or_objects)
    )]
    pub args: Vec<String>,

    /// Print the logs of this container.
    #[arg(short = 'c', long, value_name = "NAME")]
    pub container: Option<String>,

    /// Label selector (=, ==, !=, in, notin, exists, !key).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Get all containers' logs in the pod(s).
    #[arg(long)]
    pub all_containers: bool,

    /// Get logs from all pod(s). Sets prefix to true.
    #[arg(long)]
    pub all_pods: bool,

    /// Specify if the logs should be streamed.
    #[arg(short = 'f', long)]
    pub follow: bool,

    /// Include timestamps on each line in the log output.
    #[arg(long)]
    pub timestamps: bool,

    /// If true, print the logs for the previous instance of the container in a pod if it
    /// exists.
    #[arg(short = 'p', long)]
    pub previous: bool,

    /// Lines of recent log file to display. Defaults to -1 with no selector, showing all log
    /// lines otherwise 10, if a selector is provided.
    #[arg(long, value_name = "LINES", allow_hyphen_values = true)]
    pub tail: Option<i64>,

    /// Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all
    /// logs. Only one of since-time / since may be used.
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = parse_signed_duration,
        allow_hyphen_values = true
    )]
    pub since: Option<SignedDuration>,

    /// Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of
    /// since-time / since may be used.
    #[arg(long, value_name = "TIME")]
    pub since_time: Option<String>,

    /// Maximum bytes of logs to return. Defaults to no limit.
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub limit_bytes: i64,

    /// Prefix each log line with the log source (pod name and container name). On a
    /// terminal, several streams are prefixed unless --prefix=false.
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = super::parse_go_bool
    )]
    pub prefix: Option<bool>,

    /// Specify maximum number of concurrent logs to follow when using by a selector.
    #[arg(
        long,
        value_name = "COUNT",
        default_value_t = 5,
        allow_hyphen_values = true
    )]
    pub max_log_requests: i64,

    /// If watching / following pod logs, allow for any errors that occur to be non-fatal.
    #[arg(long)]
    pub ignore_errors: bool,

    /// The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one
    /// pod is running.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    pub pod_running_timeout: Duration,

    /// Skip verifying the identity of the kubelet that logs are requested from.
    #[arg(long)]
    pub insecure_skip_tls_verify_backend: bool,

    /// Only show lines matching this regular expression (repeat for any of several).
    #[arg(long, value_name = "REGEX")]
    pub include: Vec<String>,

    /// Hide lines matching this regular expression (repeat for several).
    #[arg(long, value_name = "REGEX")]
    pub exclude: Vec<String>,

    /// raw: each line's message alone; json: one object per line (pod, container, namespace,
    /// timestamp, message).
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<LogFormat>,

    /// With -f and a selector or a workload: follow every matching pod, start following pods
    /// that start matching and stop following those that go away (with a notice on stderr).
    #[arg(long)]
    pub watch_pods: bool,
}

/// `-o`: how each log line is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// The message alone: no prefix, no colour.
    Raw,
    /// One JSON object per line.
    Json,
}

/// A Go duration (`30s`, `2m`, `1h30m`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    super::parse_go_duration(text).ok_or_else(|| format!("time: invalid duration {text:?}"))
}
