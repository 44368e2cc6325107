//! Completion in real shells: the committed scripts in `completions/` are loaded into bash, zsh
//! and fish, which run the real kz on PATH for candidates — verbs, flags, flag values, and
//! resource types and names from the test server. The shells must be installed (`.ci/run`
//! installs them): a missing shell fails these tests rather than skipping them.

use std::path::{Path, PathBuf};
use std::process::Command;

use kz_testserver::{TestServer, User};

use crate::support::{Sandbox, run};

#[derive(Debug, Clone, Copy)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// Completes the words of `line` (a trailing space starts a new, empty word) the way `shell`
/// does on TAB, with the committed script loaded, and returns the candidates.
fn complete(sandbox: &Sandbox, shell: Shell, line: &str) -> Vec<String> {
    let (program, script, driver) = match shell {
        // What bash's programmable completion sets before it calls the function.
        Shell::Bash => (
            "bash",
            "kz.bash",
            r#"source "$SCRIPT"
read -ra COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$LINE" COMP_POINT=${#LINE} COMP_TYPE=9
_clap_complete_kz kz "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}""#,
        ),
        // compsys's `words` and `CURRENT`; `_describe` lists what it was given to offer.
        Shell::Zsh => (
            "zsh",
            "_kz",
            r#"compdef() { : }
_describe() { local name=${@[-1]}; print -rl -- ${(P)name} }
source "$SCRIPT"
words=(${(z)LINE})
[[ "$LINE" == *" " ]] && words+=("")
CURRENT=${#words}
_clap_dynamic_completer_kz"#,
        ),
        // fish completes a command line given to `complete -C` as it would on TAB.
        Shell::Fish => ("fish", "kz.fish", r#"source $SCRIPT; complete -C "$LINE""#),
    };
    let mut command = in_sandbox(sandbox, program);
    command
        .env("SCRIPT", repo_path("completions").join(script))
        .env("LINE", line);
    let args: &[&str] = match shell {
        Shell::Fish => &["--no-config", "-c", driver],
        Shell::Zsh => &["-f", "-c", driver],
        Shell::Bash => &["--norc", "--noprofile", "-c", driver],
    };
    let output = run(command, args);
    output
        .success()
        .lines()
        .filter(|line| !line.is_empty())
        // fish says `value<TAB>help`, zsh `value:help`.
        .map(|line| line.split(['\t', ':']).next().unwrap_or(line).to_string())
        .collect()
}

fn repo_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// `program` with the sandbox's environment and the kz under test first on PATH.
fn in_sandbox(sandbox: &Sandbox, program: &str) -> Command {
    let kz = sandbox.kz();
    let mut command = Command::new(program);
    for (name, value) in kz.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let kz_dir = Path::new(env!("CARGO_BIN_EXE_kz"))
        .parent()
        .expect("a directory");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![kz_dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    command.env("PATH", std::env::join_paths(dirs).expect("PATH"));
    command
}

#[track_caller]
fn assert_offers(candidates: &[String], wanted: &str, context: &str) {
    assert!(
        candidates.iter().any(|candidate| candidate == wanted),
        "{context}: {wanted:?} not among {candidates:?}"
    );
}

#[test]
fn every_shell_completes_a_verb_a_flag_and_a_flag_value() {
    let sandbox = Sandbox::new();
    for shell in SHELLS {
        let verbs = complete(&sandbox, shell, "kz ro");
        assert_eq!(verbs, ["rollout"], "{shell:?}");
        let subverbs = complete(&sandbox, shell, "kz rollout st");
        assert_eq!(subverbs, ["status"], "{shell:?}");
        let flags = complete(&sandbox, shell, "kz get --no-h");
        assert_eq!(flags, ["--no-headers"], "{shell:?}");
        let formats = complete(&sandbox, shell, "kz get pods -o ya");
        assert_eq!(formats, ["yaml"], "{shell:?}");
        let modes = complete(&sandbox, shell, "kz --color ");
        assert_eq!(modes, ["auto", "always", "never"], "{shell:?}");
    }
}

#[test]
fn every_shell_completes_names_from_the_cluster() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let pods = names(
        &sandbox,
        &["get", "pods", "-n", "shop", "-o", "name"],
        "pod/",
    );
    assert!(pods.len() > 1, "{pods:?}");
    for shell in SHELLS {
        let offered = complete(&sandbox, shell, "kz -n shop get po ");
        assert_eq!(offered, pods, "{shell:?}");
    }
}

/// The names `kz get … -o name` prints, without the `TYPE/` prefix.
fn names(sandbox: &Sandbox, args: &[&str], prefix: &str) -> Vec<String> {
    run(sandbox.kz(), args)
        .success()
        .lines()
        .map(|line| line.strip_prefix(prefix).unwrap_or(line).to_string())
        .collect()
}

#[test]
fn types_come_without_a_request_and_names_with_one_metadata_only_list() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server.clear_requests();
    let types = complete(&sandbox, Shell::Bash, "kz get ");
    for wanted in ["pods", "deployments", "nodes", "namespaces"] {
        assert_offers(&types, wanted, "kz get <TAB>");
    }
    assert_eq!(
        complete(&sandbox, Shell::Bash, "kz describe dep"),
        ["deployments"]
    );
    assert_eq!(server.requests().len(), 0, "{:#?}", server.requests());

    let nodes = complete(&sandbox, Shell::Bash, "kz describe node ");
    assert_eq!(
        nodes,
        names(&sandbox, &["get", "nodes", "-o", "name"], "node/")
    );
    server.clear_requests();
    complete(&sandbox, Shell::Bash, "kz describe node ");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_eq!(requests[0].path, "/api/v1/nodes");
    assert_eq!(requests[0].query, "includeObject=None");
    assert!(
        requests[0]
            .accept
            .starts_with("application/json;as=Table;v=v1;g=meta.k8s.io")
    );
}

#[test]
fn type_slash_name_and_namespaces_and_kubeconfig_names() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let deployments = names(&sandbox, &["get", "deploy", "-n", "shop", "-o", "name"], "");
    let deployments: Vec<String> = deployments
        .iter()
        .map(|name| name.replacen("deployment.apps/", "deploy/", 1))
        .collect();
    assert!(!deployments.is_empty());
    let offered = complete(&sandbox, Shell::Bash, "kz rollout status -n shop deploy/");
    assert_eq!(offered, deployments);

    let namespaces = names(&sandbox, &["get", "namespaces", "-o", "name"], "namespace/");
    assert_offers(&namespaces, "shop", "the test server's namespaces");
    assert_eq!(
        complete(&sandbox, Shell::Bash, "kz get pods -n "),
        namespaces
    );
    assert_eq!(
        complete(&sandbox, Shell::Bash, "kz get pods -n sh"),
        ["shop"]
    );

    let contexts = run(sandbox.kz(), &["config", "get-contexts", "-o", "name"]);
    let contexts: Vec<String> = contexts.success().lines().map(String::from).collect();
    assert!(!contexts.is_empty());
    assert_eq!(
        complete(&sandbox, Shell::Bash, "kz get pods --context "),
        contexts
    );
}

#[test]
fn an_unreachable_server_gives_no_candidates_and_no_noise() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server.refuse_connections(true);
    for (words, index) in [
        (&["kz", "get", "po", ""][..], "3"),
        (&["kz", "-n", ""], "2"),
    ] {
        let mut kz = sandbox.kz();
        kz.env("KZ_COMPLETE", "bash")
            .env("_CLAP_COMPLETE_INDEX", index)
            .env("_CLAP_IFS", "\n")
            .arg("--");
        let completed = run(kz, words);
        assert_eq!(completed.code, Some(0), "{completed:?}");
        assert_eq!(
            (completed.stdout.as_str(), completed.stderr.as_str()),
            ("", "")
        );
    }
}
