//! `kz rollout restart`: stamp the pod template with `kubectl.kubernetes.io/restartedAt`, so
//! the workload's controller rolls its pods.

use anyhow::Result;

use super::patch::{self, Options};
use crate::cli::rollout::RestartArgs;
use crate::context::Context;
use crate::rollout::change::Operation;

pub fn run(args: RestartArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::new(
        Operation::Restart,
        &args.objects,
        args.field_manager,
        &args.print,
    )?;
    patch::run(options, ctx)
}
