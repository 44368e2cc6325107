//! kz: a fast, friendly Kubernetes command-line client.

use clap::Parser;

/// Parsed command line. Verbs arrive with their own issues; for now kz knows who it is.
#[derive(Debug, Parser)]
#[command(
    name = "kz",
    version,
    about = "A fast, friendly Kubernetes command-line client"
)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
