//! `kz rollout restart`. (To be written.)

use anyhow::{Result, bail};

use crate::cli::rollout::RestartArgs;
use crate::context::Context;

pub fn run(_args: RestartArgs, _ctx: &mut Context) -> Result<()> {
    bail!("rollout restart is not written yet")
}
