//! `kz diff`: kubectl's flags, parsed. `cmd::diff` validates them into options.

use clap::Args;

use super::apply::ManifestArgs;

/// `kz diff --help`'s description: what is compared, and how kz differs from kubectl.
pub const LONG_ABOUT: &str = "Diff the live version against a would-be applied version.

Shows what `kz apply` with the same flags would change: for each object of the files, a unified
diff of the object as it is against the object as the server's dry run of the apply answers it, in
YAML, managedFields left out and Secrets' values masked (in the last-applied annotation too).

Like apply, every document is read and checked before anything is requested. The
KUBECTL_EXTERNAL_DIFF environment variable names a program to compare the LIVE and MERGED
directories instead, with words of its own after them (e.g. \"colordiff -N -u\").

Exit status: 0 no differences, 1 differences, 2 kz or the diff program failed.";

/// Diff the live version against a would-be applied version.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Examples:\n  kz diff -f web.yaml\n  cat web.yaml | kz diff -f -\n  kz diff -f manifests/ -R -l app=web\n  KUBECTL_EXTERNAL_DIFF=\"meld\" kz diff -f web.yaml"
)]
pub struct DiffArgs {
    #[command(flatten)]
    pub manifests: ManifestArgs,

    /// Name of the manager that would own the applied fields.
    #[arg(long, value_name = "NAME", default_value = "kz")]
    pub field_manager: String,

    /// Diff as if fields that other managers own were taken over, as apply
    /// --force-conflicts does.
    #[arg(long)]
    pub force_conflicts: bool,

    /// Diff a server-side apply. kz always applies server-side: the flag is accepted so
    /// kubectl command lines work, and --server-side=false is refused.
    #[arg(long, default_value = "true")]
    pub server_side: bool,

    /// Include managedFields in the diff.
    #[arg(long)]
    pub show_managed_fields: bool,

    /// How many objects to ask the server about at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
}
