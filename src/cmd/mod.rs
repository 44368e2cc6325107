//! One module per verb: Options (validated from the parsed args, pure) → run (the I/O).

pub mod api_resources;
pub mod api_versions;
pub mod apply;
pub mod completion;
pub mod config;
pub mod create;
pub mod delete;
pub mod describe;
pub mod diff;
pub mod get;
pub mod logs;
pub mod rollout;
pub mod scale;
pub mod version;

use anyhow::Result;

use crate::cli::Command;
use crate::context::Context;

pub fn run(command: Command, ctx: &mut Context) -> Result<()> {
    match command {
        Command::Get(args) => get::run(*args, ctx),
        Command::Describe(args) => describe::run(args, ctx),
        Command::Apply(args) => apply::run(*args, ctx),
        Command::Diff(args) => diff::run(*args, ctx),
        Command::Create(args) => create::run(*args, ctx),
        Command::Delete(args) => delete::run(*args, ctx),
        Command::Scale(args) => scale::run(*args, ctx),
        Command::Logs(args) => logs::run(*args, ctx),
        Command::Rollout(command) => rollout::run(command, ctx),
        Command::Version(args) => version::run(args, ctx),
        Command::ApiResources(args) => api_resources::run(args, ctx),
        Command::ApiVersions => api_versions::run(ctx),
        Command::Config(command) => config::run(command, ctx),
        Command::Completion(args) => completion::run(args, ctx),
    }
}

/// The errors with each message once: objects handled concurrently often fail alike (a type
/// without a scale subresource, forbidden pods) where kubectl, one object at a time, stops
/// at the first or says it once (describe, scale). `get` repeats them, like kubectl's get.
/// A server that cannot be reached is said once, however each connection failed.
pub(crate) fn distinct_errors(errors: Vec<anyhow::Error>) -> Vec<anyhow::Error> {
    let mut seen = std::collections::HashSet::new();
    errors
        .into_iter()
        .filter(|err| {
            let unreachable = err
                .chain()
                .find_map(|cause| cause.downcast_ref::<crate::error::ConnectError>());
            seen.insert(match unreachable {
                Some(connect) => format!("unreachable {}", connect.server),
                None => crate::error::message(err),
            })
        })
        .collect()
}

/// Prints the errors of objects a command could not handle, after its output, the way
/// kubectl's aggregate error prints: one error as usual, several one per line without the
/// `error: ` prefix kz adds (API errors keep their `Error from server (…)` form, usage errors
/// their own words).
pub(crate) fn report_errors(
    stderr: &crate::streams::Stderr,
    mut errors: Vec<anyhow::Error>,
) -> Result<()> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => {
            for err in &errors {
                let line = crate::error::message(err);
                // A usage error's words are kubectl's own, `error: ` included when it has one.
                let worded = err
                    .chain()
                    .any(|cause| cause.is::<crate::resource::UsageError>());
                let line = match line.strip_prefix("error: ") {
                    Some(rest) if !worded => rest,
                    _ => &line,
                };
                stderr.line(line.trim_end_matches('\n'));
            }
            Err(crate::error::AlreadyReported.into())
        }
    }
}
