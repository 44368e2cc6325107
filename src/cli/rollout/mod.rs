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
    #[command(
        after_help = "Examples:\n  kz rollout history deployment/web\n  kz rollout history deployment/web --revision=3"
    )]
    History(HistoryArgs),
    /// Undo a previous rollout.
    #[command(
        after_help = "Examples:\n  kz rollout undo deployment/web\n  kz rollout undo deployment/web --to-revision=3\n  kz rollout undo -f web.yaml --dry-run=server"
    )]
    Undo(UndoArgs),
    /// Restart a resource.
    #[command(
        after_help = "Examples:\n  kz rollout restart deployment/web\n  kz rollout restart deployment -l app=web\n  kz rollout restart daemonset/agent statefulset/db"
    )]
    Restart(RestartArgs),
    /// Mark the provided resource as paused.
    #[command(after_help = "Examples:\n  kz rollout pause deployment/web")]
    Pause(PauseArgs),
    /// Resume a paused resource.
    #[command(after_help = "Examples:\n  kz rollout resume deployment/web")]
    Resume(ResumeArgs),
}
