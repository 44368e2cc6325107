//! `kz rollout …`: kubectl's subcommands and flags, parsed; `cmd::rollout` runs them.

mod history;
mod objects;
mod pause;
mod restart;
mod status;
mod undo;

use clap::Subcommand;

pub use history::HistoryArgs;
pub use objects::{FIELD_MANAGER, ObjectArgs};
pub use pause::{PauseArgs, ResumeArgs};
pub use restart::RestartArgs;
pub use status::StatusArgs;
pub use undo::UndoArgs;

/// Manage the rollout of one or many resources.
#[derive(Debug, Subcommand)]
pub enum RolloutCommand {
    /// Show the status of the rollout.
    Status(StatusArgs),
    /// View rollout history.
    History(HistoryArgs),
    /// Undo a previous rollout.
    Undo(UndoArgs),
    /// Restart a resource.
    Restart(RestartArgs),
    /// Mark the provided resource as paused.
    Pause(PauseArgs),
    /// Resume a paused resource.
    Resume(ResumeArgs),
}
