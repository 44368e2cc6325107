//! `kz rollout pause`: kubectl's flags. (To be written.)

use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub struct PauseArgs {
    /// TYPE NAME, or TYPE/NAME ...
    #[arg(value_name = "TYPE[/NAME]")]
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ResumeArgs {
    /// TYPE NAME, or TYPE/NAME ...
    #[arg(value_name = "TYPE[/NAME]")]
    pub args: Vec<String>,
}
