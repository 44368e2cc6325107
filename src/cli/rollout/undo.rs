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

    /// Must be "none", "server", or "client". If client strategy, only print the object that
    /// would be sent, without sending it. If server strategy, submit server-side request
    /// without persisting the resource.
    #[arg(
        long,
        value_name = "STRATEGY",
        default_value = "none",
        num_args = 0..=1,
        default_missing_value = "unchanged",
        require_equals = true
    )]
    pub dry_run: String,

    #[command(flatten)]
    pub print: PrintArgs,
}
