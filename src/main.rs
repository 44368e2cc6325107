//! kz: a fast, friendly Kubernetes command-line client.
//!
//! main only wires things: parse → context → dispatch → print the error → exit code.

use std::io::{self, BufWriter};
use std::process::ExitCode;

use clap::FromArgMatches as _;

use kz::cli::Cli;
use kz::context::{Context, Environment};
use kz::streams::Stderr;
use kz::{cmd, error};

fn main() -> ExitCode {
    kz::complete::complete_if_asked();
    let cli = parse_args();
    let stdout = Box::new(BufWriter::new(io::stdout()));
    let mut ctx = Context::new(
        cli.global.clone(),
        Environment::from_process(),
        stdout,
        Stderr::process(),
    );
    let result = cmd::run(cli.command, &mut ctx);
    // Output printed before a failure still goes out, ahead of the error message.
    let flushed = ctx.flush();
    match result.and(flushed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if error::is_already_reported(&err) => ExitCode::from(error::EXIT_FAILURE),
        Err(err) if error::is_interrupted(&err) => ExitCode::from(error::EXIT_INTERRUPTED),
        Err(err) if error::exit_status(&err).is_some() => {
            ExitCode::from(error::exit_status(&err).unwrap_or(error::EXIT_FAILURE))
        }
        Err(err) => {
            // Like kubectl, a message that already ends its line gets no second newline.
            let message = error::message(&err);
            let newline = if message.ends_with('\n') { "" } else { "\n" };
            ctx.err.print(format_args!("{message}{newline}"));
            ExitCode::from(error::EXIT_FAILURE)
        }
    }
}

/// Parses the command line. Installed as `kubectl-kz`, kz is a kubectl plugin and its usage
/// says `kubectl kz`.
fn parse_args() -> Cli {
    let arg0 = std::env::args_os().next().unwrap_or_default();
    let parsed = kz::cli::command_for(&arg0)
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    parsed.unwrap_or_else(|err| {
        let args: Vec<String> = std::env::args_os()
            .skip(1)
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect();
        let command = kz::cli::command_for(&arg0);
        exit_for_usage(kz::cli::suggest::with_suggestions(err, &command, &args))
    })
}

/// Help and version go to stdout with success; usage errors to stderr with exit code 1, as
/// kubectl does (clap's own default is 2).
fn exit_for_usage(err: clap::Error) -> ! {
    use clap::error::ErrorKind;
    let _ = err.print();
    let code = match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => 0,
        _ => 1,
    };
    std::process::exit(code)
}
