//! `kz rollout undo`. (To be written.)

use anyhow::{Result, bail};

use crate::cli::rollout::UndoArgs;
use crate::context::Context;

pub fn run(_args: UndoArgs, _ctx: &mut Context) -> Result<()> {
    bail!("rollout undo is not written yet")
}
