//! `kz rollout pause` and `resume`. (To be written.)

use anyhow::{Result, bail};

use crate::cli::rollout::{PauseArgs, ResumeArgs};
use crate::context::Context;

pub fn run(_args: PauseArgs, _ctx: &mut Context, _pause: bool) -> Result<()> {
    bail!("rollout pause is not written yet")
}

pub fn run_resume(_args: ResumeArgs, _ctx: &mut Context) -> Result<()> {
    bail!("rollout resume is not written yet")
}
