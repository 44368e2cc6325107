//! The resource builder through `kz get`: argument combinations, `-f` files, globs,
//! directories with symbolic links, URLs and namespaces, compared with the real kubectl on the
//! same frozen test server (`-o name`, so no ages), and pinned by kz's own expected output
//! where the behaviour is kz's to keep.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use kz_testserver::{TestServer, User};

use crate::support::{Run, Sandbox, run};

fn frozen_server() -> TestServer {
    TestServer::builder().frozen().start()
}

fn manifest(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/manifests")
        .join(name)
        .display()
        .to_string()
}

/// Runs `get ARGS` with kz and kubectl and describes how they differ, if they do.
fn difference(sandbox: &Sandbox, args: &[&str]) -> Option<String> {
    let kubectl = sandbox.kubectl()?;
    let mut full = vec!["get"];
    full.extend_from_slice(args);
    let (kz, theirs) = (run(sandbox.kz(), &full), run(kubectl, &full));
    (kz != theirs).then(|| format!("kz get {args:?}\n  kz:      {kz:?}\n  kubectl: {theirs:?}"))
}

#[track_caller]
fn assert_like_kubectl(sandbox: &Sandbox, cases: &[&[&str]]) {
    let differences: Vec<String> = cases
        .iter()
        .filter_map(|args| difference(sandbox, args))
        .collect();
    assert!(
        differences.is_empty(),
        "{} of {} cases differ from kubectl:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
}

fn get(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut full = vec!["get"];
    full.extend_from_slice(args);
    run(sandbox.kz(), &full)
}

#[test]
fn argument_combinations_match_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let base = manifest("01-base.yaml");
    assert_like_kubectl(
        &sandbox,
        &[
            &["-f", &base, "pods"],
            &["-f", &base, "pods", "web"],
            &["-f", &base, "pod/web"],
            &["-f", "/no/such.yaml", "pods"],
            &["pods", "cache-0", "-l", "app=cache", "-n", "shop"],
            &["pod/cache-0", "-l", "app=cache", "-n", "shop"],
            &["pods,svc", "cache-0", "-l", "app=cache", "-n", "shop"],
            &["all", "cache-0", "-n", "shop"],
            &["pods,all", "cache-0", "-n", "shop"],
            &["all/cache-0", "-n", "shop"],
            &["pods,po", "cache-0", "-n", "shop", "-o", "name"],
            &["pods,po,pod", "-n", "shop", "-o", "name"],
            &["pods/a/b"],
            &["pods,svc/a"],
            &[","],
            &["pods,svc", "-w", "-n", "shop"],
            &["all", "-w", "-n", "shop"],
            &["-w"],
            &["-l", "app=cache"],
            &["ns", "shop", "-A", "-o", "name"],
            &["ns,pods", "shop", "-A"],
            &["flurbs", "--subresource", "status"],
            &["-f", "-", "-f", "-"],
        ],
    );
    // Pinned without kubectl too.
    assert_eq!(
        get(
            &sandbox,
            &["pods", "cache-0", "-l", "app=cache", "-n", "shop"]
        )
        .failure(),
        "error: name cannot be provided when a selector is specified\n"
    );
    assert_eq!(
        get(
            &sandbox,
            &["pods,po", "cache-0", "-n", "shop", "-o", "name"]
        )
        .success(),
        "pod/cache-0\npod/cache-0\n"
    );
}

#[test]
fn files_globs_and_namespaces_match_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let dir = tempfile::TempDir::new().expect("dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let stream = write(
        "stream.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"shop\"}}\n{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"default\"}}\n",
    );
    let unknown = write(
        "unknown.yaml",
        "apiVersion: v1\nkind: Flurb\nmetadata: {name: x, namespace: shop}\n",
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let empty = empty.display().to_string();
    let glob = manifest("0*.yaml");
    let no_match = manifest("nothing*.yaml");
    let bad_glob = manifest("[");
    let shop = manifest("02-shop.yaml");
    let scratch = manifest("scratch-app.yaml");
    let base = manifest("01-base.yaml");
    assert_like_kubectl(
        &sandbox,
        &[
            &["-f", &stream, "-o", "name"],
            &["-f", &unknown, "-o", "name"],
            &["-f", &empty, "-o", "name"],
            &["-f", &glob, "-o", "name"],
            &["-f", &no_match, "-o", "name"],
            &["-f", &bad_glob, "-o", "name"],
            &["-f", "/no/a.yaml", "-f", "/no/b.yaml"],
            &["-f", &shop, "-n", "default", "-o", "name"],
            &["-f", &shop, "-A", "-n", "default", "-o", "name"],
            &["-f", &scratch, "-A", "-o", "name"],
            &["-f", &base, "-n", "default", "-o", "name"],
        ],
    );
    assert_eq!(
        get(&sandbox, &["-f", &stream, "-o", "name"]).success(),
        "namespace/shop\nnamespace/default\n"
    );
    let mismatch = get(&sandbox, &["-f", &shop, "-n", "default", "-o", "name"]);
    assert_eq!(
        mismatch.failure().lines().next(),
        Some(
            "the namespace from the provided object \"shop\" does not match the namespace \"default\". You must pass '--namespace=shop' to perform this operation."
        )
    );
}

/// Go's filepath.Walk never follows a link to a directory: a link back to an ancestor does
/// not loop, a linked manifest is read, a link to a directory named like a manifest fails in
/// its place.
#[cfg(unix)]
#[test]
fn recursion_does_not_follow_directory_links() {
    use std::os::unix::fs::symlink;
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let dir = tempfile::TempDir::new().expect("dir");
    let namespace =
        |name: &str| format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}\n");
    let make = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    make("d/a.yaml", &namespace("shop"));
    make("d/sub/b.yaml", &namespace("default"));
    make("other/c.yaml", &namespace("kube-system"));
    let d = dir.path().join("d");
    symlink("..", d.join("sub/loop")).expect("link");
    symlink("../../other", d.join("sub/linkdir")).expect("link");
    symlink("../../other", d.join("sub/linkdir.yaml")).expect("link");
    symlink("../a.yaml", d.join("sub/link.yaml")).expect("link");
    let d = d.display().to_string();
    let kz = get(&sandbox, &["-f", &d, "-R", "-o", "name"]);
    assert_eq!(kz.code, Some(1));
    assert_eq!(
        kz.stdout,
        "namespace/shop\nnamespace/default\nnamespace/shop\n"
    );
    assert_eq!(
        kz.stderr,
        format!(
            "error: error parsing {d}/sub/linkdir.yaml: read {d}/sub/linkdir.yaml: is a directory\n"
        )
    );
    assert_like_kubectl(
        &sandbox,
        &[&["-f", &d, "-R", "-o", "name"], &["-f", &d, "-o", "name"]],
    );
}

/// A server for `-f http://…` answering every request: the fixture manifest by name, 404
/// for anything else. It runs until the test process ends.
fn manifest_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = request_line.split(' ').nth(1).unwrap_or_default();
            let file = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/manifests")
                .join(path.trim_start_matches('/'));
            let (status, body) = match std::fs::read_to_string(&file) {
                Ok(text) if !path.contains("..") => ("200 OK", text),
                _ => ("404 Not Found", "not here\n".to_owned()),
            };
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn manifests_are_read_from_urls() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let base_url = manifest_server();
    let base = format!("{base_url}/01-base.yaml");
    let missing = format!("{base_url}/missing.yaml");
    let broken = format!("{base_url}/scratch-broken.yaml");
    let kz = get(&sandbox, &["-f", &base, "-f", &missing, "-o", "name"]);
    assert_eq!(kz.code, Some(1));
    assert_eq!(
        kz.stdout,
        "namespace/shop\ncustomresourcedefinition.apiextensions.k8s.io/gizmos.example.org\n"
    );
    assert_eq!(
        kz.stderr,
        format!(
            "error: unable to read URL {missing:?}, server reported 404 Not Found, status code=404\n"
        )
    );
    assert_like_kubectl(
        &sandbox,
        &[
            &["-f", &base, "-o", "name"],
            &["-f", &base, "-f", &missing, "-o", "name"],
        ],
    );
    // The parse error's wording is the YAML parser's own; what comes before it is kubectl's.
    let kz = get(&sandbox, &["-f", &broken, "-o", "name"]);
    assert!(
        kz.stderr
            .lines()
            .last()
            .is_some_and(|l| l.starts_with(&format!("error parsing {broken} (document "))),
        "{kz:?}"
    );
}
