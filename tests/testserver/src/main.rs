//! `kz-testserver`: serves a cluster (the recorded fixture cluster, or a generated one) and
//! writes a kubeconfig for it, for benchmarks, demos, and trying kz without a cluster.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use kz_testserver::{Generated, TestServer, User};

/// Serve a Kubernetes API test cluster on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "kz-testserver", version)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Generate a cluster with this many pods instead of the recorded fixture cluster.
    #[arg(long)]
    pods: Option<usize>,
    /// Namespaces the generated pods are spread over.
    #[arg(long, default_value_t = 1)]
    namespaces: usize,
    /// CustomResourceDefinitions to generate.
    #[arg(long, default_value_t = 0)]
    crds: usize,
    /// Write a kubeconfig for the server here (the admin user, context `kz-test`).
    #[arg(long)]
    kubeconfig_out: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    plain_http: bool,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let mut builder = TestServer::builder().port(args.port);
    if args.plain_http {
        builder = builder.plain_http();
    }
    if args.pods.is_some() || args.crds > 0 {
        builder = builder.generated(Generated {
            pods: args.pods.unwrap_or(0),
            namespaces: args.namespaces,
            crds: args.crds,
        });
    }
    let server = builder.try_start()?;
    if let Some(path) = &args.kubeconfig_out {
        server.write_kubeconfig(path, &User::admin())?;
        eprintln!("kubeconfig written to {}", path.display());
    }
    println!("{}", server.url());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building a runtime to wait for Ctrl-C")?;
    runtime
        .block_on(tokio::signal::ctrl_c())
        .context("waiting for Ctrl-C")?;
    Ok(())
}
