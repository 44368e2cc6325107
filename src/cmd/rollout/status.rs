//! `kz rollout status`. (To be written.)

use anyhow::{Result, bail};

use crate::cli::rollout::StatusArgs;
use crate::context::Context;

pub fn run(_args: StatusArgs, _ctx: &mut Context) -> Result<()> {
    bail!("rollout status is not written yet")
}
