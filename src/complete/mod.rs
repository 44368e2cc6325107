//! Shell completion, computed by kz itself each time the shell asks (as kubectl's cobra does).
//!
//! The scripts `kz completion SHELL` prints (clap_complete's `CompleteEnv` registrations) are
//! small shims: on TAB they run `KZ_COMPLETE=SHELL kz -- WORDS…`, and kz answers from its clap
//! definition — verbs, flags, and each flag's values — so a new verb or flag completes without
//! touching the scripts. Values that come from outside the definition hang off the args:
//!
//! - `words`: the command line before the cursor, parsed leniently (the flags given so far and
//!   the positional words of the verb), since clap hands a completer only the current word.
//! - `cluster`: resource types from the discovery cache (no request) and object names from one
//!   metadata-only list request with a short timeout.
//! - `completers`: the functions attached to args (`add = ArgValueCompleter::new(…)`):
//!   `resource_args` for `TYPE[/NAME]` positionals, `pods`, `namespaces`, and kubeconfig
//!   `contexts`, `clusters` and `users`.
//!
//! Completion is silent: whatever fails gives no candidates, nothing on stderr, exit code 0.

mod cluster;
mod completers;
mod words;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use clap_complete::env::{Bash, EnvCompleter, Fish, Powershell, Shells, Zsh};

use crate::cli::CompletionShell;

pub use completers::{clusters, contexts, namespaces, pods, pods_or_objects, resource_args, users};

/// The environment variable the scripts set when they ask kz for candidates.
pub const COMPLETE_ENV: &str = "KZ_COMPLETE";

/// Answers the shell and exits when kz was started by a completion script (`KZ_COMPLETE` set);
/// returns at once otherwise. main calls it before parsing the command line.
pub fn complete_if_asked() {
    if std::env::var_os(COMPLETE_ENV).is_none_or(|shell| shell.is_empty() || shell == "0") {
        return;
    }
    // Not even a bug may print into the user's shell line.
    std::panic::set_hook(Box::new(|_| {}));
    let current_dir = std::env::current_dir().ok();
    // An error (an unknown shell, a closed pipe) gives no candidates, quietly.
    let _ = clap_complete::CompleteEnv::with_factory(crate::cli::command)
        .var(COMPLETE_ENV)
        .shells(Shells(SHELLS))
        .bin("kz")
        .completer("kz")
        .try_complete(std::env::args_os(), current_dir.as_deref());
    std::process::exit(0)
}

/// Writes the completion script for `shell`: it completes `kz` by running the `kz` found on
/// `PATH`.
pub fn write_script(shell: CompletionShell, out: &mut dyn Write) -> std::io::Result<()> {
    let completer: &dyn EnvCompleter = match shell {
        CompletionShell::Bash => &Bash,
        CompletionShell::Zsh => &Zsh,
        CompletionShell::Fish => &Fish,
        CompletionShell::Powershell => &Powershell,
    };
    completer.write_registration(COMPLETE_ENV, "kz", "kz", "kz", out)
}

/// The shells kz answers, each offering flags only once a `-` is typed.
const SHELLS: &[&dyn EnvCompleter] = &[
    &FlagsOnDash(&Bash),
    &FlagsOnDash(&Zsh),
    &FlagsOnDash(&Fish),
    &FlagsOnDash(&Powershell),
];

/// A shell adapter that, for an empty word, offers no flags, as kubectl does: `kz get po <TAB>`
/// lists pods, not forty flags, and nothing when the cluster cannot be reached. Flags are
/// hidden for clap's engine, which still offers hidden flags when nothing else matches; such
/// an answer is dropped.
struct FlagsOnDash(&'static dyn EnvCompleter);

impl EnvCompleter for FlagsOnDash {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn is(&self, name: &str) -> bool {
        self.0.is(name)
    }

    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        self.0.write_registration(var, name, bin, completer, buf)
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&Path>,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        let index = std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|index| index.parse::<usize>().ok())
            .unwrap_or(args.len().saturating_sub(1));
        let current_is_empty = args.get(index).is_none_or(|word| word.is_empty());
        if !current_is_empty {
            return self.0.write_complete(cmd, args, current_dir, buf);
        }
        *cmd = hide_flags(std::mem::take(cmd));
        let mut answer = Vec::new();
        self.0.write_complete(cmd, args, current_dir, &mut answer)?;
        // Only the hidden flags: there was nothing else to offer (no cluster, or a verb with
        // no positionals), and kubectl offers nothing then either.
        let separator = std::env::var("_CLAP_IFS").unwrap_or_else(|_| "\n".to_string());
        let text = String::from_utf8_lossy(&answer);
        let only_flags = text
            .split(separator.as_str())
            .filter(|candidate| !candidate.is_empty())
            .all(|candidate| candidate.starts_with('-'));
        if only_flags {
            return Ok(());
        }
        buf.write_all(&answer)
    }
}

/// `command` with every flag (not the positionals) hidden, in every subcommand.
fn hide_flags(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| {
            if arg.is_positional() {
                arg
            } else {
                arg.hide(true)
            }
        })
        .mut_subcommands(hide_flags)
}
