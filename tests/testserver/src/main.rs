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
    /// Lines in the log of every container (`<pod>/<container> line N`, one a second).
    #[arg(long, default_value_t = kz_testserver::DEFAULT_LOG_LINES)]
    log_lines: usize,
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
    /// and exit with the command's status: `kz-testserver kz get pods -A`. Everything from the
    /// command's name on is the command's own, flags included; a `--` before it is optional
    /// (so `cargo run -p kz-testserver -- kz get pods -A` works as written).
    #[arg(trailing_var_arg = true, value_name = "COMMAND")]
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
    server.set_default_log_lines(args.log_lines);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("kz-testserver").chain(args.iter().copied()))
            .expect("arguments parse")
    }

    #[test]
    fn the_command_may_follow_with_or_without_a_double_dash() {
        for args in [
            &["kz", "get", "pods", "-A"][..],
            &["--", "kz", "get", "pods", "-A"],
        ] {
            assert_eq!(parse(args).exec, ["kz", "get", "pods", "-A"], "{args:?}");
        }
    }

    #[test]
    fn flags_before_the_command_are_the_server_s_and_after_it_the_command_s() {
        let args = parse(&[
            "--port",
            "0",
            "--plain-http",
            "kz",
            "get",
            "pods",
            "--port",
            "1",
        ]);
        assert_eq!((args.port, args.plain_http), (0, true));
        assert_eq!(args.exec, ["kz", "get", "pods", "--port", "1"]);
        let args = parse(&["--frozen", "--", "--odd-program", "-x"]);
        assert!(args.frozen);
        assert_eq!(args.exec, ["--odd-program", "-x"]);
        let args = parse(&["--port", "6443"]);
        assert_eq!((args.port, args.exec.len()), (6443, 0));
    }

    #[test]
    fn an_unknown_server_flag_is_still_an_error() {
        let err = Args::try_parse_from(["kz-testserver", "--prot", "1"]).expect_err("unknown flag");
        assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
    }
}
