//! Manifests built to exhaust the reader — an alias bomb ("billion laughs"), nesting deeper
//! than any object — are refused by `apply -f` and `create -f` with a line that says where
//! and why, before anything is sent.

use kz_testserver::{TestServer, User};

use crate::support::{Run, Sandbox, run};

/// Nine levels of nine aliases each: 9^9 (387 million) copies of one string once expanded.
fn alias_bomb() -> String {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n");
    text.push_str("a0: &a0 \"lol\"\n");
    for level in 1..=9 {
        let refs = vec![format!("*a{}", level - 1); 9].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
    }
    text.push_str("data: {lol: *a9}\n");
    text
}

/// A server and a home holding `name` with `text`.
fn cluster_with(name: &str, text: &str) -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    std::fs::write(sandbox.path(name), text).expect("manifest");
    (server, sandbox)
}

fn kz(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut command = sandbox.kz();
    command.current_dir(&sandbox.home);
    run(command, args)
}

fn writes(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.is_write())
        .map(|request| format!("{} {}", request.method, request.path))
        .collect()
}

#[test]
fn an_alias_bomb_is_refused_by_apply_and_create_and_nothing_is_sent() {
    let (server, sandbox) = cluster_with("bomb.yaml", &alias_bomb());
    let refusal = "error: error parsing bomb.yaml (document 1, line 10, column 10): aliases expand the document past kz's limit of 100000 events\n";
    let stderr = kz(&sandbox, &["apply", "-f", "bomb.yaml"])
        .failure()
        .to_string();
    assert_eq!(
        stderr,
        format!(
            "{refusal}error: nothing was applied: 1 error in the input (kz checks every document before writing any)\n"
        )
    );
    let stderr = kz(&sandbox, &["create", "-f", "bomb.yaml"])
        .failure()
        .to_string();
    assert_eq!(stderr, refusal);
    assert_eq!(writes(&server), Vec::<String>::new());
}

#[test]
fn nesting_deeper_than_the_reader_allows_is_an_error_not_a_crash() {
    let cases = [
        (
            "block.yaml",
            format!("kind: ConfigMap\nx:\n{}x\n", "- ".repeat(100_000)),
            ", line 3, column 127): nesting deeper than kz's limit of 64 levels",
        ),
        (
            "flow.yaml",
            format!("kind: ConfigMap\nx: {}\n", "[".repeat(100_000)),
            ", line 2, column 259): recursion limit exceeded",
        ),
        (
            "deep.json",
            format!("{{\"kind\": {}", "[".repeat(100_000)),
            "): recursion limit exceeded at line 1 column 136",
        ),
    ];
    for (name, text, why) in cases {
        let (server, sandbox) = cluster_with(name, &text);
        for verb in ["apply", "create"] {
            let stderr = kz(&sandbox, &[verb, "-f", name]).failure().to_string();
            let first = stderr.lines().next().unwrap_or_default();
            assert_eq!(
                first,
                format!("error: error parsing {name} (document 1{why}"),
                "{verb}"
            );
            assert_eq!(writes(&server), Vec::<String>::new(), "{verb} {name}");
        }
    }
}
