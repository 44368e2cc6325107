//! `kz rollout undo`: kubectl's flags.

use clap::Args;

use super::objects::ObjectArgs;
use crate::cli::PrintArgs;

/// Undo a previous rollout.
#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    #[command(flatten)]
    pub objects: ObjectArgs,

    /// The revision to rollback to. Default to 0 (last revision).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub to_revision: i64,

    #[command(flatten)]
    pub dry_run: crate::cli::DryRunArg,

    #[command(flatten)]
    pub print: PrintArgs,
}
