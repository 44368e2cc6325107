//! `kz get`: kubectl's flags, parsed. `cmd::get` validates them into options.

use std::path::PathBuf;

use clap::Args;
use clap_complete::ArgValueCompleter;

use super::PrintArgs;

/// Display one or many resources.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz get pods\n  kz get pods -o wide -A\n  kz get deploy/web svc/web\n  kz get pods,svc -l app=web\n  kz get pods -o jsonpath='{.items[*].metadata.name}'"
)]
pub struct GetArgs {
    /// TYPE[.VERSION][.GROUP] [NAME ...], or TYPE[.VERSION][.GROUP]/NAME ...
    #[arg(value_name = "TYPE[/NAME]", add = ArgValueCompleter::new(crate::complete::resource_args))]
    pub args: Vec<String>,

    #[command(flatten)]
    pub print: PrintArgs,

    /// Label selector (=, ==, !=, in, notin, exists, !key).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Field selector (=, ==, !=), e.g. status.phase=Running.
    #[arg(long, value_name = "SELECTOR")]
    pub field_selector: Option<String>,

    /// List across all namespaces (adds the NAMESPACE column).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Do not report an error when a named object does not exist.
    #[arg(long)]
    pub ignore_not_found: bool,

    /// Read lists in pages of this many objects; 0 reads them in one request.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub chunk_size: u64,

    /// Print the raw answer to a GET of this server path (e.g. /api/v1/namespaces).
    #[arg(long, value_name = "PATH")]
    pub raw: Option<String>,

    /// Get a subresource of the named objects: status or scale.
    #[arg(long, value_name = "NAME")]
    pub subresource: Option<String>,

    /// Files, directories or "-" (stdin) with the objects to get.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,

    /// Read directories given with -f recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// After listing, watch for changes and print them as they happen.
    #[arg(short = 'w', long)]
    pub watch: bool,

    /// Watch for changes without listing first.
    #[arg(long)]
    pub watch_only: bool,

    /// With --watch: print the event type (ADDED, MODIFIED, DELETED) of each change.
    #[arg(long)]
    pub output_watch_events: bool,

    /// Print tables without their header row.
    #[arg(long)]
    pub no_headers: bool,

    /// Add a LABELS column with all labels.
    #[arg(long)]
    pub show_labels: bool,

    /// Add a column per label key (comma-separated or repeated).
    #[arg(short = 'L', long, value_name = "KEY", value_delimiter = ',')]
    pub label_columns: Vec<String>,

    /// Prefix names with their kind (pod/web-1) even for a single type.
    #[arg(long)]
    pub show_kind: bool,

    /// Sort by a JSONPath expression, e.g. '{.metadata.name}' or .status.startTime.
    #[arg(long, value_name = "JSONPATH")]
    pub sort_by: Option<String>,

    /// Ask the server for its table columns; false prints NAME and AGE from the objects, as
    /// kubectl's --server-print=false does.
    #[arg(long, default_value_t = true)]
    pub server_print: bool,
}
