//! `kz rollout restart`: kubectl's flags. (To be written.)

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct RestartArgs {
    /// TYPE NAME, or TYPE/NAME ...
    #[arg(value_name = "TYPE[/NAME]")]
    pub args: Vec<String>,
}
