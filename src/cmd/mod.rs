//! One module per verb: Options (validated from the parsed args, pure) → run (the I/O).

pub mod api_resources;
pub mod api_versions;
pub mod config;
pub mod get;
pub mod version;

use anyhow::Result;

use crate::cli::Command;
use crate::context::Context;

pub fn run(command: Command, ctx: &mut Context) -> Result<()> {
    match command {
        Command::Get(args) => get::run(*args, ctx),
        Command::Version(args) => version::run(args, ctx),
        Command::ApiResources(args) => api_resources::run(args, ctx),
        Command::ApiVersions => api_versions::run(ctx),
        Command::Config(command) => config::run(command, ctx),
    }
}
