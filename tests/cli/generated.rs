//! The committed generated files — `completions/`, `man/`, and the help snapshots in
//! `tests/cli/snapshots/help/` (the real binary's `--help` for kz and every verb) — are what
//! the current code generates. Regenerate them with
//!
//! ```sh
//! KZ_REGENERATE=1 cargo test --test cli generated
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Sandbox, run};

/// Set to write the generated files instead of checking them.
const REGENERATE: &str = "KZ_REGENERATE";

const SHELLS: [(&str, &str); 4] = [
    ("bash", "kz.bash"),
    ("zsh", "_kz"),
    ("fish", "kz.fish"),
    ("powershell", "kz.ps1"),
];

fn repo_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// What `kz completion SHELL` prints, per file name.
fn completion_scripts() -> BTreeMap<String, Vec<u8>> {
    let sandbox = Sandbox::new();
    SHELLS
        .iter()
        .map(|(shell, file)| {
            let script = run(sandbox.kz(), &["completion", shell]);
            (file.to_string(), script.success().as_bytes().to_vec())
        })
        .collect()
}

fn man_pages() -> BTreeMap<String, Vec<u8>> {
    crate::man::pages()
        .expect("render man pages")
        .into_iter()
        .collect()
}

fn committed(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let name = path
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("read committed file"))
        })
        .collect()
}

/// Compares (or, under KZ_REGENERATE, rewrites) one directory of generated files.
fn check(dir_name: &str, generated: BTreeMap<String, Vec<u8>>) {
    let dir = repo_dir(dir_name);
    let dir_name = dir_name.rsplit('/').next().unwrap_or(dir_name);
    if std::env::var_os(REGENERATE).is_some_and(|value| !value.is_empty()) {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create directory");
        for (name, bytes) in &generated {
            std::fs::write(dir.join(name), bytes).expect("write generated file");
        }
        return;
    }
    let committed = committed(&dir);
    let names = |files: &BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&generated),
        "{dir_name}/ has other files than the code generates: run `{REGENERATE}=1 cargo test --test cli generated`"
    );
    for (name, bytes) in &generated {
        assert!(
            committed[name] == *bytes,
            "{dir_name}/{name} is out of date: run `{REGENERATE}=1 cargo test --test cli generated`"
        );
    }
}

#[test]
fn committed_completion_scripts_are_what_kz_prints() {
    check("completions", completion_scripts());
}

#[test]
fn committed_man_pages_are_what_the_clap_definition_gives() {
    let pages = man_pages();
    assert!(pages.contains_key("kz.1") && pages.contains_key("kz-rollout-status.1"));
    check("man", pages);
}

/// `kz … --help` as the binary prints it into a pipe, for kz and every subcommand, by the
/// man page's name (`kz-rollout-status.txt`).
fn help_texts() -> BTreeMap<String, Vec<u8>> {
    let sandbox = Sandbox::new();
    let mut paths = Vec::new();
    command_paths(&kz::cli::command(), &mut Vec::new(), &mut paths);
    paths
        .into_iter()
        .map(|path| {
            let mut kz = sandbox.kz();
            kz.env_remove("COLUMNS");
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push("--help");
            let help = run(kz, &args);
            let name = std::iter::once("kz").chain(path.iter().map(String::as_str));
            let name = name.collect::<Vec<_>>().join("-");
            (format!("{name}.txt"), help.success().as_bytes().to_vec())
        })
        .collect()
}

fn command_paths(command: &clap::Command, path: &mut Vec<String>, paths: &mut Vec<Vec<String>>) {
    paths.push(path.clone());
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        path.push(sub.get_name().to_string());
        command_paths(sub, path, paths);
        path.pop();
    }
}

#[test]
fn help_texts_match_their_snapshots() {
    let help = help_texts();
    let get = String::from_utf8_lossy(&help["kz-get.txt"]).into_owned();
    assert!(get.starts_with("Display one or many resources"), "{get}");
    assert!(get.contains("Examples:\n  kz get pods\n"), "{get}");
    check("tests/cli/snapshots/help", help);
}
