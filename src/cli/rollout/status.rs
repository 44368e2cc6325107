//! `kz rollout status`: kubectl's flags, parsed. `cmd::rollout::status` runs them.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use clap_complete::ArgValueCompleter;

use crate::cli::{parse_go_bool, parse_timeout};

/// Show the status of the rollout.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz rollout status deployment/web\n  kz rollout status sts cache --timeout=5m\n  kz rollout status deploy -l app=shop --watch=false"
)]
pub struct StatusArgs {
    /// TYPE NAME, or TYPE/NAME ...
    #[arg(value_name = "TYPE[/NAME]", add = ArgValueCompleter::new(crate::complete::resource_args))]
    pub args: Vec<String>,

    /// Files, directories, URLs or "-" (stdin) with the objects to wait for.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,

    /// Read directories given with -f recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Label selector (=, ==, !=, in, notin, exists, !key).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Pin to a specific revision for showing its status (Deployments only); 0 for none.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub revision: i64,

    /// Watch the status of the rollout until it's done; false checks once.
    #[arg(
        short = 'w',
        long,
        value_name = "BOOL",
        default_value = "true",
        default_missing_value = "true",
        num_args = 0..=1,
        require_equals = true,
        value_parser = parse_go_bool
    )]
    pub watch: bool,

    /// How long to wait before giving up (e.g. 1s, 2m, 3h); 0 waits forever.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_timeout)]
    pub timeout: Duration,
}
