//! `kz rollout history`. (To be written.)

use anyhow::{Result, bail};

use crate::cli::rollout::HistoryArgs;
use crate::context::Context;

pub fn run(_args: HistoryArgs, _ctx: &mut Context) -> Result<()> {
    bail!("rollout history is not written yet")
}
