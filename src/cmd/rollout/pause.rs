//! `kz rollout pause` and `resume`: set or clear a Deployment's `spec.paused`.

use anyhow::Result;

use super::patch::{self, Options};
use crate::cli::rollout::{PauseArgs, ResumeArgs};
use crate::context::Context;
use crate::rollout::change::Operation;

pub fn run(args: PauseArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::new(
        Operation::Pause,
        &args.objects,
        args.field_manager,
        &args.print,
    )?;
    patch::run(options, ctx)
}

pub fn run_resume(args: ResumeArgs, ctx: &mut Context) -> Result<()> {
    let options = Options::new(
        Operation::Resume,
        &args.objects,
        args.field_manager,
        &args.print,
    )?;
    patch::run(options, ctx)
}
