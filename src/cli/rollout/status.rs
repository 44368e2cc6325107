//! `kz rollout status`: kubectl's flags. (To be written.)

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct StatusArgs {
    /// TYPE NAME, or TYPE/NAME ...
    #[arg(value_name = "TYPE[/NAME]")]
    pub args: Vec<String>,
}
