//! The command line before the cursor, as a completer needs it: clap hands a completer only
//! the word being completed, but the names to offer depend on the words before it (`get po`)
//! and on the flags given so far (`-n shop`, `--context`, `--kubeconfig`).

use std::ffi::OsString;

use clap::FromArgMatches as _;

use crate::cli::GlobalArgs;

/// What was typed before the word being completed.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    /// The global flags given so far (defaults for the rest).
    pub global: GlobalArgs,
    /// The positional words of the innermost verb, in order (`["po"]` for `kz get po <TAB>`).
    pub positionals: Vec<String>,
}

/// The words the completion script passed after `--` (the program name first), cut before the
/// word being completed: bash and zsh say where it is in `_CLAP_COMPLETE_INDEX`, fish and
/// PowerShell pass the words up to it, the current one last.
pub fn before_cursor(
    args: impl IntoIterator<Item = OsString>,
    index: Option<usize>,
) -> Vec<OsString> {
    let mut words: Vec<OsString> = args
        .into_iter()
        .skip_while(|arg| arg != "--")
        .skip(1)
        .collect();
    let cursor = index.unwrap_or(words.len().saturating_sub(1));
    words.truncate(cursor);
    words
}

/// The process's own command line, for completers running under `KZ_COMPLETE`.
pub fn from_process() -> Option<Typed> {
    let index = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|index| index.parse().ok());
    parse(before_cursor(std::env::args_os(), index))
}

/// Parses `words` (the program name first) leniently: an unfinished command line still says
/// which flags and positional words it has.
pub fn parse(words: Vec<OsString>) -> Option<Typed> {
    let command = crate::cli::command().ignore_errors(true);
    let matches = command.clone().try_get_matches_from(words).ok()?;
    let global = GlobalArgs::from_arg_matches(&matches).ok()?;
    let (mut command, mut matches) = (&command, &matches);
    while let Some((name, sub_matches)) = matches.subcommand() {
        let Some(sub_command) = command.find_subcommand(name) else {
            break;
        };
        (command, matches) = (sub_command, sub_matches);
    }
    let mut positionals = Vec::new();
    for arg in command.get_positionals() {
        if let Ok(Some(values)) = matches.try_get_raw(arg.get_id().as_str()) {
            positionals.extend(values.map(|value| value.to_string_lossy().into_owned()));
        }
    }
    Some(Typed {
        global,
        positionals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_words_stop_before_the_cursor() {
        let args = words(&["/usr/bin/kz", "--", "kz", "get", "po", "", "-o"]);
        assert_eq!(
            before_cursor(args.clone(), Some(3)),
            words(&["kz", "get", "po"])
        );
        // fish: the current token comes last.
        let fish = words(&["kz", "--", "kz", "get", "po", "we"]);
        assert_eq!(before_cursor(fish, None), words(&["kz", "get", "po"]));
    }

    #[test]
    fn flags_and_positionals_of_an_unfinished_line() {
        let typed = parse(words(&["kz", "-n", "shop", "get", "po", "--context=prod"])).unwrap();
        assert_eq!(typed.global.namespace.as_deref(), Some("shop"));
        assert_eq!(typed.global.context.as_deref(), Some("prod"));
        assert_eq!(typed.positionals, ["po"]);

        let typed = parse(words(&["kz", "rollout", "status", "-w=false"])).unwrap();
        assert!(typed.positionals.is_empty());
        assert_eq!(typed.global.namespace, None);

        let typed = parse(words(&["kz", "describe", "node"])).unwrap();
        assert_eq!(typed.positionals, ["node"]);
    }
}
