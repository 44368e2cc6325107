//! `kz describe`: kubectl's flags, parsed. `cmd::describe` validates them into options.

use std::path::PathBuf;

use clap::Args;
use clap_complete::ArgValueCompleter;

/// Show details of a specific resource or group of resources.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz describe pod web-7d9-abcde\n  kz describe pods web        # every pod whose name starts with web\n  kz describe deploy/web svc/web\n  kz describe pods -l app=web\n  kz describe -f deploy.yaml"
)]
pub struct DescribeArgs {
    /// TYPE [NAME_PREFIX ...], or TYPE/NAME ...
    #[arg(value_name = "TYPE[/NAME]", add = ArgValueCompleter::new(crate::complete::resource_args))]
    pub args: Vec<String>,

    /// Files, directories, URLs or "-" (stdin) with the objects to describe.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,

    /// Read directories given with -f recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Label selector (=, ==, !=, in, notin, exists, !key).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Describe across all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Show the events of each object.
    #[arg(long, default_value = "true")]
    pub show_events: bool,

    /// Read lists in pages of this many objects; 0 reads them in one request.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub chunk_size: u64,
}
