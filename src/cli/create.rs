//! `kz create -f`: kubectl's flags, parsed. `cmd::create` validates them into options.

use std::path::PathBuf;

use clap::Args;

use super::PrintArgs;

/// Create a resource from a file or from stdin.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz create -f web.yaml\n  kz create -f manifests/ -R\n  cat web.yaml | kz create -f -"
)]
pub struct CreateArgs {
    /// Files, directories, URLs or "-" (stdin) with the objects to create.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,

    /// Read directories given with -f recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Only the objects of the files whose labels match this selector (e.g. app=web).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Record each object's configuration in its last-applied-configuration annotation, so
    /// that a later client-side `kubectl apply` knows what was applied.
    #[arg(long)]
    pub save_config: bool,

    /// Name of the manager recorded for the fields this creates.
    #[arg(long, value_name = "NAME", default_value = "kubectl-create")]
    pub field_manager: String,

    #[command(flatten)]
    pub dry_run: super::DryRunArg,

    #[command(flatten)]
    pub validate: super::ValidateArg,

    /// Positional arguments: kubectl refuses them (its subcommands are not part of kz).
    #[arg(hide = true)]
    pub args: Vec<String>,

    #[command(flatten)]
    pub print: PrintArgs,
}
