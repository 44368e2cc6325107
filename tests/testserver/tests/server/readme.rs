//! README.md's shell commands, run as a new user would run them. Every ```sh block is read out
//! of the README; each command line must be one this test knows how to run, and its equivalent
//! runs against the built binaries, in a fresh HOME, with a directory holding `kz` and
//! `kz-testserver` first on PATH. A README line this test does not understand fails it, so the
//! README cannot drift from what works.
//!
//! The equivalents: `cargo install --path . --locked` installs nothing (the built binaries are
//! on PATH); `cargo run [--release] -p kz-testserver -- ARGS` runs the built kz-testserver with
//! exactly ARGS (cargo takes the first `--` for itself); `cargo test --workspace --locked` is
//! this very suite, recognised and not run again. A fixed `--port N` becomes `--port 0` and a
//! path under `/tmp/` moves into the test's own directory, so that runs on a shared machine
//! cannot collide.
//!
//! The sections in `CLUSTER_SECTIONS` are read as a user with a cluster would run them: a
//! server is started for each, and its `kz` and `kubectl kz` lines run from the repository's
//! directory with `KUBECONFIG` naming it. A few set-up lines are known whole: loading
//! completion (`source <(kz completion bash)`), saving it for fish, reading a man page in
//! place, linking the plugin; and `KZ_REGENERATE=1 cargo test --test cli generated`, part of
//! this very suite, is recognised and not run.

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use tempfile::TempDir;

use crate::binaries::kz_binary;

const README: &str = include_str!("../../../../README.md");

/// Sections that must keep their commands: the quick start cannot silently disappear.
const SECTIONS: &[&str] = &[
    "Install and run",
    "Run the tests",
    "No cluster? Use the test server",
];

/// Sections whose commands run against a cluster: the test server, started for the section.
const CLUSTER_SECTIONS: &[&str] = &["Every verb", "Plugin mode"];

/// Variables from the developer's shell that must not reach the README's commands.
const SCRUBBED_ENV: &[&str] = &[
    "KUBECONFIG",
    "KZ_CACHE_DIR",
    "KUBERNETES_SERVICE_HOST",
    "KUBERNETES_SERVICE_PORT",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// kz-testserver's own flags that take a value, to find where its command starts.
const SERVER_VALUE_FLAGS: &[&str] = &[
    "--port",
    "--pods",
    "--namespaces",
    "--crds",
    "--kubeconfig-out",
];

/// One ```sh block and the `##` section it is in.
#[derive(Debug)]
struct Block {
    section: String,
    lines: Vec<String>,
}

/// The ```sh blocks of a Markdown text. Fenced blocks of other shell dialects are refused:
/// shell commands must be in ```sh blocks, the ones this test reads.
fn sh_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut section = String::new();
    // Inside a fence: `Some(block)` for a ```sh one, `None` for another language.
    let mut fence: Option<Option<Block>> = None;
    for line in markdown.lines() {
        let fence_line = line.trim_start().strip_prefix("```");
        match (&mut fence, fence_line) {
            (Some(open), Some(_)) => {
                blocks.extend(open.take());
                fence = None;
            }
            (Some(Some(block)), None) => block.lines.push(line.to_string()),
            (Some(None), None) => {}
            (None, Some(info)) => {
                let language = info.trim();
                assert!(
                    !matches!(language, "" | "bash" | "shell" | "console" | "zsh"),
                    "README.md, section {section:?}: write shell commands in ```sh blocks (found ```{language}), so that this test runs them"
                );
                fence = Some((language == "sh").then(|| Block {
                    section: section.clone(),
                    lines: Vec::new(),
                }));
            }
            (None, None) => {
                if let Some(heading) = line.strip_prefix("## ") {
                    section = heading.trim().to_string();
                }
            }
        }
    }
    assert!(fence.is_none(), "README.md ends inside a code block");
    blocks
}

/// What a README command is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Program {
    /// `cargo install --path . --locked`.
    Install,
    /// `cargo test --workspace --locked`.
    TestSuite,
    /// `cargo run … -p kz-testserver -- ARGS`, as the binary sees ARGS.
    TestServer(Vec<String>),
    /// `kz ARGS`.
    Kz(Vec<String>),
    /// `kubectl kz ARGS`: the real kubectl running kz as its plugin.
    KubectlKz(Vec<String>),
    /// `KZ_REGENERATE=1 cargo test --test cli generated`: part of this suite, not run again.
    Regenerate,
    /// `source <(kz completion SHELL)`.
    LoadCompletion(String),
    /// `kz completion SHELL > ~/PATH`.
    SaveCompletion { shell: String, path: String },
    /// `man ./man/PAGE`: a page of the repository, read in place.
    ManPage(String),
    /// `ln -s ~/.cargo/bin/kz ~/.cargo/bin/kubectl-kz`.
    LinkPlugin,
}

/// One command of a line: its environment prefix, what it runs, and whether it ends in `&`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    env: Vec<(String, String)>,
    program: Program,
    background: bool,
}

/// A set-up line known whole, with the shell syntax it needs.
fn known_line(line: &str) -> Option<Program> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let program = match words.as_slice() {
        [
            "KZ_REGENERATE=1",
            "cargo",
            "test",
            "--test",
            "cli",
            "generated",
        ] => Program::Regenerate,
        ["source", "<(kz", "completion", shell @ ("bash)" | "zsh)")] => {
            Program::LoadCompletion(shell.trim_end_matches(')').to_string())
        }
        [
            "kz",
            "completion",
            shell @ ("bash" | "zsh" | "fish"),
            ">",
            path,
        ] => Program::SaveCompletion {
            shell: shell.to_string(),
            path: path.strip_prefix("~/")?.to_string(),
        },
        ["man", page] => Program::ManPage(page.strip_prefix("./")?.to_string()),
        ["ln", "-s", "~/.cargo/bin/kz", "~/.cargo/bin/kubectl-kz"] => Program::LinkPlugin,
        _ => return None,
    };
    Some(program)
}

/// The steps of one README line, or why this test cannot run it.
fn parse_line(line: &str) -> Result<Vec<Step>, String> {
    if let Some(program) = known_line(line) {
        return Ok(vec![Step {
            env: Vec::new(),
            program,
            background: false,
        }]);
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./=:,@%+&".contains(c);
    if let Some(c) = line.chars().find(|c| !plain(*c) && !c.is_whitespace()) {
        return Err(format!("{c:?} is shell syntax this test does not know"));
    }
    let mut tokens: Vec<&str> = line.split_whitespace().collect();
    let background = tokens.last() == Some(&"&");
    if background {
        tokens.pop();
    }
    let commands: Vec<&[&str]> = tokens.split(|t| *t == "&&").collect();
    let last = commands.len() - 1;
    commands
        .into_iter()
        .enumerate()
        .map(|(i, words)| {
            if words.contains(&"&") {
                return Err("`&` is only known at the end of a line".to_string());
            }
            let mut step = parse_command(words)?;
            step.background = background && i == last;
            Ok(step)
        })
        .collect()
}

fn parse_command(words: &[&str]) -> Result<Step, String> {
    let assignments = words
        .iter()
        .take_while(|w| w.split_once('=').is_some_and(|(name, _)| is_env_name(name)))
        .count();
    let env = words[..assignments]
        .iter()
        .filter_map(|w| w.split_once('='))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let owned = |rest: &[&str]| rest.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let program = match &words[assignments..] {
        ["cargo", "install", "--path", ".", "--locked"] => Program::Install,
        ["cargo", "test", "--workspace", "--locked"] => Program::TestSuite,
        ["cargo", "run", rest @ ..] => Program::TestServer(cargo_run_args(rest)?),
        ["kz", rest @ ..] => Program::Kz(owned(rest)),
        ["kubectl", "kz", rest @ ..] => Program::KubectlKz(owned(rest)),
        [] => return Err("an environment assignment without a command".to_string()),
        _ => return Err("not a command this test knows".to_string()),
    };
    Ok(Step {
        env,
        program,
        background: false,
    })
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// What kz-testserver sees of `cargo run OPTIONS -- ARGS`: ARGS, with cargo's options checked.
fn cargo_run_args(words: &[&str]) -> Result<Vec<String>, String> {
    let split = words
        .iter()
        .position(|w| *w == "--")
        .ok_or("`cargo run` without `--`: cargo would keep the arguments")?;
    let (options, args) = (&words[..split], &words[split + 1..]);
    let mut package = None;
    let mut options = options.iter();
    while let Some(option) = options.next() {
        match *option {
            "--release" | "--locked" => {}
            "-p" | "--package" => package = options.next().copied(),
            other => return Err(format!("`cargo run {other}` is not known to this test")),
        }
    }
    if package != Some("kz-testserver") {
        return Err("only `cargo run -p kz-testserver` is known to this test".to_string());
    }
    Ok(args.iter().map(|w| w.to_string()).collect())
}

/// The command kz-testserver runs against itself, if any: what follows its own flags.
fn server_command(args: &[String]) -> Option<&[String]> {
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--" => return Some(&args[i + 1..]).filter(|rest| !rest.is_empty()),
            flag if SERVER_VALUE_FLAGS.contains(&flag) => i += 2,
            flag if flag.starts_with('-') => i += 1,
            _ => return Some(&args[i..]),
        }
    }
    None
}

/// A fresh user's machine: HOME, TMPDIR, a `/tmp` stand-in and a PATH directory with the
/// binaries, all in one temporary directory.
struct Machine {
    dir: TempDir,
    bin: PathBuf,
}

/// A server started with `&`; stopped (like Ctrl-C would) when its block ends.
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How a finished command ended.
struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Machine {
    fn new() -> Machine {
        let dir = TempDir::new().expect("temporary directory");
        let bin = dir.path().join("bin");
        for sub in ["home", "tmp", "slash-tmp", "bin"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("create directory");
        }
        for (name, target) in [
            ("kz", kz_binary()),
            (
                "kz-testserver",
                Path::new(env!("CARGO_BIN_EXE_kz-testserver")),
            ),
        ] {
            std::os::unix::fs::symlink(target, bin.join(name)).expect("link binary");
        }
        if let Some(kubectl) = on_path("kubectl") {
            std::os::unix::fs::symlink(kubectl, bin.join("kubectl")).expect("link kubectl");
        }
        Machine { dir, bin }
    }

    /// `/tmp/x` → this machine's stand-in for `/tmp`.
    fn path(&self, word: &str) -> String {
        match word.strip_prefix("/tmp/") {
            Some(rest) => self
                .dir
                .path()
                .join("slash-tmp")
                .join(rest)
                .display()
                .to_string(),
            None => word.to_string(),
        }
    }

    fn command(&self, program: &str, args: &[String], env: &[(String, String)]) -> Command {
        let mut command = Command::new(self.bin.join(program));
        for name in SCRUBBED_ENV {
            command.env_remove(name);
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(self.bin.clone()).chain(std::env::split_paths(&path)),
        )
        .expect("PATH");
        command
            .args(args.iter().map(|a| self.path(a)))
            .env("HOME", self.dir.path().join("home"))
            .env("TMPDIR", self.dir.path().join("tmp"))
            .env("PATH", path)
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path().join("home"))
            .stdin(Stdio::null());
        for (name, value) in env {
            command.env(name, self.path(value));
        }
        command
    }

    fn run(&self, program: &str, args: &[String], env: &[(String, String)]) -> Finished {
        self.run_in(program, args, env, None)
    }

    /// `run`, against `cluster` when there is one: with its `KUBECONFIG`, from the
    /// repository's directory.
    fn run_in(
        &self,
        program: &str,
        args: &[String],
        env: &[(String, String)],
        cluster: Option<&Cluster>,
    ) -> Finished {
        let mut command = self.command(program, args, env);
        if let Some(cluster) = cluster {
            command
                .env("KUBECONFIG", &cluster.kubeconfig)
                .current_dir(repo_root());
        }
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        Finished {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Starts a server in the background and waits until it serves (it prints its URL).
    fn start(&self, args: &[String], env: &[(String, String)]) -> Background {
        let log = self.dir.path().join("background.stderr");
        let mut child = self
            .command("kz-testserver", args, env)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("stderr file"))
            .spawn()
            .expect("start kz-testserver");
        let mut url = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut url)
            .expect("read the server's URL");
        let server = Background(child);
        assert!(
            url.starts_with("http"),
            "kz-testserver {args:?} did not start: {url:?}, stderr: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        server
    }
}

/// A test server for one section's commands, stopped when the test ends.
struct Cluster {
    _server: Background,
    kubeconfig: PathBuf,
}

impl Machine {
    fn start_cluster(&self, section: &str) -> Cluster {
        // A README-style path, which `path` moves into this machine's `/tmp`.
        let word = format!("/tmp/{}.kubeconfig", section.replace(' ', "-"));
        let args = ["--port", "0", "--kubeconfig-out", &word].map(String::from);
        Cluster {
            _server: self.start(&args, &[]),
            kubeconfig: PathBuf::from(self.path(&word)),
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `program` in a directory of PATH.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Whether kubectl must be there (`KZ_REQUIRE_KUBECTL`, as in CI).
fn kubectl_required() -> bool {
    std::env::var("KZ_REQUIRE_KUBECTL").is_ok_and(|value| !value.is_empty() && value != "0")
}

/// Checks a set-up line that is not a kz command.
fn check_setup(machine: &Machine, program: &Program, via: &str) {
    match program {
        Program::LoadCompletion(shell) => {
            let run = machine.run("kz", &["completion".to_string(), shell.clone()], &[]);
            let registers = if shell == "zsh" {
                "compdef"
            } else {
                "complete -"
            };
            assert!(
                run.code == Some(0) && run.stdout.contains(registers) && run.stdout.contains("kz"),
                "{via}:\n{run}"
            );
        }
        Program::SaveCompletion { shell, path } => {
            let run = machine.run("kz", &["completion".to_string(), shell.clone()], &[]);
            assert!(
                run.code == Some(0) && run.stdout.contains("kz"),
                "{via}:\n{run}"
            );
            let file = machine.dir.path().join("home").join(path);
            std::fs::create_dir_all(file.parent().expect("a directory")).expect("create directory");
            std::fs::write(&file, &run.stdout).expect("save the script");
        }
        Program::ManPage(page) => {
            let text = std::fs::read_to_string(repo_root().join(page))
                .unwrap_or_else(|err| panic!("{via}: {page}: {err}"));
            assert!(text.contains(".TH "), "{via}: {page} is no man page");
        }
        Program::LinkPlugin => {
            std::os::unix::fs::symlink(kz_binary(), machine.bin.join("kubectl-kz"))
                .expect("link kubectl-kz");
        }
        other => panic!("{via}: {other:?} is not a set-up line"),
    }
}

/// Checks what a kz command printed; `via` names how it was run, for messages.
fn check_kz(args: &[String], run: &Finished, via: &str) {
    assert_eq!(run.code, Some(0), "{via}:\n{run}");
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["--help"] => assert!(run.stdout.contains("Usage: kz"), "{via}:\n{run}"),
        ["-n", "shop", "get", "pods"] | ["get", "pods", "-n", "shop", "-o", "wide"] => {
            assert!(run.stdout.starts_with("NAME "), "{via}:\n{run}");
            assert!(run.stdout.contains("frontend-"), "{via}:\n{run}");
        }
        ["get", "pods", "-A"] => {
            assert!(run.stdout.starts_with("NAMESPACE   NAME "), "{via}:\n{run}");
            for pod in ["cache-0", "cache-1", "frontend-"] {
                assert!(
                    run.stdout.lines().any(|l| l.starts_with("shop ")
                        && l.contains(pod)
                        && l.contains("Running")),
                    "{via}: no running {pod} pod in:\n{run}"
                );
            }
        }
        ["get", "all", "-n", "shop"] => {
            for object in [
                "pod/frontend-",
                "deployment.apps/frontend",
                "service/frontend",
            ] {
                assert!(run.stdout.contains(object), "{via}: no {object} in:\n{run}");
            }
        }
        // Exit code 0: no differences, so nothing to print.
        ["diff", ..] => assert_eq!(run.stdout, "", "{via}:\n{run}"),
        ["logs", ..] => assert!(
            !run.stdout.is_empty() && run.stdout.lines().all(|l| l.contains(" line ")),
            "{via}: not the pods' log lines:\n{run}"
        ),
        _ => assert!(!run.stdout.trim().is_empty(), "{via}: printed nothing"),
    }
}

/// Runs one block's lines in order, like one shell session; returns the kz commands it ran.
fn run_block(machine: &Machine, block: &Block, cluster: Option<&Cluster>) -> Vec<Vec<String>> {
    let mut background = Vec::new();
    let mut ran = Vec::new();
    for line in &block.lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let steps = parse_line(line).unwrap_or_else(|why| {
            panic!(
                "README.md, section {:?}: this test does not know how to run `{line}`: {why}",
                block.section
            )
        });
        for step in steps {
            let via = format!("README.md, section {:?}: `{line}`", block.section);
            match (&step.program, step.background) {
                (Program::Install | Program::TestSuite | Program::Regenerate, false) => {}
                (
                    setup @ (Program::LoadCompletion(_)
                    | Program::SaveCompletion { .. }
                    | Program::ManPage(_)
                    | Program::LinkPlugin),
                    false,
                ) => check_setup(machine, setup, &via),
                (Program::KubectlKz(args), false) => {
                    if !machine.bin.join("kubectl").is_file() {
                        assert!(!kubectl_required(), "{via}: kubectl is not on PATH");
                        let _ = writeln!(std::io::stderr(), "{via}: no kubectl, skipped");
                        continue;
                    }
                    let mut words = vec!["kz".to_string()];
                    words.extend(args.iter().cloned());
                    let run = machine.run_in("kubectl", &words, &step.env, cluster);
                    check_kz(args, &run, &via);
                    ran.push(words);
                }
                (Program::TestServer(args), true) if server_command(args).is_none() => {
                    let args = with_free_port(args);
                    background.push(machine.start(&args, &step.env));
                }
                (Program::TestServer(args), false) => {
                    let Some(command) = server_command(args) else {
                        panic!(
                            "{via}: a server without a command runs until Ctrl-C: end the line with `&`"
                        );
                    };
                    let (program, kz_args) = command.split_first().expect("a command");
                    assert_eq!(
                        program, "kz",
                        "{via}: only kz is known as the server's command"
                    );
                    let run = machine.run("kz-testserver", &with_free_port(args), &step.env);
                    check_kz(kz_args, &run, &via);
                    ran.push(kz_args.to_vec());
                }
                (Program::Kz(args), false) => {
                    let run = machine.run_in("kz", args, &step.env, cluster);
                    check_kz(args, &run, &via);
                    ran.push(args.clone());
                }
                (program, true) => panic!("{via}: {program:?} is not known in the background"),
            }
        }
    }
    ran
}

/// `--port N` → `--port 0`: a fixed port could be taken on a shared machine.
fn with_free_port(args: &[String]) -> Vec<String> {
    let own = args.len() - server_command(args).map_or(0, <[String]>::len);
    let mut out = args.to_vec();
    for i in 1..own {
        if args[i - 1] == "--port" {
            out[i] = "0".to_string();
        }
    }
    out
}

#[test]
fn the_readme_commands_work_as_written() {
    let blocks = sh_blocks(README);
    for section in SECTIONS {
        assert!(
            blocks.iter().any(|b| b.section == *section),
            "README.md has no ```sh block in section {section:?}"
        );
    }
    let machine = Machine::new();
    let mut clusters: std::collections::HashMap<&str, Cluster> = Default::default();
    let mut ran = Vec::new();
    for block in &blocks {
        let cluster = CLUSTER_SECTIONS
            .iter()
            .find(|section| **section == block.section)
            .map(|section| {
                &*clusters
                    .entry(section)
                    .or_insert_with(|| machine.start_cluster(section))
            });
        ran.extend(run_block(&machine, block, cluster));
    }
    assert!(
        ran.iter().any(|args| args == &["get", "pods", "-A"]),
        "the quick start lists pods: {ran:?}"
    );
    for verb in [
        "get", "describe", "create", "scale", "rollout", "delete", "config",
    ] {
        assert!(
            ran.iter()
                .any(|args| args.first().map(String::as_str) == Some(verb)),
            "the README shows {verb}: {ran:?}"
        );
    }
}

#[test]
fn readme_lines_parse_into_what_cargo_and_the_shell_would_run() {
    let step = |env: &[(&str, &str)], program: Program, background: bool| Step {
        env: env
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        program,
        background,
    };
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        parse_line(
            "cargo install --path . --locked && cargo run --release -p kz-testserver -- kz get pods -A"
        ),
        Ok(vec![
            step(&[], Program::Install, false),
            step(
                &[],
                Program::TestServer(words(&["kz", "get", "pods", "-A"])),
                false
            ),
        ])
    );
    assert_eq!(
        parse_line("cargo run -p kz-testserver -- --port 6443 &"),
        Ok(vec![step(
            &[],
            Program::TestServer(words(&["--port", "6443"])),
            true
        )])
    );
    assert_eq!(
        parse_line("KUBECONFIG=/tmp/k kz get all"),
        Ok(vec![step(
            &[("KUBECONFIG", "/tmp/k")],
            Program::Kz(words(&["get", "all"])),
            false
        )])
    );
    assert_eq!(
        parse_line("cargo test --workspace --locked"),
        Ok(vec![step(&[], Program::TestSuite, false)])
    );
    assert_eq!(
        parse_line("kubectl kz -n shop get pods"),
        Ok(vec![step(
            &[],
            Program::KubectlKz(words(&["-n", "shop", "get", "pods"])),
            false
        )])
    );
    for (line, program) in [
        (
            "source <(kz completion zsh)",
            Program::LoadCompletion("zsh".into()),
        ),
        (
            "kz completion fish > ~/.config/fish/completions/kz.fish",
            Program::SaveCompletion {
                shell: "fish".into(),
                path: ".config/fish/completions/kz.fish".into(),
            },
        ),
        ("man ./man/kz.1", Program::ManPage("man/kz.1".into())),
        (
            "ln -s ~/.cargo/bin/kz ~/.cargo/bin/kubectl-kz",
            Program::LinkPlugin,
        ),
        (
            "KZ_REGENERATE=1 cargo test --test cli generated",
            Program::Regenerate,
        ),
    ] {
        assert_eq!(
            parse_line(line),
            Ok(vec![step(&[], program, false)]),
            "{line}"
        );
    }
    for unknown in [
        "cargo install --path .",
        "cargo run -p kz-testserver kz get pods",
        "cargo run -p kz -- get pods",
        "kubectl get pods",
        "kz get pods | head",
        "kz get pods -l 'app=web'",
        "kz get pods & kz get nodes",
        "source <(kz completion tcsh)",
        "kz completion bash > /etc/bash_completion.d/kz",
        "man kz",
        "ln -s kz kubectl-kz",
        "FOO=1",
    ] {
        assert!(
            parse_line(unknown).is_err(),
            "{unknown} must not be understood"
        );
    }
}

#[test]
fn the_server_s_command_starts_after_its_own_flags() {
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let args = words(&[
        "--port", "6443", "--frozen", "kz", "get", "pods", "--port", "1",
    ]);
    assert_eq!(server_command(&args), Some(&args[3..]));
    assert_eq!(
        with_free_port(&args),
        words(&[
            "--port", "0", "--frozen", "kz", "get", "pods", "--port", "1"
        ])
    );
    let args = words(&["--", "kz", "version"]);
    assert_eq!(server_command(&args), Some(&args[1..]));
    assert_eq!(
        server_command(&words(&["--port", "0", "--kubeconfig-out", "/tmp/k"])),
        None
    );
}

#[test]
fn only_sh_blocks_are_read_and_other_shell_fences_are_refused() {
    let blocks = sh_blocks("## A\n\n```sh\nkz version\n```\n\n```yaml\nkind: Pod\n```\n");
    let shell: Vec<(&str, &[String])> = blocks
        .iter()
        .map(|b| (b.section.as_str(), b.lines.as_slice()))
        .collect();
    assert_eq!(shell, vec![("A", &["kz version".to_string()][..])]);
    let refused = std::panic::catch_unwind(|| sh_blocks("## B\n```bash\nkz version\n```\n"));
    assert!(refused.is_err(), "a ```bash block is refused");
}
