//! `kz rollout`: status, history, undo, restart, pause, resume.

mod history;
mod objects;
mod output;
mod patch;
mod pause;
mod restart;
pub mod status;
mod undo;

use anyhow::Result;

use crate::cli::RolloutCommand;
use crate::context::Context;

pub fn run(command: RolloutCommand, ctx: &mut Context) -> Result<()> {
    match command {
        RolloutCommand::Status(args) => status::run(args, ctx),
        RolloutCommand::History(args) => history::run(args, ctx),
        RolloutCommand::Undo(args) => undo::run(args, ctx),
        RolloutCommand::Restart(args) => restart::run(args, ctx),
        RolloutCommand::Pause(args) => pause::run(args, ctx),
        RolloutCommand::Resume(args) => pause::run_resume(args, ctx),
    }
}
