//! Man pages, generated with clap_mangen from the same clap definition as the command line:
//! `kz.1`, and one page per subcommand and sub-subcommand (`kz-get.1`, `kz-rollout-status.1`),
//! each with the verb's examples. `man/` keeps them; the `generated` test fails when they are
//! out of date. Test-only: nothing in kz itself renders man pages.

use std::io;

use clap_mangen::roff::{Roff, roman};

/// Every page as (file name, roff text), the verbs' pages before `kz.1`.
pub fn pages() -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut command = kz::cli::command();
    command.build();
    let mut pages = Vec::new();
    collect(command, &mut pages)?;
    Ok(pages)
}

fn collect(command: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> io::Result<()> {
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        collect(sub.clone(), pages)?;
    }
    let examples = command.get_after_help().map(|help| help.to_string());
    let has_options = command.get_arguments().any(|arg| !arg.is_hide_set());
    let has_subcommands = command.has_subcommands();
    let has_version = command.get_version().is_some();
    let man = clap_mangen::Man::new(command).manual("kz Manual");
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    if has_options {
        man.render_options_section(&mut page)?;
    }
    if has_subcommands {
        man.render_subcommands_section(&mut page)?;
    }
    if let Some(examples) = examples {
        examples_section(&examples).to_writer(&mut page)?;
    }
    if has_version {
        man.render_version_section(&mut page)?;
    }
    pages.push((man.get_filename(), page));
    Ok(())
}

/// The help's `Examples:` block as an EXAMPLES section, lines kept as they are.
fn examples_section(help: &str) -> Roff {
    let body = help.strip_prefix("Examples:\n").unwrap_or(help);
    let mut roff = Roff::default();
    roff.control("SH", ["EXAMPLES"]);
    roff.control("nf", []);
    for line in body.lines() {
        roff.text([roman(line)]);
    }
    roff.control("fi", []);
    roff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_for_kz_and_for_every_verb_and_sub_verb() {
        let pages = pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
        for name in [
            "kz.1",
            "kz-get.1",
            "kz-rollout-status.1",
            "kz-config-view.1",
        ] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
        let (_, get) = pages.iter().find(|(name, _)| name == "kz-get.1").unwrap();
        let get = String::from_utf8_lossy(get);
        assert!(get.contains(".TH kz-get 1"), "{get}");
        assert!(
            get.contains("kz get pods \\-o wide \\-A"),
            "the examples: {get}"
        );
    }
}
