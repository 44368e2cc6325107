//! The completers attached to kz's args. Each takes the word being completed and returns the
//! candidates that start with it; on any error it returns none.
//!
//! A verb gets them by using the shared args (`cli::ObjectArgs`, the global flags) or by
//! adding one to its own arg: `#[arg(add = ArgValueCompleter::new(crate::complete::pods))]`.

use std::ffi::OsStr;

use clap_complete::CompletionCandidate;

use super::cluster;
use super::words::{self, Typed};

/// `TYPE`, `TYPE NAME` and `TYPE/NAME` positionals: types while no type is typed, then the
/// names of that type's objects (`kz get po <TAB>`, `kz rollout status deploy/<TAB>`).
pub fn resource_args(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(typed) = words::from_process() else {
        return Vec::new();
    };
    let current = current.to_string_lossy();
    let mut ctx = cluster::context(typed.global.clone());
    let catalog = cluster::catalog(&mut ctx);
    let (type_arg, prefix) = match current.split_once('/') {
        Some((type_arg, _)) => (type_arg.to_string(), format!("{type_arg}/")),
        None => match typed.positionals.first() {
            // `kz get po,svc <TAB>` names several types: kubectl offers nothing then.
            Some(first) if first.contains(',') || first.contains('/') => return Vec::new(),
            Some(first) => (first.clone(), String::new()),
            None => return matching(&current, cluster::type_names(&catalog)),
        },
    };
    let Some(rt) = cluster::resolve(&catalog, &type_arg) else {
        return Vec::new();
    };
    let names = cluster::object_names(&mut ctx, &rt).unwrap_or_default();
    matching(
        &current,
        names.into_iter().map(|name| format!("{prefix}{name}")),
    )
}

/// Pod names in the namespace in effect (`kz logs <TAB>`).
pub fn pods(current: &OsStr) -> Vec<CompletionCandidate> {
    names_of("pods", current)
}

/// `kz logs <TAB>`: pod names, or `TYPE/NAME` once a `/` is typed (`deploy/<TAB>`).
pub fn pods_or_objects(current: &OsStr) -> Vec<CompletionCandidate> {
    if current.to_string_lossy().contains('/') {
        resource_args(current)
    } else {
        pods(current)
    }
}

/// `-n`: the cluster's namespaces.
pub fn namespaces(current: &OsStr) -> Vec<CompletionCandidate> {
    names_of("namespaces", current)
}

/// `--context`: the kubeconfig's context names.
pub fn contexts(current: &OsStr) -> Vec<CompletionCandidate> {
    kubeconfig_names(current, |config| {
        config.contexts.iter().map(|c| c.name.clone()).collect()
    })
}

/// `--cluster`: the kubeconfig's cluster names.
pub fn clusters(current: &OsStr) -> Vec<CompletionCandidate> {
    kubeconfig_names(current, |config| {
        config.clusters.iter().map(|c| c.name.clone()).collect()
    })
}

/// `--user`: the kubeconfig's user names.
pub fn users(current: &OsStr) -> Vec<CompletionCandidate> {
    kubeconfig_names(current, |config| {
        config.auth_infos.iter().map(|u| u.name.clone()).collect()
    })
}

fn names_of(resource: &str, current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = words::from_process().unwrap_or_default();
    let mut ctx = cluster::context(typed.global);
    let catalog = cluster::catalog(&mut ctx);
    let Some(rt) = cluster::resolve(&catalog, resource) else {
        return Vec::new();
    };
    let names = cluster::object_names(&mut ctx, &rt).unwrap_or_default();
    matching(&current.to_string_lossy(), names)
}

fn kubeconfig_names(
    current: &OsStr,
    names: impl Fn(&kube::config::Kubeconfig) -> Vec<String>,
) -> Vec<CompletionCandidate> {
    let Typed { global, .. } = words::from_process().unwrap_or_default();
    let mut ctx = cluster::context(global);
    let Ok(kubeconfigs) = ctx.kubeconfigs() else {
        return Vec::new();
    };
    matching(&current.to_string_lossy(), names(kubeconfigs.merged()))
}

/// The candidates among `values` that start with `current`, in order.
fn matching(current: &str, values: impl IntoIterator<Item = String>) -> Vec<CompletionCandidate> {
    values
        .into_iter()
        .filter(|value| value.starts_with(current))
        .map(CompletionCandidate::new)
        .collect()
}
