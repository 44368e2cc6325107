//! `kz completion SHELL`: the shell's completion script on stdout.

use anyhow::{Context as _, Result};

use crate::cli::CompletionArgs;
use crate::context::Context;

pub fn run(args: CompletionArgs, ctx: &mut Context) -> Result<()> {
    crate::complete::write_script(args.shell, &mut ctx.out).context("writing the script")
}
