//! Plugin mode: installed or linked as `kubectl-kz`, kz is run by kubectl as `kubectl kz …`,
//! and its usage lines and examples say so.

use std::ffi::OsStr;
use std::path::Path;

/// The executable name that makes kz a kubectl plugin.
pub const PLUGIN_BINARY: &str = "kubectl-kz";

/// What usage lines and examples call kz when run as a plugin.
pub const PLUGIN_BIN_NAME: &str = "kubectl kz";

/// Whether `arg0` (the program's path as started) names the plugin binary, with or without
/// a `.exe` extension.
pub fn is_plugin(arg0: &OsStr) -> bool {
    Path::new(arg0)
        .file_stem()
        .is_some_and(|stem| stem == PLUGIN_BINARY)
}

/// kz's command line for the program started as `arg0`: as a plugin, usage says
/// `kubectl kz` and so does every example.
pub fn command_for(arg0: &OsStr) -> clap::Command {
    let command = super::command();
    if !is_plugin(arg0) {
        return command;
    }
    as_plugin(command).bin_name(PLUGIN_BIN_NAME)
}

/// `command` and its subcommands with their examples spelled `kubectl kz …`.
fn as_plugin(command: clap::Command) -> clap::Command {
    let examples = command
        .get_after_help()
        .map(|help| plugin_examples(&help.to_string()));
    let command = match examples {
        Some(examples) => command.after_help(examples),
        None => command,
    };
    command.mut_subcommands(as_plugin)
}

/// Example lines (`  kz get pods`) and the help hint (`"kz <command> --help"`) with kz named as
/// kubectl's plugin.
fn plugin_examples(help: &str) -> String {
    help.lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            let (head, rest) = line.split_at(indent);
            let rest = rest.replace("\"kz ", &format!("\"{PLUGIN_BIN_NAME} "));
            match rest.strip_prefix("kz ") {
                Some(args) => format!("{head}{PLUGIN_BIN_NAME} {args}"),
                None => format!("{head}{rest}"),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugin_is_recognised_by_its_file_name() {
        assert!(is_plugin(OsStr::new("kubectl-kz")));
        assert!(is_plugin(OsStr::new("/usr/local/bin/kubectl-kz")));
        assert!(is_plugin(OsStr::new("kubectl-kz.exe")));
        assert!(!is_plugin(OsStr::new("kz")));
        assert!(!is_plugin(OsStr::new("/usr/bin/kubectl-kzz")));
    }

    #[test]
    fn examples_name_the_plugin() {
        let help = "Examples:\n  kz get pods\n  # kz in a comment stays\n  echo 'source <(kz completion bash)'\n\nUse \"kz <command> --help\" for more.";
        assert_eq!(
            plugin_examples(help),
            "Examples:\n  kubectl kz get pods\n  # kz in a comment stays\n  echo 'source <(kz completion bash)'\n\nUse \"kubectl kz <command> --help\" for more."
        );
    }

    #[test]
    fn usage_says_kubectl_kz() {
        let mut command = command_for(OsStr::new("/opt/bin/kubectl-kz"));
        let usage = command.render_usage().to_string();
        assert!(usage.contains("kubectl kz [OPTIONS] <COMMAND>"), "{usage}");
        let get = command.find_subcommand_mut("get").unwrap();
        let help = get.render_help().to_string();
        assert!(help.contains("kubectl kz get pods -o wide -A"), "{help}");
    }
}
