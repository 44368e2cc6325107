//! `kz apply`: kubectl's flags, parsed. `cmd::apply` validates them into options.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{PrintArgs, parse_timeout};
use crate::resource::{Builder, Verb};

/// `kz apply --help`'s description: what kz does differently from kubectl, and why.
pub const LONG_ABOUT: &str = "Apply a configuration to resources by file name or stdin.

kz applies server-side (field manager `kz`) and keeps kubectl's last-applied annotation up to date,
so that teammates' `kubectl apply` keeps working on the same objects; objects last applied by
kubectl are taken over without conflicts.

Unlike kubectl, every document of every file is read and checked before anything is written: one
unreadable document, or one of an unknown kind, and nothing is applied. Namespaces and
CustomResourceDefinitions are applied first (a CRD that other objects need is waited for until it
is established), then everything else in the order given.";

/// The configuration files `apply` and `diff` read, and which of their objects count.
#[derive(Debug, Clone, Default, Args)]
pub struct ManifestArgs {
    /// Files, directories, URLs or "-" (stdin) with the configuration.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,

    /// Read directories given with -f recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Only the objects of the files whose labels match this selector (e.g. app=web).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Positional arguments: kubectl refuses them.
    #[arg(hide = true)]
    pub args: Vec<String>,
}

impl ManifestArgs {
    /// A resource builder for `verb` reading these files (positional arguments refused).
    pub fn builder(&self, verb: Verb) -> Builder {
        Builder::new(verb)
            .args(&self.args)
            .filenames(&self.filenames, self.recursive)
    }
}

/// Apply a configuration to resources by file name or stdin.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz apply -f web.yaml\n  kz apply -f manifests/ -R\n  cat web.yaml | kz apply -f -\n  kz apply -f manifests/ -l app=web --dry-run=server\n  kz apply -f web.yaml --wait --timeout=5m\n  kz apply -f web.yaml --force-conflicts"
)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub manifests: ManifestArgs,

    #[command(flatten)]
    pub dry_run: super::DryRunArg,

    /// Name of the manager that owns the applied fields.
    #[arg(long, value_name = "NAME", default_value = "kz")]
    pub field_manager: String,

    /// Take over fields that other managers own instead of failing on them.
    #[arg(long)]
    pub force_conflicts: bool,

    /// Apply server-side. kz always does: the flag is accepted so kubectl command lines work,
    /// and --server-side=false (kubectl's client-side apply) is refused.
    #[arg(long, default_value = "true")]
    pub server_side: bool,

    #[command(flatten)]
    pub validate: super::ValidateArg,

    /// After applying, wait until Deployments, StatefulSets and DaemonSets are rolled out and
    /// every other object exists.
    #[arg(long)]
    pub wait: bool,

    /// With --wait, how long to wait before giving up (e.g. 30s, 5m); 0 waits forever.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_timeout)]
    pub timeout: Duration,

    #[command(flatten)]
    pub print: PrintArgs,
}
