//! `kz get` against the real kubectl on the same frozen test server (same arguments, same exit
//! code, same stdout with ages normalised, same stderr), against the recorded kubectl
//! transcripts, and under faults: expired continue tokens, 500s mid-list, request counts.

use std::path::PathBuf;

use kz_testserver::{Fault, TestServer, User};

use crate::support::{Run, Sandbox, fixture_stdout, run, run_with_stdin};

/// The fixture cluster, settled and then frozen, so kz and kubectl see the same objects.
fn frozen_server() -> TestServer {
    TestServer::builder().frozen().start()
}

fn manifests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manifests")
}

fn manifest(name: &str) -> String {
    manifests().join(name).display().to_string()
}

/// `15m`, `6m59s`, `0s`, `2d3h`: an AGE cell (or a duration in a cell) that ticks between
/// the kz run and the kubectl run.
fn is_age(token: &str) -> bool {
    let mut units = 0;
    let mut digits = 0;
    for c in token.chars() {
        match c {
            '0'..='9' => digits += 1,
            's' | 'm' | 'h' | 'd' | 'y' if digits > 0 => {
                units += 1;
                digits = 0;
            }
            _ => return false,
        }
    }
    units > 0 && units <= 2 && digits == 0
}

/// Lines with an age in them: ages replaced, runs of spaces collapsed (column widths follow
/// the ages). Every other line is kept byte for byte.
fn normalise_ages(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if body.split(' ').any(is_age) {
            let tokens: Vec<&str> = body
                .split_whitespace()
                .map(|t| if is_age(t) { "<age>" } else { t })
                .collect();
            out.push_str(&tokens.join(" "));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The difference between kz's and kubectl's run of `args`, if any.
fn compare(sandbox: &Sandbox, args: &[&str], stdin: Option<&str>) -> Option<String> {
    let go = |command| match stdin {
        Some(text) => run_with_stdin(command, args, text),
        None => run(command, args),
    };
    let kubectl = go(sandbox.kubectl()?);
    let kz = go(sandbox.kz());
    let same = kz.code == kubectl.code
        && normalise_ages(&kz.stdout) == normalise_ages(&kubectl.stdout)
        && kz.stderr == kubectl.stderr;
    (!same).then(|| {
        format!(
            "kz get {args:?}\n  exit: kz {:?}, kubectl {:?}\n{}{}",
            kz.code,
            kubectl.code,
            first_difference("stdout", &kz.stdout, &kubectl.stdout),
            first_difference("stderr", &kz.stderr, &kubectl.stderr),
        )
    })
}

fn first_difference(what: &str, kz: &str, kubectl: &str) -> String {
    let (kz, kubectl) = (normalise_ages(kz), normalise_ages(kubectl));
    let mut kz_lines = kz.lines();
    let mut kubectl_lines = kubectl.lines();
    for number in 1.. {
        match (kz_lines.next(), kubectl_lines.next()) {
            (None, None) => return String::new(),
            (a, b) if a == b => continue,
            (a, b) => {
                return format!(
                    "  {what} line {number}:\n    kz:      {a:?}\n    kubectl: {b:?}\n"
                );
            }
        }
    }
    String::new()
}

/// Runs every case with both tools and reports all the differences at once.
#[track_caller]
fn assert_all_like_kubectl(sandbox: &Sandbox, cases: &[Vec<String>]) {
    if sandbox.kubectl().is_none() {
        return;
    }
    let differences: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let mut args = vec!["get"];
            args.extend(case.iter().map(String::as_str));
            compare(sandbox, &args, None)
        })
        .collect();
    assert!(
        differences.is_empty(),
        "{} of {} cases differ from kubectl:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
}

fn cases(list: &[&[&str]]) -> Vec<Vec<String>> {
    list.iter()
        .map(|args| args.iter().map(|a| a.to_string()).collect())
        .collect()
}

#[test]
fn targets_match_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    assert_all_like_kubectl(
        &sandbox,
        &cases(&[
            &["pods"],
            &["pods", "-n", "shop"],
            &["po", "cache-0", "cache-1", "-n", "shop"],
            &[
                "pod/cache-0",
                "service/frontend",
                "deploy/frontend",
                "-n",
                "shop",
            ],
            &["pods,svc", "-n", "shop"],
            &["deploy,sts,ds,rs", "-n", "shop"],
            &["sts,ds,job,cronjob", "-n", "shop"],
            &["svc,cm,secret", "-n", "shop"],
            &["ing,pvc,hpa,netpol", "-n", "shop"],
            &["all", "-n", "shop"],
            &["all", "-A"],
            &["events", "-n", "shop"],
            &["crd"],
            &["gizmos", "-n", "shop"],
            &["gz", "sprocket", "-n", "shop", "-o", "wide"],
            &["gizmos.example.org", "-A"],
            &["nodes"],
            &["nodes", "-o", "wide"],
            &["ns"],
            &["deployments.v1.apps", "-n", "shop"],
            &["pods", "-A"],
            &["pods", "-A", "-o", "wide"],
            // Cluster-scoped types have no NAMESPACE column with -A...
            &["nodes", "-A"],
            &["ns,nodes", "-A"],
            // ...unless a namespaced type was printed before them (kubectl's printer flags
            // keep the column once it was switched on).
            &["pods,nodes", "-A"],
            &["nodes,pods", "-A"],
            // The kind prefix appears when more than one type is listed, even if one is empty.
            &["pods,svc", "-n", "default"],
            &["pods,nodes"],
            &["pods,svc", "-n", "shop", "-l", "app=cache"],
        ]),
    );
}

#[test]
fn filters_match_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    assert_all_like_kubectl(
        &sandbox,
        &cases(&[
            &["pods", "-n", "shop", "-l", "app=cache"],
            &["pods", "-n", "shop", "-l", "app==cache"],
            &["pods", "-n", "shop", "-l", "app!=cache"],
            &["pods", "-n", "shop", "-l", "app in (cache,log-agent)"],
            &["pods", "-n", "shop", "-l", "app notin (cache)"],
            &["pods", "-n", "shop", "-l", "job-name"],
            &["pods", "-n", "shop", "-l", "!job-name"],
            &[
                "pods",
                "-n",
                "shop",
                "-l",
                "app=cache,statefulset.kubernetes.io/pod-name=cache-1",
            ],
            &["pods", "-A", "--selector", "app=none"],
            &["pods", "-A", "--field-selector", "status.phase=Running"],
            &[
                "pods",
                "-A",
                "--field-selector",
                "status.phase!=Running,metadata.namespace=shop",
            ],
            &[
                "pods",
                "-n",
                "shop",
                "--field-selector",
                "metadata.name=cache-0",
            ],
            &[
                "pods",
                "-n",
                "shop",
                "--field-selector",
                "spec.nodeName=fake-node-1",
                "-l",
                "app",
            ],
            &["pods", "-n", "shop", "--chunk-size=2"],
            &["pods", "-n", "shop", "--chunk-size=0"],
            &["all", "-n", "shop", "--chunk-size=1"],
            &["pods", "-A", "--chunk-size=3", "-o", "name"],
            &["pods", "-A", "--chunk-size=3", "-o", "json"],
        ]),
    );
}

#[test]
fn output_formats_match_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let dir = tempfile::tempdir().expect("dir");
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let jsonpath_file = file(
        "names.jsonpath",
        "{range .items[*]}{.metadata.name}{\"\\n\"}{end}",
    );
    let columns_file = file(
        "columns.txt",
        "NAME          IP\n.metadata.name   .status.podIP\n",
    );
    let template_file = file("names.tmpl", "{{range .items}}{{.metadata.name}} {{end}}");
    let flag = |name: &str, value: &str| format!("{name}={value}");
    let mut all = Vec::new();
    for targets in [
        &["pods", "-n", "shop"][..],
        &["pod", "cache-0", "-n", "shop"],
        &["pods,svc", "-n", "shop"],
        &["deploy/frontend", "svc/frontend", "-n", "shop"],
        &["gizmos", "-n", "shop"],
        &["pods", "-n", "empty"],
    ] {
        for output in [
            "wide".to_string(),
            "yaml".into(),
            "json".into(),
            "name".into(),
            "jsonpath={.items[*].metadata.name}".into(),
            "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.kind}{\"\\n\"}{end}".into(),
            "jsonpath={.metadata.name}".into(),
            "jsonpath-as-json={.items[*].metadata.name}".into(),
            "custom-columns=NAME:.metadata.name,KIND:.kind,IMAGES:.spec.containers[*].image".into(),
            "go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}".into(),
            "go-template={{.kind}}".into(),
            flag("jsonpath-file", &jsonpath_file),
            flag("custom-columns-file", &columns_file),
            flag("go-template-file", &template_file),
        ] {
            let mut case: Vec<String> = targets.iter().map(|s| s.to_string()).collect();
            case.extend(["-o".to_string(), output]);
            all.push(case);
        }
    }
    all.extend(cases(&[
        &[
            "pods",
            "-n",
            "shop",
            "-o",
            "template",
            "--template",
            "{{len .items}}",
        ],
        &[
            "pods",
            "-n",
            "shop",
            "-o",
            "jsonpath",
            "--template",
            "{.items[0].metadata.name}",
        ],
        &[
            "deploy",
            "frontend",
            "-n",
            "shop",
            "-o",
            "json",
            "--show-managed-fields",
        ],
        &[
            "deploy",
            "frontend",
            "-n",
            "shop",
            "-o",
            "yaml",
            "--show-managed-fields",
        ],
    ]));
    assert_all_like_kubectl(&sandbox, &all);
}

/// Strings and numbers that Go writes its own way: HTML characters and U+2028 escaped in
/// JSON, floats in Go's forms (`1e+21`, `1e-7`, `100000000000000000000`), go-yaml's quoting.
const AWKWARD_VALUES: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: blobs.example.com}
spec:
  group: example.com
  names: {kind: Blob, listKind: BlobList, plural: blobs, singular: blob}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: awkward, namespace: shop, labels: {"node-10": "a", "node-9": "b", "a_b": "c", "aZ": "d"}}
data:
  html: "<b>&amp;</b>"
  separators: "line\u2028paragraph\u2029end"
  controls: "tab\tbell\u0007nul-ish\u0001 \"quoted\" back\\slash"
  unicode: "héllo ✓ 🚀"
  words: "yes"
  number: "1e3"
  spaced: " leading and trailing "
  multi: "one\ntwo\n"
  long-plain: "word word word word word word word word word word word word word word word word word word word word word word"
  long-single: "[x] word word word word word word word word word word word word word word word word word word word word word word"
  long-double: "1 word word word word word word word word word word word word word word word word word word word word word word\t"
  long-spaces: "1 word word word word word word word word word word word word word word word  two   three    four word word word word word word word word word word word word word word word word word word word word word word"
  literal-breaks: "a\u2028b\nc\u0085\n\nd\n"
  kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: "a key past 128 bytes"
---
apiVersion: example.com/v1
kind: Blob
metadata: {name: numbers, namespace: shop}
spec:
  floats: [0.1, 2.5, -0.5, 1.5e-7, 0.000001, 1e20, 1e21, 123456789.125]
  ints: [0, -1, 9007199254740993, 9223372036854775807]
  mixed: {"<key>": "&", "": "empty key", "k\u2028": 1.0}
  args: ["word word word word word word word word word word word word word word word word word word word word word word", ["word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word"]]
"#;

#[test]
fn awkward_strings_and_numbers_print_like_kubectl() {
    let server = frozen_server();
    server.create(AWKWARD_VALUES).expect("create");
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut all = Vec::new();
    for target in [
        &["cm", "awkward", "-n", "shop"][..],
        &["cm", "-n", "shop"],
        &["blob", "numbers", "-n", "shop"],
        &["blobs", "-A"],
    ] {
        for output in ["json", "yaml", "jsonpath={.items}", "jsonpath={.spec}"] {
            let mut case: Vec<String> = target.iter().map(|s| s.to_string()).collect();
            case.extend(["-o".to_string(), output.to_string()]);
            all.push(case);
        }
    }
    assert_all_like_kubectl(&sandbox, &all);
    // What is compared holds what was written (kubectl could be missing on this machine).
    let json = run(
        sandbox.kz(),
        &["get", "cm", "awkward", "-n", "shop", "-o", "json"],
    );
    assert!(
        json.success()
            .contains(r#""html": "\u003cb\u003e\u0026amp;\u003c/b\u003e""#),
        "{}",
        json.stdout
    );
    let numbers = run(
        sandbox.kz(),
        &["get", "blob", "numbers", "-n", "shop", "-o", "json"],
    );
    assert!(numbers.success().contains("1e+21"), "{}", numbers.stdout);
}

#[test]
fn table_options_match_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    assert_all_like_kubectl(
        &sandbox,
        &cases(&[
            &["pods", "-n", "shop", "--no-headers"],
            &["all", "-n", "shop", "--no-headers"],
            &["pods", "-n", "shop", "--show-labels"],
            &["pods", "-A", "-o", "wide", "--show-labels"],
            &["pods", "-n", "shop", "-L", "app,job-name"],
            &[
                "pods",
                "-n",
                "shop",
                "-L",
                "app",
                "-L",
                "app.kubernetes.io/pod-index",
            ],
            &["pods", "-n", "shop", "--show-kind"],
            &["pod", "cache-0", "-n", "shop", "--show-kind"],
            &["pods,deploy", "-n", "shop", "--show-kind=false"],
            &["pods", "-n", "shop", "--sort-by=.metadata.name"],
            &["pods", "-n", "shop", "--sort-by={.status.podIP}"],
            // NAME and AGE from the objects, not the server's Table.
            &["pods", "-n", "shop", "--server-print=false"],
            &["deploy,svc", "-A", "--server-print=false", "-o", "wide"],
            &[
                "pods",
                "-n",
                "shop",
                "--server-print=false",
                "--sort-by=.status.podIP",
            ],
            &[
                "pod",
                "cache-0",
                "-n",
                "shop",
                "--server-print=false",
                "--show-labels",
            ],
            // A watch's list as events (the EVENT column as wide as MODIFIED), until the
            // request timeout ends it.
            &[
                "pods",
                "-n",
                "shop",
                "-w",
                "--output-watch-events",
                "--request-timeout=1s",
            ],
            &[
                "pods",
                "-A",
                "-w",
                "--server-print=false",
                "--request-timeout=1s",
            ],
            &["pods", "-A", "--sort-by=.spec.nodeName", "-o", "wide"],
            &[
                "pods",
                "-n",
                "shop",
                "--sort-by=.metadata.creationTimestamp",
                "-o",
                "name",
            ],
            &[
                "pods",
                "-n",
                "shop",
                "--sort-by=.spec.nodeName",
                "-o",
                "json",
            ],
            &[
                "pods",
                "-n",
                "shop",
                "--sort-by=.metadata.name",
                "-o",
                "yaml",
            ],
            &[
                "pods,svc",
                "-n",
                "shop",
                "--sort-by=.metadata.name",
                "-o",
                "name",
            ],
            &[
                "pods",
                "-n",
                "shop",
                "--sort-by=.metadata.uid",
                "-o",
                "custom-columns=N:.metadata.name",
            ],
            &[
                "pods",
                "-n",
                "shop",
                "--sort-by=.metadata.name",
                "-o",
                "jsonpath={.items[*].metadata.name}",
            ],
        ]),
    );
}

#[test]
fn files_raw_and_subresources_match_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let shop = manifest("02-shop.yaml");
    let base = manifest("01-base.yaml");
    assert_all_like_kubectl(
        &sandbox,
        &[
            vec!["-f".into(), shop.clone()],
            vec!["-f".into(), base.clone(), "-o".into(), "name".into()],
            vec![
                "-f".into(),
                shop.clone(),
                "-o".into(),
                "name".into(),
                "-n".into(),
                "shop".into(),
            ],
            vec![
                "-f".into(),
                base,
                "-f".into(),
                shop.clone(),
                "-o".into(),
                "wide".into(),
            ],
            vec!["-f".into(), manifest("scratch-app.yaml")],
            vec!["-f".into(), "/no/such/manifest.yaml".into()],
            vec!["-f".into(), shop, "-n".into(), "default".into()],
        ],
    );
    assert_all_like_kubectl(
        &sandbox,
        &cases(&[
            &["--raw", "/api/v1/namespaces/shop/pods/cache-0"],
            &["--raw", "/version"],
            &["--raw", "/apis/example.org/v1/namespaces/shop/gizmos"],
            &["--raw", "/api/v1/nope"],
            &["--raw", "/api/v1/namespaces/shop/pods/nope"],
            &["--raw", "api/v1"],
            &["--raw", "/api", "-o", "json"],
            &["--raw", "/api", "-l", "a=b"],
            &["--raw", "/api", "pods"],
            &["pod", "cache-0", "-n", "shop", "--subresource", "status"],
            &[
                "pod",
                "cache-0",
                "-n",
                "shop",
                "--subresource",
                "status",
                "-o",
                "json",
            ],
            &["deploy", "frontend", "-n", "shop", "--subresource", "scale"],
            &[
                "deploy",
                "frontend",
                "-n",
                "shop",
                "--subresource",
                "scale",
                "-o",
                "yaml",
            ],
            &[
                "sts/cache",
                "-n",
                "shop",
                "--subresource=scale",
                "-o",
                "name",
            ],
            &["gizmo", "sprocket", "-n", "shop", "--subresource", "scale"],
            &["deploy", "-n", "shop", "--subresource", "scale"],
        ]),
    );
    // kubectl since v1.27 sends any --subresource to the server (and prints its NotFound);
    // kz checks it first, as kubectl v1.24–1.26 did, so nothing typed can change the path.
    server.clear_requests();
    for value in ["logs", "../../secrets/x", "status?watch=1"] {
        let run = sandbox
            .kz()
            .args([
                "get",
                "pod",
                "cache-0",
                "-n",
                "shop",
                "--subresource",
                value,
            ])
            .output()
            .expect("kz runs");
        assert_eq!(run.status.code(), Some(1), "{value}");
        assert_eq!(
            String::from_utf8_lossy(&run.stderr),
            format!(
                "error: invalid subresource value: {value:?}. Must be one of [status scale resize]\n"
            )
        );
    }
    assert_eq!(
        server.requests(),
        [],
        "a refused --subresource is refused before any request"
    );
    if sandbox.kubectl().is_some() {
        let stdin = std::fs::read_to_string(manifest("02-shop.yaml")).expect("manifest");
        for args in [&["get", "-f", "-"][..], &["get", "-f", "-", "-o", "name"]] {
            assert_eq!(compare(&sandbox, args, Some(&stdin)), None);
        }
    }
}

#[test]
fn bad_input_matches_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    assert_all_like_kubectl(
        &sandbox,
        &cases(&[
            &[],
            &["flurbs"],
            &["pods,flurbs", "-n", "shop"],
            &["flurbs/x"],
            &["pods", "nope", "-n", "shop"],
            &["pods", "cache-0", "nope", "cache-1", "-n", "shop"],
            &["pods", "nope", "-n", "shop", "-o", "json"],
            &["pods", "cache-0", "nope", "-n", "shop", "-o", "json"],
            &["pods", "cache-0", "nope", "-n", "shop", "-o", "name"],
            &["pods", "nope", "also-nope", "-n", "shop", "-o", "yaml"],
            &[
                "deploy/frontend",
                "deploy/nope",
                "svc/frontend",
                "-n",
                "shop",
            ],
            &["pods,svc", "nope", "-n", "shop"],
            &["pods", "nope", "-n", "shop", "--ignore-not-found"],
            &[
                "pods",
                "nope",
                "-n",
                "shop",
                "--ignore-not-found",
                "-o",
                "json",
            ],
            &[
                "pods",
                "cache-0",
                "nope",
                "-n",
                "shop",
                "--ignore-not-found",
            ],
            &["pods", "-n", "empty", "--ignore-not-found"],
            &["pods", "-n", "empty", "--ignore-not-found", "-o", "json"],
            &["pods", "-A", "cache-0"],
            &["pod/"],
            &["pod/cache-0", "svc"],
            &["pods", "-n", "shop", "-l", "app in cache"],
            &["pods", "-n", "shop", "-l", "=x"],
            &["pods", "-n", "shop", "-l", "a b"],
            &["pods", "-n", "shop", "--field-selector", "bogus=1"],
            &["pods", "-n", "shop", "--field-selector", "x"],
            &["pods", "-n", "shop", "-o", "bogus"],
            &["pods", "-n", "shop", "-o", "jsonpath={.items[*"],
            &["pods", "-n", "shop", "-o", "jsonpath="],
            &["pods", "-n", "shop", "-o", "jsonpath={.items[*].nope}"],
            &[
                "pods",
                "-n",
                "shop",
                "-o",
                "jsonpath={.items[*].nope}",
                "--allow-missing-template-keys=false",
            ],
            &["pods", "-n", "shop", "-o", "jsonpath-file=/no/such/file"],
            &["pods", "-n", "shop", "-o", "go-template={{.items"],
            &["pods", "-n", "shop", "-o", "go-template={{.nope.x}}"],
            &[
                "pod",
                "cache-0",
                "-n",
                "shop",
                "-o",
                "go-template={{.nope.x}}",
                "--allow-missing-template-keys=false",
            ],
            &["pods", "-n", "shop", "-o", "custom-columns=A"],
            &["pods", "-n", "shop", "-o", "custom-columns=A:{.x"],
            &["pods", "-n", "shop", "-o", "json", "--show-labels"],
            &["pods", "-n", "shop", "--output-watch-events"],
        ]),
    );
}

/// kubectl swallows a bad `--sort-by` expression in tables and says "No resources found";
/// kz reports it. Deliberately different: the user asked for something that cannot work.
#[test]
fn a_bad_sort_by_expression_is_an_error() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let out = run(
        sandbox.kz(),
        &["get", "pods", "-n", "shop", "--sort-by={.x"],
    );
    assert_eq!(
        out.failure(),
        "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'\n"
    );
    // kubectl fails "couldn't find any field with path" when the tables of several types (or
    // several named objects) are sorted; kz sorts the rows of each table.
    let sorted = run(
        sandbox.kz(),
        &[
            "get",
            "pods,svc",
            "-n",
            "shop",
            "--sort-by=.metadata.name",
            "--no-headers",
        ],
    );
    let names: Vec<&str> = sorted
        .success()
        .lines()
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect();
    let pods: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| n.starts_with("pod/"))
        .collect();
    let mut expected = pods.clone();
    expected.sort();
    assert_eq!(pods, expected);
    assert_eq!(names.last(), Some(&"service/frontend"));
}

/// A directory with a broken manifest: kubectl gets every object it could read (the
/// documents of the broken file before the broken one too), then reports the errors in
/// order. The parse error's wording is the YAML parser's own, so only its start is compared.
#[test]
fn a_directory_with_a_broken_manifest_gets_everything_else() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let dir = manifests().display().to_string();
    let broken = format!(
        "error parsing {} (document ",
        manifest("scratch-broken.yaml")
    );
    for recursive in [false, true] {
        let mut args = vec!["get", "-f", &dir, "-o", "name"];
        if recursive {
            args.push("-R");
        }
        let kz = run(sandbox.kz(), &args);
        assert_eq!(kz.code, Some(1));
        assert!(kz.stdout.starts_with("namespace/shop\n"), "{kz:?}");
        let last = kz.stderr.lines().last().expect("an error line");
        assert!(last.starts_with(&broken), "{last}");
        // kubectl counts the line from the document's start (5); kz from the file's (10).
        assert!(last.contains("(document 2, line 10, column 11)"), "{last}");
        if let Some(kubectl) = sandbox.kubectl() {
            let theirs = run(kubectl, &args);
            assert_eq!(kz.code, theirs.code);
            assert_eq!(kz.stdout, theirs.stdout);
            let all_but_last = |text: &str| {
                text.lines()
                    .rev()
                    .skip(1)
                    .map(String::from)
                    .collect::<Vec<_>>()
            };
            assert_eq!(all_but_last(&kz.stderr), all_but_last(&theirs.stderr));
            let kubectls = format!("error parsing {}: ", manifest("scratch-broken.yaml"));
            assert!(
                theirs
                    .stderr
                    .lines()
                    .last()
                    .is_some_and(|l| l.starts_with(&kubectls)),
                "{theirs:?}"
            );
        }
    }
}

/// The recorded kubectl transcripts whose cluster state the test server reproduces.
#[test]
fn recorded_transcripts() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let missing = run(sandbox.kz(), &["get", "deploy", "nope", "-n", "shop"]);
    assert_eq!(missing.failure(), stderr_of("get-missing.txt"));
    let unknown = run(sandbox.kz(), &["get", "flurbs"]);
    assert_eq!(unknown.failure(), stderr_of("get-unknown-type.txt"));
    let empty = run(sandbox.kz(), &["get", "pods", "-n", "default"]);
    assert_eq!(empty.code, Some(0));
    assert_eq!(empty.stdout, fixture_stdout("get-empty-namespace.txt"));
    assert_eq!(empty.stderr, stderr_of("get-empty-namespace.txt"));
    let columns = run(
        sandbox.kz(),
        &[
            "get",
            "deploy",
            "-o",
            "custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image",
            "-n",
            "shop",
        ],
    );
    assert_eq!(
        columns.success(),
        "NAME       IMAGE\nfrontend   httpd:2.4\n"
    );
    // The header and the rows' first columns are the recorded ones (the pods' hashes and
    // ages are not).
    let pods = run(sandbox.kz(), &["get", "pods", "-n", "shop"]);
    let recorded = fixture_stdout("get-pods.txt");
    let words = |text: &str| -> Vec<String> {
        let header = text.lines().next().unwrap_or_default();
        header.split_whitespace().map(String::from).collect()
    };
    assert_eq!(words(pods.success()), words(&recorded));
    let all = run(sandbox.kz(), &["get", "all", "-n", "shop"]);
    let headers = |text: &str| -> Vec<String> {
        text.split("\n\n")
            .map(|table| words(table).join(" "))
            .collect()
    };
    assert_eq!(
        headers(all.success()),
        headers(&fixture_stdout("get-all.txt"))
    );
    let names = run(
        sandbox.kz(),
        &["get", "sts,ds,job,cronjob", "-n", "shop", "-o", "name"],
    );
    assert_eq!(
        names.success(),
        "statefulset.apps/cache\ndaemonset.apps/log-agent\njob.batch/migrate\ncronjob.batch/report\n"
    );
}

#[test]
fn forbidden_matches_the_recorded_transcript() {
    let server = frozen_server();
    server.deny("alice", "list", "pods");
    let sandbox = Sandbox::for_server(&server, &User::named("alice"));
    let out = run(sandbox.kz(), &["get", "pods", "-n", "shop"]);
    let recorded = stderr_of("get-pods-forbidden.txt");
    assert_eq!(
        out.failure(),
        recorded.replace(recorded_user(&recorded), "alice")
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let theirs = run(kubectl, &["get", "pods", "-n", "shop"]);
        assert_eq!(out, theirs);
    }
}

/// The user name in a recorded `User "…" cannot` line.
fn recorded_user(stderr: &str) -> &str {
    stderr
        .split("User \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a user in the recorded line")
}

fn stderr_of(fixture: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kubectl")
        .join(fixture);
    let text = std::fs::read_to_string(path).expect("fixture");
    let (_, stderr) = text.split_once("# --- stderr\n").expect("stderr marker");
    stderr.to_string()
}

fn lines_of(run: &Run) -> Vec<&str> {
    run.stdout.lines().collect()
}

#[test]
fn an_expired_continue_token_restarts_the_list_without_duplicates() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    for output in [&[][..], &["-o", "name"], &["-o", "json"], &["-o", "wide"]] {
        let mut args = vec!["get", "pods", "-A", "--chunk-size=2"];
        args.extend(output);
        let whole = run(sandbox.kz(), &args);
        whole.success();
        server.clear_requests();
        server.inject(Fault::status(410).path_contains("continue=").times(1));
        let resumed = run(sandbox.kz(), &args);
        assert_eq!(
            normalise_ages(resumed.success()),
            normalise_ages(&whole.stdout),
            "{args:?}"
        );
        let lists: Vec<String> = server
            .requests()
            .into_iter()
            .filter(|r| r.path == "/api/v1/pods")
            .map(|r| r.query)
            .collect();
        let restarts = lists.iter().filter(|q| !q.contains("continue=")).count();
        assert_eq!(restarts, 2, "listed again from the start: {lists:?}");
        let mut names = if output.contains(&"json") {
            let list: serde_json::Value = serde_json::from_str(&resumed.stdout).expect("JSON");
            list["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|item| item["metadata"]["name"].to_string())
                .collect()
        } else {
            lines_of(&resumed)
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        };
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "no duplicates: {}", resumed.stdout);
    }
}

/// One object per page: the list restarts after the first page and still prints every pod
/// exactly once, in the server's order.
#[test]
fn a_list_survives_history_expiring_between_pages() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let whole = run(sandbox.kz(), &["get", "pods", "-A", "-o", "name"]);
    server.inject(Fault::status(410).path_contains("continue=").times(1));
    let out = run(
        sandbox.kz(),
        &["get", "pods", "-A", "-o", "name", "--chunk-size=1"],
    );
    assert_eq!(out.success(), whole.success());
}

/// kubectl prints the pages it got before the error; kz prints no half table
/// (deliberately: a table cut short reads like a complete one). Exit code and error line are
/// kubectl's.
#[test]
fn a_server_error_mid_list_fails_like_kubectl_without_a_half_table() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    for output in [
        &[][..],
        &["-o", "wide"],
        &["-o", "custom-columns=N:.metadata.name"],
    ] {
        let mut args = vec!["get", "pods", "-A", "--chunk-size=2"];
        args.extend(output);
        server.inject(Fault::status(500).path_contains("continue=").times(1));
        let out = run(sandbox.kz(), &args);
        assert_eq!(
            out.failure(),
            "Error from server (InternalError): Internal error occurred: injected fault\n",
            "{args:?}"
        );
        if let Some(kubectl) = sandbox.kubectl() {
            server.inject(Fault::status(500).path_contains("continue=").times(1));
            let theirs = run(kubectl, &args);
            assert_eq!(
                (out.code, &out.stderr),
                (theirs.code, &theirs.stderr),
                "{args:?}"
            );
        }
    }
    // Streaming formats may have printed the first page; the error still ends the run.
    server.inject(Fault::status(500).path_contains("continue=").times(1));
    let out = run(
        sandbox.kz(),
        &["get", "pods", "-A", "--chunk-size=2", "-o", "name"],
    );
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.stderr,
        "Error from server (InternalError): Internal error occurred: injected fault\n"
    );
}

#[test]
fn a_warm_get_makes_one_request_and_a_cold_one_at_most_three() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    run(sandbox.kz(), &["get", "pods", "-n", "shop"]).success();
    let cold = server.requests();
    assert!(cold.len() <= 3, "cold: {cold:#?}");
    // A type that is not built in needs discovery, which is then cached too.
    server.clear_requests();
    run(sandbox.kz(), &["get", "gizmos", "-n", "shop"]).success();
    assert!(server.requests().len() <= 3, "{:#?}", server.requests());

    for args in [
        &["get", "pods", "-n", "shop"][..],
        &["get", "gizmos", "-n", "shop"],
    ] {
        server.clear_requests();
        run(sandbox.kz(), args).success();
        let warm = server.requests();
        assert_eq!(warm.len(), 1, "{args:?}: {warm:#?}");
        assert_eq!(warm[0].query, "limit=500");
        assert!(
            warm[0]
                .accept
                .starts_with("application/json;as=Table;v=v1;g=meta.k8s.io")
        );
    }
}

#[test]
fn chunked_lists_page_with_limit_and_continue() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    run(sandbox.kz(), &["get", "pods", "-n", "shop"]).success();
    let pods = server
        .store()
        .list(
            &kz_testserver::store::Collection::new("", "pods"),
            Some("shop"),
        )
        .0
        .len();
    server.clear_requests();
    let out = run(
        sandbox.kz(),
        &["get", "pods", "-n", "shop", "--chunk-size=2", "-o", "name"],
    );
    assert_eq!(out.success().lines().count(), pods);
    let queries: Vec<String> = server.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(queries.len(), pods.div_ceil(2), "{queries:?}");
    assert_eq!(queries[0], "limit=2");
    assert!(
        queries[1..]
            .iter()
            .all(|q| q.starts_with("limit=2&continue=")),
        "{queries:?}"
    );
    server.clear_requests();
    run(
        sandbox.kz(),
        &["get", "pods", "-n", "shop", "--chunk-size=0"],
    )
    .success();
    let queries: Vec<String> = server.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(queries, [""]);
}

#[test]
fn names_and_metadata_jsonpaths_of_lists_are_read_from_metadata_only_like_kubectl() {
    let server = frozen_server();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let metadata_only = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    let lists: &[&[&str]] = &[
        &["pods", "-A", "-o", "name"],
        &["gizmos", "-n", "shop", "-o", "name"],
        &["deploy,svc,cm,sts", "-n", "shop", "-o", "name"],
        &["pods", "-A", "--chunk-size=2", "-o", "name"],
        &["all", "-n", "shop", "-o", "name"],
        &[
            "pods",
            "-A",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.kind}{\"\\n\"}{end}",
        ],
        &[
            "gizmos,deploy",
            "-n",
            "shop",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ],
        &[
            "pods",
            "-n",
            "shop",
            "-o",
            "jsonpath={range .items[*]}{.apiVersion} {.metadata.labels}{\"\\n\"}{end}",
        ],
    ];
    for args in lists {
        let mut full = vec!["get"];
        full.extend_from_slice(args);
        server.clear_requests();
        run(sandbox.kz(), &full).success();
        let requests = server.requests();
        let listed: Vec<&str> = requests
            .iter()
            .filter(|r| r.path.starts_with("/api/v1/") || r.path.starts_with("/apis/"))
            .filter(|r| !r.path.ends_with("/v1") && r.query.contains("limit="))
            .map(|r| r.accept.as_str())
            .collect();
        assert!(!listed.is_empty(), "{args:?}: {requests:#?}");
        assert!(
            listed.iter().all(|a| a.starts_with(metadata_only)),
            "{args:?}: {listed:#?}"
        );
    }
    // Objects got by name are asked for whole (a metadata list is no answer to a GET of
    // one object), and so are lists sorted by a key that may be anywhere.
    for args in [
        &["get", "pod", "cache-0", "-n", "shop", "-o", "name"][..],
        &[
            "get",
            "pods",
            "-n",
            "shop",
            "--sort-by=.spec.nodeName",
            "-o",
            "name",
        ],
    ] {
        server.clear_requests();
        run(sandbox.kz(), args).success();
        assert!(
            server
                .requests()
                .iter()
                .all(|r| !r.accept.contains("PartialObjectMetadata")),
            "{args:?}: {:#?}",
            server.requests()
        );
    }
    let mut all: Vec<Vec<String>> = lists
        .iter()
        .map(|args| args.iter().map(|a| a.to_string()).collect())
        .collect();
    all.extend(cases(&[
        &["pods", "-n", "shop", "-l", "app=cache", "-o", "name"],
        &[
            "pods",
            "-A",
            "--field-selector=metadata.namespace=shop",
            "-o",
            "name",
        ],
        &["pods", "-n", "empty", "-o", "name"],
    ]));
    assert_all_like_kubectl(&sandbox, &all);
}
