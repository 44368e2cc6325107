//! "Did you mean" for a mistyped command, by kubectl's (cobra's) rule as well as clap's: a
//! command at most two edits away, or one that starts with what was typed, ignoring case. clap
//! alone suggests only names that look alike by its own measure, so `kz gte` got no hint where
//! `kubectl gte` says `get`.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// cobra's `SuggestionsMinimumDistance`.
const MAX_EDITS: usize = 2;

/// `err` with the commands kubectl would suggest added to clap's, when it is an unknown
/// command. `args` are the command line's arguments (the program name not included).
pub fn with_suggestions(
    mut err: clap::Error,
    command: &clap::Command,
    args: &[String],
) -> clap::Error {
    if err.kind() != ErrorKind::InvalidSubcommand {
        return err;
    }
    let Some(ContextValue::String(typed)) = err.get(ContextKind::InvalidSubcommand) else {
        return err;
    };
    let typed = typed.clone();
    let clap_suggested = match err.get(ContextKind::SuggestedSubcommand) {
        Some(ContextValue::Strings(names)) => names.clone(),
        Some(ContextValue::String(name)) => vec![name.clone()],
        _ => Vec::new(),
    };
    let parent = command_of(command, args, &typed);
    // In the order the commands are listed, as kubectl lists them.
    let suggested: Vec<String> = parent
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .filter(|name| clap_suggested.contains(name) || is_similar(name, &typed))
        .collect();
    if !suggested.is_empty() {
        err.insert(
            ContextKind::SuggestedSubcommand,
            ContextValue::Strings(suggested),
        );
    }
    err
}

/// The command whose subcommand `typed` was meant to be: walks `args` down the subcommands
/// they name until `typed`.
fn command_of<'c>(
    mut command: &'c clap::Command,
    args: &[String],
    typed: &str,
) -> &'c clap::Command {
    for arg in args {
        if arg == typed {
            break;
        }
        if let Some(sub) = command.find_subcommand(arg) {
            command = sub;
        }
    }
    command
}

/// cobra's rule: `name` within two edits of `typed`, or starting with it, ignoring case.
fn is_similar(name: &str, typed: &str) -> bool {
    let (name, typed) = (name.to_lowercase(), typed.to_lowercase());
    edit_distance(&typed, &name) <= MAX_EDITS || name.starts_with(&typed)
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggestions(args: &[&str]) -> Option<Vec<String>> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let command = crate::cli::command();
        let err = command
            .clone()
            .try_get_matches_from(std::iter::once("kz".to_owned()).chain(args.clone()))
            .expect_err("a usage error");
        match with_suggestions(err, &command, &args).get(ContextKind::SuggestedSubcommand) {
            Some(ContextValue::Strings(names)) => Some(names.clone()),
            _ => None,
        }
    }

    #[test]
    fn distances_count_edits() {
        assert_eq!(edit_distance("gte", "get"), 2);
        assert_eq!(edit_distance("get", "get"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("rollot", "rollout"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn kubectls_suggestions_for_mistyped_commands() {
        // kubectl v1.32: `kubectl gte` → get, `kubectl des` → describe, `kubectl GET` → get.
        assert_eq!(suggestions(&["gte", "pods"]), Some(vec!["get".to_owned()]));
        assert_eq!(
            suggestions(&["des"]),
            Some(vec!["get".to_owned(), "describe".to_owned()])
        );
        assert_eq!(suggestions(&["GET"]), Some(vec!["get".to_owned()]));
        // Nested commands are suggested from their own level (kubectl suggests none there).
        assert_eq!(
            suggestions(&["-n", "shop", "config", "vw"]),
            Some(vec!["view".to_owned()])
        );
        // What clap suggests stays, in the order the commands are listed.
        assert_eq!(
            suggestions(&["rollout", "stat"]),
            Some(vec!["status".to_owned(), "restart".to_owned()])
        );
        assert_eq!(suggestions(&["frobnicate"]), None);
    }
}
