//! `kz-steady-server`: `kz-testserver --pods N` with the workload controller frozen, so that
//! nothing changes while a benchmark runs. Same flags and output as kz-testserver: prints the
//! URL, writes the kubeconfig, serves until killed.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use kz_testserver::{Generated, TestServer, User};

/// Serve a generated, steady Kubernetes API test cluster on 127.0.0.1.
#[derive(Debug, Parser)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Pods to generate.
    #[arg(long, default_value_t = 0)]
    pods: usize,
    /// Namespaces the pods are spread over.
    #[arg(long, default_value_t = 1)]
    namespaces: usize,
    /// CustomResourceDefinitions to generate.
    #[arg(long, default_value_t = 0)]
    crds: usize,
    /// Write a kubeconfig for the server here (the admin user).
    #[arg(long)]
    kubeconfig_out: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let server = TestServer::builder()
        .port(args.port)
        .generated(Generated {
            pods: args.pods,
            namespaces: args.namespaces,
            crds: args.crds,
        })
        .frozen()
        .try_start()?;
    if let Some(path) = &args.kubeconfig_out {
        server.write_kubeconfig(path, &User::admin())?;
        eprintln!("kubeconfig written to {}", path.display());
    }
    println!("{}", server.url());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("building a runtime to wait for Ctrl-C")?
        .block_on(tokio::signal::ctrl_c())
        .context("waiting for Ctrl-C")?;
    Ok(())
}
