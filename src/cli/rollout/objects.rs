//! The flags that say which objects a `rollout` subcommand acts on, shared by history, undo,
//! restart, pause and resume.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct ObjectArgs {
    /// TYPE NAME, or TYPE/NAME ...
    #[arg(value_name = "TYPE[/NAME]")]
    pub args: Vec<String>,

    /// Files, directories, URLs or "-" (stdin) with the objects to act on.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,

    /// Read directories given with -f recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Label selector (=, ==, !=, in, notin, exists, !key).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
}

/// `--field-manager`, as kubectl spells its default for rollout's writes.
pub const FIELD_MANAGER: &str = "kubectl-rollout";
