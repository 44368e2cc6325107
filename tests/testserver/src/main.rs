//! `kz-testserver`: serves a cluster (the recorded fixture cluster, or a generated one) and
//! writes a kubeconfig for it, for benchmarks, demos, and trying kz without a cluster.

use std::path::{Path, PathBuf};
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
    /// Keep the controllers still once the cluster has settled (for benchmarks: nothing
    /// changes between two clients' runs).
    #[arg(long)]
    frozen: bool,
    /// Run this command against the server (KUBECONFIG set to a kubeconfig for it), then stop
    /// and exit with the command's status: `kz-testserver -- kz get pods -A`.
    #[arg(last = true, value_name = "COMMAND")]
    exec: Vec<String>,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `program` with KUBECONFIG pointing at the server; its exit status becomes ours.
fn exec(
    server: &TestServer,
    kubeconfig: Option<&Path>,
    program: &str,
    args: &[String],
) -> Result<ExitCode> {
    let dir = std::env::temp_dir().join(format!("kz-testserver-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = kubeconfig.map_or_else(|| dir.join("kubeconfig"), Path::to_path_buf);
    server.write_kubeconfig(&path, &User::admin())?;
    let status = std::process::Command::new(program)
        .args(args)
        .env("KUBECONFIG", &path)
        .status()
        .with_context(|| format!("running {program}"));
    let _ = std::fs::remove_dir_all(&dir);
    let code = status?.code().unwrap_or(1);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

fn run(args: Args) -> Result<ExitCode> {
    let mut builder = TestServer::builder().port(args.port);
    if args.plain_http {
        builder = builder.plain_http();
    }
    if args.frozen {
        builder = builder.frozen();
    }
    if args.pods.is_some() || args.crds > 0 {
        builder = builder.generated(Generated {
            pods: args.pods.unwrap_or(0),
            namespaces: args.namespaces,
            crds: args.crds,
        });
    }
    let server = builder.try_start()?;
    if let Some((program, program_args)) = args.exec.split_first() {
        return exec(
            &server,
            args.kubeconfig_out.as_deref(),
            program,
            program_args,
        );
    }
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
    Ok(ExitCode::SUCCESS)
}
