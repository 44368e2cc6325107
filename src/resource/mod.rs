//! kubectl's resource builder, shared by every verb: what `pods`, `pods,svc web api`,
//! `deploy/web svc/web`, `all`, `-l app=web`, `--all` and `-f FILE|DIR|GLOB|-|URL` (with `-R`)
//! name, as an ordered list of targets.
//!
//! - `args`: the positional arguments, parsed (pure).
//! - `verb`: what each verb accepts, and kubectl's words when it is given nothing.
//! - `files`: `-f` arguments → the files, stdin and URLs to read (globs, directories, `-R`).
//! - `glob`: Go's `filepath.Glob`, which kubectl applies to `-f` paths that do not exist.
//! - `http`: reading `-f https://…`.
//! - `manifest`: the objects in a manifest's text, with their bodies and origins (pure).
//! - `builder`: the combination rules, and resolution against discovery into `Target`s.

pub mod args;
pub mod builder;
pub mod files;
pub mod glob;
pub mod http;
pub mod manifest;
pub mod verb;

pub use args::{Selection, parse_args};
pub use builder::{
    Builder, ManifestError, Objects, Plan, Scope, Selectors, Target, UnknownManifestKind,
    manifest_namespace,
};
pub use manifest::{Manifest, Origin};
pub use verb::{MISSING_RESOURCE, REQUIRED_RESOURCE, Verb};

/// A usage error that kubectl words in a particular way; printed as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Several errors as kubectl prints an aggregate of them: one alone as itself, more one per
/// line without their `error: ` prefix.
fn aggregate(mut errors: Vec<anyhow::Error>) -> anyhow::Error {
    if errors.len() == 1 {
        return errors.remove(0);
    }
    let lines: Vec<String> = errors.iter().map(|err| format!("{err:#}")).collect();
    UsageError(lines.join("\n")).into()
}

/// An I/O error the way Go prints it (see `error::io_message`).
fn io_message(err: &std::io::Error) -> String {
    crate::error::io_message(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_errors_print_one_per_line() {
        let one = aggregate(vec![anyhow::anyhow!("the path \"a\" does not exist")]);
        assert_eq!(
            crate::error::message(&one),
            "error: the path \"a\" does not exist"
        );
        let two = aggregate(vec![anyhow::anyhow!("first"), anyhow::anyhow!("second")]);
        assert_eq!(crate::error::message(&two), "first\nsecond");
    }
}
