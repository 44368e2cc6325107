//! kz: a fast, friendly Kubernetes command-line client.
//!
//! main only wires things: parse → context → dispatch → print the error → exit code.

use std::io::{self, BufWriter, Write as _};
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

use kz::cli::Cli;
use kz::context::{Context, Environment};
use kz::{cmd, error};

fn main() -> ExitCode {
    let cli = parse_args();
    let stdout = Box::new(BufWriter::new(io::stdout()));
    let mut ctx = Context::new(cli.global.clone(), Environment::from_process(), stdout);
    let result = cmd::run(cli.command, &mut ctx);
    // Output printed before a failure still goes out, ahead of the error message.
    let flushed = ctx.flush();
    match result.and(flushed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(io::stderr(), "{}", error::message(&err));
            ExitCode::from(error::EXIT_FAILURE)
        }
    }
}

/// Parses the command line. Installed as `kubectl-kz`, kz is a kubectl plugin and its usage
/// says `kubectl kz`.
fn parse_args() -> Cli {
    let mut command = Cli::command();
    let invoked_as = std::env::args_os()
        .next()
        .and_then(|arg0| {
            std::path::Path::new(&arg0)
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    if invoked_as == "kubectl-kz" {
        command = command.bin_name("kubectl kz");
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
}
