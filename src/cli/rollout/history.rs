//! `kz rollout history`: kubectl's flags.

use clap::Args;

use super::objects::ObjectArgs;
use crate::cli::PrintArgs;

/// View rollout history.
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub objects: ObjectArgs,

    /// See the details, including podTemplate of the revision specified.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub revision: i64,

    #[command(flatten)]
    pub print: PrintArgs,
}
