//! `kz rollout restart`: kubectl's flags.

use clap::Args;

use super::objects::{FIELD_MANAGER, ObjectArgs};
use crate::cli::PrintArgs;

/// Restart a resource.
#[derive(Debug, Clone, Args)]
pub struct RestartArgs {
    #[command(flatten)]
    pub objects: ObjectArgs,

    /// Name of the manager used to track field ownership.
    #[arg(long, value_name = "NAME", default_value = FIELD_MANAGER)]
    pub field_manager: String,

    #[command(flatten)]
    pub print: PrintArgs,
}
